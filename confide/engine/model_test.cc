// Runs every model in ../shared/models and compares with the onnxruntime reference outputs
// (tolerances from models/README.md).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "confide/base/file.h"
#include "confide/engine/engine.h"
#include "confide/engine/npy.h"

namespace confide::engine {
namespace {

std::string ModelsDir() { return std::string(CONFIDE_SHARED_DIR) + "/models/"; }

Tensor ReadNpy(const std::string& path) {
  auto bytes = ReadFile(path);
  EXPECT_TRUE(bytes.ok()) << path;
  if (!bytes.ok()) return {};
  auto t = ParseNpy(*bytes);
  EXPECT_TRUE(t.ok()) << path << ": " << t.error().ToString();
  return t.ok() ? *t : Tensor();
}

struct Stats {
  double max_abs = 0, max_rel = 0;
  int64_t failures = 0;
};

// int8 models: allow one quantization step (the output scale) beyond the float tolerance.
Stats Compare(const Tensor& got, const Tensor& want, double extra_abs) {
  Stats s;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    double a, b;
    if (want.dtype() == DataType::kFloat32) {
      a = got.data<float>()[i], b = want.data<float>()[i];
    } else if (want.dtype() == DataType::kInt64) {
      a = static_cast<double>(got.data<int64_t>()[i]), b = static_cast<double>(want.data<int64_t>()[i]);
    } else {
      ADD_FAILURE() << "unexpected reference dtype";
      return s;
    }
    double d = std::fabs(a - b);
    s.max_abs = std::max(s.max_abs, d);
    s.max_rel = std::max(s.max_rel, d / std::max(std::fabs(b), 1e-6));
    double tol = want.dtype() == DataType::kFloat32 ? 1e-4 + 1e-3 * std::fabs(b) + extra_abs : 0;
    if (!(d <= tol)) ++s.failures;
  }
  return s;
}

class ModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelTest, MatchesOnnxRuntime) {
  const std::string name = GetParam();
  auto bytes = ReadFile(ModelsDir() + name + ".onnx");
  ASSERT_TRUE(bytes.ok());
  auto model = Model::Load(*bytes, {.num_threads = 2});
  ASSERT_TRUE(model.ok()) << model.error().ToString();
  const ModelInfo& info = (*model)->info();
  NamedTensors inputs;
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    inputs.emplace_back(info.inputs[i].name, ReadNpy(ModelsDir() + name + ".input_" + std::to_string(i) + ".npy"));
  }
  for (int round = 0; round < 2; ++round) {  // the second run uses the cached memory plan
    auto out = (*model)->Run(inputs);
    ASSERT_TRUE(out.ok()) << out.error().ToString();
    ASSERT_EQ(out->size(), info.outputs.size());
    for (size_t i = 0; i < out->size(); ++i) {
      Tensor want = ReadNpy(ModelsDir() + name + ".output_" + std::to_string(i) + ".npy");
      const Tensor& got = (*out)[i].second;
      ASSERT_EQ(got.shape(), want.shape()) << "output " << i;
      ASSERT_EQ(got.dtype(), want.dtype()) << "output " << i;
      double step = name.find("int8") != std::string::npos ? 0.5 : 0;
      Stats s = Compare(got, want, step);
      auto plan = (*model)->PlannedArenaBytes([&] {
        std::vector<Shape> shapes;
        for (const auto& [n, t] : inputs) shapes.push_back(t.shape());
        return shapes;
      }());
      if (round == 0) {
        std::cout << "[model] " << name << " output " << i << ": max_abs=" << s.max_abs
                  << " max_rel=" << s.max_rel << " arena=" << (plan.ok() ? *plan : 0)
                  << " weights=" << info.weight_bytes << "\n";
      }
      EXPECT_EQ(s.failures, 0) << name << " output " << i << " max_abs " << s.max_abs;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, ModelTest,
    ::testing::Values("mnist8", "mnist8_int8", "ppocr_cls_mobilev2", "ultraface_rfb320", "ppocrv4_det",
                      "ppocrv4_rec", "silero_vad_v5", "tabular_rf_wine", "tabular_gbr_diabetes",
                      "tabular_mlp_breast_cancer", "tabular_mlp_breast_cancer_int8dyn",
                      "oww_melspectrogram", "oww_embedding"),
    [](const auto& p) { return p.param; });

}  // namespace
}  // namespace confide::engine
