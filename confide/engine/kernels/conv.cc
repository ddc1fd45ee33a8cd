// Conv (fp32): im2col + Sgemm per image and group; depthwise convolutions use a direct loop.
// Honours the "_act" post-op attached by the fusion pass.
#include <algorithm>
#include <cstring>

#include "confide/engine/kernels/conv_util.h"
#include "confide/engine/kernels/kernels.h"
#include "confide/engine/kernels/sgemm.h"

namespace confide::engine::kernels {
namespace {

void Depthwise(const float* x, const float* w, const WindowGeom& g, float* y, int64_t c) {
  const float* img = x + c * g.ih * g.iw;
  const float* k = w + c * g.kh * g.kw;
  float* out = y + c * g.oh * g.ow;
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      float acc = 0;
      for (int64_t ky = 0; ky < g.kh; ++ky) {
        int64_t iy = oy * g.sh - g.pt + ky * g.dh;
        if (iy < 0 || iy >= g.ih) continue;
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          int64_t ix = ox * g.sw - g.pl + kx * g.dw;
          if (ix >= 0 && ix < g.iw) acc += img[iy * g.iw + ix] * k[ky * g.kw + kx];
        }
      }
      out[oy * g.ow + ox] = acc;
    }
  }
}

Status RunConv(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* w, Input(ctx, 1));
  const Tensor* bias = ctx.input(2);
  if (x->dtype() != DataType::kFloat32 || w->dtype() != DataType::kFloat32) {
    return UnsupportedError("Conv supports float32 only");
  }
  const Shape& ws = w->shape();
  if (ws.size() != x->shape().size() || ws.size() < 3) return InvalidArgumentError("weight rank must match input rank");
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  CONFIDE_ASSIGN_OR_RETURN(WindowGeom g, MakeWindowGeom(a, x->shape(), kernel, false));
  int64_t group = a.Int("group", 1);
  int64_t m = ws[0];
  if (group <= 0 || g.c % group != 0 || m % group != 0 || ws[1] * group != g.c) {
    return InvalidArgumentError("channels " + std::to_string(g.c) + " do not match weights " +
                                ShapeToString(ws) + " with group " + std::to_string(group));
  }
  if (bias && bias->num_elements() != m) return InvalidArgumentError("bias size does not match M");
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, g.OutputShape(m)));
  int64_t cg = g.c / group, mg = m / group, spatial = g.oh * g.ow, kdim = cg * g.kh * g.kw;
  bool pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 &&
                   g.pb == 0 && g.pr == 0;
  bool depthwise = group == g.c && m == g.c;
  float* col = nullptr;
  if (!pointwise && !depthwise) {
    CONFIDE_ASSIGN_OR_RETURN(void* p, ctx.Scratch(sizeof(float) * kdim * spatial));
    col = static_cast<float*>(p);
  }
  const float* wd = w->data<float>();
  for (int64_t n = 0; n < g.n; ++n) {
    const float* xn = x->data<float>() + n * g.c * g.ih * g.iw;
    float* yn = y->data<float>() + n * m * spatial;
    if (depthwise) {
      ctx.threads().ParallelFor(g.c, [&](int64_t s, int64_t e) {
        for (int64_t c = s; c < e; ++c) Depthwise(xn, wd, g, yn, c);
      });
    } else {
      for (int64_t gi = 0; gi < group; ++gi) {
        const float* xg = xn + gi * cg * g.ih * g.iw;
        const float* b = xg;
        if (!pointwise) {
          Im2Col(xg, cg, g, col);
          b = col;
        }
        Sgemm(false, false, mg, spatial, kdim, 1.f, wd + gi * mg * kdim, kdim, b, spatial, 0.f,
              yn + gi * mg * spatial, spatial, &ctx.threads());
      }
    }
    Activation act = Activation::FromAttrs(a);
    ctx.threads().ParallelFor(m, [&](int64_t s, int64_t e) {
      for (int64_t c = s; c < e; ++c) {
        float* plane = yn + c * spatial;
        if (bias) {
          float bv = bias->data<float>()[c];
          for (int64_t i = 0; i < spatial; ++i) plane[i] += bv;
        }
        act.Apply(plane, spatial);
      }
    });
  }
  return OkStatus();
}

}  // namespace

void RegisterConvKernels(KernelRegistry* r) {
  r->Register({.op_type = "Conv", .factory = FnFactory(RunConv)});
}

}  // namespace confide::engine::kernels
