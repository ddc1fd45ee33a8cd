#include "confide/engine/kernels/conv_util.h"

#include <immintrin.h>

#include <algorithm>

namespace confide::engine::kernels {

Shape WindowGeom::OutputShape(int64_t channels) const {
  if (spatial == 1) return {n, channels, ow};
  return {n, channels, oh, ow};
}

namespace {

// One spatial axis: output size and begin/end pads (ONNX Conv/MaxPool auto_pad rules).
Status Axis(const std::string& auto_pad, int64_t in, int64_t k, int64_t s, int64_t d, bool ceil_mode,
            int64_t* pb, int64_t* pe, int64_t* out) {
  if (k <= 0 || s <= 0 || d <= 0) return InvalidArgumentError("kernel, stride and dilation must be positive");
  int64_t ek = (k - 1) * d + 1;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    *out = (in + s - 1) / s;
    int64_t total = std::max<int64_t>(0, (*out - 1) * s + ek - in);
    *pb = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    *pe = total - *pb;
    return OkStatus();
  }
  if (auto_pad == "VALID") *pb = *pe = 0;
  int64_t span = in + *pb + *pe - ek;
  if (span < 0) return InvalidArgumentError("kernel larger than padded input");
  *out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (*out - 1) * s >= in + *pb) --*out;  // last window must start inside
  return OkStatus();
}

}  // namespace

Result<WindowGeom> MakeWindowGeom(const OpAttrs& a, const Shape& x, const std::vector<int64_t>& kernel,
                                  bool ceil_mode) {
  if (x.size() < 3 || x.size() > 4 || kernel.size() != x.size() - 2) {
    return UnsupportedError("window ops support 1-D and 2-D inputs; got shape " + ShapeToString(x));
  }
  WindowGeom g;
  g.spatial = static_cast<int>(x.size()) - 2;
  g.n = x[0];
  g.c = x[1];
  std::vector<int64_t> strides = a.Ints("strides"), dil = a.Ints("dilations"), pads = a.Ints("pads");
  size_t sp = g.spatial;
  if ((!strides.empty() && strides.size() != sp) || (!dil.empty() && dil.size() != sp) ||
      (!pads.empty() && pads.size() != 2 * sp)) {
    return InvalidArgumentError("strides/dilations/pads do not match the spatial rank");
  }
  if (strides.empty()) strides.assign(sp, 1);
  if (dil.empty()) dil.assign(sp, 1);
  if (pads.empty()) pads.assign(2 * sp, 0);
  std::string auto_pad = a.String("auto_pad", "NOTSET");
  int64_t *in[2] = {&g.ih, &g.iw}, *k[2] = {&g.kh, &g.kw}, *s[2] = {&g.sh, &g.sw},
          *d[2] = {&g.dh, &g.dw}, *pb[2] = {&g.pt, &g.pl}, *pe[2] = {&g.pb, &g.pr},
          *o[2] = {&g.oh, &g.ow};
  int first = 2 - g.spatial;
  for (size_t i = 0; i < sp; ++i) {
    int j = first + static_cast<int>(i);
    *in[j] = x[2 + i];
    *k[j] = kernel[i];
    *s[j] = strides[i];
    *d[j] = dil[i];
    *pb[j] = pads[i];
    *pe[j] = pads[i + sp];
    CONFIDE_TRY(Axis(auto_pad, *in[j], *k[j], *s[j], *d[j], ceil_mode, pb[j], pe[j], o[j]));
  }
  return g;
}

Activation Activation::FromAttrs(const OpAttrs& a) {
  Activation act;
  std::string kind = a.String("_act", "");
  if (kind == "Relu") act.kind = Kind::kRelu;
  if (kind == "Clip") act.kind = Kind::kClip;
  if (kind == "LeakyRelu") act.kind = Kind::kLeakyRelu;
  if (kind == "HardSwish") act.kind = Kind::kHardSwish;
  act.lo = a.Float("_act_lo", 0);
  act.hi = a.Float("_act_hi", 0);
  act.alpha = a.Float("_act_alpha", 0);
  act.scale = a.Float("_act_scale", 1);
  act.shift = a.Float("_act_shift", 0);
  return act;
}

