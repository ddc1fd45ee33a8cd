// The reference fp32 GEMM behind Conv, ConvTranspose, Gemm, MatMul and LSTM: packed B panels and
// a 4x16 register-blocked micro-kernel, compiled twice (baseline x86-64 and AVX2+FMA, picked at
// run time). Deterministic for a fixed thread count: every C element sums k in order.
#ifndef CONFIDE_ENGINE_KERNELS_SGEMM_H_
#define CONFIDE_ENGINE_KERNELS_SGEMM_H_

#include <cstdint>

#include "confide/engine/thread_pool.h"

namespace confide::engine::kernels {

// C[m,n] = alpha * sum_k op(A)[m,k] * op(B)[k,n] + beta * C[m,n], row-major with leading
// dimensions lda/ldb/ldc; op(X) = X^T when trans_x. beta == 0 ignores C's old contents (NaN too).
// `pool` may be null (single thread). Allocates packing buffers from the heap (≤ 1.1 MiB).
void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc, ThreadPool* pool);

}  // namespace confide::engine::kernels

#endif  // CONFIDE_ENGINE_KERNELS_SGEMM_H_
