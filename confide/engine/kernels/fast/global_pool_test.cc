// Fast GlobalAveragePool against the reference kernel (atol 1e-6, rtol 1e-5: float lanes vs the
// reference's sum): plane sizes below, at and above the 32-lane step, 1-D to 3-D.
#include <gtest/gtest.h>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

OpCase GapCase(Shape x) {
  return OpCase{.op = "GlobalAveragePool", .inputs = {{"X", RandomTensor(x, 1)}}, .node_inputs = {"X"}};
}

TEST(FastGlobalAveragePool, MatchesReference) {
  constexpr Tolerance kTol{.atol = 1e-6, .rtol = 1e-5};
  for (Shape x : {Shape{2, 16, 7, 9}, Shape{1, 5, 30}, Shape{1, 3, 40, 40}, Shape{1, 4, 3, 4, 5},
                  Shape{3, 2, 1, 1}, Shape{1, 200, 8}}) {
    ExpectFastMatchesReference(GapCase(x), kTol);
  }
}

}  // namespace
}  // namespace confide::engine::testing
