// Reductions: ReduceMean ReduceMax ReduceMin ReduceSum ReduceProd ReduceSumSquare ReduceL1
// ReduceL2 ReduceLogSum ReduceLogSumExp; ArgMax ArgMin. Axes from the attribute or (ReduceSum
// opset >= 13, others >= 18) the second input.
#include <algorithm>
#include <cmath>
#include <limits>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

// Splits the reduction into (outer, reduced, inner) index sets by iterating the input.
Result<std::vector<bool>> ReducedAxes(KernelContext& ctx, const OpAttrs& a, int64_t rank, bool* noop) {
  std::vector<int64_t> axes = a.Ints("axes");
  bool from_input = (a.op_type() == "ReduceSum" && a.opset() >= 13) || a.opset() >= 18;
  if (from_input && ctx.input(1) != nullptr) {
    CONFIDE_ASSIGN_OR_RETURN(axes, ReadInts(*ctx.input(1)));
  }
  *noop = axes.empty() && a.Int("noop_with_empty_axes", 0) != 0;
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t ax : axes) {
    CONFIDE_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(ax, rank));
    reduced[n] = true;
  }
  return reduced;
}

template <typename T>
Status ReduceTyped(KernelContext& ctx, const OpAttrs& a, const Tensor& x) {
  const Shape& s = x.shape();
  int64_t rank = static_cast<int64_t>(s.size());
  bool noop = false;
  CONFIDE_ASSIGN_OR_RETURN(std::vector<bool> reduced, ReducedAxes(ctx, a, rank, &noop));
  if (noop) return CopyToOutput(ctx, 0, x, s);
  bool keep = a.Int("keepdims", 1) != 0;
  Shape out_shape, kept_shape;
  for (int64_t i = 0; i < rank; ++i) {
    kept_shape.push_back(reduced[i] ? 1 : s[i]);
    if (!reduced[i] || keep) out_shape.push_back(reduced[i] ? 1 : s[i]);
  }
  const std::string& op = a.op_type();
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), out_shape));
  int64_t on = NumElements(kept_shape);
  std::vector<double> acc(on, op == "ReduceMax" ? -INFINITY : op == "ReduceMin" ? INFINITY : op == "ReduceProd" ? 1 : 0);
  std::vector<double> mx;
  std::vector<int64_t> ostr = Strides(kept_shape);
  int64_t n = x.num_elements();
  std::vector<int64_t> idx(rank, 0);
  auto out_index = [&]() {
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d) o += reduced[d] ? 0 : idx[d] * ostr[d];
    return o;
  };
  if (op == "ReduceLogSumExp") {
    mx.assign(on, -INFINITY);
    for (int64_t i = 0; i < n; ++i) {
      int64_t o = out_index();
      mx[o] = std::max(mx[o], static_cast<double>(x.data<T>()[i]));
      for (int64_t d = rank - 1; d >= 0 && ++idx[d] == s[d]; --d) idx[d] = 0;
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    int64_t o = out_index();
    double v = static_cast<double>(x.data<T>()[i]);
    double& r = acc[o];
    if (op == "ReduceMax") r = std::max(r, v);
    else if (op == "ReduceMin") r = std::min(r, v);
    else if (op == "ReduceProd") r *= v;
    else if (op == "ReduceSumSquare" || op == "ReduceL2") r += v * v;
    else if (op == "ReduceL1") r += std::fabs(v);
    else if (op == "ReduceLogSumExp") r += std::exp(v - mx[o]);
    else r += v;
    for (int64_t d = rank - 1; d >= 0 && ++idx[d] == s[d]; --d) idx[d] = 0;
  }
  int64_t count = on ? n / on : 0;
  for (int64_t o = 0; o < on; ++o) {
    double r = acc[o];
    if (op == "ReduceMean") r = count ? r / count : NAN;
    else if (op == "ReduceL2") r = std::sqrt(r);
    else if (op == "ReduceLogSum") r = std::log(r);
    else if (op == "ReduceLogSumExp") r = std::log(r) + mx[o];
    if constexpr (std::is_integral_v<T>) {
      if (std::isinf(r)) r = r > 0 ? static_cast<double>(std::numeric_limits<T>::max()) : static_cast<double>(std::numeric_limits<T>::lowest());
    }
    y->data<T>()[o] = static_cast<T>(r);
  }
  return OkStatus();
}

Status RunReduce(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  switch (x->dtype()) {
    case DataType::kFloat32: return ReduceTyped<float>(ctx, a, *x);
    case DataType::kFloat64: return ReduceTyped<double>(ctx, a, *x);
    case DataType::kInt32: return ReduceTyped<int32_t>(ctx, a, *x);
    case DataType::kInt64: return ReduceTyped<int64_t>(ctx, a, *x);
    case DataType::kUint8: return ReduceTyped<uint8_t>(ctx, a, *x);
    case DataType::kInt8: return ReduceTyped<int8_t>(ctx, a, *x);
    default: return UnsupportedError("reduction of " + std::string(DataTypeName(x->dtype())));
  }
}

Status RunArg(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  const Shape& s = x->shape();
  int64_t rank = static_cast<int64_t>(s.size());
  CONFIDE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a.Int("axis", 0), rank));
  bool keep = a.Int("keepdims", 1) != 0, last = a.Int("select_last_index", 0) != 0;
  bool is_max = a.op_type() == "ArgMax";
  Shape out;
  int64_t outer = 1, len = s[axis], inner = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (i != axis || keep) out.push_back(i == axis ? 1 : s[i]);
    if (i < axis) outer *= s[i];
    if (i > axis) inner *= s[i];
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kInt64, out));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      int64_t best = 0;
      double bv = ReadAsDouble(*x, o * len * inner + in);
      for (int64_t i = 1; i < len; ++i) {
        double v = ReadAsDouble(*x, (o * len + i) * inner + in);
        bool better = is_max ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv));
        if (better) { best = i; bv = v; }
      }
      y->data<int64_t>()[o * inner + in] = best;
    }
  }
  return OkStatus();
}

}  // namespace

void RegisterReduceKernels(KernelRegistry* r) {
  for (const char* op : {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd",
                         "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"}) {
    r->Register({.op_type = op, .factory = FnFactory(RunReduce)});
  }
  r->Register({.op_type = "ArgMax", .factory = FnFactory(RunArg)});
  r->Register({.op_type = "ArgMin", .factory = FnFactory(RunArg)});
}

}  // namespace confide::engine::kernels
