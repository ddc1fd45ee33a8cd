// Depthwise Conv against the reference kernel (fp32: atol 1e-5, rtol 1e-5; the reference sums
// the same taps in a different order).
#include <gtest/gtest.h>

#include <vector>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

constexpr Tolerance kTol{.atol = 1e-5, .rtol = 1e-5};

OpCase Depthwise(Shape x, int64_t k, std::function<void(onnx::NodeProto&)> attrs) {
  int64_t c = x[1];
  Shape w = x.size() == 4 ? Shape{c, 1, k, k} : Shape{c, 1, k};
  return OpCase{.op = "Conv", .inputs = {{"X", RandomTensor(x, 1)}},
                .weights = {{"W", RandomTensor(w, 2)}, {"B", RandomTensor({c}, 3)}},
                .node_inputs = {"X", "W", "B"}, .attrs = [c, attrs](onnx::NodeProto& n) {
                  AddInt(n, "group", c);
                  if (attrs) attrs(n);
                }};
}

TEST(FastDepthwiseConv, ThreeByThreePaddedMatchesReference) {
  ExpectFastMatchesReference(Depthwise({2, 12, 17, 23}, 3, [](onnx::NodeProto& n) { AddInts(n, "pads", {1, 1, 1, 1}); }), kTol);
}

TEST(FastDepthwiseConv, FiveByFiveStrideTwoAsymmetricPadsMatchesReference) {
  ExpectFastMatchesReference(Depthwise({1, 16, 12, 80}, 5, [](onnx::NodeProto& n) {
    AddInts(n, "pads", {2, 1, 2, 3});
    AddInts(n, "strides", {2, 2});
  }), kTol);
}

TEST(FastDepthwiseConv, DilatedStrideThreeMatchesReference) {
  ExpectFastMatchesReference(Depthwise({1, 5, 20, 21}, 3, [](onnx::NodeProto& n) {
    AddInts(n, "pads", {4, 4, 4, 4});
    AddInts(n, "dilations", {4, 4});
    AddInts(n, "strides", {3, 3});
  }), kTol);
}

TEST(FastDepthwiseConv, OneDimensionalMatchesReference) {
  ExpectFastMatchesReference(Depthwise({1, 6, 40}, 5, [](onnx::NodeProto& n) { AddInts(n, "pads", {2, 2}); }), kTol);
}

// The AVX2 row kernel (widths 3 and 5, strides 1 and 2): interiors of several vectors plus a
// tail, edges on both sides, rows cut by the top and bottom pads, inputs narrower than a vector.
TEST(FastDepthwiseConv, RowKernelShapesMatchReference) {
  struct Case { Shape x; int64_t k, stride; std::vector<int64_t> pads; };
  for (const Case& c : {Case{{1, 8, 33, 47}, 3, 2, {1, 1, 1, 1}}, Case{{1, 4, 10, 30}, 5, 1, {2, 2, 2, 2}},
                        Case{{2, 3, 5, 3}, 3, 1, {0, 0, 0, 0}}, Case{{1, 5, 9, 9}, 5, 2, {0, 3, 1, 0}},
                        Case{{1, 6, 7, 40}, 3, 1, {2, 0, 0, 2}}}) {
    ExpectFastMatchesReference(Depthwise(c.x, c.k, [&c](onnx::NodeProto& n) {
      AddInts(n, "pads", c.pads);
      AddInts(n, "strides", {c.stride, c.stride});
    }), kTol);
  }
}

TEST(FastDepthwiseConv, FusedClipMatchesReference) {
  OpCase c = Depthwise({1, 8, 9, 9}, 3, [](onnx::NodeProto& n) { AddInts(n, "pads", {1, 1, 1, 1}); });
  c.opset = 10;
  c.then_activation = "Clip";
  ExpectFastMatchesReference(c, kTol);
}

TEST(FastDepthwiseConv, FusedHardSwishMatchesReference) {
  OpCase c = Depthwise({1, 20, 9, 13}, 5, [](onnx::NodeProto& n) { AddInts(n, "pads", {2, 2, 2, 2}); });
  c.opset = 14;
  c.then_activation = "HardSwish";
  ExpectFastMatchesReference(c, kTol);
}

}  // namespace
}  // namespace confide::engine::testing