void Activation::Apply(float* x, int64_t n) const {
  ApplyKind(x, n);
  if (!has_affine()) return;
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] * scale + shift;
}

void Activation::ApplyKind(float* x, int64_t n) const {
  switch (kind) {
    case Kind::kNone: return;
    case Kind::kRelu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] > 0 ? x[i] : 0; return;
    case Kind::kClip: for (int64_t i = 0; i < n; ++i) x[i] = std::min(std::max(x[i], lo), hi); return;
    case Kind::kLeakyRelu: for (int64_t i = 0; i < n; ++i) x[i] = x[i] < 0 ? x[i] * alpha : x[i]; return;
    case Kind::kHardSwish:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] * std::min(std::max(x[i] / 6 + 0.5f, 0.f), 1.f);
      return;
  }
}

namespace {

// The post-ops g++ leaves scalar (its min/max and compare-select forms do not vectorise without
// -ffinite-math-only), with AVX2 intrinsics; the tail (and LeakyRelu) as Apply.
__attribute__((target("avx2,fma"))) int64_t ApplyAvx2(const Activation& act, float* x, int64_t n) {
  using Kind = Activation::Kind;
  int64_t i = 0;
  if (act.kind == Kind::kHardSwish) {  // x * clamp(x / 6 + 1/2, 0, 1); NaN x stays NaN (NaN * 0)
    const __m256 sixth = _mm256_set1_ps(1.f / 6), half = _mm256_set1_ps(0.5f);
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.f);
    for (; i + 8 <= n; i += 8) {
      __m256 v = _mm256_loadu_ps(x + i);
      __m256 t = _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, sixth, half), zero), one);
      _mm256_storeu_ps(x + i, _mm256_mul_ps(v, t));
    }
  } else if (act.kind == Kind::kRelu) {  // maxps(x, 0) gives 0 for NaN, like x > 0 ? x : 0
    for (; i + 8 <= n; i += 8) {
      _mm256_storeu_ps(x + i, _mm256_max_ps(_mm256_loadu_ps(x + i), _mm256_setzero_ps()));
    }
  } else if (act.kind == Kind::kClip) {  // bound first: NaN stays NaN, like std::min/max
    const __m256 lo = _mm256_set1_ps(act.lo), hi = _mm256_set1_ps(act.hi);
    for (; i + 8 <= n; i += 8) {
      _mm256_storeu_ps(x + i, _mm256_min_ps(hi, _mm256_max_ps(lo, _mm256_loadu_ps(x + i))));
    }
  }
  if (act.has_affine()) {
    const __m256 scale = _mm256_set1_ps(act.scale), shift = _mm256_set1_ps(act.shift);
    for (int64_t k = 0; k + 8 <= i; k += 8) {
      _mm256_storeu_ps(x + k, _mm256_fmadd_ps(_mm256_loadu_ps(x + k), scale, shift));
    }
  }
  return i;
}

}  // namespace

void Activation::ApplyFast(float* x, int64_t n) const {
  int64_t done = CpuHasAvx2Fma() ? ApplyAvx2(*this, x, n) : 0;
  Apply(x + done, n - done);
}

void Im2Col(const float* x, int64_t channels, const WindowGeom& g, float* col) {
  int64_t cols = g.oh * g.ow;
  for (int64_t c = 0; c < channels; ++c) {
    const float* img = x + c * g.ih * g.iw;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        float* dst = col + ((c * g.kh + ky) * g.kw + kx) * cols;
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          int64_t iy = oy * g.sh - g.pt + ky * g.dh;
          float* drow = dst + oy * g.ow;
          if (iy < 0 || iy >= g.ih) {
            std::fill(drow, drow + g.ow, 0.f);
            continue;
          }
          const float* srow = img + iy * g.iw;
          for (int64_t ox = 0; ox < g.ow; ++ox) {
            int64_t ix = ox * g.sw - g.pl + kx * g.dw;
            drow[ox] = (ix >= 0 && ix < g.iw) ? srow[ix] : 0.f;
          }
        }
      }
    }
  }
}

}  // namespace confide::engine::kernels
