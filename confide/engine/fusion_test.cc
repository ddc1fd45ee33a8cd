// Fusion rewrites (internal/fusion.cc) seen through the public API: the rewritten graph has the
// expected node count and computes what the unfused ONNX graph defines, checked against values
// computed here in double precision.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "confide/engine/engine.h"
#include "confide/engine/internal/graph.h"
#include "confide/engine/internal/optimizer.h"
#include "confide/engine/kernel.h"
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

Bytes Serialize(const onnx::ModelProto& m) {
  std::string bytes = m.SerializeAsString();
  return Bytes(bytes.begin(), bytes.end());
}

// A float tensor of `dims` holding scale * ((i * mult) % period) + offset at flat index i.
Tensor Pattern(const Shape& dims, float scale, int64_t mult, int64_t period, float offset) {
  Tensor x = Tensor::Zeros(DataType::kFloat32, dims);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    x.data<float>()[i] = scale * static_cast<float>((i * mult) % period) + offset;
  }
  return x;
}

// A model at `opset` whose graph has the float input X and the float output Y of these shapes.
onnx::GraphProto* NewGraph(onnx::ModelProto& m, int opset, const std::vector<int64_t>& x_dims,
                           const std::vector<int64_t>& y_dims) {
  m.set_ir_version(8);
  m.add_opset_import()->set_version(opset);
  onnx::GraphProto* g = m.mutable_graph();
  for (const char* name : {"X", "Y"}) {
    onnx::ValueInfoProto* v = name[0] == 'X' ? g->add_input() : g->add_output();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(1);
    for (int64_t d : name[0] == 'X' ? x_dims : y_dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  return g;
}

// X[1,8] -> Add(X, 3) -> Clip(., lo, hi) -> Mul(X, .) or Mul(., X) -> Div(., 6) or Mul(., 1/6) -> Y,
// opset 13 (Clip bounds as inputs).
Bytes DecomposedHardSwish(float clip_hi, bool x_first, bool divide) {
  onnx::ModelProto m;
  onnx::GraphProto* g = NewGraph(m, 13, {1, 8}, {1, 8});
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
  return Serialize(m);
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

// X[1,2,6,7] -> Conv(W[3,2,3,3], B, pads 1) -> `chain` (op, second input) ... -> Y, opset 14.
// Initializers: the conv's, and scalars s = 0.75, t = -0.25, v2 = [2, 3] (not a scalar).
Bytes ConvThen(const std::vector<std::pair<const char*, const char*>>& chain) {
  onnx::ModelProto m;
  onnx::GraphProto* g = NewGraph(m, 14, {1, 2, 6, 7}, {1, 3, 6, 7});
  auto init = [&](const char* name, std::vector<int64_t> dims, float base) {
    onnx::TensorProto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) t->add_dims(d), n *= d;
    for (int64_t i = 0; i < n; ++i) t->add_float_data(base + 0.37f * static_cast<float>((i * 7) % 11) - 1.5f);
  };
  init("W", {3, 2, 3, 3}, 0.f);
  init("B", {3}, 0.5f);
  AddScalar(g, "s", 0.75f);
  AddScalar(g, "t", -0.25f);
  init("v2", {3, 1, 1}, 2.f);
  onnx::NodeProto* conv = AddNode(g, "Conv", {"X", "W", "B"}, chain.empty() ? "Y" : "h0");
  onnx::AttributeProto* pads = conv->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int i = 0; i < 4; ++i) pads->add_ints(1);
  std::vector<std::string> names;
  for (size_t i = 0; i <= chain.size(); ++i) names.push_back(i == chain.size() ? "Y" : "h" + std::to_string(i));
  for (size_t i = 0; i < chain.size(); ++i) {
    std::vector<const char*> in = {names[i].c_str()};
    if (chain[i].second) in.push_back(chain[i].second);
    AddNode(g, chain[i].first, in, names[i + 1].c_str());
  }
  return Serialize(m);
}

// Runs `model` optimised and not on X = `x`; expects `nodes` nodes after fusion and equal outputs.
void ExpectFusesTo(const Bytes& model, int nodes, const Tensor& x) {
  auto fused = Model::Load(model, {.num_threads = 1});
  auto plain = Model::Load(model, {.num_threads = 1, .optimize = false});
  ASSERT_TRUE(fused.ok()) << fused.error().ToString();
  ASSERT_TRUE(plain.ok()) << plain.error().ToString();
  EXPECT_EQ((*fused)->info().num_nodes_optimized, nodes);
  auto a = (*fused)->Run({{"X", x}});
  auto b = (*plain)->Run({{"X", x}});
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  const Tensor& ya = (*a)[0].second;
  const Tensor& yb = (*b)[0].second;
  ASSERT_EQ(ya.shape(), yb.shape());
  for (int64_t i = 0; i < ya.num_elements(); ++i) {
    EXPECT_NEAR(ya.data<float>()[i], yb.data<float>()[i], 1e-5 * (1 + std::fabs(yb.data<float>()[i]))) << i;
  }
}

// ConvThen(chain) on X[1,2,6,7] = 0.1 * (i % 17) - 0.8.
void ExpectConvChainFusesTo(const std::vector<std::pair<const char*, const char*>>& chain, int nodes) {
  ExpectFusesTo(ConvThen(chain), nodes, Pattern({1, 2, 6, 7}, 0.1f, 1, 17, -0.8f));
}

TEST(Fusion, ScalarMulAndAddFoldIntoConvWeightsAndBias) {
  ExpectConvChainFusesTo({{"Mul", "s"}, {"Add", "t"}}, 1);
}

TEST(Fusion, ScalarMulAndAddAfterAnActivationBecomeItsAffineTail) {
  ExpectConvChainFusesTo({{"HardSwish", nullptr}, {"Mul", "s"}, {"Add", "t"}}, 1);
  ExpectConvChainFusesTo({{"Relu", nullptr}, {"Add", "t"}, {"Mul", "s"}}, 1);
  // A scalar Mul before the activation folds into the weights; the one after into the tail.
  ExpectConvChainFusesTo({{"Mul", "s"}, {"HardSwish", nullptr}, {"Mul", "s"}}, 1);
}

TEST(Fusion, PerChannelMulIsNotAScalarFold) {
  ExpectConvChainFusesTo({{"Mul", "v2"}}, 2);
  ExpectConvChainFusesTo({{"Relu", nullptr}, {"Add", "v2"}}, 2);
}

// X[2,3,8] -> the decomposed LayerNorm PaddlePaddle exports (means over the last axis, Pow by
// `exponent`, Add eps, Sqrt, Div, Mul gamma[8], Add beta[8]) -> Y, opset 13.
Bytes DecomposedLayerNorm(float exponent) {
  onnx::ModelProto m;
  onnx::GraphProto* g = NewGraph(m, 13, {2, 3, 8}, {2, 3, 8});
  AddScalar(g, "two", exponent);
  AddScalar(g, "eps", 0.01f);  // not the default, so a dropped epsilon shows
  for (const char* name : {"gamma", "beta"}) {
    onnx::TensorProto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(8);
    for (int i = 0; i < 8; ++i) t->add_float_data(name[0] == 'g' ? 0.5f + 0.25f * i : -1.f + 0.3f * i);
  }
  auto mean = [](onnx::NodeProto* n) {
    onnx::AttributeProto* axes = n->add_attribute();
    axes->set_name("axes");
    axes->set_type(onnx::AttributeProto::INTS);
    axes->add_ints(-1);
  };
  mean(AddNode(g, "ReduceMean", {"X"}, "m"));
  AddNode(g, "Sub", {"X", "m"}, "d");
  AddNode(g, "Pow", {"d", "two"}, "sq");
  mean(AddNode(g, "ReduceMean", {"sq"}, "var"));
  AddNode(g, "Add", {"var", "eps"}, "ve");
  AddNode(g, "Sqrt", {"ve"}, "sd");
  AddNode(g, "Div", {"d", "sd"}, "n");
  AddNode(g, "Mul", {"n", "gamma"}, "ng");
  AddNode(g, "Add", {"ng", "beta"}, "Y");
  return Serialize(m);
}

void ExpectLayerNormFusesTo(float exponent, int nodes) {
  ExpectFusesTo(DecomposedLayerNorm(exponent), nodes, Pattern({2, 3, 8}, 0.7f, 5, 13, -3.f));
}

TEST(Fusion, DecomposedLayerNormBecomesLayerNormalization) { ExpectLayerNormFusesTo(2.f, 1); }

TEST(Fusion, PowOtherThanTwoIsNotALayerNorm) { ExpectLayerNormFusesTo(4.f, 9); }

// X (x_dims) -> MatMul(X, W[4,5]) -> Add with `bias` (dims bias_dims; first operand when
// `bias_first`) -> Y, opset 13. W and the bias are initializers.
Bytes MatMulThenAdd(const std::vector<int64_t>& x_dims, const std::vector<int64_t>& bias_dims, bool bias_first) {
  std::vector<int64_t> y_dims = x_dims;
  y_dims.back() = 5;
  onnx::ModelProto m;
  onnx::GraphProto* g = NewGraph(m, 13, x_dims, y_dims);
  auto init = [&](const char* name, const std::vector<int64_t>& dims) {
    onnx::TensorProto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) t->add_dims(d), n *= d;
    for (int64_t i = 0; i < n; ++i) t->add_float_data(0.3f * static_cast<float>((i * 7) % 9) - 1.1f);
  };
  init("W", {4, 5});
  init("bias", bias_dims);
  AddNode(g, "MatMul", {"X", "W"}, "xw");
  AddNode(g, "Add", bias_first ? std::vector<const char*>{"bias", "xw"} : std::vector<const char*>{"xw", "bias"}, "Y");
  return Serialize(m);
}

