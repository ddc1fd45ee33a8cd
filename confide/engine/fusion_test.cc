// Fusion rewrites (internal/fusion.cc) seen through the public API: the rewritten graph has the
// expected node count and computes what the unfused ONNX graph defines, checked against values
// computed here in double precision.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "confide/engine/engine.h"
#include "onnx.pb.h"

namespace confide::engine {
namespace {

void AddScalar(onnx::GraphProto* g, const char* name, float v) {
  onnx::TensorProto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_float_data(v);
}

onnx::NodeProto* AddNode(onnx::GraphProto* g, const char* op, std::vector<const char*> in, const char* out) {
  onnx::NodeProto* n = g->add_node();
  n->set_name(std::string(op) + "_" + out);
  n->set_op_type(op);
  for (const char* i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

// X[1,8] -> Add(X, 3) -> Clip(., lo, hi) -> Mul(X, .) or Mul(., X) -> Div(., 6) or Mul(., 1/6) -> Y,
// opset 13 (Clip bounds as inputs).
Bytes DecomposedHardSwish(float clip_hi, bool x_first, bool divide) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  for (const char* name : {"X", "Y"}) {
    onnx::ValueInfoProto* v = name[0] == 'X' ? g->add_input() : g->add_output();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(1);
    tt->mutable_shape()->add_dim()->set_dim_value(1);
    tt->mutable_shape()->add_dim()->set_dim_value(8);
  }
  AddScalar(g, "three", 3.f);
  AddScalar(g, "zero", 0.f);
  AddScalar(g, "hi", clip_hi);
  AddScalar(g, "six", 6.f);
  AddScalar(g, "sixth", 1.f / 6);
  AddNode(g, "Add", {"three", "X"}, "s");
  AddNode(g, "Clip", {"s", "zero", "hi"}, "c");
  if (x_first) {
    AddNode(g, "Mul", {"X", "c"}, "p");
  } else {
    AddNode(g, "Mul", {"c", "X"}, "p");
  }
  if (divide) {
    AddNode(g, "Div", {"p", "six"}, "Y");
  } else {
    AddNode(g, "Mul", {"sixth", "p"}, "Y");
  }
  std::string s = m.SerializeAsString();
  return Bytes(s.begin(), s.end());
}

void ExpectComputesDecomposed(const Model& m, float clip_hi) {
  Tensor x = Tensor::Zeros(DataType::kFloat32, {1, 8});
  const float xs[8] = {-7.f, -3.f, -1.5f, -0.f, 0.5f, 2.9f, 3.f, 9.f};
  std::copy(xs, xs + 8, x.data<float>());
  auto out = m.Run({{"X", x}});
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  for (int i = 0; i < 8; ++i) {
    double v = xs[i], want = v * std::clamp(v + 3, 0.0, double{clip_hi}) / 6;
    EXPECT_NEAR((*out)[0].second.data<float>()[i], want, 1e-6 * (1 + std::fabs(want))) << "x=" << v;
  }
}

TEST(Fusion, DecomposedHardSwishBecomesOneNodeInEveryOperandOrder) {
  for (bool x_first : {true, false}) {
    for (bool divide : {true, false}) {
      auto m = Model::Load(DecomposedHardSwish(6.f, x_first, divide), {.num_threads = 1});
      ASSERT_TRUE(m.ok()) << m.error().ToString();
      EXPECT_EQ((*m)->info().num_nodes_optimized, 1) << x_first << divide;
      ExpectComputesDecomposed(**m, 6.f);
    }
  }
}

TEST(Fusion, OtherClipBoundsAreNotHardSwish) {
  auto m = Model::Load(DecomposedHardSwish(5.f, true, true), {.num_threads = 1});
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  EXPECT_EQ((*m)->info().num_nodes_optimized, 4);
  ExpectComputesDecomposed(**m, 5.f);
}

}  // namespace
}  // namespace confide::engine
