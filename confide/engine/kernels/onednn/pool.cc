// MaxPool and AveragePool (float32) on oneDNN, NCHW in and out, 1-D and 2-D;
// uint8 MaxPool as a direct loop. Declines what ONNX defines differently or what oneDNN 2.6 lacks: the
// Indices output, storage_order, dilations, and count_include_pad together with ceil_mode.
#include "confide/engine/kernels/onednn/onednn.h"

namespace confide::engine::kernels::onednn {
namespace {

using dnnl::memory;

struct PoolPlan {
  dnnl::primitive prim;
  memory::desc src, dst, scratch;
  int threads = 1;
  Shape out_shape;
};

enum class Kind { kMax, kAverage };

class Pool : public Kernel {
 public:
  Pool(const NodeInfo& n, Kind kind, std::unique_ptr<Kernel> fallback)
      : attrs_(n), kind_(kind), fallback_(std::move(fallback)) {}

  Status Run(KernelContext& ctx) const override {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
    bool u8 = x->dtype() == DataType::kUint8 && kind_ == Kind::kMax;
    if ((x->dtype() != DataType::kFloat32 && !u8) || x->shape().size() < 3 || x->shape().size() > 4) {
      return fallback_->Run(ctx);
    }
    if (u8) return MaxPoolUint8(ctx, *x);
    std::vector<int64_t> key = x->shape();
    key.push_back(static_cast<int64_t>(x->dtype()));
    auto got = cache_.Get(key, [&] { return MakePlan(ctx, x->shape(), x->dtype()); });
    if (!got.ok() && got.error().code == ErrorCode::kUnsupported) return fallback_->Run(ctx);
    CONFIDE_ASSIGN_OR_RETURN(auto plan, std::move(got));
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), plan->out_shape));
    return Execute(ctx, plan->threads, plan->prim, plan->scratch,
                   {{DNNL_ARG_SRC, Wrap(plan->src, x->raw_data())}, {DNNL_ARG_DST, Wrap(plan->dst, y->raw_data())}});
  }

 private:
  // oneDNN 2.6 pools uint8 NCHW with its reference code (0.6 ms for 8x28x28); a direct loop.
  Status MaxPoolUint8(KernelContext& ctx, const Tensor& x) const {
    CONFIDE_ASSIGN_OR_RETURN(WindowGeom g, Geometry(x.shape()));
    if (g.dh != 1 || g.dw != 1) return fallback_->Run(ctx);
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kUint8, g.OutputShape(g.c)));
    const uint8_t* in = x.data<uint8_t>();
    uint8_t* out = y->data<uint8_t>();
    if (g.kh == g.sh && g.kw == g.sw && g.kh == g.kw && (g.kh == 2 || g.kh == 3) && g.pt == 0 && g.pl == 0) {
      // Non-overlapping 2x2 / 3x3 windows from the corner: whole windows without bounds checks.
      int64_t full_h = std::min(g.oh, g.ih / g.kh), full_w = std::min(g.ow, g.iw / g.kw);
      for (int64_t p = 0; p < g.n * g.c; ++p) {
        for (int64_t oy = 0; oy < full_h; ++oy) {
          const uint8_t* r = in + (p * g.ih + oy * g.kh) * g.iw;
          uint8_t* o = out + (p * g.oh + oy) * g.ow;
          if (g.kh == 2) {
            for (int64_t ox = 0; ox < full_w; ++ox) {
              const uint8_t* c = r + 2 * ox;
              o[ox] = std::max(std::max(c[0], c[1]), std::max(c[g.iw], c[g.iw + 1]));
            }
          } else {
            for (int64_t ox = 0; ox < full_w; ++ox) {
              const uint8_t* c = r + 3 * ox;
              uint8_t m0 = std::max(std::max(c[0], c[1]), c[2]);
              uint8_t m1 = std::max(std::max(c[g.iw], c[g.iw + 1]), c[g.iw + 2]);
              uint8_t m2 = std::max(std::max(c[2 * g.iw], c[2 * g.iw + 1]), c[2 * g.iw + 2]);
              o[ox] = std::max(std::max(m0, m1), m2);
            }
          }
        }
      }
      if (full_h == g.oh && full_w == g.ow) return OkStatus();  // else ceil_mode's partial windows below
    }
    for (int64_t p = 0; p < g.n * g.c; ++p) {
      for (int64_t oy = 0; oy < g.oh; ++oy) {
        int64_t y0 = std::max<int64_t>(0, oy * g.sh - g.pt), y1 = std::min(g.ih, oy * g.sh - g.pt + g.kh);
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          int64_t x0 = std::max<int64_t>(0, ox * g.sw - g.pl), x1 = std::min(g.iw, ox * g.sw - g.pl + g.kw);
          uint8_t m = 0;
          for (int64_t iy = y0; iy < y1; ++iy) {
            for (int64_t ix = x0; ix < x1; ++ix) m = std::max(m, in[(p * g.ih + iy) * g.iw + ix]);
          }
          out[(p * g.oh + oy) * g.ow + ox] = m;
        }
      }
    }
    return OkStatus();
  }

  Result<WindowGeom> Geometry(const Shape& x) const {
    std::vector<int64_t> kernel = attrs_.Ints("kernel_shape");
    if (kernel.size() != x.size() - 2) return InvalidArgumentError("kernel_shape does not match the input rank");
    return MakeWindowGeom(attrs_, x, kernel, attrs_.Int("ceil_mode", 0) != 0);
  }

  dnnl::algorithm Algorithm() const {
    if (kind_ == Kind::kMax) return dnnl::algorithm::pooling_max;
    return attrs_.Int("count_include_pad", 0) ? dnnl::algorithm::pooling_avg_include_padding
                                              : dnnl::algorithm::pooling_avg_exclude_padding;
  }

  Result<PoolPlan> MakePlan(KernelContext& ctx, const Shape& x, DataType dtype) const {
    CONFIDE_ASSIGN_OR_RETURN(WindowGeom g, Geometry(x));
    if (g.dh != 1 || g.dw != 1) return UnsupportedError("oneDNN pooling: dilations");
    // oneDNN sizes the output with floor division; an end pad that yields ONNX's output size
    // (larger under ceil_mode) covers ceil_mode.
    int64_t pb = (g.oh - 1) * g.sh + g.kh - g.ih - g.pt, pr = (g.ow - 1) * g.sw + g.kw - g.iw - g.pl;
    if ((pb > g.pb || pr > g.pr) && Algorithm() == dnnl::algorithm::pooling_avg_include_padding) {
      return UnsupportedError("oneDNN pooling: count_include_pad with ceil_mode");
    }
    auto dt = dtype == DataType::kUint8 ? memory::data_type::u8 : memory::data_type::f32;
    PoolPlan p;
    p.src = PlainDesc({g.n, g.c, g.ih, g.iw}, dt);
    p.dst = PlainDesc({g.n, g.c, g.oh, g.ow}, dt);
    p.out_shape = g.OutputShape(g.c);
    p.threads = ThreadsFor(ctx, static_cast<double>(g.n * g.c * g.oh * g.ow * g.kh * g.kw));
    UseThreads(p.threads);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, Algorithm(), p.src, p.dst,
                                  {g.sh, g.sw}, {g.kh, g.kw}, {g.pt, g.pl}, {pb, pr});
    dnnl::pooling_forward::primitive_desc pd(d, attr, Engine());
    p.prim = dnnl::pooling_forward(pd);
    p.scratch = pd.scratchpad_desc();
    return p;
  }

  OpAttrs attrs_;
  Kind kind_;
  std::unique_ptr<Kernel> fallback_;
  ShapeCache<PoolPlan> cache_;
};

KernelFactory Factory(Kind kind) {
  return [kind](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
    if (n.num_outputs > 1 || n.GetInt("storage_order", 0) != 0) return UnsupportedError("oneDNN pooling: Indices");
    for (int64_t d : n.GetInts("dilations")) {
      if (d != 1) return UnsupportedError("oneDNN pooling: dilations");
    }
    CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> ref, ReferenceKernelRegistry().Create(n));
    return std::unique_ptr<Kernel>(new Pool(n, kind, std::move(ref)));
  };
}

}  // namespace

void RegisterPoolKernels(KernelRegistry* r) {
  r->Register({.op_type = "MaxPool", .priority = kFastKernelPriority, .factory = Factory(Kind::kMax)});
  r->Register({.op_type = "AveragePool", .priority = kFastKernelPriority, .factory = Factory(Kind::kAverage)});
}

}  // namespace confide::engine::kernels::onednn
