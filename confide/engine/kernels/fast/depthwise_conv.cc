// Depthwise Conv (fp32, NCHW, group == C == M, any kernel size, stride and dilation) as a
// direct loop. oneDNN 2.6 has no good NCHW depthwise path (gemm:jit per group: 15 ms for a
// 240-channel 5x5 at 12x80), and its NHWC one needs two transposes per node. Each output row
// accumulates one kernel tap at a time in a fixed (ky, kx) order, so results are deterministic.
// Registered above the oneDNN Conv; declines every other Conv.
#include <immintrin.h>

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

// out_row[ox] += sum over the KW taps of one kernel row, for ox where every tap is inside the
// input: one load and store of out_row per output instead of one per tap.
template <int S, int KW>
[[gnu::always_inline]] inline void Interior(const float* in_row, const int64_t* off, const float* w,
                                            float* out_row, int64_t lo, int64_t hi) {
  for (int64_t ox = lo; ox < hi; ++ox) {
    float acc = out_row[ox];
    for (int kx = 0; kx < KW; ++kx) acc += w[kx] * in_row[ox * S + off[kx]];
    out_row[ox] = acc;
  }
}

// Valid output columns of each tap kx: input column ox * sw + off[kx] must be in [0, iw).
struct TapRanges {
  int64_t off[16], lo[16], hi[16];
  int64_t lo_all = 0, hi_all = 0;
};

[[gnu::always_inline]] inline TapRanges Ranges(const WindowGeom& g) {
  TapRanges r;
  r.hi_all = g.ow;
  for (int64_t kx = 0; kx < g.kw; ++kx) {
    int64_t off = kx * g.dw - g.pl;
    r.off[kx] = off;
    r.lo[kx] = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
    r.hi[kx] = g.iw - 1 - off < 0 ? 0 : std::min(g.ow, (g.iw - 1 - off) / g.sw + 1);
    r.lo_all = std::max(r.lo_all, r.lo[kx]);
    r.hi_all = std::min(r.hi_all, r.hi[kx]);
  }
  r.hi_all = std::max(r.hi_all, r.lo_all);
  return r;
}

// One kernel row (ky) applied to one output row.
[[gnu::always_inline]] inline void KernelRow(const float* in_row, const float* w, const WindowGeom& g,
                                             const TapRanges& r, float* orow) {
  bool fused = (g.kw == 3 || g.kw == 5) && (g.sw == 1 || g.sw == 2) && r.lo_all < r.hi_all;
  for (int64_t kx = 0; kx < g.kw; ++kx) {
    if (!fused) {
      if (r.lo[kx] < r.hi[kx]) TapAny(in_row, r.off[kx], g.sw, w[kx], orow, r.lo[kx], r.hi[kx]);
      continue;
    }
    int64_t left_end = std::min(r.hi[kx], r.lo_all), right_begin = std::max(r.lo[kx], r.hi_all);
    if (r.lo[kx] < left_end) TapAny(in_row, r.off[kx], g.sw, w[kx], orow, r.lo[kx], left_end);
    if (right_begin < r.hi[kx]) TapAny(in_row, r.off[kx], g.sw, w[kx], orow, right_begin, r.hi[kx]);
  }
  if (!fused) return;
  if (g.kw == 3 && g.sw == 1) Interior<1, 3>(in_row, r.off, w, orow, r.lo_all, r.hi_all);
  if (g.kw == 3 && g.sw == 2) Interior<2, 3>(in_row, r.off, w, orow, r.lo_all, r.hi_all);
  if (g.kw == 5 && g.sw == 1) Interior<1, 5>(in_row, r.off, w, orow, r.lo_all, r.hi_all);
  if (g.kw == 5 && g.sw == 2) Interior<2, 5>(in_row, r.off, w, orow, r.lo_all, r.hi_all);
}

// One channel: in (ih x iw) -> out (oh x ow), taps w (kh x kw), initial value bias, then act.
[[gnu::always_inline]] inline void ChannelBody(const float* in, const float* w, float bias,
                                               const WindowGeom& g, const Activation& act, float* out) {
  TapRanges r = Ranges(g);
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    float* orow = out + oy * g.ow;
    std::fill(orow, orow + g.ow, bias);
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      int64_t iy = oy * g.sh - g.pt + ky * g.dh;
      if (iy >= 0 && iy < g.ih) KernelRow(in + iy * g.iw, w + ky * g.kw, g, r, orow);
    }
  }
  act.ApplyFast(out, g.oh * g.ow);
}

