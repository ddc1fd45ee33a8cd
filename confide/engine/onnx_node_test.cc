// ONNX backend node tests (Debian libonnx-testdata): every test named in
// testdata/onnx_node_tests_expected_pass.txt must pass; a second test runs the whole suite and
// prints passed/total overall and for the tests whose ops the engine claims (has kernels for).
// Comparison as ONNX's backend runner: |a-b| <= 1e-7 + 1e-3*|b| for floats, exact otherwise.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "confide/base/file.h"
#include "confide/engine/engine.h"
#include "confide/engine/internal/graph.h"

namespace confide::engine {
namespace {

namespace fs = std::filesystem;
const char kNodeDir[] = "/usr/share/libonnx-testdata/data/node";

std::string Compare(const Tensor& got, const Tensor& want) {
  if (got.dtype() != want.dtype()) return "dtype " + std::string(DataTypeName(got.dtype()));
  if (got.shape() != want.shape()) return "shape " + ShapeToString(got.shape()) + " want " + ShapeToString(want.shape());
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    double a, b;
    switch (want.dtype()) {
      case DataType::kFloat32: a = got.data<float>()[i], b = want.data<float>()[i]; break;
      case DataType::kFloat64: a = got.data<double>()[i], b = want.data<double>()[i]; break;
      default: {
        size_t es = DataTypeSize(want.dtype());
        if (std::memcmp(got.data<uint8_t>() + i * es, want.data<uint8_t>() + i * es, es) != 0) {
          return "element " + std::to_string(i) + " differs";
        }
        continue;
      }
    }
    if (std::isnan(a) && std::isnan(b)) continue;
    if (a == b) continue;
    if (!(std::fabs(a - b) <= 1e-7 + 1e-3 * std::fabs(b))) {
      return "element " + std::to_string(i) + ": " + std::to_string(a) + " want " + std::to_string(b);
    }
  }
  return "";
}

Result<Tensor> ReadPb(const fs::path& p, std::string* name) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes b, ReadFile(p.string()));
  return internal::ParseOnnxTensor(b, name);
}

// Runs one node test; "" on success, else the reason.
std::string RunNodeTest(const std::string& test) {
  fs::path dir = fs::path(kNodeDir) / test;
  auto bytes = ReadFile((dir / "model.onnx").string());
  if (!bytes.ok()) return bytes.error().ToString();
  auto model = Model::Load(*bytes, {.num_threads = 1});
  if (!model.ok()) return model.error().ToString();
  const ModelInfo& info = (*model)->info();
  fs::path data = dir / "test_data_set_0";
  NamedTensors inputs;
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    std::string name;
    auto t = ReadPb(data / ("input_" + std::to_string(i) + ".pb"), &name);
    if (!t.ok()) return "input " + std::to_string(i) + ": " + t.error().ToString();
    inputs.emplace_back(info.inputs[i].name, *t);
  }
  auto out = (*model)->Run(inputs);
  if (!out.ok()) return out.error().ToString();
  for (size_t i = 0; i < out->size(); ++i) {
    std::string name;
    auto want = ReadPb(data / ("output_" + std::to_string(i) + ".pb"), &name);
    if (!want.ok()) return "output " + std::to_string(i) + ": " + want.error().ToString();
    std::string diff = Compare((*out)[i].second, *want);
    if (!diff.empty()) return "output " + std::to_string(i) + ": " + diff;
  }
  return "";
}

// Whether every node of the test's graph (top level) has a reference kernel.
bool Claimed(const std::string& test) {
  auto bytes = ReadFile((fs::path(kNodeDir) / test / "model.onnx").string());
  if (!bytes.ok()) return false;
  internal::ModelMeta meta;
  auto g = internal::ParseOnnxModel(*bytes, internal::LoadLimits{}, &meta);
  if (!g.ok()) return false;
  for (const internal::Node& n : (*g)->nodes) {
    if (!ReferenceKernelRegistry().Supports(n.domain, n.op_type, n.opset)) return false;
  }
  return true;
}

std::vector<std::string> ExpectedPass() {
  std::ifstream in(std::string(CONFIDE_SOURCE_DIR) + "/confide/engine/testdata/onnx_node_tests_expected_pass.txt");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') names.push_back(line);
  }
  return names;
}

TEST(OnnxNodeTest, ExpectedPassListPasses) {
  if (!fs::exists(kNodeDir)) GTEST_SKIP() << "libonnx-testdata is not installed";
  std::vector<std::string> names = ExpectedPass();
  ASSERT_GT(names.size(), 100u);
  int failed = 0;
  for (const std::string& name : names) {
    std::string why = RunNodeTest(name);
    if (!why.empty()) {
      ADD_FAILURE() << name << ": " << why;
      ++failed;
    }
  }
  std::cout << "[onnx-node] expected-pass list: " << names.size() - failed << "/" << names.size() << " pass\n";
}

TEST(OnnxNodeTest, SuiteSummary) {
  if (!fs::exists(kNodeDir)) GTEST_SKIP() << "libonnx-testdata is not installed";
  std::set<std::string> tests;
  for (const auto& e : fs::directory_iterator(kNodeDir)) tests.insert(e.path().filename().string());
  int passed = 0, claimed = 0, claimed_passed = 0;
  for (const std::string& t : tests) {
    bool ok = RunNodeTest(t).empty();
    bool c = Claimed(t);
    passed += ok;
    claimed += c;
    claimed_passed += c && ok;
    if (ok) std::cout << "[pass] " << t << "\n";
    else if (c) std::cout << "[claimed-fail] " << t << ": " << RunNodeTest(t) << "\n";
  }
  std::cout << "[onnx-node] whole suite: " << passed << "/" << tests.size()
            << " pass; tests of claimed ops: " << claimed_passed << "/" << claimed << " pass\n";
}

}  // namespace
}  // namespace confide::engine
