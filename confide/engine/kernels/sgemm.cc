#include "confide/engine/kernels/sgemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace confide::engine::kernels {
namespace {

constexpr int64_t kMr = 4;    // rows of the register tile
constexpr int64_t kNr = 16;   // columns of the register tile (two 8-float vectors)
constexpr int64_t kKc = 256;  // k block
constexpr int64_t kNc = 1024; // n block (packed B: kKc * kNc floats = 1 MiB)

typedef float V8 __attribute__((vector_size(32)));

// acc(4x16) = sum over kc of a[r][k] * bp[k][0..16); writes the valid rows/cols of C (+= if add).
__attribute__((always_inline)) inline void MicroKernelBody(int64_t kc, const float* const* a_rows,
                                                          const float* bp, float* c, int64_t ldc,
                                                          int64_t rows, int64_t cols, bool add) {
  V8 acc[kMr][2] = {};
  for (int64_t k = 0; k < kc; ++k) {
    V8 b0, b1;
    std::memcpy(&b0, bp + k * kNr, 32);
    std::memcpy(&b1, bp + k * kNr + 8, 32);
    for (int64_t r = 0; r < kMr; ++r) {
      V8 av = V8{} + a_rows[r][k];
      acc[r][0] += av * b0;
      acc[r][1] += av * b1;
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    float tile[kNr];
    std::memcpy(tile, &acc[r][0], 32);
    std::memcpy(tile + 8, &acc[r][1], 32);
    float* crow = c + r * ldc;
    if (add) {
      for (int64_t j = 0; j < cols; ++j) crow[j] += tile[j];
    } else {
      for (int64_t j = 0; j < cols; ++j) crow[j] = tile[j];
    }
  }
}

void MicroKernelBase(int64_t kc, const float* const* a_rows, const float* bp, float* c, int64_t ldc,
                     int64_t rows, int64_t cols, bool add) {
  MicroKernelBody(kc, a_rows, bp, c, ldc, rows, cols, add);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void MicroKernelAvx2(int64_t kc, const float* const* a_rows,
                                                         const float* bp, float* c, int64_t ldc,
                                                         int64_t rows, int64_t cols, bool add) {
  MicroKernelBody(kc, a_rows, bp, c, ldc, rows, cols, add);
}
#endif

using MicroKernel = void (*)(int64_t, const float* const*, const float*, float*, int64_t, int64_t,
                             int64_t, bool);

MicroKernel PickKernel() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return MicroKernelAvx2;
#endif
  return MicroKernelBase;
}

// Packs B[k0:k0+kc, n0:n0+nc] (row-major, contiguous rows of stride ldb) into 16-wide panels.
void PackB(const float* b, int64_t ldb, int64_t kc, int64_t nc, float* bp) {
  int64_t panels = (nc + kNr - 1) / kNr;
  for (int64_t p = 0; p < panels; ++p) {
    int64_t cols = std::min(kNr, nc - p * kNr);
    float* dst = bp + p * kc * kNr;
    for (int64_t k = 0; k < kc; ++k) {
      const float* src = b + k * ldb + p * kNr;
      for (int64_t j = 0; j < cols; ++j) dst[k * kNr + j] = src[j];
      for (int64_t j = cols; j < kNr; ++j) dst[k * kNr + j] = 0.f;
    }
  }
}

// Row-major copy of op(X) (rows x cols) when X is transposed.
std::vector<float> Transposed(const float* x, int64_t ldx, int64_t rows, int64_t cols) {
  std::vector<float> t(rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) t[r * cols + c] = x[c * ldx + r];
  }
  return t;
}

}  // namespace

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc, ThreadPool* pool) {
  static const MicroKernel kernel = PickKernel();
  if (m <= 0 || n <= 0) return;
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.f) {
      std::fill(row, row + n, 0.f);
    } else if (beta != 1.f) {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
  if (k <= 0 || alpha == 0.f) return;
  std::vector<float> at, bt;
  if (trans_a) { at = Transposed(a, lda, m, k); a = at.data(); lda = k; }
  if (trans_b) { bt = Transposed(b, ldb, k, n); b = bt.data(); ldb = n; }
  std::vector<float> scaled_a;
  if (alpha != 1.f) {
    scaled_a.resize(m * k);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < k; ++j) scaled_a[i * k + j] = alpha * a[i * lda + j];
    }
    a = scaled_a.data();
    lda = k;
  }
  std::vector<float> bp(kKc * ((std::min(n, kNc) + kNr - 1) / kNr * kNr));
  std::vector<float> zeros(kKc, 0.f);
  int64_t row_tiles = (m + kMr - 1) / kMr;
  for (int64_t n0 = 0; n0 < n; n0 += kNc) {
    int64_t nc = std::min(kNc, n - n0);
    int64_t panels = (nc + kNr - 1) / kNr;
    for (int64_t k0 = 0; k0 < k; k0 += kKc) {
      int64_t kc = std::min(kKc, k - k0);
      PackB(b + k0 * ldb + n0, ldb, kc, nc, bp.data());
      auto work = [&](int64_t begin, int64_t end) {
        for (int64_t t = begin; t < end; ++t) {
          int64_t rt = t / panels, p = t % panels;
          const float* rows[kMr];
          for (int64_t r = 0; r < kMr; ++r) {
            int64_t i = rt * kMr + r;
            rows[r] = i < m ? a + i * lda + k0 : zeros.data();
          }
          int64_t cols = std::min(kNr, nc - p * kNr);
          kernel(kc, rows, bp.data() + p * kc * kNr, c + rt * kMr * ldc + n0 + p * kNr, ldc,
                 std::min(kMr, m - rt * kMr), cols, true);
        }
      };
      int64_t tiles = row_tiles * panels;
      if (pool) {
        pool->ParallelFor(tiles, work, std::max<int64_t>(1, 4096 / std::max<int64_t>(kc, 1)));
      } else {
        work(0, tiles);
      }
    }
  }
}

}  // namespace confide::engine::kernels