__attribute__((target("avx2,fma"))) void ChannelAvx2(const float* in, const float* w, float bias,
                                                      const WindowGeom& g, const Activation& act, float* out) {
  ChannelBody(in, w, bias, g, act, out);
}

void ChannelPlain(const float* in, const float* w, float bias, const WindowGeom& g, const Activation& act,
                  float* out) {
  ChannelBody(in, w, bias, g, act, out);
}

// Kernel widths 3 and 5, strides 1 and 2, no horizontal dilation: the common MobileNet shapes.
// Each output gets bias + every tap in (ky, kx) order in one pass, eight outputs per vector
// (stride 2 splits 16 consecutive inputs into even and odd ones). Columns whose taps leave the input (the edges) and the
// last < 8 of a row go through the scalar loop, same order.
bool HasRowKernel(const WindowGeom& g) {
  return (g.kw == 3 || g.kw == 5) && (g.sw == 1 || g.sw == 2) && g.dw == 1 && g.kh <= 16;
}

// The eight inputs at p, p + S, ..., p + 7S. Stride 2 loads the 16 floats at p and keeps the
// even ones (shuffle gives p0 p2 p8 p10 | p4 p6 p12 p14; the 64-bit permute orders them), so it
// reads p[15], one float past the eighth input.
template <int S>
__attribute__((target("avx2,fma"), always_inline)) inline __m256 LoadStrided(const float* p) {
  if constexpr (S == 1) {
    return _mm256_loadu_ps(p);
  } else {
    __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
    return _mm256_castpd_ps(_mm256_permute4x64_pd(
        _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0))), _MM_SHUFFLE(3, 1, 2, 0)));
  }
}

// A K x K kernel whose K input rows all exist: the taps' weights stay in registers and each
// iteration makes 16 outputs in two independent accumulators, bias + taps in (ky, kx) order as
// in RowAvx2. Starts at `ox` (interior) and returns where it stopped; a stride-2 vector also
// needs the next column interior (LoadStrided reads one float further).
template <int K, int S>
__attribute__((target("avx2,fma"), always_inline)) inline int64_t SquareInterior(
    const float* const* rows, const float* w, float bias, int64_t pl, int64_t ox, int64_t hi, float* orow) {
  __m256 wv[K * K];
  for (int t = 0; t < K * K; ++t) wv[t] = _mm256_set1_ps(w[t]);
  for (; ox + 16 + (S == 2) <= hi; ox += 16) {
    __m256 a0 = _mm256_set1_ps(bias), a1 = a0;
    for (int ky = 0; ky < K; ++ky) {
      const float* base = rows[ky] + ox * S - pl;
      for (int kx = 0; kx < K; ++kx) {
        a0 = _mm256_fmadd_ps(wv[ky * K + kx], LoadStrided<S>(base + kx), a0);
        a1 = _mm256_fmadd_ps(wv[ky * K + kx], LoadStrided<S>(base + 8 * S + kx), a1);
      }
    }
    _mm256_storeu_ps(orow + ox, a0);
    _mm256_storeu_ps(orow + ox + 8, a1);
  }
  return ox;
}

// Eight outputs from column `at` (interior), bias + the taps of every existing row in (ky, kx)
// order.
template <int KW, int S>
__attribute__((target("avx2,fma"), always_inline)) inline void Vec8(const float* const* rows, int64_t kh,
                                                                    const float* w, float bias, int64_t pl,
                                                                    int64_t at, float* orow) {
  __m256 acc = _mm256_set1_ps(bias);
  for (int64_t ky = 0; ky < kh; ++ky) {
    if (!rows[ky]) continue;
    const float* base = rows[ky] + at * S - pl;
    for (int kx = 0; kx < KW; ++kx) {
      acc = _mm256_fmadd_ps(_mm256_set1_ps(w[ky * KW + kx]), LoadStrided<S>(base + kx), acc);
    }
  }
  _mm256_storeu_ps(orow + at, acc);
}

