// exp(x) for eight floats at once (AVX2 + FMA), for the fast Exp, Sigmoid and Softmax kernels.
//
// Cephes' expf: x = n ln2 + r with |r| <= ln2/2, exp(r) by a degree-5 polynomial, times 2^n
// built in the exponent bits; within 1 ulp of the correctly rounded exp over every float in
// [-87.3, 88.3] (checked exhaustively; the tests check 1e-6 relative). Lanes where that
// construction does not hold (x outside that range: overflow, denormals, zero; and NaN) are
// recomputed with std::exp.
#ifndef CONFIDE_ENGINE_KERNELS_FAST_EXP_AVX2_H_
#define CONFIDE_ENGINE_KERNELS_FAST_EXP_AVX2_H_

#include <immintrin.h>

#include <cmath>

namespace confide::engine::kernels::fast {

__attribute__((target("avx2,fma"), always_inline)) inline __m256 ExpAvx2(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-87.3f), hi = _mm256_set1_ps(88.3f);
  __m256 fx = _mm256_floor_ps(
      _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
  __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
  __m256i n =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127)), 23);
  y = _mm256_mul_ps(y, _mm256_castsi256_ps(n));
  // In range: lo <= x <= hi (false for NaN).
  __m256 ok = _mm256_and_ps(_mm256_cmp_ps(x, lo, _CMP_GE_OQ), _mm256_cmp_ps(x, hi, _CMP_LE_OQ));
  int bad = ~_mm256_movemask_ps(ok) & 0xff;
  if (bad != 0) {
    alignas(32) float xs[8], ys[8];
    _mm256_store_ps(xs, x);
    _mm256_store_ps(ys, y);
    for (int i = 0; i < 8; ++i) {
      if (bad & (1 << i)) ys[i] = std::exp(xs[i]);
    }
    y = _mm256_load_ps(ys);
  }
  return y;
}

}  // namespace confide::engine::kernels::fast

#endif  // CONFIDE_ENGINE_KERNELS_FAST_EXP_AVX2_H_
