// QuantizeLinear, DequantizeLinear (per-tensor or per-axis), DynamicQuantizeLinear (uint8).
// Rounding is half to even, as ONNX specifies; results saturate to the target type.
#include <algorithm>
#include <cmath>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

// Index of the scale/zero point that applies to element i (per-tensor or along `axis`).
struct Broadcast1D {
  int64_t len = 1, inner = 1;
  int64_t At(int64_t i) const { return len == 1 ? 0 : (i / inner) % len; }
};

Result<Broadcast1D> PerAxis(const OpAttrs& a, const Tensor& x, const Tensor& scale) {
  Broadcast1D b;
  if (scale.num_elements() == 1) return b;
  int64_t rank = static_cast<int64_t>(x.shape().size());
  CONFIDE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a.Int("axis", 1), rank));
  if (scale.shape().size() != 1 || scale.num_elements() != x.shape()[axis]) {
    return InvalidArgumentError("scale must be a scalar or 1-D of the axis size");
  }
  b.len = x.shape()[axis];
  for (int64_t d = axis + 1; d < rank; ++d) b.inner *= x.shape()[d];
  return b;
}

template <typename Q>
void Quantize(const float* x, int64_t n, const float* scale, const Tensor* zp, const Broadcast1D& b, Q* y) {
  double lo = std::numeric_limits<Q>::lowest(), hi = std::numeric_limits<Q>::max();
  for (int64_t i = 0; i < n; ++i) {
    int64_t k = b.At(i);
    double z = zp ? zp->data<Q>()[zp->num_elements() == 1 ? 0 : k] : 0;
    double v = std::nearbyint(static_cast<double>(x[i] / scale[k])) + z;
    if (std::isnan(v)) v = z;  // NaN (e.g. 0/0 with a zero scale) has no integer: the zero point
    y[i] = static_cast<Q>(std::clamp(v, lo, hi));
  }
}

Status RunQuantize(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* scale, Input(ctx, 1));
  const Tensor* zp = ctx.input(2);
  if (x->dtype() != DataType::kFloat32 || scale->dtype() != DataType::kFloat32) return UnsupportedError("QuantizeLinear: float32 input and scale");
  CONFIDE_ASSIGN_OR_RETURN(Broadcast1D b, PerAxis(a, *x, *scale));
  DataType to = zp ? zp->dtype() : DataType::kUint8;
  if (zp && zp->num_elements() != scale->num_elements()) return InvalidArgumentError("zero point and scale differ in size");
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, to, x->shape()));
  if (to == DataType::kUint8) Quantize(x->data<float>(), x->num_elements(), scale->data<float>(), zp, b, y->data<uint8_t>());
  else if (to == DataType::kInt8) Quantize(x->data<float>(), x->num_elements(), scale->data<float>(), zp, b, y->data<int8_t>());
  else return UnsupportedError("QuantizeLinear to " + std::string(DataTypeName(to)));
  return OkStatus();
}

Status RunDequantize(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* scale, Input(ctx, 1));
  const Tensor* zp = ctx.input(2);
  if (scale->dtype() != DataType::kFloat32) return UnsupportedError("DequantizeLinear: float32 scale");
  if (zp && (zp->dtype() != x->dtype() || zp->num_elements() != scale->num_elements())) {
    return InvalidArgumentError("zero point must match x's dtype and the scale's size");
  }
  CONFIDE_ASSIGN_OR_RETURN(Broadcast1D b, PerAxis(a, *x, *scale));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, x->shape()));
  for (int64_t i = 0; i < x->num_elements(); ++i) {
    int64_t k = b.At(i);
    double z = zp ? ReadAsDouble(*zp, zp->num_elements() == 1 ? 0 : k) : 0;
    y->data<float>()[i] = static_cast<float>((ReadAsDouble(*x, i) - z) * scale->data<float>()[k]);
  }
  return OkStatus();
}

Status RunDynamicQuantize(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  if (x->dtype() != DataType::kFloat32) return UnsupportedError("DynamicQuantizeLinear: float32 input");
  const float* in = x->data<float>();
  float lo = 0.f, hi = 0.f;
  for (int64_t i = 0; i < x->num_elements(); ++i) {
    lo = std::min(lo, in[i]);
    hi = std::max(hi, in[i]);
  }
  float scale = (hi - lo) / 255.f;
  float zp = scale == 0.f ? 0.f : std::clamp(std::nearbyint(-lo / scale), 0.f, 255.f);
  if (std::isnan(zp)) zp = 0.f;  // an infinite input range (inf - inf) has no zero point
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kUint8, x->shape()));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * ys, ctx.AllocateOutput(1, DataType::kFloat32, {}));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * yz, ctx.AllocateOutput(2, DataType::kUint8, {}));
  for (int64_t i = 0; i < x->num_elements(); ++i) {
    float q = scale == 0.f ? zp : std::nearbyint(in[i] / scale) + zp;
    if (std::isnan(q)) q = zp;  // a NaN input has no integer: the zero point
    y->data<uint8_t>()[i] = static_cast<uint8_t>(std::clamp(q, 0.f, 255.f));
  }
  ys->data<float>()[0] = scale;
  yz->data<uint8_t>()[0] = static_cast<uint8_t>(zp);
  return OkStatus();
}

}  // namespace

void RegisterQuantizeKernels(KernelRegistry* r) {
  r->Register({.op_type = "QuantizeLinear", .factory = FnFactory(RunQuantize)});
  r->Register({.op_type = "DequantizeLinear", .factory = FnFactory(RunDequantize)});
  r->Register({.op_type = "DynamicQuantizeLinear", .factory = FnFactory(RunDynamicQuantize)});
}

}  // namespace confide::engine::kernels
