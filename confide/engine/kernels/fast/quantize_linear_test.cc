// Fast QuantizeLinear against the reference kernel, exactly: ties (x.5 rounds to even), values
// far outside the range, infinities and NaN, uint8 and int8, a length that leaves a scalar tail.
#include <gtest/gtest.h>

#include <cmath>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

TEST(FastQuantizeLinear, MatchesReferenceExactly) {
  const float specials[] = {0.f, -0.f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 127.5f, 128.5f, 254.5f, 255.5f,
                            -128.5f, -127.5f, 1e9f, -1e9f, INFINITY, -INFINITY, NAN, 3.3f, -77.7f, 1e-30f};
  Tensor x = Tensor::Zeros(DataType::kFloat32, {3, 23});
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    x.data<float>()[i] = i < 22 ? specials[i] : 0.37f * static_cast<float>(i * i % 301) - 40.f;
  }
  for (DataType zp_type : {DataType::kUint8, DataType::kInt8}) {
    for (float scale : {1.f, 0.5f, 0.0371f}) {
      Tensor s = Tensor::Zeros(DataType::kFloat32, {});
      s.data<float>()[0] = scale;
      Tensor zp = Tensor::Zeros(zp_type, {});
      if (zp_type == DataType::kUint8) {
        zp.data<uint8_t>()[0] = 128;
      } else {
        zp.data<int8_t>()[0] = -3;
      }
      OpCase c{.op = "QuantizeLinear", .inputs = {{"X", x}}, .weights = {{"S", s}, {"Z", zp}},
               .node_inputs = {"X", "S", "Z"}};
      ExpectFastMatchesReference(c, {.atol = 0, .rtol = 0});
    }
  }
}

}  // namespace
}  // namespace confide::engine::testing
