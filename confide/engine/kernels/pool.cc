// MaxPool, AveragePool (fp32; MaxPool also int8/uint8), GlobalAveragePool, GlobalMaxPool.
#include <algorithm>
#include <limits>

#include "confide/engine/kernels/conv_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

template <typename T>
void PoolPlane(const T* in, T* out, const WindowGeom& g, bool max, bool count_pad) {
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      double acc = max ? -std::numeric_limits<double>::infinity() : 0;
      int64_t count = 0;
      for (int64_t ky = 0; ky < g.kh; ++ky) {
        int64_t iy = oy * g.sh - g.pt + ky * g.dh;
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          int64_t ix = ox * g.sw - g.pl + kx * g.dw;
          bool inside = iy >= 0 && iy < g.ih && ix >= 0 && ix < g.iw;
          if (!inside) {
            // count_include_pad counts explicit padding only, not the ceil_mode overhang.
            if (count_pad && iy < g.ih + g.pb && ix < g.iw + g.pr) ++count;
            continue;
          }
          double v = in[iy * g.iw + ix];
          if (max) {
            acc = std::max(acc, v);
          } else {
            acc += v;
          }
          ++count;
        }
      }
      out[oy * g.ow + ox] = static_cast<T>(max ? acc : (count ? acc / count : 0));
    }
  }
}

Status RunPool(KernelContext& ctx, const OpAttrs& a, bool max) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  std::vector<int64_t> kernel = a.Ints("kernel_shape");
  if (kernel.empty()) return InvalidArgumentError("kernel_shape is required");
  if (a.Int("storage_order", 0) != 0 || ctx.num_outputs() > 1) {
    return UnsupportedError("MaxPool indices output / storage_order");
  }
  CONFIDE_ASSIGN_OR_RETURN(WindowGeom g, MakeWindowGeom(a, x->shape(), kernel, a.Int("ceil_mode", 0) != 0));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), g.OutputShape(g.c)));
  bool count_pad = a.Int("count_include_pad", 0) != 0;
  int64_t planes = g.n * g.c;
  auto run = [&](auto tag) -> Status {
    using T = decltype(tag);
    ctx.threads().ParallelFor(planes, [&](int64_t s, int64_t e) {
      for (int64_t p = s; p < e; ++p) {
        PoolPlane<T>(x->data<T>() + p * g.ih * g.iw, y->data<T>() + p * g.oh * g.ow, g, max, count_pad);
      }
    });
    return OkStatus();
  };
  switch (x->dtype()) {
    case DataType::kFloat32: return run(float{});
    case DataType::kFloat64: return run(double{});
    case DataType::kInt8: if (max) return run(int8_t{}); break;
    case DataType::kUint8: if (max) return run(uint8_t{}); break;
    default: break;
  }
  return UnsupportedError("pooling of " + std::string(DataTypeName(x->dtype())));
}

Status RunGlobalPool(KernelContext& ctx, bool max) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  if (x->dtype() != DataType::kFloat32) return UnsupportedError("global pooling supports float32 only");
  const Shape& s = x->shape();
  if (s.size() < 3) return InvalidArgumentError("global pooling needs rank >= 3");
  Shape out = s;
  for (size_t i = 2; i < out.size(); ++i) out[i] = 1;
  int64_t planes = s[0] * s[1], size = NumElements(s) / std::max<int64_t>(planes, 1);
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
  ctx.threads().ParallelFor(planes, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const float* in = x->data<float>() + p * size;
      float acc = max ? -std::numeric_limits<float>::infinity() : 0.f;
      for (int64_t i = 0; i < size; ++i) acc = max ? std::max(acc, in[i]) : acc + in[i];
      y->data<float>()[p] = max ? acc : acc / static_cast<float>(size);
    }
  });
  return OkStatus();
}

}  // namespace

void RegisterPoolKernels(KernelRegistry* r) {
  r->Register({.op_type = "MaxPool", .factory = FnFactory([](KernelContext& c, const OpAttrs& a) { return RunPool(c, a, true); })});
  r->Register({.op_type = "AveragePool", .factory = FnFactory([](KernelContext& c, const OpAttrs& a) { return RunPool(c, a, false); })});
  r->Register({.op_type = "GlobalAveragePool", .factory = FnFactory([](KernelContext& c, const OpAttrs&) { return RunGlobalPool(c, false); })});
  r->Register({.op_type = "GlobalMaxPool", .factory = FnFactory([](KernelContext& c, const OpAttrs&) { return RunGlobalPool(c, true); })});
}

}  // namespace confide::engine::kernels
