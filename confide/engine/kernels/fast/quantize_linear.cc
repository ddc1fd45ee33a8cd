// QuantizeLinear with a per-tensor scale to uint8/int8 (AVX2; the reference's division,
// rounding half to even, saturation, and NaN to the zero point). Other cases go to the
// reference kernel it keeps.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "confide/engine/kernels/fast/fast.h"
#include "confide/engine/kernels/kernel_util.h"

namespace confide::engine::kernels::fast {
namespace {

// q = saturate(round_half_even(x / scale) + zero_point); NaN gives the zero point. Returns how
// many leading elements it wrote (a multiple of 8); the caller does the rest as the reference.
template <typename Q>
__attribute__((target("avx2,fma"))) int64_t QuantizeAvx2(const float* x, int64_t n, float scale, float zero, Q* y) {
  const __m256 s = _mm256_set1_ps(scale), z = _mm256_set1_ps(zero);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(std::numeric_limits<Q>::lowest()));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(std::numeric_limits<Q>::max()));
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + i), s);  // the reference's float division
    __m256 r = _mm256_add_ps(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), z);
    r = _mm256_blendv_ps(r, z, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));  // NaN -> the zero point
    r = _mm256_min_ps(_mm256_max_ps(r, lo), hi);  // +-inf saturate; |r| >= 2^24 saturates too
    __m256i q = _mm256_cvtps_epi32(r);            // exact: r is an integer in [lo, hi]
    alignas(32) int32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), q);
    for (int k = 0; k < 8; ++k) y[i + k] = static_cast<Q>(lanes[k]);
  }
  return i;
}

class QuantizeLinear : public Kernel {
 public:
  explicit QuantizeLinear(std::unique_ptr<Kernel> fallback) : fallback_(std::move(fallback)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    const Tensor* scale = ctx.input(1);
    const Tensor* zp = ctx.input(2);
    bool per_tensor = x && scale && x->dtype() == DataType::kFloat32 && scale->dtype() == DataType::kFloat32 &&
                      scale->num_elements() == 1 && (!zp || zp->num_elements() == 1);
    DataType to = zp ? zp->dtype() : DataType::kUint8;
    if (!CpuHasAvx2Fma() || !per_tensor || (to != DataType::kUint8 && to != DataType::kInt8)) return fallback_->Run(ctx);
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, to, x->shape()));
    int64_t n = x->num_elements();
    float s = scale->data<float>()[0];
    int64_t done = 0;
    if (to == DataType::kUint8) {
      float z = zp ? zp->data<uint8_t>()[0] : 0.f;
      done = QuantizeAvx2<uint8_t>(x->data<float>(), n, s, z, y->data<uint8_t>());
      for (int64_t i = done; i < n; ++i) y->data<uint8_t>()[i] = Scalar<uint8_t>(x->data<float>()[i], s, z);
    } else {
      float z = zp ? zp->data<int8_t>()[0] : 0.f;
      done = QuantizeAvx2<int8_t>(x->data<float>(), n, s, z, y->data<int8_t>());
      for (int64_t i = done; i < n; ++i) y->data<int8_t>()[i] = Scalar<int8_t>(x->data<float>()[i], s, z);
    }
    return OkStatus();
  }

 private:
  // The reference kernel's expression (kernels/quantize.cc).
  template <typename Q>
  static Q Scalar(float x, float scale, float zero) {
    double v = std::nearbyint(static_cast<double>(x / scale)) + zero;
    if (std::isnan(v)) v = zero;
    return static_cast<Q>(std::clamp<double>(v, std::numeric_limits<Q>::lowest(), std::numeric_limits<Q>::max()));
  }

  std::unique_ptr<Kernel> fallback_;
};

}  // namespace

void RegisterFastQuantizeLinear(KernelRegistry* r) {
  r->Register({.op_type = "QuantizeLinear", .priority = kFastKernelPriority,
               .factory = [](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
                 CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> ref, ReferenceKernelRegistry().Create(n));
                 return std::unique_ptr<Kernel>(new QuantizeLinear(std::move(ref)));
               }});
}

}  // namespace confide::engine::kernels::fast
