// Elementwise binary and variadic ops with broadcasting: Add Sub Mul Div Pow Mod PRelu, the
// comparisons (Equal Less Greater LessOrEqual GreaterOrEqual), And Or Xor, and Max Min Sum Mean.
#include <cmath>
#include <type_traits>

#include "confide/engine/kernels/broadcast.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

enum class BinOp { kAdd, kSub, kMul, kDiv, kMax, kMin, kPRelu, kMod, kFmod };
enum class CmpOp { kEqual, kLess, kGreater, kLessEqual, kGreaterEqual, kAnd, kOr, kXor };

template <typename T>
T Apply(BinOp op, T x, T y) {
  switch (op) {
    case BinOp::kAdd: return static_cast<T>(x + y);
    case BinOp::kSub: return static_cast<T>(x - y);
    case BinOp::kMul: return static_cast<T>(x * y);
    case BinOp::kDiv:
      if constexpr (std::is_integral_v<T>) return y == 0 ? T{0} : static_cast<T>(x / y);
      else return x / y;
    case BinOp::kMax:
      if constexpr (std::is_floating_point_v<T>) { if (std::isnan(x) || std::isnan(y)) return NAN; }
      return x > y ? x : y;
    case BinOp::kMin:
      if constexpr (std::is_floating_point_v<T>) { if (std::isnan(x) || std::isnan(y)) return NAN; }
      return x < y ? x : y;
    case BinOp::kPRelu:
      if constexpr (std::is_unsigned_v<T>) return x;
      else return x < 0 ? static_cast<T>(x * y) : x;
    case BinOp::kFmod:
      if constexpr (std::is_floating_point_v<T>) return std::fmod(x, y);
      else return y == 0 ? T{0} : static_cast<T>(x % y);
    case BinOp::kMod:
      if constexpr (std::is_floating_point_v<T>) {
        T m = std::fmod(x, y);
        return (m != 0 && ((m < 0) != (y < 0))) ? m + y : m;
      } else {
        if (y == 0) return T{0};
        T m = static_cast<T>(x % y);
        if constexpr (std::is_signed_v<T>) {
          if (m != 0 && ((m < 0) != (y < 0))) m = static_cast<T>(m + y);
        }
        return m;
      }
  }
  return x;
}

template <typename T>
bool Compare(CmpOp op, T x, T y) {
  switch (op) {
    case CmpOp::kEqual: return x == y;
    case CmpOp::kLess: return x < y;
    case CmpOp::kGreater: return x > y;
    case CmpOp::kLessEqual: return x <= y;
    case CmpOp::kGreaterEqual: return x >= y;
    case CmpOp::kAnd: return x && y;
    case CmpOp::kOr: return x || y;
    case CmpOp::kXor: return (x != 0) != (y != 0);
  }
  return false;
}

Status RunBinary(KernelContext& ctx, BinOp op) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* a, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* b, Input(ctx, 1));
  if (a->dtype() != b->dtype()) return InvalidArgumentError("input dtypes differ");
  CONFIDE_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a->shape(), b->shape()));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, a->dtype(), shape));
  CONFIDE_DISPATCH_ALL(a->dtype(), BroadcastBinary<T, T, T>(*a, *b, *out, ctx.threads(),
                                                           [op](T x, T y) { return Apply(op, x, y); }));
  return OkStatus();
}

Status RunCompare(KernelContext& ctx, CmpOp op) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* a, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* b, Input(ctx, 1));
  if (a->dtype() != b->dtype()) return InvalidArgumentError("input dtypes differ");
  CONFIDE_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a->shape(), b->shape()));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DataType::kBool, shape));
  CONFIDE_DISPATCH_ALL(a->dtype(), BroadcastBinary<T, T, uint8_t>(
      *a, *b, *out, ctx.threads(), [op](T x, T y) { return uint8_t{Compare(op, x, y)}; }));
  return OkStatus();
}

// Max, Min, Sum, Mean: fold the inputs pairwise into the output (broadcast to all of them).
Status RunVariadic(KernelContext& ctx, BinOp op, bool mean) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* first, Input(ctx, 0));
  Shape shape = first->shape();
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* t, Input(ctx, i));
    if (t->dtype() != first->dtype()) return InvalidArgumentError("input dtypes differ");
    CONFIDE_ASSIGN_OR_RETURN(shape, BroadcastShapes(shape, t->shape()));
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, first->dtype(), shape));
  CONFIDE_DISPATCH_ALL(first->dtype(), {
    auto fn = [op](T x, T y) { return Apply(op, x, y); };
    if (ctx.num_inputs() == 1) {
      BroadcastBinary<T, T, T>(*first, *first, *out, ctx.threads(), [](T x, T) { return x; });
    } else {
      BroadcastBinary<T, T, T>(*first, *ctx.input(1), *out, ctx.threads(), fn);
    }
    for (int i = 2; i < ctx.num_inputs(); ++i) {
      BroadcastBinary<T, T, T>(*out, *ctx.input(i), *out, ctx.threads(), fn);
    }
    if (mean) {
      T n = static_cast<T>(ctx.num_inputs());
      for (int64_t i = 0; i < out->num_elements(); ++i) out->data<T>()[i] /= n;
    }
  });
  return OkStatus();
}