Tensor Ramp(const Shape& dims) { return Pattern(dims, 0.25f, 1, 11, -1.f); }

// Rank 1 runs on the reference MatMul (oneDNN declines 1-D), ranks 2 and 3 on oneDNN's.
TEST(Fusion, MatMulThenAddOfARowBecomesOneMatMulWithBias) {
  for (const Shape& x : {Shape{4}, Shape{3, 4}, Shape{2, 3, 4}}) {
    for (bool bias_first : {false, true}) {
      SCOPED_TRACE(ShapeToString(x) + (bias_first ? " bias first" : ""));
      ExpectFusesTo(MatMulThenAdd(x, {5}, bias_first), 1, Ramp(x));
    }
  }
}

// The fused MatMul computes X*W + b on the reference kernels too, checked against values
// computed here (W and b as MatMulThenAdd fills them).
TEST(Fusion, FusedMatMulBiasOnTheReferenceKernels) {
  auto m = Model::Load(MatMulThenAdd({2, 3, 4}, {5}, false), {.num_threads = 1, .registry = &ReferenceKernelRegistry()});
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  EXPECT_EQ((*m)->info().num_nodes_optimized, 1);
  Tensor x = Ramp({2, 3, 4});
  auto out = (*m)->Run({{"X", x}});
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  auto filled = [](int64_t i) { return 0.3 * ((i * 7) % 9) - 1.1; };
  for (int64_t r = 0; r < 6; ++r) {
    for (int64_t j = 0; j < 5; ++j) {
      double want = filled(j);
      for (int64_t k = 0; k < 4; ++k) want += x.data<float>()[r * 4 + k] * filled(k * 5 + j);
      EXPECT_NEAR((*out)[0].second.data<float>()[r * 5 + j], want, 1e-5) << r << "," << j;
    }
  }
}

