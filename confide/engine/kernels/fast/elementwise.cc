// Float elementwise kernels: broadcast binary arithmetic and the common activations. Loops are
// compiled twice, baseline x86-64 and AVX2+FMA (picked at run time); activations whose
// compare-select form g++ leaves scalar have explicit AVX2 bodies (Vec8) with the same results,
// NaN included.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "confide/engine/kernels/fast/exp_avx2.h"
#include "confide/engine/kernels/fast/fast.h"
#include "confide/engine/kernels/kernel_util.h"

namespace confide::engine::kernels::fast {
namespace {

struct AddOp { float operator()(float x, float y) const { return x + y; } };
struct SubOp { float operator()(float x, float y) const { return x - y; } };
struct MulOp { float operator()(float x, float y) const { return x * y; } };
struct DivOp { float operator()(float x, float y) const { return x / y; } };

// out = op(a, b) over rows of `inner` elements; within a row a steps by LA and b by LB (0 or 1).
template <typename Op, int LA, int LB>
void RowPlain(const float* a, const float* b, float* o, int64_t n) {
  Op op;
  for (int64_t i = 0; i < n; ++i) o[i] = op(a[LA * i], b[LB * i]);
}

template <typename Op, int LA, int LB>
__attribute__((target("avx2,fma"))) void RowAvx2(const float* a, const float* b, float* o, int64_t n) {
  Op op;
  for (int64_t i = 0; i < n; ++i) o[i] = op(a[LA * i], b[LB * i]);
}

template <typename Op, int LA, int LB>
void Row(const float* a, const float* b, float* o, int64_t n) {
  if (CpuHasAvx2Fma()) return RowAvx2<Op, LA, LB>(a, b, o, n);
  RowPlain<Op, LA, LB>(a, b, o, n);
}

// o[i] = f(in[i]); with AVX2, eight at a time through f.Vec8 when F has one.
template <typename F>
void MapPlain(const F& f, const float* in, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = f(in[i]);
}

template <typename F>
__attribute__((target("avx2,fma"))) void MapAvx2(const F& f, const float* in, float* o, int64_t n) {
  int64_t i = 0;
  if constexpr (requires(const F& g, __m256 v) { g.Vec8(v); }) {
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(o + i, f.Vec8(_mm256_loadu_ps(in + i)));
  }
  for (; i < n; ++i) o[i] = f(in[i]);
}

// The broadcast iteration collapsed to outer rows x one contiguous inner run.
struct Layout {
  int64_t inner = 1, la = 1, lb = 1;
  std::vector<int64_t> outer_dims, sa, sb;  // dims left of the inner run, with strides
  int64_t outer = 1;
};

Layout Collapse(const Shape& as, const Shape& bs, const Shape& os) {
  std::vector<int64_t> sa = BroadcastStrides(as, os), sb = BroadcastStrides(bs, os);
  Layout l;
  int d = static_cast<int>(os.size()) - 1;
  if (d < 0) return l;
  l.inner = os[d];
  l.la = sa[d];
  l.lb = sb[d];
  // Merge dim d-1 into the run while both inputs keep linear indexing across it.
  for (--d; d >= 0 && sa[d] == sa[d + 1] * os[d + 1] && sb[d] == sb[d + 1] * os[d + 1]; --d) {
    l.inner *= os[d];
    sa[d] = sa[d + 1];
    sb[d] = sb[d + 1];
  }
  for (int k = 0; k <= d; ++k) {
    l.outer_dims.push_back(os[k]);
    l.sa.push_back(sa[k]);
    l.sb.push_back(sb[k]);
    l.outer *= os[k];
  }
  return l;
}

template <typename Op, int LA, int LB>
void RunRows(const Layout& l, const float* a, const float* b, float* o, ThreadPool& pool) {
  if (l.outer == 1) {
    pool.ParallelFor(l.inner, [&](int64_t s, int64_t e) {
      Row<Op, LA, LB>(a + LA * s, b + LB * s, o + s, e - s);
    }, 1 << 15);
    return;
  }
  pool.ParallelFor(l.outer, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      int64_t oa = 0, ob = 0, rem = r;
      for (int k = static_cast<int>(l.outer_dims.size()) - 1; k >= 0; --k) {
        int64_t idx = rem % l.outer_dims[k];
        rem /= l.outer_dims[k];
        oa += idx * l.sa[k];
        ob += idx * l.sb[k];
      }
      Row<Op, LA, LB>(a + oa, b + ob, o + r * l.inner, l.inner);
    }
  }, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, l.inner)));
}

