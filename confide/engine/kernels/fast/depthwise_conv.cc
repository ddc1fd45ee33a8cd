// Depthwise Conv (fp32, NCHW, group == C == M, any kernel size, stride and dilation) as a
// direct loop. oneDNN 2.6 has no good NCHW depthwise path (gemm:jit per group: 15 ms for a
// 240-channel 5x5 at 12x80), and its NHWC one needs two transposes per node. Each output row
// accumulates one kernel tap at a time in a fixed (ky, kx) order, so results are deterministic.
// Registered above the oneDNN Conv; declines every other Conv.
#include <algorithm>

#include "confide/engine/kernels/conv_util.h"
#include "confide/engine/kernels/fast/fast.h"

namespace confide::engine::kernels::fast {
namespace {

// out_row[ox] += wv * in_row[ox * S + off] for ox in [lo, hi).
template <int S>
[[gnu::always_inline]] inline void Tap(const float* in_row, int64_t off, float wv, float* out_row,
                                       int64_t lo, int64_t hi) {
  for (int64_t ox = lo; ox < hi; ++ox) out_row[ox] += wv * in_row[ox * S + off];
}

[[gnu::always_inline]] inline void TapAny(const float* in_row, int64_t off, int64_t s, float wv,
                                          float* out_row, int64_t lo, int64_t hi) {
  if (s == 1) return Tap<1>(in_row, off, wv, out_row, lo, hi);
  if (s == 2) return Tap<2>(in_row, off, wv, out_row, lo, hi);
  for (int64_t ox = lo; ox < hi; ++ox) out_row[ox] += wv * in_row[ox * s + off];
}

// One channel: in (ih x iw) -> out (oh x ow), taps w (kh x kw), initial value bias.
[[gnu::always_inline]] inline void ChannelBody(const float* in, const float* w, float bias,
                                               const WindowGeom& g, float* out) {
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    float* orow = out + oy * g.ow;
    std::fill(orow, orow + g.ow, bias);
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      int64_t iy = oy * g.sh - g.pt + ky * g.dh;
      if (iy < 0 || iy >= g.ih) continue;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        int64_t off = kx * g.dw - g.pl;  // input column = ox * sw + off, must be in [0, iw)
        int64_t lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
        int64_t hi = g.iw - 1 - off < 0 ? 0 : std::min(g.ow, (g.iw - 1 - off) / g.sw + 1);
        if (lo < hi) TapAny(in + iy * g.iw, off, g.sw, w[ky * g.kw + kx], orow, lo, hi);
      }
    }
  }
}

__attribute__((target("avx2,fma"))) void ChannelAvx2(const float* in, const float* w, float bias,
                                                      const WindowGeom& g, float* out) {
  ChannelBody(in, w, bias, g, out);
}

void ChannelPlain(const float* in, const float* w, float bias, const WindowGeom& g, float* out) {
  ChannelBody(in, w, bias, g, out);
}

class DepthwiseConv : public Kernel {
 public:
  explicit DepthwiseConv(const NodeInfo& n) : attrs_(n), w_(*n.constant_inputs[1]), act_(Activation::FromAttrs(attrs_)) {
    if (n.num_inputs > 2 && n.constant_inputs[2]) b_ = *n.constant_inputs[2];
  }

  Status Run(KernelContext& ctx) const override {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
    const Shape& ws = w_.shape();
    if (x->dtype() != DataType::kFloat32 || x->shape().size() != ws.size() || x->shape()[1] != ws[0]) {
      return InvalidArgumentError("depthwise Conv: input " + ShapeToString(x->shape()) +
                                  " does not match weights " + ShapeToString(ws));
    }
    CONFIDE_ASSIGN_OR_RETURN(WindowGeom g, MakeWindowGeom(attrs_, x->shape(), {ws.begin() + 2, ws.end()}, false));
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, g.OutputShape(g.c)));
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    auto channel = avx2 ? ChannelAvx2 : ChannelPlain;
    const float* xd = x->data<float>();
    float* yd = y->data<float>();
    int64_t in_plane = g.ih * g.iw, out_plane = g.oh * g.ow, taps = g.kh * g.kw;
    ctx.threads().ParallelFor(g.n * g.c, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) {
        int64_t c = i % g.c;
        float bias = b_.empty() ? 0.f : b_.data<float>()[c];
        channel(xd + i * in_plane, w_.data<float>() + c * taps, bias, g, yd + i * out_plane);
        act_.Apply(yd + i * out_plane, out_plane);
      }
    }, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, out_plane)));
    return OkStatus();
  }

 private:
  OpAttrs attrs_;
  Tensor w_, b_;
  Activation act_;
};

Result<std::unique_ptr<Kernel>> MakeDepthwise(const NodeInfo& n) {
  const Tensor* w = n.num_inputs > 1 ? n.constant_inputs[1] : nullptr;
  if (!w || w->dtype() != DataType::kFloat32 || w->shape().size() < 3 || w->shape().size() > 4) {
    return UnsupportedError("depthwise Conv: weights must be constant float32, 1-D or 2-D");
  }
  int64_t c = w->shape()[0];
  if (w->shape()[1] != 1 || n.GetInt("group", 1) != c || c == 1) return UnsupportedError("not depthwise");
  if (n.num_inputs > 2 && n.input_present[2] &&
      (!n.constant_inputs[2] || n.constant_inputs[2]->dtype() != DataType::kFloat32 ||
       n.constant_inputs[2]->num_elements() != c)) {
    return UnsupportedError("depthwise Conv: bias must be constant float32");
  }
  std::string act = n.GetString("_act", "");
  if (!act.empty() && act != "Relu" && act != "Clip" && act != "LeakyRelu") return UnsupportedError("post-op " + act);
  return std::unique_ptr<Kernel>(new DepthwiseConv(n));
}

}  // namespace

void RegisterFastDepthwiseConv(KernelRegistry* r) {
  r->Register({.op_type = "Conv", .priority = kFastKernelPriority + 1, .factory = MakeDepthwise});
}

}  // namespace confide::engine::kernels::fast