// A [1,5] bias would lift a 1-D product to 2-D, and a [3,5] one is not a row: neither fuses.
TEST(Fusion, AddOfOtherShapesIsNotAMatMulBias) {
  ExpectFusesTo(MatMulThenAdd({3, 4}, {1, 5}, false), 2, Ramp({3, 4}));
  ExpectFusesTo(MatMulThenAdd({3, 4}, {3, 5}, true), 2, Ramp({3, 4}));
}

// The optimizer's attributes ("_act", "_bias") cannot come from a model.
TEST(Fusion, ModelsCannotSetTheOptimizersAttributes) {
  onnx::ModelProto m;
  onnx::GraphProto* g = NewGraph(m, 13, {1, 4}, {1, 4});
  onnx::AttributeProto* a = AddNode(g, "Relu", {"X"}, "Y")->add_attribute();
  a->set_name("_act");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("Relu");
  auto loaded = Model::Load(Serialize(m), {.num_threads = 1});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("_act is reserved"), std::string::npos) << loaded.error().ToString();
}

// Adds Conv `in` -> `out` with weights W_<out> of dims `w` and bias B_<out> (values from `seed`),
// `group`, `stride` and `pads` (default: half the kernel on every side).
void AddConv(onnx::GraphProto* g, const char* in, const char* out, std::vector<int64_t> w, int64_t group,
             int64_t stride, int seed, std::vector<int64_t> pads = {}) {
  std::string wn = std::string("W_") + out, bn = std::string("B_") + out;
  onnx::TensorProto* t = g->add_initializer();
  t->set_name(wn);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t count = 1;
  for (int64_t d : w) t->add_dims(d), count *= d;
  for (int64_t i = 0; i < count; ++i) t->add_float_data(0.05f * static_cast<float>((i * 7 + seed) % 13) - 0.3f);
  onnx::TensorProto* b = g->add_initializer();
  b->set_name(bn);
  b->set_data_type(onnx::TensorProto::FLOAT);
  b->add_dims(w[0]);
  for (int64_t i = 0; i < w[0]; ++i) b->add_float_data(0.1f * static_cast<float>((i + seed) % 5) - 0.2f);
  onnx::NodeProto* n = AddNode(g, "Conv", {in, wn.c_str(), bn.c_str()}, out);
  auto ints = [&](const char* name, std::vector<int64_t> v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  };
  if (pads.empty()) pads.assign(4, w[2] / 2);
  ints("pads", pads);
  ints("strides", {stride, stride});
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name("group");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(group);
}

