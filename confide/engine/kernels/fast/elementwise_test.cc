// Fast elementwise kernels against the reference kernels. Add/Sub/Mul/Div are exact (same float
// operations); activations allow 1e-6 (float vs the reference's double evaluation).
#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

OpCase BinaryCase(const std::string& op, Shape a, Shape b) {
  return OpCase{.op = op, .inputs = {{"A", RandomTensor(a, 1)}, {"B", RandomTensor(b, 2)}}, .node_inputs = {"A", "B"}};
}

TEST(FastBinary, BroadcastPatternsAreExact) {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{2, 8, 5, 7}, {2, 8, 5, 7}}, {{1, 8, 5, 7}, {1, 8, 1, 1}}, {{1, 8, 1, 1}, {1, 8, 5, 7}},
      {{3, 40}, {40}},              {{33}, {1}},                  {{4, 1, 9}, {1, 5, 9}},
      {{2, 3, 17}, {2, 3, 1}}};
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    for (const auto& [a, b] : shapes) ExpectFastMatchesReference(BinaryCase(op, a, b), {.atol = 0, .rtol = 0});
  }
}

TEST(FastBinary, IntegerInputsFallBackToReference) {
  OpCase c{.op = "Add", .inputs = {{"A", RandomTensor(DataType::kInt8, {4, 9}, 3, -50, 50)},
                                    {"B", RandomTensor(DataType::kInt8, {4, 9}, 4, -50, 50)}},
           .node_inputs = {"A", "B"}};
  ExpectFastMatchesReference(c, {.atol = 0, .rtol = 0});
}

OpCase UnaryCase(const std::string& op, std::function<void(onnx::NodeProto&)> attrs = nullptr) {
  return OpCase{.op = op, .inputs = {{"X", RandomTensor(DataType::kFloat32, {2, 7, 33}, 5, -8, 8)}},
                .node_inputs = {"X"}, .attrs = std::move(attrs)};
}

TEST(FastUnary, ActivationsMatchReference) {
  constexpr Tolerance kTol{.atol = 1e-6, .rtol = 1e-6};
  ExpectFastMatchesReference(UnaryCase("Relu"), kTol);
  ExpectFastMatchesReference(UnaryCase("Sigmoid"), kTol);
  ExpectFastMatchesReference(UnaryCase("Exp"), kTol);
  ExpectFastMatchesReference(UnaryCase("HardSwish", nullptr), kTol);
  ExpectFastMatchesReference(UnaryCase("HardSigmoid", [](onnx::NodeProto& n) {
    AddFloat(n, "alpha", 0.3f);
    AddFloat(n, "beta", 0.4f);
  }), kTol);
  ExpectFastMatchesReference(UnaryCase("LeakyRelu", [](onnx::NodeProto& n) { AddFloat(n, "alpha", 0.2f); }), kTol);
}

TEST(FastUnary, ClipBoundsFromAttributesAndInputs) {
  OpCase old = UnaryCase("Clip", [](onnx::NodeProto& n) { AddFloat(n, "min", -1.f); AddFloat(n, "max", 2.f); });
  old.opset = 6;
  ExpectFastMatchesReference(old, {.atol = 0, .rtol = 0});
  OpCase both = UnaryCase("Clip");
  both.weights = {{"lo", Tensor::Zeros(DataType::kFloat32, {})}, {"hi", Tensor::Zeros(DataType::kFloat32, {})}};
  both.weights[1].second.data<float>()[0] = 6.f;
  both.node_inputs = {"X", "lo", "hi"};
  ExpectFastMatchesReference(both, {.atol = 0, .rtol = 0});
  OpCase upper_only = UnaryCase("Clip");
  upper_only.weights = {{"hi", Tensor::Zeros(DataType::kFloat32, {})}};
  upper_only.node_inputs = {"X", "", "hi"};
  ExpectFastMatchesReference(upper_only, {.atol = 0, .rtol = 0});
}

// NaN, infinities, signed zeros and values on the clamp edges, 37 of them (the AVX2 bodies take
// 8 at a time; the rest takes the scalar tail): the fast results equal the reference's.
TEST(FastUnary, SpecialValuesMatchReferenceIncludingNaN) {
  const float specials[] = {NAN, INFINITY, -INFINITY, 0.f, -0.f, 3.f, -3.f, 6.f, -6.f, 1.f, -1.f, 2.5f};
  Tensor x = Tensor::Zeros(DataType::kFloat32, {37});
  for (int i = 0; i < 37; ++i) x.data<float>()[i] = specials[i % 12];
  auto with_x = [&](OpCase c) {
    c.inputs = {{"X", x}};
    return c;
  };
  constexpr Tolerance kTol{.atol = 1e-6, .rtol = 1e-6};
  ExpectFastMatchesReference(with_x(UnaryCase("Relu")), kTol);
  ExpectFastMatchesReference(with_x(UnaryCase("HardSwish")), kTol);
  ExpectFastMatchesReference(with_x(UnaryCase("HardSigmoid")), kTol);
  ExpectFastMatchesReference(with_x(UnaryCase("LeakyRelu")), kTol);
  ExpectFastMatchesReference(with_x(UnaryCase("Sigmoid")), kTol);
  ExpectFastMatchesReference(with_x(UnaryCase("Exp")), kTol);
  for (std::pair<float, float> bounds : {std::pair{-1.f, 2.f}, std::pair{2.f, -1.f}}) {  // also min > max
    OpCase clip = with_x(UnaryCase("Clip", [bounds](onnx::NodeProto& n) {
      AddFloat(n, "min", bounds.first);
      AddFloat(n, "max", bounds.second);
    }));
    clip.opset = 6;
    ExpectFastMatchesReference(clip, {.atol = 0, .rtol = 0});
  }
}

// Exp and Sigmoid through exp_avx2.h over its whole domain: every value in [-120, 120) in steps
// of 1/64 (beyond both ends of the polynomial's range: overflow, denormals, zero), within 1e-6.
TEST(FastUnary, ExpAndSigmoidAcrossTheRange) {
  Tensor x = Tensor::Zeros(DataType::kFloat32, {240 * 64});
  for (int64_t i = 0; i < x.num_elements(); ++i) x.data<float>()[i] = -120.f + static_cast<float>(i) / 64;
  for (const char* op : {"Exp", "Sigmoid"}) {
    OpCase c = UnaryCase(op);
    c.inputs = {{"X", x}};
    ExpectFastMatchesReference(c, {.atol = 0, .rtol = 1e-6});
  }
}

}  // namespace
}  // namespace confide::engine::testing
