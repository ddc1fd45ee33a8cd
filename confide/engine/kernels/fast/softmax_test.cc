// Fast Softmax / LogSoftmax against the reference kernel (atol 1e-6, rtol 1e-6: ExpAvx2 is within
// 2 ulp of std::exp, and the sums run in the same order).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

constexpr Tolerance kTol{.atol = 1e-6, .rtol = 1e-6};

OpCase SoftmaxCase(const std::string& op, Shape x, int opset, int64_t axis, float range) {
  return OpCase{.op = op,
                .opset = opset,
                .inputs = {{"X", RandomTensor(DataType::kFloat32, x, 9, -range, range)}},
                .node_inputs = {"X"},
                .attrs = [axis](onnx::NodeProto& n) { AddInt(n, "axis", axis); }};
}

// Many short rows (ultraface's [1, 4420, 2]), a long odd row, wide value ranges (the maximum
// is subtracted first), and a middle axis that the fast kernel hands to the reference.
TEST(FastSoftmax, MatchesReference) {
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    SCOPED_TRACE(op);
    ExpectFastMatchesReference(SoftmaxCase(op, {1, 4420, 2}, 13, -1, 8.f), kTol);
    ExpectFastMatchesReference(SoftmaxCase(op, {3, 77}, 13, 1, 60.f), kTol);
    ExpectFastMatchesReference(SoftmaxCase(op, {2, 3, 5, 4}, 11, 1, 5.f),
                               kTol);  // flattened: rows of 60
    ExpectFastMatchesReference(SoftmaxCase(op, {2, 3, 5, 4}, 13, 1, 5.f), kTol);  // middle axis
    ExpectFastMatchesReference(SoftmaxCase(op, {2, 3, 5, 4}, 11, 2, 5.f), kTol);  // rows of 20
    ExpectFastMatchesReference(SoftmaxCase(op, {2, 3, 5, 4}, 11, -1, 5.f), kTol);
    ExpectFastMatchesReference(SoftmaxCase(op, {9}, 13, 0, 5.f), kTol);      // rank 1
    ExpectFastMatchesReference(SoftmaxCase(op, {0, 5}, 13, -1, 5.f), kTol);  // no rows
    ExpectFastMatchesReference(SoftmaxCase(op, {3, 0}, 13, -1, 5.f), kTol);  // empty rows
  }
}

// A row of -inf but one value, a row containing +inf (NaN results), and a NaN row.
TEST(FastSoftmax, InfinitiesAndNaNMatchReference) {
  Tensor x = Tensor::Zeros(DataType::kFloat32, {3, 9});
  for (int i = 0; i < 9; ++i) {
    x.data<float>()[i] = i == 4 ? 1.f : -INFINITY;
    x.data<float>()[9 + i] = i == 2 ? INFINITY : static_cast<float>(i);
    x.data<float>()[18 + i] = i == 7 ? NAN : static_cast<float>(-i);
  }
  OpCase c = SoftmaxCase("Softmax", {3, 9}, 13, -1, 1.f);
  c.inputs = {{"X", x}};
  ExpectFastMatchesReference(c, kTol);
}

}  // namespace
}  // namespace confide::engine::testing
