// Elementwise unary ops: activations (Relu LeakyRelu Sigmoid HardSigmoid HardSwish Elu Selu Celu
// Softplus Softsign ThresholdedRelu Tanh Clip), math (Exp Log Sqrt Reciprocal Abs Neg Sign Floor
// Ceil Round Erf Sin Cos Tan Asin Acos Atan Sinh Cosh Asinh Acosh Atanh), Not, Identity.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

template <typename T, typename F>
Status MapFloat(KernelContext& ctx, const Tensor& x, F f) {
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  const T* in = x.data<T>();
  T* o = out->data<T>();
  ctx.threads().ParallelFor(x.num_elements(), [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) o[i] = f(in[i]);
  }, 1 << 14);
  return OkStatus();
}

// A float-only unary op whose scalar function is built from the node's attributes.
using FloatFnMaker = std::function<std::function<double(double)>(const OpAttrs&)>;

Status RunFloatUnary(KernelContext& ctx, const std::function<double(double)>& f) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  if (x->dtype() == DataType::kFloat32) {
    return MapFloat<float>(ctx, *x, [&](float v) { return static_cast<float>(f(v)); });
  }
  if (x->dtype() == DataType::kFloat64) return MapFloat<double>(ctx, *x, f);
  return UnsupportedError("data type " + std::string(DataTypeName(x->dtype())) + " (float only)");
}

KernelFactory FloatUnary(FloatFnMaker make) {
  return [make](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
    OpAttrs attrs(n);
    auto f = make(attrs);
    return std::unique_ptr<Kernel>(new FnKernel(n, [f](KernelContext& ctx, const OpAttrs&) {
      return RunFloatUnary(ctx, f);
    }));
  };
}

KernelFactory Simple(double (*f)(double)) {
  return FloatUnary([f](const OpAttrs&) { return std::function<double(double)>(f); });
}

// Relu, Abs, Neg, Sign work on every numeric type; float ones are vectorised separately.
template <typename T>
T SignedOp(const std::string& op, T v) {
  if (op == "Relu") return v > T{0} ? v : T{0};
  if (op == "Abs") {
    if constexpr (std::is_signed_v<T>) return v < 0 ? static_cast<T>(-v) : v;
    else return v;
  }
  if (op == "Neg") return static_cast<T>(-v);
  if (op == "Sign") return static_cast<T>(v > T{0} ? 1 : (v < T{0} ? -1 : 0));
  return v;
}

Status RunNumericUnary(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  if (x->dtype() == DataType::kFloat32 && a.op_type() == "Relu") {
    return MapFloat<float>(ctx, *x, [](float v) { return v > 0.f ? v : 0.f; });
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x->dtype(), x->shape()));
  const std::string& op = a.op_type();
  CONFIDE_DISPATCH_ALL(x->dtype(), {
    for (int64_t i = 0; i < x->num_elements(); ++i) out->data<T>()[i] = SignedOp<T>(op, x->data<T>()[i]);
  });
  return OkStatus();
}

Status RunNot(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DataType::kBool, x->shape()));
  for (int64_t i = 0; i < x->num_elements(); ++i) out->data<uint8_t>()[i] = !x->data<uint8_t>()[i];
  return OkStatus();
}

Status RunIdentity(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  return CopyToOutput(ctx, 0, *x, x->shape());
}

template <typename T>
Status ClipTyped(KernelContext& ctx, const Tensor& x, const OpAttrs& a) {
  T lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
  if (a.opset() < 11) {
    lo = static_cast<T>(a.Float("min", -std::numeric_limits<float>::max()));
    hi = static_cast<T>(a.Float("max", std::numeric_limits<float>::max()));
  } else {
    if (const Tensor* t = ctx.input(1); t && t->num_elements() == 1) lo = t->data<T>()[0];
    if (const Tensor* t = ctx.input(2); t && t->num_elements() == 1) hi = t->data<T>()[0];
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  const T* in = x.data<T>();
  T* o = out->data<T>();
  ctx.threads().ParallelFor(x.num_elements(), [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) o[i] = in[i] < lo ? lo : (in[i] > hi ? hi : in[i]);
  }, 1 << 14);
  return OkStatus();
}

Status RunClip(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  switch (x->dtype()) {
    case DataType::kFloat32: return ClipTyped<float>(ctx, *x, a);
    case DataType::kFloat64: return ClipTyped<double>(ctx, *x, a);
    case DataType::kInt8: return ClipTyped<int8_t>(ctx, *x, a);
    case DataType::kUint8: return ClipTyped<uint8_t>(ctx, *x, a);
    case DataType::kInt32: return ClipTyped<int32_t>(ctx, *x, a);
    case DataType::kInt64: return ClipTyped<int64_t>(ctx, *x, a);
    case DataType::kUint32: return ClipTyped<uint32_t>(ctx, *x, a);
    case DataType::kUint64: return ClipTyped<uint64_t>(ctx, *x, a);
    default: return UnsupportedError("Clip of " + std::string(DataTypeName(x->dtype())));
  }
}

