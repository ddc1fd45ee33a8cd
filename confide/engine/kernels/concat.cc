// Concat and Split: copies of contiguous blocks along one axis (any dtype).
#include <cstring>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

Status RunConcat(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* first, Input(ctx, 0));
  int64_t rank = static_cast<int64_t>(first->shape().size());
  CONFIDE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a.Int("axis", 0), rank));
  Shape out = first->shape();
  out[axis] = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* t, Input(ctx, i));
    if (t->dtype() != first->dtype() || static_cast<int64_t>(t->shape().size()) != rank) {
      return InvalidArgumentError("Concat inputs differ in dtype or rank");
    }
    for (int64_t d = 0; d < rank; ++d) {
      if (d != axis && t->shape()[d] != first->shape()[d]) return InvalidArgumentError("Concat inputs differ in shape");
    }
    out[axis] += t->shape()[axis];
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, first->dtype(), out));
  size_t es = DataTypeSize(first->dtype());
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out[d];
  size_t out_row = y->byte_size() / std::max<int64_t>(outer, 1);
  size_t offset = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor* t = ctx.input(i);
    size_t row = outer ? t->byte_size() / outer : 0;
    for (int64_t o = 0; o < outer && row; ++o) {
      CopyRow(y->data<uint8_t>() + o * out_row + offset, t->data<uint8_t>() + o * row, row);
    }
    offset += row;
  }
  (void)es;
  return OkStatus();
}

Status RunSplit(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  int64_t rank = static_cast<int64_t>(x->shape().size());
  CONFIDE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a.Int("axis", 0), rank));
  std::vector<int64_t> split = a.Ints("split");
  if (a.opset() >= 13 && ctx.input(1) != nullptr) {
    CONFIDE_ASSIGN_OR_RETURN(split, ReadInts(*ctx.input(1)));
  }
  int64_t len = x->shape()[axis], n = ctx.num_outputs();
  if (split.empty()) {
    int64_t chunk = (len + n - 1) / n;
    for (int64_t i = 0; i < n; ++i) split.push_back(std::max<int64_t>(0, std::min(chunk, len - i * chunk)));
  }
  int64_t total = 0;
  for (int64_t s : split) total += s < 0 ? len + 1 : s;
  if (static_cast<int64_t>(split.size()) != n || total != len) return InvalidArgumentError("Split sizes do not add up");
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x->shape()[d];
  size_t in_row = outer ? x->byte_size() / outer : 0, offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    Shape s = x->shape();
    s[axis] = split[i];
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(static_cast<int>(i), x->dtype(), s));
    size_t row = outer ? y->byte_size() / outer : 0;
    for (int64_t o = 0; o < outer && row; ++o) {
      CopyRow(y->data<uint8_t>() + o * row, x->data<uint8_t>() + o * in_row + offset, row);
    }
    offset += row;
  }
  return OkStatus();
}

}  // namespace

void RegisterConcatKernels(KernelRegistry* r) {
  r->Register({.op_type = "Concat", .factory = FnFactory(RunConcat)});
  r->Register({.op_type = "Split", .factory = FnFactory(RunSplit)});
}

}  // namespace confide::engine::kernels