// X[1,3,20,24] -> C0 Conv 3->8 3x3 s2 -> Relu (fused) -> C1 depthwise 8 3x3 -> C2 pointwise 8->12
// -> c, read by C3 Conv 12->12 3x3 and C4 pointwise 12->12 -> f = Add(d, e) -> Add(f, c) -> C5
// depthwise 12 5x5 -> y5 -> Transpose (0, 2, 3, 1) -> Y[1,10,12,12], opset 13. Every value
// between X and Y is channels-last (internal/layout.cc): Convs, Adds and the Transpose take it.
Bytes ConvNetwork() {
  onnx::ModelProto m;
  onnx::GraphProto* g = NewGraph(m, 13, {1, 3, 20, 24}, {1, 10, 12, 12});
  int seed = 0;
  auto conv = [&](const char* in, const char* out, std::vector<int64_t> w, int64_t group, int64_t stride) {
    AddConv(g, in, out, std::move(w), group, stride, seed++);
  };
  conv("X", "a0", {8, 3, 3, 3}, 1, 2);
  AddNode(g, "Relu", {"a0"}, "a");
  conv("a", "b", {8, 1, 3, 3}, 8, 1);
  conv("b", "c", {12, 8, 1, 1}, 1, 1);
  conv("c", "d", {12, 12, 3, 3}, 1, 1);
  conv("c", "e", {12, 12, 1, 1}, 1, 1);
  AddNode(g, "Add", {"d", "e"}, "f");
  AddNode(g, "Add", {"f", "c"}, "h");
  conv("h", "y5", {12, 1, 5, 5}, 12, 1);
  onnx::AttributeProto* perm = AddNode(g, "Transpose", {"y5"}, "Y")->add_attribute();
  perm->set_name("perm");
  perm->set_type(onnx::AttributeProto::INTS);
  for (int64_t axis : {0, 2, 3, 1}) perm->add_ints(axis);
  return Serialize(m);
}

// The channels-last regions change no result: the optimised graph (fast kernels, NHWC between
// the convolutions) against the unoptimised one (NCHW everywhere).
TEST(ChannelsLast, ConvolutionNetworkMatchesTheNchwGraph) {
  ExpectFusesTo(ConvNetwork(), 9, Pattern({1, 3, 20, 24}, 0.01f, 37, 101, -0.5f));
}