// A kernel that handles the float32 cases it specialises and hands the rest to the reference.
// Channels-last (internal/layout.cc marks both "_nhwc_in" and "_nhwc_out" or neither): the
// inputs and the output are all NHWC under their logical NCHW shapes. Elementwise work does not
// see the layout, except a broadcast between two differently shaped tensors (Binary).
class WithFallback : public Kernel {
 public:
  explicit WithFallback(std::unique_ptr<Kernel> fallback) : fallback_(std::move(fallback)) {}
  bool HandlesChannelsLast() const override { return channels_last_; }
  void SetChannelsLast(const NodeInfo& n) {
    channels_last_ = n.GetInt("_nhwc_in", 0) != 0 && n.GetInt("_nhwc_out", 0) != 0;
  }

 protected:
  std::unique_ptr<Kernel> fallback_;
  bool channels_last_ = false;
};

// NCHW dims <-> the NHWC order the data of a channels-last tensor is in.
Shape ToNhwc(const Shape& s) { return {s[0], s[2], s[3], s[1]}; }
Shape FromNhwc(const Shape& s) { return {s[0], s[3], s[1], s[2]}; }

// out = op(a, b) with NumPy broadcasting over 4-D shapes, element by element: the channels-last
// broadcasts that RunRows' patterns do not cover (both operands broadcast along the last dim,
// e.g. [N,1,H,1] + [N,1,1,W] whose NHWC orders end in 1).
template <typename Op>
void BroadcastLoop(const Shape& as, const Shape& bs, const Shape& os, const float* a, const float* b,
                   float* o) {
  std::vector<int64_t> sa = BroadcastStrides(as, os), sb = BroadcastStrides(bs, os);
  Op op;
  int64_t k = 0;
  for (int64_t i0 = 0; i0 < os[0]; ++i0) {
    for (int64_t i1 = 0; i1 < os[1]; ++i1) {
      for (int64_t i2 = 0; i2 < os[2]; ++i2) {
        for (int64_t i3 = 0; i3 < os[3]; ++i3) {
          o[k++] = op(a[i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3]],
                      b[i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3]]);
        }
      }
    }
  }
}

template <typename Op>
class Binary : public WithFallback {
 public:
  using WithFallback::WithFallback;
  Status Run(KernelContext& ctx) const override {
    const Tensor* a = ctx.input(0);
    const Tensor* b = ctx.input(1);
    if (!a || !b || a->dtype() != DataType::kFloat32 || b->dtype() != DataType::kFloat32) {
      return fallback_->Run(ctx);
    }
    if (channels_last_ && a->shape() != b->shape() && a->num_elements() != 1 && b->num_elements() != 1) {
      return RunChannelsLastBroadcast(ctx, *a, *b);
    }
    CONFIDE_ASSIGN_OR_RETURN(Shape os, BroadcastShapes(a->shape(), b->shape()));
    Layout l = Collapse(a->shape(), b->shape(), os);
    auto run = l.la == 1 && l.lb == 1   ? &RunRows<Op, 1, 1>
               : l.la == 1 && l.lb == 0 ? &RunRows<Op, 1, 0>
               : l.la == 0 && l.lb == 1 ? &RunRows<Op, 0, 1>
                                        : nullptr;
    if (run == nullptr || l.inner < 8) return fallback_->Run(ctx);
    CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DataType::kFloat32, os));
    if (NumElements(os) > 0) run(l, a->data<float>(), b->data<float>(), out->data<float>(), ctx.threads());
    return OkStatus();
  }

 private:
  // Two channels-last 4-D tensors of different shapes: broadcasting is per axis, so it holds
  // for the NHWC orders of both shapes, which is how their data lies.
  Status RunChannelsLastBroadcast(KernelContext& ctx, const Tensor& a, const Tensor& b) const {
    if (a.shape().size() != 4 || b.shape().size() != 4) {
      return InternalError("channels-last " + ShapeToString(a.shape()) + " and " + ShapeToString(b.shape()));
    }
    Shape pa = ToNhwc(a.shape()), pb = ToNhwc(b.shape());
    CONFIDE_ASSIGN_OR_RETURN(Shape po, BroadcastShapes(pa, pb));
    CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DataType::kFloat32, FromNhwc(po)));
    if (NumElements(po) == 0) return OkStatus();
    Layout l = Collapse(pa, pb, po);
    auto run = l.la == 1 && l.lb == 1   ? &RunRows<Op, 1, 1>
               : l.la == 1 && l.lb == 0 ? &RunRows<Op, 1, 0>
               : l.la == 0 && l.lb == 1 ? &RunRows<Op, 0, 1>
                                        : nullptr;
    if (run != nullptr) {
      run(l, a.data<float>(), b.data<float>(), out->data<float>(), ctx.threads());
    } else {
      BroadcastLoop<Op>(pa, pb, po, a.data<float>(), b.data<float>(), out->data<float>());
    }
    return OkStatus();
  }
};

