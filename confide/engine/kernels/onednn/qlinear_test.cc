// QLinearConv on oneDNN against the reference kernel: exact (same integer sums and rounding).
#include <gtest/gtest.h>

#include <algorithm>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

Tensor Scalar(DataType dtype, float v) {
  Tensor t = Tensor::Zeros(dtype, {});
  if (dtype == DataType::kFloat32) t.data<float>()[0] = v;
  if (dtype == DataType::kUint8) t.data<uint8_t>()[0] = static_cast<uint8_t>(v);
  if (dtype == DataType::kInt8) t.data<int8_t>()[0] = static_cast<int8_t>(v);
  return t;
}

OpCase QConv(Shape x, Shape w, bool per_channel, bool bias, std::function<void(onnx::NodeProto&)> attrs) {
  Tensor ws = per_channel ? RandomTensor(DataType::kFloat32, {w[0]}, 9, 0.001f, 0.01f) : Scalar(DataType::kFloat32, 0.004f);
  OpCase c{.op = "QLinearConv", .opset = 13,
           .inputs = {{"x", RandomTensor(DataType::kUint8, x, 1, 0, 256)}},
           .weights = {{"xs", Scalar(DataType::kFloat32, 0.02f)}, {"xz", Scalar(DataType::kUint8, 37)},
                       {"w", RandomTensor(DataType::kInt8, w, 2, -127, 128)}, {"ws", ws},
                       {"wz", Scalar(DataType::kInt8, 0)}, {"ys", Scalar(DataType::kFloat32, 0.05f)},
                       {"yz", Scalar(DataType::kUint8, 120)}},
           .node_inputs = {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, .attrs = std::move(attrs)};
  if (bias) {
    Tensor b = Tensor::Zeros(DataType::kInt32, {w[0]});
    for (int64_t i = 0; i < w[0]; ++i) b.data<int32_t>()[i] = static_cast<int32_t>(i * 997 % 4001) - 2000;
    c.weights.emplace_back("b", b);
    c.node_inputs.push_back("b");
  }
  // The output dtype is y_zero_point's, the last weight before the bias.
  std::rotate(c.weights.begin() + 6, c.weights.begin() + 7, c.weights.end());
  return c;
}

TEST(OneDnnQLinearConv, PerChannelWithBiasIsExact) {
  ExpectFastMatchesReference(QConv({1, 8, 14, 14}, {16, 8, 5, 5}, true, true, [](onnx::NodeProto& n) {
    AddInts(n, "pads", {2, 2, 2, 2});
  }), {.atol = 0, .rtol = 0});
}

TEST(OneDnnQLinearConv, PerTensorStridedGroupedIsExact) {
  ExpectFastMatchesReference(QConv({1, 6, 11, 9}, {6, 3, 3, 3}, false, false, [](onnx::NodeProto& n) {
    AddInt(n, "group", 2);
    AddInts(n, "strides", {2, 2});
    AddInts(n, "pads", {1, 1, 1, 1});
  }), {.atol = 0, .rtol = 0});
}

}  // namespace
}  // namespace confide::engine::testing
