// QLinearConv (uint8/int8 activations, per-tensor or per-channel weights, int32 bias):
// int32 im2col GEMM, then requantisation with round-half-even and saturation.
#include <algorithm>
#include <cmath>

#include "confide/engine/kernels/conv_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

int32_t Elem(const Tensor& t, int64_t i) {
  return t.dtype() == DataType::kUint8 ? t.data<uint8_t>()[i] : t.data<int8_t>()[i];
}

Status RunQLinearConv(KernelContext& ctx, const OpAttrs& a) {
  const Tensor* in[8];
  for (int i = 0; i < 8; ++i) {
    CONFIDE_ASSIGN_OR_RETURN(in[i], Input(ctx, i));
  }
  const Tensor &x = *in[0], &xs = *in[1], &xz = *in[2], &w = *in[3], &ws = *in[4], &wz = *in[5],
               &ys = *in[6], &yz = *in[7];
  const Tensor* bias = ctx.input(8);
  for (const Tensor* t : {&x, &w, &xz, &wz, &yz}) {
    if (t->dtype() != DataType::kUint8 && t->dtype() != DataType::kInt8) return UnsupportedError("QLinearConv operands must be uint8/int8");
  }
  const Shape& wsh = w.shape();
  if (wsh.size() != x.shape().size() || wsh.size() < 3) return InvalidArgumentError("weight rank must match input rank");
  CONFIDE_ASSIGN_OR_RETURN(WindowGeom g, MakeWindowGeom(a, x.shape(), std::vector<int64_t>(wsh.begin() + 2, wsh.end()), false));
  int64_t group = a.Int("group", 1), m = wsh[0];
  if (group <= 0 || g.c % group || m % group || wsh[1] * group != g.c) return InvalidArgumentError("channels do not match weights and group");
  if ((ws.num_elements() != 1 && ws.num_elements() != m) || (wz.num_elements() != 1 && wz.num_elements() != m)) {
    return InvalidArgumentError("weight scale/zero point must be scalar or per output channel");
  }
  if (xs.num_elements() != 1 || xz.num_elements() != 1 || ys.num_elements() != 1 || yz.num_elements() != 1) {
    return InvalidArgumentError("x/y scale and zero point must be scalars");
  }
  if (bias && (bias->dtype() != DataType::kInt32 || bias->num_elements() != m)) return InvalidArgumentError("bias must be int32 of size M");
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, yz.dtype(), g.OutputShape(m)));
  int64_t cg = g.c / group, mg = m / group, spatial = g.oh * g.ow, kdim = cg * g.kh * g.kw;
  CONFIDE_ASSIGN_OR_RETURN(void* p, ctx.Scratch(sizeof(float) * (cg * g.ih * g.iw + kdim * spatial)));
  float* shifted = static_cast<float*>(p);
  float* col = shifted + cg * g.ih * g.iw;
  int32_t zx = Elem(xz, 0), zy = Elem(yz, 0);
  double lo = yz.dtype() == DataType::kUint8 ? 0 : -128, hi = yz.dtype() == DataType::kUint8 ? 255 : 127;
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t gi = 0; gi < group; ++gi) {
      int64_t base = (n * g.c + gi * cg) * g.ih * g.iw;
      for (int64_t i = 0; i < cg * g.ih * g.iw; ++i) shifted[i] = static_cast<float>(Elem(x, base + i) - zx);
      Im2Col(shifted, cg, g, col);  // padding becomes 0 = the zero point after the shift
      for (int64_t mo = gi * mg; mo < (gi + 1) * mg; ++mo) {
        int32_t zw = Elem(wz, wz.num_elements() == 1 ? 0 : mo);
        float mult = xs.data<float>()[0] * ws.data<float>()[ws.num_elements() == 1 ? 0 : mo] / ys.data<float>()[0];
        for (int64_t s = 0; s < spatial; ++s) {
          int32_t acc = bias ? bias->data<int32_t>()[mo] : 0;
          for (int64_t k = 0; k < kdim; ++k) {
            acc += (Elem(w, mo * kdim + k) - zw) * static_cast<int32_t>(col[k * spatial + s]);
          }
          double r = std::nearbyint(acc * mult);
          // A NaN multiplier (zero scales) has no integer result: saturate to the zero point.
          double v = std::clamp((std::isnan(r) ? 0.0 : r) + zy, lo, hi);
          int64_t oi = (n * m + mo) * spatial + s;
          if (yz.dtype() == DataType::kUint8) y->data<uint8_t>()[oi] = static_cast<uint8_t>(v);
          else y->data<int8_t>()[oi] = static_cast<int8_t>(v);
        }
      }
    }
  }
  return OkStatus();
}

}  // namespace

void RegisterQLinearConvKernels(KernelRegistry* r) {
  r->Register({.op_type = "QLinearConv", .factory = FnFactory(RunQLinearConv)});
}

}  // namespace confide::engine::kernels
