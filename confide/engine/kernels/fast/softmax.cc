// Softmax and LogSoftmax (fp32) over contiguous rows: opset >= 13 along the last axis, or any
// opset < 13 (flattened to 2-D at `axis`). Per row: subtract the maximum; Softmax then
// exponentiates with ExpAvx2 and divides by the sum, LogSoftmax subtracts the log of the sum of
// std::exp (the reference's arithmetic). Softmax exponentiates a block of rows at once, so that
// short rows (ultraface's 4420 rows of 2) also go eight values at a time. Everything else (a
// middle axis at opset >= 13, other dtypes, no AVX2) goes to the reference kernel.
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "confide/engine/kernels/fast/exp_avx2.h"
#include "confide/engine/kernels/fast/fast.h"
#include "confide/engine/kernels/kernel_util.h"

namespace confide::engine::kernels::fast {
namespace {

// dst[i] = exp(dst[i]) for i in [0, n).
__attribute__((target("avx2,fma"))) void ExpInPlace(float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(dst + i, ExpAvx2(_mm256_loadu_ps(dst + i)));
  }
  for (; i < n; ++i) {
    dst[i] = std::exp(dst[i]);
  }
}

// Rows [r0, r1) of length `len`.
__attribute__((target("avx2,fma"))) void SoftmaxRows(const float* src, float* dst, int64_t r0,
                                                     int64_t r1, int64_t len, bool log) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* s = src + r * len;
    float* d = dst + r * len;
    float mx = -INFINITY;
    for (int64_t i = 0; i < len; ++i) {
      mx = std::max(mx, s[i]);
    }
    for (int64_t i = 0; i < len; ++i) {
      d[i] = s[i] - mx;
    }
  }
  if (log) {
    // d = x - max stays; then d - log(sum(exp(d))), row by row.
    for (int64_t r = r0; r < r1; ++r) {
      float* d = dst + r * len;
      float sum = 0;
      for (int64_t i = 0; i < len; ++i) {
        sum += std::exp(d[i]);
      }
      float ls = std::log(sum);
      for (int64_t i = 0; i < len; ++i) {
        d[i] -= ls;
      }
    }
    return;
  }
  ExpInPlace(dst + r0 * len, (r1 - r0) * len);
  for (int64_t r = r0; r < r1; ++r) {
    float* d = dst + r * len;
    float sum = 0;
    for (int64_t i = 0; i < len; ++i) {
      sum += d[i];
    }
    float inv = 1.f / sum;
    for (int64_t i = 0; i < len; ++i) {
      d[i] *= inv;
    }
  }
}

class Softmax : public Kernel {
 public:
  Softmax(std::unique_ptr<Kernel> reference, const NodeInfo& n, bool log)
      : reference_(std::move(reference)),
        opset_(n.opset),
        axis_(n.GetInt("axis", n.opset < 13 ? 1 : -1)),
        log_(log) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x || x->dtype() != DataType::kFloat32 || !CpuHasAvx2Fma()) return reference_->Run(ctx);
    const Shape& s = x->shape();
    int64_t rank = static_cast<int64_t>(s.size());
    auto axis = NormalizeAxis(axis_, rank);
    if (!axis.ok() || (opset_ >= 13 && *axis != rank - 1)) return reference_->Run(ctx);
    int64_t len = 1;
    for (int64_t i = *axis; i < rank; ++i) len *= s[i];
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, s));
    if (len == 0 || x->num_elements() == 0) return OkStatus();
    int64_t rows = x->num_elements() / len;
    const float* src = x->data<float>();
    float* dst = y->data<float>();
    ctx.threads().ParallelFor(
        rows, [&](int64_t b, int64_t e) { SoftmaxRows(src, dst, b, e, len, log_); },
        std::max<int64_t>(1, 4096 / len));
    return OkStatus();
  }

 private:
  std::unique_ptr<Kernel> reference_;
  int opset_;
  int64_t axis_;
  bool log_;
};

KernelFactory Factory(bool log) {
  return [log](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
    CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> ref, ReferenceKernelRegistry().Create(n));
    return std::unique_ptr<Kernel>(new Softmax(std::move(ref), n, log));
  };
}

}  // namespace

void RegisterFastSoftmax(KernelRegistry* r) {
  r->Register({.op_type = "Softmax", .priority = kFastKernelPriority, .factory = Factory(false)});
  r->Register({.op_type = "LogSoftmax", .priority = kFastKernelPriority, .factory = Factory(true)});
}

}  // namespace confide::engine::kernels::fast
