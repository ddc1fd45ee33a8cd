// oneDNN Gemm / MatMul against the reference kernels (fp32: atol 1e-4, rtol 1e-4).
#include <gtest/gtest.h>

#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::testing {
namespace {

constexpr Tolerance kGemmTol{.atol = 1e-4, .rtol = 1e-4};

TEST(OneDnnGemm, BiasAlphaBetaTransBMatchesReference) {
  OpCase c{.op = "Gemm", .inputs = {{"A", RandomTensor({37, 30}, 1)}},
           .weights = {{"B", RandomTensor({19, 30}, 2)}, {"C", RandomTensor({19}, 3)}},
           .node_inputs = {"A", "B", "C"}, .attrs = [](onnx::NodeProto& n) {
             AddInt(n, "transB", 1);
             AddFloat(n, "alpha", 0.5f);
             AddFloat(n, "beta", 2.f);
           }};
  ExpectFastMatchesReference(c, kGemmTol);
}

TEST(OneDnnGemm, TransAScalarBiasRowOfOneMatchesReference) {
  OpCase c{.op = "Gemm", .inputs = {{"A", RandomTensor({30, 1}, 4)}},
           .weights = {{"B", RandomTensor({30, 16}, 5)}, {"C", RandomTensor({1}, 6)}},
           .node_inputs = {"A", "B", "C"}, .attrs = [](onnx::NodeProto& n) { AddInt(n, "transA", 1); }};
  ExpectFastMatchesReference(c, kGemmTol);
}

TEST(OneDnnGemm, FusedActivationsMatchReference) {
  for (const char* act : {"Relu", "Clip", "LeakyRelu"}) {
    OpCase c{.op = "Gemm", .opset = 10, .inputs = {{"A", RandomTensor({5, 12}, 7)}},
             .weights = {{"B", RandomTensor({12, 9}, 8)}, {"C", RandomTensor({1, 9}, 9)}},
             .node_inputs = {"A", "B", "C"}, .then_activation = act};
    ExpectFastMatchesReference(c, kGemmTol);
  }
}

// An empty inner dimension (K = 0) gives zeros, as the reference does, without dividing by K
// (onnx_model_fuzz: UBSan division by zero).
TEST(OneDnnMatMul, EmptyInnerDimensionMatchesReference) {
  OpCase c{.op = "MatMul", .inputs = {{"A", Tensor::Zeros(DataType::kFloat32, {2, 5, 0})}},
           .weights = {{"B", Tensor::Zeros(DataType::kFloat32, {0, 3})}}, .node_inputs = {"A", "B"}};
  ExpectFastMatchesReference(c, kGemmTol);
}

TEST(OneDnnMatMul, ConstantWeightsBatchedInputMatchesReference) {
  OpCase c{.op = "MatMul", .inputs = {{"A", RandomTensor({2, 3, 40, 64}, 10)}},
           .weights = {{"B", RandomTensor({64, 48}, 11)}}, .node_inputs = {"A", "B"}};
  ExpectFastMatchesReference(c, kGemmTol);
}

TEST(OneDnnMatMul, RuntimeOperandsWithBroadcastMatchReference) {
  OpCase c{.op = "MatMul", .inputs = {{"A", RandomTensor({2, 4, 10, 16}, 12)}, {"B", RandomTensor({1, 4, 16, 10}, 13)}},
           .node_inputs = {"A", "B"}};
  ExpectFastMatchesReference(c, kGemmTol);
  OpCase d{.op = "MatMul", .inputs = {{"A", RandomTensor({7, 16}, 14)}, {"B", RandomTensor({3, 16, 5}, 15)}},
           .node_inputs = {"A", "B"}};
  ExpectFastMatchesReference(d, kGemmTol);
}

}  // namespace
}  // namespace confide::engine::testing