double Sigmoid(double v) { return v >= 0 ? 1 / (1 + std::exp(-v)) : std::exp(v) / (1 + std::exp(v)); }
double Reciprocal(double v) { return 1 / v; }
double Softsign(double v) { return v / (1 + std::fabs(v)); }
double Softplus(double v) { return v > 30 ? v : std::log1p(std::exp(v)); }
double RoundEven(double v) { return std::nearbyint(v); }

}  // namespace

void RegisterUnaryKernels(KernelRegistry* r) {
  for (const char* op : {"Relu", "Abs", "Neg", "Sign"}) {
    r->Register({.op_type = op, .factory = FnFactory(RunNumericUnary)});
  }
  r->Register({.op_type = "Not", .factory = FnFactory(RunNot)});
  r->Register({.op_type = "Identity", .factory = FnFactory(RunIdentity)});
  r->Register({.op_type = "Clip", .factory = FnFactory(RunClip)});
  const std::pair<const char*, double (*)(double)> simple[] = {
      {"Exp", [](double v) { return std::exp(v); }}, {"Log", [](double v) { return std::log(v); }},
      {"Sqrt", [](double v) { return std::sqrt(v); }}, {"Tanh", [](double v) { return std::tanh(v); }},
      {"Erf", [](double v) { return std::erf(v); }}, {"Floor", [](double v) { return std::floor(v); }},
      {"Ceil", [](double v) { return std::ceil(v); }}, {"Sin", [](double v) { return std::sin(v); }},
      {"Cos", [](double v) { return std::cos(v); }}, {"Tan", [](double v) { return std::tan(v); }},
      {"Asin", [](double v) { return std::asin(v); }}, {"Acos", [](double v) { return std::acos(v); }},
      {"Atan", [](double v) { return std::atan(v); }}, {"Sinh", [](double v) { return std::sinh(v); }},
      {"Cosh", [](double v) { return std::cosh(v); }}, {"Asinh", [](double v) { return std::asinh(v); }},
      {"Acosh", [](double v) { return std::acosh(v); }}, {"Atanh", [](double v) { return std::atanh(v); }},
      {"Sigmoid", Sigmoid}, {"Reciprocal", Reciprocal}, {"Softsign", Softsign},
      {"Softplus", Softplus}, {"Round", RoundEven}};
  for (const auto& [op, f] : simple) r->Register({.op_type = op, .factory = Simple(f)});
  r->Register({.op_type = "LeakyRelu", .factory = FloatUnary([](const OpAttrs& a) {
    double alpha = a.Float("alpha", 0.01f);
    return std::function<double(double)>([alpha](double v) { return v < 0 ? v * alpha : v; });
  })});
  r->Register({.op_type = "HardSigmoid", .factory = FloatUnary([](const OpAttrs& a) {
    double alpha = a.Float("alpha", 0.2f), beta = a.Float("beta", 0.5f);
    return std::function<double(double)>([=](double v) { return std::clamp(alpha * v + beta, 0.0, 1.0); });
  })});
  r->Register({.op_type = "HardSwish", .factory = FloatUnary([](const OpAttrs&) {
    return std::function<double(double)>([](double v) { return v * std::clamp(v / 6 + 0.5, 0.0, 1.0); });
  })});
  r->Register({.op_type = "Elu", .factory = FloatUnary([](const OpAttrs& a) {
    double alpha = a.Float("alpha", 1.0f);
    return std::function<double(double)>([=](double v) { return v < 0 ? alpha * (std::exp(v) - 1) : v; });
  })});
  r->Register({.op_type = "Celu", .factory = FloatUnary([](const OpAttrs& a) {
    double alpha = a.Float("alpha", 1.0f);
    return std::function<double(double)>([=](double v) {
      return std::max(0.0, v) + std::min(0.0, alpha * (std::exp(v / alpha) - 1));
    });
  })});
  r->Register({.op_type = "Selu", .factory = FloatUnary([](const OpAttrs& a) {
    double alpha = a.Float("alpha", 1.67326319217681884765625f);
    double gamma = a.Float("gamma", 1.05070102214813232421875f);
    return std::function<double(double)>([=](double v) { return v > 0 ? gamma * v : gamma * alpha * (std::exp(v) - 1); });
  })});
  r->Register({.op_type = "ThresholdedRelu", .factory = FloatUnary([](const OpAttrs& a) {
    double alpha = a.Float("alpha", 1.0f);
    return std::function<double(double)>([=](double v) { return v > alpha ? v : 0.0; });
  })});
}

}  // namespace confide::engine::kernels
