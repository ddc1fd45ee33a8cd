// Softmax, LogSoftmax (fp32): opset < 13 flattens to 2-D at `axis`; opset >= 13 uses one axis.
#include <cmath>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

Status RunSoftmax(KernelContext& ctx, const OpAttrs& a, bool log) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  if (x->dtype() != DataType::kFloat32) return UnsupportedError("Softmax supports float32 only");
  const Shape& s = x->shape();
  int64_t rank = static_cast<int64_t>(s.size());
  CONFIDE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a.Int("axis", a.opset() < 13 ? 1 : -1), rank));
  int64_t outer = 1, len = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (i < axis) outer *= s[i];
    else if (i == axis || a.opset() < 13) len *= s[i];
    else inner *= s[i];
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
  ctx.threads().ParallelFor(outer * inner, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t o = r / inner, in = r % inner;
      const float* src = x->data<float>() + o * len * inner + in;
      float* dst = y->data<float>() + o * len * inner + in;
      float mx = -INFINITY;
      for (int64_t i = 0; i < len; ++i) mx = std::max(mx, src[i * inner]);
      float sum = 0;
      for (int64_t i = 0; i < len; ++i) {
        float v = std::exp(src[i * inner] - mx);
        dst[i * inner] = v;
        sum += v;
      }
      if (log) {
        float ls = std::log(sum);
        for (int64_t i = 0; i < len; ++i) dst[i * inner] = src[i * inner] - mx - ls;
      } else {
        float inv = 1.f / sum;
        for (int64_t i = 0; i < len; ++i) dst[i * inner] *= inv;
      }
    }
  });
  return OkStatus();
}

}  // namespace

void RegisterSoftmaxKernels(KernelRegistry* r) {
  r->Register({.op_type = "Softmax", .factory = FnFactory([](KernelContext& c, const OpAttrs& a) { return RunSoftmax(c, a, false); })});
  r->Register({.op_type = "LogSoftmax", .factory = FnFactory([](KernelContext& c, const OpAttrs& a) { return RunSoftmax(c, a, true); })});
}

}  // namespace confide::engine::kernels
