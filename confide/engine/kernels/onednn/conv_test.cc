// oneDNN Conv / ConvTranspose against the reference kernels (fp32: atol 1e-4, rtol 1e-4; the
// sums run in a different order and oneDNN may use FMA).
#include <gtest/gtest.h>

#include <string>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

constexpr Tolerance kConvTol{.atol = 1e-4, .rtol = 1e-4};

OpCase ConvCase(Shape x, Shape w, bool bias, std::function<void(onnx::NodeProto&)> attrs) {
  OpCase c{.op = "Conv", .inputs = {{"X", RandomTensor(x, 1)}}, .weights = {{"W", RandomTensor(w, 2)}},
           .node_inputs = {"X", "W"}, .attrs = std::move(attrs)};
  if (bias) {
    c.weights.emplace_back("B", RandomTensor({w[0]}, 3));
    c.node_inputs.push_back("B");
  }
  return c;
}

TEST(OneDnnConv, PointwiseMatchesReference) {
  ExpectFastMatchesReference(ConvCase({1, 16, 7, 9}, {24, 16, 1, 1}, true, nullptr), kConvTol);
}

// pointwise_conv.cc: batch 2, several column blocks and a short last one (64+64 channels give
// 512-column blocks; 1200 columns), no bias, 1-D, and every post-op.
TEST(OneDnnPointwiseConv, BlocksBatchesAndPostOpsMatchReference) {
  ExpectFastMatchesReference(ConvCase({2, 64, 30, 40}, {64, 64, 1, 1}, true, nullptr), kConvTol);
  ExpectFastMatchesReference(ConvCase({1, 12, 5, 7}, {3, 12, 1, 1}, false, nullptr), kConvTol);
  ExpectFastMatchesReference(ConvCase({2, 6, 50}, {9, 6, 1}, true, nullptr), kConvTol);
  for (const char* act : {"Relu", "Clip", "LeakyRelu", "HardSwish"}) {
    OpCase c = ConvCase({1, 40, 9, 70}, {33, 40, 1, 1}, true, nullptr);
    c.opset = std::string(act) == "HardSwish" ? 14 : 10;
    c.then_activation = act;
    ExpectFastMatchesReference(c, kConvTol);
  }
}

TEST(OneDnnConv, PaddedStridedDilatedMatchesReference) {
  ExpectFastMatchesReference(ConvCase({2, 5, 13, 11}, {7, 5, 3, 3}, true, [](onnx::NodeProto& n) {
    AddInts(n, "pads", {1, 0, 2, 1});
    AddInts(n, "strides", {2, 1});
    AddInts(n, "dilations", {1, 2});
  }), kConvTol);
}

TEST(OneDnnConv, SingleInputChannelMatchesReference) {
  ExpectFastMatchesReference(ConvCase({1, 1, 28, 28}, {8, 1, 5, 5}, false, [](onnx::NodeProto& n) {
    AddInts(n, "pads", {2, 2, 2, 2});
  }), kConvTol);
}

// conv.cc's first-layer path: up to 4 input channels stay NCHW, the output comes back from
// oneDNN's channel-blocked layout. Batch 2, odd sizes, stride 2, and a fused Relu.
TEST(OneDnnConv, FirstLayerFewChannelsMatchesReference) {
  for (int64_t c : {2, 3, 4}) {
    OpCase fc = ConvCase({2, c, 31, 45}, {16, c, 3, 3}, true, [](onnx::NodeProto& n) {
      AddInts(n, "pads", {1, 1, 1, 1});
      AddInts(n, "strides", {2, 2});
    });
    fc.opset = 10;
    fc.then_activation = "Relu";
    ExpectFastMatchesReference(fc, kConvTol);
  }
  ExpectFastMatchesReference(ConvCase({1, 3, 17, 19}, {5, 3, 5, 5}, false, nullptr), kConvTol);
}

TEST(OneDnnConv, GroupedMatchesReference) {
  ExpectFastMatchesReference(ConvCase({1, 8, 10, 10}, {12, 2, 3, 3}, true, [](onnx::NodeProto& n) {
    AddInt(n, "group", 4);
    AddInts(n, "pads", {1, 1, 1, 1});
  }), kConvTol);
}

TEST(OneDnnConv, SameUpperAutoPadMatchesReference) {
  ExpectFastMatchesReference(ConvCase({1, 3, 15, 16}, {8, 3, 3, 3}, true, [](onnx::NodeProto& n) {
    n.add_attribute()->set_name("auto_pad");
    n.mutable_attribute(0)->set_type(onnx::AttributeProto::STRING);
    n.mutable_attribute(0)->set_s("SAME_UPPER");
    AddInts(n, "strides", {2, 2});
  }), kConvTol);
}

TEST(OneDnnConv, OneDimensionalMatchesReference) {
  ExpectFastMatchesReference(ConvCase({1, 4, 50}, {6, 4, 5}, true, [](onnx::NodeProto& n) {
    AddInts(n, "pads", {2, 1});
    AddInts(n, "strides", {3});
  }), kConvTol);
}

TEST(OneDnnConv, FusedActivationsMatchReference) {
  for (const char* act : {"Relu", "Clip", "LeakyRelu"}) {
    OpCase c = ConvCase({1, 6, 9, 9}, {10, 6, 3, 3}, true, nullptr);
    c.opset = 10;
    c.then_activation = act;
    ExpectFastMatchesReference(c, kConvTol);
  }
  OpCase c = ConvCase({1, 6, 9, 9}, {10, 6, 3, 3}, true, nullptr);
  c.opset = 14;  // HardSwish exists since opset 14
  c.then_activation = "HardSwish";
  ExpectFastMatchesReference(c, kConvTol);
}

TEST(OneDnnConvTranspose, StridedMatchesReference) {
  OpCase c{.op = "ConvTranspose", .inputs = {{"X", RandomTensor({1, 8, 6, 7}, 4)}},
           .weights = {{"W", RandomTensor({8, 5, 2, 2}, 5)}, {"B", RandomTensor({5}, 6)}},
           .node_inputs = {"X", "W", "B"}, .attrs = [](onnx::NodeProto& n) { AddInts(n, "strides", {2, 2}); }};
  ExpectFastMatchesReference(c, kConvTol);
}

TEST(OneDnnConvTranspose, GroupedPaddedOutputPaddingMatchesReference) {
  OpCase c{.op = "ConvTranspose", .inputs = {{"X", RandomTensor({1, 6, 5, 5}, 7)}},
           .weights = {{"W", RandomTensor({6, 2, 3, 3}, 8)}}, .node_inputs = {"X", "W"},
           .attrs = [](onnx::NodeProto& n) {
             AddInt(n, "group", 3);
             AddInts(n, "strides", {2, 2});
             AddInts(n, "pads", {1, 1, 1, 1});
             AddInts(n, "output_padding", {1, 1});
           }};
  ExpectFastMatchesReference(c, kConvTol);
}

}  // namespace
}  // namespace confide::engine::testing