// Unary float maps; F is built from the node's attributes at load.
template <typename F>
class Unary : public WithFallback {
 public:
  Unary(std::unique_ptr<Kernel> fallback, F f) : WithFallback(std::move(fallback)), f_(f) {}
  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x || x->dtype() != DataType::kFloat32) return fallback_->Run(ctx);
    F f = f_;
    if constexpr (requires(F g, KernelContext& c) { g.Bind(c); }) {
      if (!f.Bind(ctx)) return fallback_->Run(ctx);
    }
    CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DataType::kFloat32, x->shape()));
    const float* in = x->data<float>();
    float* o = out->data<float>();
    ctx.threads().ParallelFor(x->num_elements(), [&](int64_t s, int64_t e) {
      if (CpuHasAvx2Fma()) return MapAvx2(f, in + s, o + s, e - s);
      MapPlain(f, in + s, o + s, e - s);
    }, 1 << 15);
    return OkStatus();
  }

 private:
  F f_;
};

#define CONFIDE_AVX2 __attribute__((target("avx2,fma")))

struct ReluFn {
  float operator()(float v) const { return v > 0.f ? v : 0.f; }
  CONFIDE_AVX2 __m256 Vec8(__m256 v) const { return _mm256_max_ps(v, _mm256_setzero_ps()); }  // NaN -> 0
};
struct LeakyReluFn {
  float alpha;
  float operator()(float v) const { return v < 0.f ? v * alpha : v; }
  CONFIDE_AVX2 __m256 Vec8(__m256 v) const {
    __m256 neg = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(alpha)), neg);
  }
};
struct SigmoidFn {
  float operator()(float v) const {
    if (v >= 0.f) return 1.f / (1.f + std::exp(-v));
    float e = std::exp(v);
    return e / (1.f + e);
  }
  // The same two forms with e = exp(-|v|); NaN stays NaN (the compare is false, e is NaN).
  CONFIDE_AVX2 __m256 Vec8(__m256 v) const {
    __m256 abs = _mm256_andnot_ps(_mm256_set1_ps(-0.f), v);
    __m256 e = ExpAvx2(_mm256_sub_ps(_mm256_setzero_ps(), abs));
    __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.f), _mm256_add_ps(_mm256_set1_ps(1.f), e));
    return _mm256_blendv_ps(_mm256_mul_ps(e, inv), inv, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GE_OQ));
  }
};
struct ExpFn {
  float operator()(float v) const { return std::exp(v); }
  CONFIDE_AVX2 __m256 Vec8(__m256 v) const { return ExpAvx2(v); }
};
// t clamped to [0, 1]; NaN stays NaN, as in the reference kernel (maxps/minps return their second
// operand when either is NaN).
inline float Clamp01(float t) { return t < 0.f ? 0.f : (t > 1.f ? 1.f : t); }
CONFIDE_AVX2 inline __m256 Clamp01(__m256 t) {
  return _mm256_min_ps(_mm256_set1_ps(1.f), _mm256_max_ps(_mm256_setzero_ps(), t));
}
struct HardSigmoidFn {
  float alpha, beta;
  float operator()(float v) const { return Clamp01(alpha * v + beta); }
  CONFIDE_AVX2 __m256 Vec8(__m256 v) const {
    return Clamp01(_mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(alpha), v), _mm256_set1_ps(beta)));
  }
};
struct HardSwishFn {
  float operator()(float v) const { return v * Clamp01(v * (1.f / 6) + 0.5f); }
  CONFIDE_AVX2 __m256 Vec8(__m256 v) const {
    return _mm256_mul_ps(v, Clamp01(_mm256_add_ps(_mm256_mul_ps(v, _mm256_set1_ps(1.f / 6)),
                                                  _mm256_set1_ps(0.5f))));
  }
};
// Clip: bounds from attributes (opset < 11) or from optional scalar inputs 1 and 2.
struct ClipFn {
  int opset;
  float lo, hi;
  bool Bind(KernelContext& ctx) {
    if (opset < 11) return true;
    for (int i = 1; i <= 2; ++i) {
      const Tensor* t = ctx.input(i);
      if (!t) continue;
      if (t->dtype() != DataType::kFloat32 || t->num_elements() != 1) return false;
      (i == 1 ? lo : hi) = t->data<float>()[0];
    }
    return true;
  }
  float operator()(float v) const { return v < lo ? lo : (v > hi ? hi : v); }
  CONFIDE_AVX2 __m256 Vec8(__m256 v) const {  // the same selects; ordered compares keep NaN
    __m256 t = _mm256_blendv_ps(v, _mm256_set1_ps(hi), _mm256_cmp_ps(v, _mm256_set1_ps(hi), _CMP_GT_OQ));
    return _mm256_blendv_ps(t, _mm256_set1_ps(lo), _mm256_cmp_ps(v, _mm256_set1_ps(lo), _CMP_LT_OQ));
  }
};