template <int KW, int S>
__attribute__((target("avx2,fma"))) void RowAvx2(const float* const* rows, int64_t kh, const float* w,
                                                  float bias, int64_t pl, int64_t iw, int64_t ow, float* orow) {
  // Interior: ox with every tap inside the input, 0 <= ox * S - pl and ox * S - pl + KW - 1 < iw.
  int64_t lo = std::min(ow, (pl + S - 1) / S), hi = std::max(lo, std::min(ow, (iw - KW + pl) / S + 1));
  if (iw - KW + pl < 0) hi = lo;
  auto scalar = [&](int64_t ox) {  // the taps inside the input: kx in [k0, k1)
    int64_t x0 = ox * S - pl;
    int64_t k0 = std::max<int64_t>(0, -x0), k1 = std::min<int64_t>(KW, iw - x0);
    float acc = bias;
    for (int64_t ky = 0; ky < kh; ++ky) {
      if (!rows[ky]) continue;
      for (int64_t kx = k0; kx < k1; ++kx) acc += w[ky * KW + kx] * rows[ky][x0 + kx];
    }
    orow[ox] = acc;
  };
  for (int64_t ox = 0; ox < lo; ++ox) scalar(ox);
  int64_t ox = lo;
  if (kh == KW && std::all_of(rows, rows + kh, [](const float* r) { return r != nullptr; })) {
    ox = SquareInterior<KW, S>(rows, w, bias, pl, ox, hi, orow);
  }
  // A stride-2 vector reads one float past its last tap (LoadStrided), so vectors end by `vend`,
  // one column before the interior's end.
  int64_t vend = hi - (S == 2);
  for (; ox + 8 <= vend; ox += 8) Vec8<KW, S>(rows, kh, w, bias, pl, ox, orow);
  if (ox < vend && vend - lo >= 8) {  // the rest as one vector overlapping the previous one
    Vec8<KW, S>(rows, kh, w, bias, pl, vend - 8, orow);
    ox = vend;
  }
  for (; ox < ow; ++ox) scalar(ox);
}

__attribute__((target("avx2,fma"))) void ChannelRowsAvx2(const float* in, const float* w, float bias,
                                                          const WindowGeom& g, const Activation& act, float* out) {
  auto row = g.kw == 3 ? (g.sw == 1 ? RowAvx2<3, 1> : RowAvx2<3, 2>) : (g.sw == 1 ? RowAvx2<5, 1> : RowAvx2<5, 2>);
  const float* rows[16];
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      int64_t iy = oy * g.sh - g.pt + ky * g.dh;
      rows[ky] = iy >= 0 && iy < g.ih ? in + iy * g.iw : nullptr;
    }
    row(rows, g.kh, w, bias, g.pl, g.iw, g.ow, out + oy * g.ow);
  }
  act.ApplyFast(out, g.oh * g.ow);
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
    auto channel = !CpuHasAvx2Fma() ? ChannelPlain : HasRowKernel(g) ? ChannelRowsAvx2 : ChannelAvx2;
    const float* xd = x->data<float>();
    float* yd = y->data<float>();
    int64_t in_plane = g.ih * g.iw, out_plane = g.oh * g.ow, taps = g.kh * g.kw;
    ctx.threads().ParallelFor(g.n * g.c, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) {
        int64_t c = i % g.c;
        float bias = b_.empty() ? 0.f : b_.data<float>()[c];
        channel(xd + i * in_plane, w_.data<float>() + c * taps, bias, g, act_, yd + i * out_plane);
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
  if (n.Has("_nhwc_in") || n.Has("_nhwc_out")) return UnsupportedError("channels-last Conv: oneDNN's");
  const Tensor* w = n.num_inputs > 1 ? n.constant_inputs[1] : nullptr;
  if (!w || w->dtype() != DataType::kFloat32 || w->shape().size() < 3 || w->shape().size() > 4) {
    return UnsupportedError("depthwise Conv: weights must be constant float32, 1-D or 2-D");
  }
  int64_t c = w->shape()[0];
  if (w->shape()[1] != 1 || n.GetInt("group", 1) != c || c == 1) return UnsupportedError("not depthwise");
  if (w->shape().back() > 16) return UnsupportedError("depthwise Conv: kernel wider than 16");
  if (n.num_inputs > 2 && n.input_present[2] &&
      (!n.constant_inputs[2] || n.constant_inputs[2]->dtype() != DataType::kFloat32 ||
       n.constant_inputs[2]->num_elements() != c)) {
    return UnsupportedError("depthwise Conv: bias must be constant float32");
  }
  std::string act = n.GetString("_act", "");
  if (!act.empty() && act != "Relu" && act != "Clip" && act != "LeakyRelu" && act != "HardSwish") {
    return UnsupportedError("post-op " + act);
  }
  return std::unique_ptr<Kernel>(new DepthwiseConv(n));
}

}  // namespace

void RegisterFastDepthwiseConv(KernelRegistry* r) {
  r->Register({.op_type = "Conv", .priority = kFastKernelPriority + 1, .factory = MakeDepthwise});
}

}  // namespace confide::engine::kernels::fast
