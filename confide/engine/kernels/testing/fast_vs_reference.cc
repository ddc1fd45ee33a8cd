#include "confide/engine/kernels/testing/fast_vs_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace confide::engine::testing {
namespace {

void SetTensor(const std::string& name, const Tensor& t, onnx::TensorProto* p) {
  p->set_name(name);
  p->set_data_type(static_cast<int>(t.dtype()));
  for (int64_t d : t.shape()) p->add_dims(d);
  p->set_raw_data(std::string(static_cast<const char*>(t.raw_data()), t.byte_size()));
}

void AddValueInfo(const std::string& name, DataType dtype, const Shape* shape, onnx::ValueInfoProto* v) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(static_cast<int>(dtype));
  if (shape) {
    for (int64_t d : *shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
}

Bytes BuildModel(const OpCase& c) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(c.opset);
  onnx::GraphProto* g = m.mutable_graph();
  for (const auto& [name, t] : c.inputs) {
    AddValueInfo(name, t.dtype(), c.unknown_input_shapes ? nullptr : &t.shape(), g->add_input());
  }
  for (const auto& [name, t] : c.weights) SetTensor(name, t, g->add_initializer());
  onnx::NodeProto* n = g->add_node();
  n->set_name("op0");
  n->set_op_type(c.op);
  for (const std::string& in : c.node_inputs) n->add_input(in);
  n->add_output(c.then_activation.empty() ? "Y" : "T");
  if (c.attrs) c.attrs(*n);
  if (!c.then_activation.empty()) {
    onnx::NodeProto* a = g->add_node();
    a->set_name("act0");
    a->set_op_type(c.then_activation);
    a->add_input("T");
    a->add_output("Y");
    if (c.then_activation == "LeakyRelu") AddFloat(*a, "alpha", 0.1f);
    if (c.then_activation == "Clip") {
      AddFloat(*a, "min", 0.f);
      AddFloat(*a, "max", 0.5f);
      m.mutable_opset_import(0)->set_version(std::min(c.opset, 10));
    }
  }
  DataType out = c.inputs.empty() ? DataType::kFloat32 : c.inputs[0].second.dtype();
  if (c.op.rfind("QLinear", 0) == 0) out = c.weights.back().second.dtype();
  AddValueInfo("Y", out, nullptr, g->add_output());
  std::string s = m.SerializeAsString();
  return Bytes(s.begin(), s.end());
}

Result<Tensor> RunWith(const Bytes& model, const OpCase& c, const KernelRegistry& r, int threads) {
  CONFIDE_ASSIGN_OR_RETURN(auto m, Model::Load(model, {.num_threads = threads, .registry = &r}));
  NamedTensors in(c.inputs.begin(), c.inputs.end());
  for (int round = 0; round < 2; ++round) {  // the second run uses the memory plan
    CONFIDE_ASSIGN_OR_RETURN(NamedTensors out, m->Run(in));
    if (round == 1) return out[0].second;
  }
  return InternalError("unreachable");
}

}  // namespace

Tensor RandomTensor(DataType dtype, const Shape& shape, uint32_t seed, float lo, float hi) {
  Tensor t = Tensor::Zeros(dtype, shape);
  uint32_t s = seed * 2654435761u + 12345u;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    s = s * 1664525u + 1013904223u;
    float v = lo + (hi - lo) * static_cast<float>(s >> 8) / static_cast<float>(1 << 24);
    if (dtype == DataType::kFloat32) t.data<float>()[i] = v;
    if (dtype == DataType::kUint8) t.data<uint8_t>()[i] = static_cast<uint8_t>(std::floor(v));
    if (dtype == DataType::kInt8) t.data<int8_t>()[i] = static_cast<int8_t>(std::floor(v));
  }
  return t;
}

void AddInt(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void AddFloat(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

void AddInts(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

namespace {

// EXPECTs every element of `got` within atol + rtol * |want| (exact for integer outputs).
void ExpectSameOutput(const Tensor& want, const Tensor& got, Tolerance tol, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  int failures = 0;
  double worst = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    double w, v;
    if (want.dtype() == DataType::kFloat32) {
      w = want.data<float>()[i], v = got.data<float>()[i];
    } else if (want.dtype() == DataType::kUint8) {
      w = want.data<uint8_t>()[i], v = got.data<uint8_t>()[i];
    } else {
      w = want.data<int8_t>()[i], v = got.data<int8_t>()[i];
    }
    if (w == v || (std::isnan(w) && std::isnan(v))) continue;  // equal, infinities and NaN too
    double err = std::fabs(v - w);
    worst = std::max(worst, err);
    if (!(err <= tol.atol + tol.rtol * std::fabs(w))) ++failures;
  }
  EXPECT_EQ(failures, 0) << what << " max abs error " << worst;
}

}  // namespace

void ExpectFastMatchesReference(const OpCase& c, Tolerance tol) {
  Bytes model = BuildModel(c);
  auto want = RunWith(model, c, ReferenceKernelRegistry(), 1);
  ASSERT_TRUE(want.ok()) << want.error().message;
  for (int threads : {1, 2}) {
    auto got = RunWith(model, c, DefaultKernelRegistry(), threads);
    ASSERT_TRUE(got.ok()) << got.error().message;
    ExpectSameOutput(*want, *got, tol, c.op + " threads=" + std::to_string(threads));
  }
}

void ExpectFastMatchesReferenceOnShapes(OpCase c, const std::vector<Tensor>& first_inputs, int rounds,
                                        Tolerance tol) {
  ASSERT_FALSE(c.inputs.empty());
  c.unknown_input_shapes = true;
  Bytes model = BuildModel(c);
  auto reference = Model::Load(model, {.num_threads = 1, .registry = &ReferenceKernelRegistry()});
  ASSERT_TRUE(reference.ok()) << reference.error().message;
  auto fast = Model::Load(model, {.num_threads = 1});
  ASSERT_TRUE(fast.ok()) << fast.error().message;
  for (int round = 0; round < rounds; ++round) {
    for (const Tensor& x : first_inputs) {
      NamedTensors in(c.inputs.begin(), c.inputs.end());
      in[0].second = x;
      auto want = (*reference)->Run(in);
      ASSERT_TRUE(want.ok()) << want.error().message;
      auto got = (*fast)->Run(in);
      ASSERT_TRUE(got.ok()) << got.error().message;
      ExpectSameOutput((*want)[0].second, (*got)[0].second, tol,
                       c.op + " on " + ShapeToString(x.shape()) + " round " + std::to_string(round));
    }
  }
}

}  // namespace confide::engine::testing
