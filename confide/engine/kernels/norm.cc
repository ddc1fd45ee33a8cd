// BatchNormalization (inference), InstanceNormalization, LayerNormalization (fp32).
#include <cmath>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

Status RunBatchNorm(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  const Tensor* p[4];
  for (int i = 0; i < 4; ++i) {
    CONFIDE_ASSIGN_OR_RETURN(p[i], Input(ctx, i + 1));
  }
  if (x->dtype() != DataType::kFloat32) return UnsupportedError("BatchNormalization supports float32 only");
  if (a.Int("training_mode", 0) != 0) return UnsupportedError("training_mode");
  const Shape& s = x->shape();
  int64_t c = s.size() > 1 ? s[1] : 1;
  for (const Tensor* t : p) {
    if (t->num_elements() != c || t->dtype() != DataType::kFloat32) {
      return InvalidArgumentError("scale/bias/mean/var must be float32 of size C");
    }
  }
  float eps = a.Float("epsilon", 1e-5f);
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
  int64_t n = s.empty() ? 1 : s[0];
  int64_t inner = (n * c) != 0 ? NumElements(s) / (n * c) : 0;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t ch = 0; ch < c; ++ch) {
      float scale = p[0]->data<float>()[ch] / std::sqrt(p[3]->data<float>()[ch] + eps);
      float shift = p[1]->data<float>()[ch] - p[2]->data<float>()[ch] * scale;
      const float* in = x->data<float>() + (b * c + ch) * inner;
      float* out = y->data<float>() + (b * c + ch) * inner;
      for (int64_t i = 0; i < inner; ++i) out[i] = in[i] * scale + shift;
    }
  }
  return OkStatus();
}

// Normalises rows of length `inner`; per-row scale/bias when per_channel, else per element.
Status NormalizeRows(KernelContext& ctx, const Tensor& x, const Tensor* scale, const Tensor* bias,
                     int64_t rows, int64_t inner, int64_t channels, float eps, bool per_channel) {
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  ctx.threads().ParallelFor(rows, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      const float* in = x.data<float>() + r * inner;
      float* out = y->data<float>() + r * inner;
      double mean = 0, var = 0;
      for (int64_t i = 0; i < inner; ++i) mean += in[i];
      mean /= inner;
      for (int64_t i = 0; i < inner; ++i) var += (in[i] - mean) * (in[i] - mean);
      var /= inner;
      float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
      for (int64_t i = 0; i < inner; ++i) {
        int64_t k = per_channel ? r % channels : i;
        float sc = scale ? scale->data<float>()[k] : 1.f, bi = bias ? bias->data<float>()[k] : 0.f;
        out[i] = (in[i] - static_cast<float>(mean)) * inv * sc + bi;
      }
    }
  });
  return OkStatus();
}

Status RunInstanceNorm(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* scale, Input(ctx, 1));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* bias, Input(ctx, 2));
  const Shape& s = x->shape();
  if (x->dtype() != DataType::kFloat32 || s.size() < 3) return UnsupportedError("InstanceNormalization: float32, rank >= 3");
  if (scale->num_elements() != s[1] || bias->num_elements() != s[1]) return InvalidArgumentError("scale/bias size");
  if (scale->dtype() != DataType::kFloat32 || bias->dtype() != DataType::kFloat32) {
    return InvalidArgumentError("InstanceNormalization scale and B must be float32");
  }
  int64_t rows = s[0] * s[1];
  return NormalizeRows(ctx, *x, scale, bias, rows, NumElements(s) / std::max<int64_t>(rows, 1), s[1],
                       a.Float("epsilon", 1e-5f), true);
}

Status RunLayerNorm(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* scale, Input(ctx, 1));
  const Tensor* bias = ctx.input(2);
  if (x->dtype() != DataType::kFloat32 || ctx.num_outputs() > 1) return UnsupportedError("LayerNormalization: float32, one output");
  const Shape& s = x->shape();
  CONFIDE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a.Int("axis", -1), static_cast<int64_t>(s.size())));
  int64_t inner = 1;
  for (size_t i = axis; i < s.size(); ++i) inner *= s[i];
  if (scale->dtype() != DataType::kFloat32 || (bias && bias->dtype() != DataType::kFloat32)) {
    return InvalidArgumentError("LayerNormalization Scale and B must be float32");
  }
  if (scale->num_elements() != inner || (bias && bias->num_elements() != inner)) {
    return UnsupportedError("LayerNormalization with broadcast scale/bias");
  }
  int64_t rows = inner ? NumElements(s) / inner : 0;
  return NormalizeRows(ctx, *x, scale, bias, rows, inner, 1, a.Float("epsilon", 1e-5f), false);
}

}  // namespace

void RegisterNormKernels(KernelRegistry* r) {
  r->Register({.op_type = "BatchNormalization", .factory = FnFactory(RunBatchNorm)});
  r->Register({.op_type = "InstanceNormalization", .factory = FnFactory(RunInstanceNorm)});
  r->Register({.op_type = "LayerNormalization", .factory = FnFactory(RunLayerNorm)});
}

}  // namespace confide::engine::kernels