// X[2,4,12,10] -> a = Conv 4->8 3x3, read by GlobalAveragePool (so a stays NCHW) and by
//   b = Conv 8->8 1x1, c = Conv 8->6 3x3 -> Concat(b, c) on channels -> d = Conv 14->14 1x1
//   -> e = d * 0.5 (folded into d) -> f = e + t, t = Conv 8->14 1x1 of the pool ([1,14,1,1]:
//   a broadcast)
//   -> r = Relu(f) -> r + u, u = p + q, p = Conv 4->1 1x10 of X [1,1,12,1], q = Conv 4->1
//   12x1 of X [1,1,1,10] (broadcasts on both sides) -> Y = Conv 14->5 3x3 [2,5,12,10]. Batch 2.
// Channels-last: b, c, the Concat, e, t, f, r, p, q, u and their sum (14 nodes after fusion).
Bytes ElementwiseNetwork() {
  onnx::ModelProto m;
  onnx::GraphProto* g = NewGraph(m, 13, {2, 4, 12, 10}, {2, 5, 12, 10});
  AddConv(g, "X", "a", {8, 4, 3, 3}, 1, 1, 0);
  AddConv(g, "a", "b", {8, 8, 1, 1}, 1, 1, 1);
  AddConv(g, "a", "c", {6, 8, 3, 3}, 1, 1, 2);
  onnx::AttributeProto* axis = AddNode(g, "Concat", {"b", "c"}, "bc")->add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(1);
  AddConv(g, "bc", "d", {14, 14, 1, 1}, 1, 1, 3);
  AddScalar(g, "half", 0.5f);
  AddNode(g, "Mul", {"d", "half"}, "e");
  AddNode(g, "GlobalAveragePool", {"a"}, "pool");
  AddConv(g, "pool", "t", {14, 8, 1, 1}, 1, 1, 4);
  AddNode(g, "Add", {"e", "t"}, "f");
  AddNode(g, "Relu", {"f"}, "r");
  AddConv(g, "X", "p", {1, 4, 1, 10}, 1, 1, 5, {0, 0, 0, 0});
  AddConv(g, "X", "q", {1, 4, 12, 1}, 1, 1, 6, {0, 0, 0, 0});
  AddNode(g, "Add", {"p", "q"}, "u");
  AddNode(g, "Add", {"r", "u"}, "ru");
  AddConv(g, "ru", "Y", {5, 14, 3, 3}, 1, 1, 7);
  return Serialize(m);
}

TEST(ChannelsLast, ElementwiseConcatAndBroadcastsMatchTheNchwGraph) {
  ExpectFusesTo(ElementwiseNetwork(), 14, Pattern({2, 4, 12, 10}, 0.02f, 29, 61, -0.6f));
}

// Which nodes internal/layout.cc marks in ElementwiseNetwork, by node name ("<op>_<output>"):
// {reads channels-last, writes channels-last}. With the reference kernels it marks none.
TEST(ChannelsLast, PassMarksWhatCanStayChannelsLast) {
  Bytes model = ElementwiseNetwork();
  for (bool fast : {true, false}) {
    internal::ModelMeta meta;
    auto g = internal::ParseOnnxModel(model, internal::LoadLimits{}, &meta);
    ASSERT_TRUE(g.ok()) << g.error().ToString();
    const KernelRegistry& registry = fast ? DefaultKernelRegistry() : ReferenceKernelRegistry();
    internal::FuseGraph(**g);
    internal::RemoveDeadNodes(**g);
    internal::AssignChannelsLast(**g, registry);
    std::map<std::string, std::pair<bool, bool>> want = {
        {"Conv_a", {false, false}},   // read by GlobalAveragePool
        {"Conv_b", {false, true}},    {"Conv_c", {false, true}},  {"Concat_bc", {true, true}},
        {"Conv_d", {true, true}},     {"GlobalAveragePool_pool", {false, false}},
        {"Conv_t", {false, true}},    {"Add_f", {true, true}},    {"Relu_r", {true, true}},
        {"Conv_p", {false, true}},    {"Conv_q", {false, true}},  {"Add_u", {true, true}},
        {"Add_ru", {true, true}},     {"Conv_Y", {true, false}}};  // Y is the graph output
    for (const internal::Node& n : (*g)->nodes) {
      SCOPED_TRACE(n.name + (fast ? " fast" : " reference"));
      auto it = want.find(n.name);
      ASSERT_NE(it, want.end());
      EXPECT_EQ(n.attrs.count("_nhwc_in") == 1, fast && it->second.first);
      EXPECT_EQ(n.attrs.count("_nhwc_out") == 1, fast && it->second.second);
    }
  }
}

}  // namespace
}  // namespace confide::engine
