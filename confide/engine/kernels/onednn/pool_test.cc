// oneDNN pooling against the reference kernels (max: exact; average: atol 1e-6, rtol 1e-5).
#include <gtest/gtest.h>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

OpCase PoolCase(const std::string& op, Shape x, std::function<void(onnx::NodeProto&)> attrs,
                DataType dtype = DataType::kFloat32) {
  Tensor t = dtype == DataType::kFloat32 ? RandomTensor(x, 1) : RandomTensor(dtype, x, 1, 0, 255);
  return OpCase{.op = op, .inputs = {{"X", t}}, .node_inputs = {"X"}, .attrs = std::move(attrs)};
}

TEST(OneDnnPool, MaxPoolFloatAndUint8MatchReference) {
  auto attrs = [](onnx::NodeProto& n) {
    AddInts(n, "kernel_shape", {3, 3});
    AddInts(n, "strides", {2, 2});
    AddInts(n, "pads", {1, 1, 0, 0});
  };
  ExpectFastMatchesReference(PoolCase("MaxPool", {1, 8, 15, 14}, attrs), {.atol = 0, .rtol = 0});
  ExpectFastMatchesReference(PoolCase("MaxPool", {1, 8, 15, 14}, attrs, DataType::kUint8), {.atol = 0, .rtol = 0});
}

// The uint8 windows-equal-strides path (2x2 / 3x3 from the corner), with ceil_mode's partial
// windows at the ends and without.
TEST(OneDnnPool, Uint8NonOverlappingWindowsMatchReference) {
  for (int64_t k : {2, 3}) {
    for (int ceil : {0, 1}) {
      for (Shape x : {Shape{1, 8, 28, 28}, Shape{2, 3, 11, 13}}) {
        ExpectFastMatchesReference(PoolCase("MaxPool", x, [k, ceil](onnx::NodeProto& n) {
          AddInts(n, "kernel_shape", {k, k});
          AddInts(n, "strides", {k, k});
          AddInt(n, "ceil_mode", ceil);
        }, DataType::kUint8), {.atol = 0, .rtol = 0});
      }
    }
  }
}

TEST(OneDnnPool, MaxPoolCeilModeMatchesReference) {
  ExpectFastMatchesReference(PoolCase("MaxPool", {2, 3, 10, 11}, [](onnx::NodeProto& n) {
    AddInts(n, "kernel_shape", {3, 2});
    AddInts(n, "strides", {2, 2});
    AddInt(n, "ceil_mode", 1);
  }), {.atol = 0, .rtol = 0});
}

TEST(OneDnnPool, AveragePoolWithAndWithoutPadsCountedMatchesReference) {
  for (int include : {0, 1}) {
    ExpectFastMatchesReference(PoolCase("AveragePool", {1, 4, 9, 12}, [include](onnx::NodeProto& n) {
      AddInts(n, "kernel_shape", {3, 3});
      AddInts(n, "pads", {1, 1, 1, 1});
      AddInt(n, "count_include_pad", include);
    }), {.atol = 1e-6, .rtol = 1e-5});
  }
}


}  // namespace
}  // namespace confide::engine::testing