#undef CONFIDE_AVX2

template <typename K, typename... A>
KernelFactory Make(A... args) {
  return [=](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
    CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> ref, ReferenceKernelRegistry().Create(n));
    std::unique_ptr<K> kernel;
    if constexpr (sizeof...(A) == 0) {
      kernel.reset(new K(std::move(ref)));
    } else {
      kernel.reset(new K(std::move(ref), args(n)...));
    }
    kernel->SetChannelsLast(n);
    return std::unique_ptr<Kernel>(std::move(kernel));
  };
}

}  // namespace

void RegisterFastElementwiseKernels(KernelRegistry* r) {
  constexpr int kPrio = kFastKernelPriority;
  r->Register({.op_type = "Add", .priority = kPrio, .factory = Make<Binary<AddOp>>()});
  r->Register({.op_type = "Sub", .priority = kPrio, .factory = Make<Binary<SubOp>>()});
  r->Register({.op_type = "Mul", .priority = kPrio, .factory = Make<Binary<MulOp>>()});
  r->Register({.op_type = "Div", .priority = kPrio, .factory = Make<Binary<DivOp>>()});
  r->Register({.op_type = "Relu", .priority = kPrio,
               .factory = Make<Unary<ReluFn>>([](const NodeInfo&) { return ReluFn{}; })});
  r->Register({.op_type = "Sigmoid", .priority = kPrio,
               .factory = Make<Unary<SigmoidFn>>([](const NodeInfo&) { return SigmoidFn{}; })});
  r->Register({.op_type = "Exp", .priority = kPrio,
               .factory = Make<Unary<ExpFn>>([](const NodeInfo&) { return ExpFn{}; })});
  r->Register({.op_type = "HardSwish", .priority = kPrio,
               .factory = Make<Unary<HardSwishFn>>([](const NodeInfo&) { return HardSwishFn{}; })});
  r->Register({.op_type = "LeakyRelu", .priority = kPrio,
               .factory = Make<Unary<LeakyReluFn>>([](const NodeInfo& n) {
                 return LeakyReluFn{n.GetFloat("alpha", 0.01f)};
               })});
  r->Register({.op_type = "HardSigmoid", .priority = kPrio,
               .factory = Make<Unary<HardSigmoidFn>>([](const NodeInfo& n) {
                 return HardSigmoidFn{n.GetFloat("alpha", 0.2f), n.GetFloat("beta", 0.5f)};
               })});
  r->Register({.op_type = "Clip", .priority = kPrio, .factory = Make<Unary<ClipFn>>([](const NodeInfo& n) {
                 constexpr float kMax = std::numeric_limits<float>::max();
                 return ClipFn{n.opset, n.GetFloat("min", -kMax), n.GetFloat("max", kMax)};
               })});
}

}  // namespace confide::engine::kernels::fast