template <typename T>
Status PowTyped(KernelContext& ctx, const Tensor& a, const Tensor& b, Tensor& out) {
  Tensor e = Tensor::Zeros(DataType::kFloat64, b.shape());
  for (int64_t i = 0; i < b.num_elements(); ++i) e.data<double>()[i] = ReadAsDouble(b, i);
  BroadcastBinary<T, double, T>(a, e, out, ctx.threads(), [](T x, double y) {
    if constexpr (std::is_same_v<T, float>) {
      return y == 2.0 ? x * x : (y == 0.5 ? std::sqrt(x) : std::pow(x, static_cast<float>(y)));
    } else {
      return static_cast<T>(std::pow(static_cast<double>(x), y));
    }
  });
  return OkStatus();
}

Status RunPow(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* a, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* b, Input(ctx, 1));
  CONFIDE_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a->shape(), b->shape()));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, a->dtype(), shape));
  switch (a->dtype()) {
    case DataType::kFloat32: return PowTyped<float>(ctx, *a, *b, *out);
    case DataType::kFloat64: return PowTyped<double>(ctx, *a, *b, *out);
    case DataType::kInt32: return PowTyped<int32_t>(ctx, *a, *b, *out);
    case DataType::kInt64: return PowTyped<int64_t>(ctx, *a, *b, *out);
    default: return UnsupportedError("Pow of " + std::string(DataTypeName(a->dtype())));
  }
}

KernelFactory Binary(BinOp op) {
  return FnFactory([op](KernelContext& ctx, const OpAttrs&) { return RunBinary(ctx, op); });
}
KernelFactory Cmp(CmpOp op) {
  return FnFactory([op](KernelContext& ctx, const OpAttrs&) { return RunCompare(ctx, op); });
}
KernelFactory Variadic(BinOp op, bool mean) {
  return FnFactory([op, mean](KernelContext& ctx, const OpAttrs&) { return RunVariadic(ctx, op, mean); });
}

}  // namespace

void RegisterBinaryKernels(KernelRegistry* r) {
  r->Register({.op_type = "Add", .factory = Binary(BinOp::kAdd)});
  r->Register({.op_type = "Sub", .factory = Binary(BinOp::kSub)});
  r->Register({.op_type = "Mul", .factory = Binary(BinOp::kMul)});
  r->Register({.op_type = "Div", .factory = Binary(BinOp::kDiv)});
  r->Register({.op_type = "PRelu", .factory = Binary(BinOp::kPRelu)});
  r->Register({.op_type = "Pow", .factory = FnFactory(RunPow)});
  r->Register({.op_type = "Mod", .factory = [](const NodeInfo& n) {
    return Binary(n.GetInt("fmod", 0) ? BinOp::kFmod : BinOp::kMod)(n);
  }});
  r->Register({.op_type = "Equal", .factory = Cmp(CmpOp::kEqual)});
  r->Register({.op_type = "Less", .factory = Cmp(CmpOp::kLess)});
  r->Register({.op_type = "Greater", .factory = Cmp(CmpOp::kGreater)});
  r->Register({.op_type = "LessOrEqual", .factory = Cmp(CmpOp::kLessEqual)});
  r->Register({.op_type = "GreaterOrEqual", .factory = Cmp(CmpOp::kGreaterEqual)});
  r->Register({.op_type = "And", .factory = Cmp(CmpOp::kAnd)});
  r->Register({.op_type = "Or", .factory = Cmp(CmpOp::kOr)});
  r->Register({.op_type = "Xor", .factory = Cmp(CmpOp::kXor)});
  r->Register({.op_type = "Max", .factory = Variadic(BinOp::kMax, false)});
  r->Register({.op_type = "Min", .factory = Variadic(BinOp::kMin, false)});
  r->Register({.op_type = "Sum", .factory = Variadic(BinOp::kAdd, false)});
  r->Register({.op_type = "Mean", .factory = Variadic(BinOp::kAdd, true)});
}

}  // namespace confide::engine::kernels
