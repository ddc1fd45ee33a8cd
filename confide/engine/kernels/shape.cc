// Shape-only ops: Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Expand.
#include <algorithm>
#include <cstring>

#include "confide/engine/kernels/broadcast.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

Status WriteInts(KernelContext& ctx, const std::vector<int64_t>& v, Shape shape) {
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kInt64, shape));
  std::copy(v.begin(), v.end(), y->data<int64_t>());
  return OkStatus();
}

Status RunShape(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  int64_t rank = static_cast<int64_t>(x->shape().size());
  int64_t start = a.Int("start", 0), end = a.Int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  std::vector<int64_t> dims(x->shape().begin() + start, x->shape().begin() + end);
  return WriteInts(ctx, dims, {static_cast<int64_t>(dims.size())});
}

Status RunSize(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  return WriteInts(ctx, {x->num_elements()}, {});
}

Status RunReshape(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  std::vector<int64_t> target;
  if (a.opset() < 5) {
    target = a.Ints("shape");
  } else {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* s, Input(ctx, 1));
    CONFIDE_ASSIGN_OR_RETURN(target, ReadInts(*s));
  }
  bool allowzero = a.Int("allowzero", 0) != 0;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0 && !allowzero) {
      if (i >= x->shape().size()) return InvalidArgumentError("Reshape copies a missing dim");
      target[i] = x->shape()[i];
    }
    if (target[i] == -1) {
      if (infer >= 0) return InvalidArgumentError("Reshape has two -1 dims");
      infer = static_cast<int64_t>(i);
    } else if (target[i] < 0) {
      return InvalidArgumentError("Reshape dim " + std::to_string(target[i]));
    } else if (__builtin_mul_overflow(known, target[i], &known)) {  // the shape is model data
      return InvalidArgumentError("Reshape target " + ShapeToString(target) + " is too large");
    }
  }
  if (infer >= 0) target[infer] = known ? x->num_elements() / known : 0;
  auto n = CheckedNumElements(target);
  if (!n.ok() || *n != x->num_elements()) {
    return InvalidArgumentError("cannot reshape " + ShapeToString(x->shape()) + " to " + ShapeToString(target));
  }
  return CopyToOutput(ctx, 0, *x, target);
}

Status RunFlatten(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  int64_t rank = static_cast<int64_t>(x->shape().size());
  int64_t axis = a.Int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) return InvalidArgumentError("Flatten axis out of range");
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x->shape()[i];
  return CopyToOutput(ctx, 0, *x, {outer, outer ? x->num_elements() / outer : 0});
}

Result<std::vector<int64_t>> Axes(KernelContext& ctx, const OpAttrs& a) {
  if (a.opset() >= 13) {
    if (ctx.input(1) == nullptr) return std::vector<int64_t>{};
    return ReadInts(*ctx.input(1));
  }
  return a.Ints("axes");
}

Status RunSqueeze(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> axes, Axes(ctx, a));
  int64_t rank = static_cast<int64_t>(x->shape().size());
  std::vector<bool> drop(rank, false);
  for (int64_t ax : axes) {
    CONFIDE_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(ax, rank));
    if (x->shape()[n] != 1) return InvalidArgumentError("Squeeze of a dim that is not 1");
    drop[n] = true;
  }
  Shape out;
  for (int64_t i = 0; i < rank; ++i) {
    if (axes.empty() ? x->shape()[i] != 1 : !drop[i]) out.push_back(x->shape()[i]);
  }
  return CopyToOutput(ctx, 0, *x, out);
}

Status RunUnsqueeze(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> axes, Axes(ctx, a));
  int64_t rank = static_cast<int64_t>(x->shape().size() + axes.size());
  std::vector<bool> insert(rank, false);
  for (int64_t ax : axes) {
    CONFIDE_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(ax, rank));
    if (insert[n]) return InvalidArgumentError("Unsqueeze axis repeated");
    insert[n] = true;
  }
  Shape out;
  size_t k = 0;
  for (int64_t i = 0; i < rank; ++i) out.push_back(insert[i] ? 1 : x->shape()[k++]);
  return CopyToOutput(ctx, 0, *x, out);
}

Status RunExpand(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* s, Input(ctx, 1));
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ReadInts(*s));
  CONFIDE_ASSIGN_OR_RETURN(Shape out, BroadcastShapes(x->shape(), dims));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
  uint8_t zero[8] = {};
  Tensor dummy = Tensor::View(x->dtype(), {}, zero);
  CONFIDE_DISPATCH_ALL(x->dtype(), BroadcastBinary<T, T, T>(*x, dummy, *y, ctx.threads(), [](T v, T) { return v; }));
  return OkStatus();
}

}  // namespace

void RegisterShapeKernels(KernelRegistry* r) {
  r->Register({.op_type = "Shape", .factory = FnFactory(RunShape)});
  r->Register({.op_type = "Size", .factory = FnFactory(RunSize)});
  r->Register({.op_type = "Reshape", .factory = FnFactory(RunReshape)});
  r->Register({.op_type = "Flatten", .factory = FnFactory(RunFlatten)});
  r->Register({.op_type = "Squeeze", .factory = FnFactory(RunSqueeze)});
  r->Register({.op_type = "Unsqueeze", .factory = FnFactory(RunUnsqueeze)});
  r->Register({.op_type = "Expand", .factory = FnFactory(RunExpand)});
}

}  // namespace confide::engine::kernels
