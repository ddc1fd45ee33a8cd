// GlobalAveragePool (fp32, N x C x spatial...): one contiguous sum per channel, 32 lanes at a
// time with AVX2. oneDNN 2.6's pooling primitive costs ~10 us of set-up and dispatch per call
// for the small squeeze-excite maps of the MobileNetV3 models. Each channel is summed by one
// thread in a fixed order, so results do not depend on the thread count.
#include <immintrin.h>

#include "confide/engine/kernels/fast/fast.h"
#include "confide/engine/kernels/kernel_util.h"

namespace confide::engine::kernels::fast {
namespace {

float SumPlain(const float* x, int64_t n) {
  float s = 0.f;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  return s;
}

__attribute__((target("avx2,fma"))) float SumAvx2(const float* x, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + i + 24));
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
  __m256 a = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h) + SumPlain(x + i, n - i);
}

class GlobalAveragePool : public Kernel {
 public:
  explicit GlobalAveragePool(std::unique_ptr<Kernel> fallback) : fallback_(std::move(fallback)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x || x->dtype() != DataType::kFloat32 || x->shape().size() < 3) return fallback_->Run(ctx);
    const Shape& s = x->shape();
    Shape os(s.size(), 1);
    os[0] = s[0];
    os[1] = s[1];
    int64_t planes = s[0] * s[1], plane = NumElements(s) / std::max<int64_t>(1, planes);
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, os));
    if (planes == 0) return OkStatus();
    if (plane == 0) return fallback_->Run(ctx);  // mean of nothing: the reference's answer
    const float* xd = x->data<float>();
    float* yd = y->data<float>();
    ctx.threads().ParallelFor(planes, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        float sum = CpuHasAvx2Fma() ? SumAvx2(xd + p * plane, plane) : SumPlain(xd + p * plane, plane);
        yd[p] = sum / static_cast<float>(plane);
      }
    }, std::max<int64_t>(1, (1 << 14) / plane));
    return OkStatus();
  }

 private:
  std::unique_ptr<Kernel> fallback_;
};

}  // namespace

void RegisterFastGlobalAveragePool(KernelRegistry* r) {
  r->Register({.op_type = "GlobalAveragePool", .priority = kFastKernelPriority + 1,
               .factory = [](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
                 CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> ref, ReferenceKernelRegistry().Create(n));
                 return std::unique_ptr<Kernel>(new GlobalAveragePool(std::move(ref)));
               }});
}

}  // namespace confide::engine::kernels::fast
