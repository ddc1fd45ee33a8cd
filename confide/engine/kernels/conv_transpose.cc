// ConvTranspose (fp32, 1-D/2-D): Sgemm (W^T x) then col2im scatter-add.
#include <algorithm>

#include "confide/engine/kernels/conv_util.h"
#include "confide/engine/kernels/kernels.h"
#include "confide/engine/kernels/sgemm.h"

namespace confide::engine::kernels {
namespace {

// Output geometry per ONNX ConvTranspose: out = s*(in-1) + out_pad + (k-1)*d + 1 - pads.
Status Geometry(const OpAttrs& a, const Shape& xs, const Shape& ws, int64_t m, WindowGeom* g) {
  size_t sp = xs.size() - 2;
  std::vector<int64_t> strides = a.Ints("strides"), dil = a.Ints("dilations"), pads = a.Ints("pads"),
                       opad = a.Ints("output_padding"), oshape = a.Ints("output_shape");
  if (strides.empty()) strides.assign(sp, 1);
  if (dil.empty()) dil.assign(sp, 1);
  if (opad.empty()) opad.assign(sp, 0);
  if (strides.size() != sp || dil.size() != sp || opad.size() != sp || (!pads.empty() && pads.size() != 2 * sp)) {
    return InvalidArgumentError("strides/dilations/pads do not match the spatial rank");
  }
  std::string auto_pad = a.String("auto_pad", "NOTSET");
  int64_t in[2] = {1, 1}, k[2] = {1, 1}, s[2] = {1, 1}, d[2] = {1, 1}, pb[2] = {0, 0}, pe[2] = {0, 0}, out[2] = {1, 1};
  int first = 2 - static_cast<int>(sp);
  for (size_t i = 0; i < sp; ++i) {
    int j = first + static_cast<int>(i);
    in[j] = xs[2 + i], k[j] = ws[2 + i], s[j] = strides[i], d[j] = dil[i];
    if (s[j] <= 0 || d[j] <= 0) return InvalidArgumentError("strides and dilations must be positive");
    int64_t full = s[j] * (in[j] - 1) + opad[i] + (k[j] - 1) * d[j] + 1;
    if (!oshape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out[j] = !oshape.empty() ? oshape[oshape.size() - sp + i] : in[j] * s[j];
      int64_t total = std::max<int64_t>(0, full - out[j]);
      pb[j] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") pb[j] = total / 2;
      pe[j] = total - pb[j];
    } else {
      pb[j] = pads.empty() ? 0 : pads[i];
      pe[j] = pads.empty() ? 0 : pads[i + sp];
      out[j] = full - pb[j] - pe[j];
    }
    if (out[j] <= 0) return InvalidArgumentError("empty ConvTranspose output");
  }
  *g = WindowGeom{.n = xs[0], .c = m, .ih = in[0], .iw = in[1], .kh = k[0], .kw = k[1], .sh = s[0], .sw = s[1],
                  .dh = d[0], .dw = d[1], .pt = pb[0], .pl = pb[1], .pb = pe[0], .pr = pe[1],
                  .oh = out[0], .ow = out[1], .spatial = static_cast<int>(sp)};
  return OkStatus();
}

Status RunConvTranspose(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* w, Input(ctx, 1));
  const Tensor* bias = ctx.input(2);
  if (x->dtype() != DataType::kFloat32 || w->dtype() != DataType::kFloat32) return UnsupportedError("ConvTranspose supports float32 only");
  const Shape &xs = x->shape(), &ws = w->shape();
  if (xs.size() < 3 || xs.size() > 4 || ws.size() != xs.size()) return UnsupportedError("ConvTranspose supports 1-D and 2-D");
  int64_t group = a.Int("group", 1);
  if (group <= 0 || xs[1] != ws[0] || xs[1] % group) return InvalidArgumentError("channels do not match weights and group");
  int64_t c = xs[1], m = ws[1] * group, cg = c / group, mg = ws[1];
  if (bias && bias->num_elements() != m) return InvalidArgumentError("bias size does not match M");
  WindowGeom g;
  CONFIDE_TRY(Geometry(a, xs, ws, m, &g));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, g.OutputShape(m)));
  int64_t in_sp = g.ih * g.iw, out_sp = g.oh * g.ow, rows = mg * g.kh * g.kw;
  CONFIDE_ASSIGN_OR_RETURN(void* p, ctx.Scratch(sizeof(float) * rows * in_sp));
  float* col = static_cast<float*>(p);
  for (int64_t n = 0; n < g.n; ++n) {
    for (int64_t gi = 0; gi < group; ++gi) {
      const float* xg = x->data<float>() + (n * c + gi * cg) * in_sp;
      Sgemm(true, false, rows, in_sp, cg, 1.f, w->data<float>() + gi * cg * rows, rows, xg, in_sp, 0.f, col, in_sp, &ctx.threads());
      ctx.threads().ParallelFor(mg, [&](int64_t b, int64_t e) {
        for (int64_t mo = b; mo < e; ++mo) {
          int64_t oc = gi * mg + mo;
          float* out = y->data<float>() + (n * m + oc) * out_sp;
          std::fill(out, out + out_sp, bias ? bias->data<float>()[oc] : 0.f);
          for (int64_t ky = 0; ky < g.kh; ++ky) {
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              const float* src = col + ((mo * g.kh + ky) * g.kw + kx) * in_sp;
              for (int64_t iy = 0; iy < g.ih; ++iy) {
                int64_t oy = iy * g.sh - g.pt + ky * g.dh;
                if (oy < 0 || oy >= g.oh) continue;
                for (int64_t ix = 0; ix < g.iw; ++ix) {
                  int64_t ox = ix * g.sw - g.pl + kx * g.dw;
                  if (ox >= 0 && ox < g.ow) out[oy * g.ow + ox] += src[iy * g.iw + ix];
                }
              }
            }
          }
        }
      });
    }
  }
  return OkStatus();
}

}  // namespace

void RegisterConvTransposeKernels(KernelRegistry* r) {
  r->Register({.op_type = "ConvTranspose", .factory = FnFactory(RunConvTranspose)});
}

}  // namespace confide::engine::kernels
