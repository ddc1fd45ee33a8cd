// Cast (between all supported numeric types and bool) and Where.
#include <cmath>
#include <limits>
#include <type_traits>

#include "confide/engine/kernels/broadcast.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

template <typename From, typename To>
To Convert(From v) {
  if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return To{0};
    // Out-of-range float→int is undefined in C++; saturate instead.
    if (v <= static_cast<From>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (v >= static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
  }
  return static_cast<To>(v);
}

template <typename From>
Status CastFrom(const Tensor& x, Tensor& y) {
  int64_t n = x.num_elements();
  const From* src = x.data<From>();
  DataType to = y.dtype();
  if (to == DataType::kBool) {
    for (int64_t i = 0; i < n; ++i) y.data<uint8_t>()[i] = src[i] != From{0};
    return OkStatus();
  }
  CONFIDE_DISPATCH_ALL(to, for (int64_t i = 0; i < n; ++i) y.data<T>()[i] = Convert<From, T>(src[i]));
  return OkStatus();
}

Status RunCast(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(DataType to, DataTypeFromOnnx(static_cast<int>(a.Int("to", 0))));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, to, x->shape()));
  CONFIDE_DISPATCH_ALL(x->dtype(), return CastFrom<T>(*x, *y));
  return OkStatus();
}

Status RunWhere(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* c, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 1));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* z, Input(ctx, 2));
  if (x->dtype() != z->dtype() || c->dtype() != DataType::kBool) return InvalidArgumentError("Where dtypes");
  CONFIDE_ASSIGN_OR_RETURN(Shape s1, BroadcastShapes(c->shape(), x->shape()));
  CONFIDE_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(s1, z->shape()));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), shape));
  // Two passes: y = broadcast z; then y = c ? x : y.
  Tensor mask = Tensor::Zeros(DataType::kBool, shape);
  uint8_t zero = 0;
  Tensor zs = Tensor::View(DataType::kBool, {}, &zero);
  BroadcastBinary<uint8_t, uint8_t, uint8_t>(*c, zs, mask, ctx.threads(), [](uint8_t v, uint8_t) { return v; });
  CONFIDE_DISPATCH_ALL(x->dtype(), {
    Tensor xs = Tensor::Zeros(x->dtype(), shape);
    T pad{};
    Tensor ps = Tensor::View(x->dtype(), {}, &pad);
    BroadcastBinary<T, T, T>(*z, ps, *y, ctx.threads(), [](T v, T) { return v; });
    BroadcastBinary<T, T, T>(*x, ps, xs, ctx.threads(), [](T v, T) { return v; });
    for (int64_t i = 0; i < y->num_elements(); ++i) {
      if (mask.data<uint8_t>()[i]) y->data<T>()[i] = xs.data<T>()[i];
    }
  });
  return OkStatus();
}

}  // namespace

void RegisterCastKernels(KernelRegistry* r) {
  r->Register({.op_type = "Cast", .factory = FnFactory(RunCast)});
  r->Register({.op_type = "Where", .factory = FnFactory(RunWhere)});
}

}  // namespace confide::engine::kernels
