// Fast nearest Resize against the reference kernel: exact (both copy input values).
#include <gtest/gtest.h>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

OpCase ResizeCase(Shape x, std::vector<float> scales, const std::string& ctm, const std::string& nearest) {
  Tensor s = Tensor::Zeros(DataType::kFloat32, {static_cast<int64_t>(scales.size())});
  for (size_t i = 0; i < scales.size(); ++i) s.data<float>()[i] = scales[i];
  return OpCase{.op = "Resize", .inputs = {{"X", RandomTensor(x, 1)}},
                .weights = {{"roi", Tensor::Zeros(DataType::kFloat32, {0})}, {"scales", s}},
                .node_inputs = {"X", "roi", "scales"}, .attrs = [ctm, nearest](onnx::NodeProto& n) {
                  for (auto [name, value] : {std::pair{"coordinate_transformation_mode", ctm},
                                             std::pair{"nearest_mode", nearest}}) {
                    auto* a = n.add_attribute();
                    a->set_name(name);
                    a->set_type(onnx::AttributeProto::STRING);
                    a->set_s(value);
                  }
                }};
}

TEST(FastResize, NearestUpAndDownscalingIsExact) {
  for (const char* ctm : {"asymmetric", "half_pixel", "align_corners", "pytorch_half_pixel"}) {
    for (const char* nearest : {"floor", "round_prefer_floor", "round_prefer_ceil", "ceil"}) {
      ExpectFastMatchesReference(ResizeCase({1, 3, 6, 10}, {1, 1, 2, 2}, ctm, nearest), {.atol = 0, .rtol = 0});
      ExpectFastMatchesReference(ResizeCase({2, 2, 9, 7}, {1, 1, 0.5f, 1.5f}, ctm, nearest), {.atol = 0, .rtol = 0});
    }
  }
}

TEST(FastResize, ThreeDimensionalIsExact) {
  ExpectFastMatchesReference(ResizeCase({1, 4, 11}, {1, 1, 3}, "asymmetric", "floor"), {.atol = 0, .rtol = 0});
}

}  // namespace
}  // namespace confide::engine::testing
