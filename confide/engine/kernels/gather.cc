// Gather (any dtype; int32/int64 indices, negative indices wrap; out of range is an error).
#include <cstring>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

Status RunGather(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* ind, Input(ctx, 1));
  const Shape& s = x->shape();
  int64_t rank = static_cast<int64_t>(s.size());
  if (rank == 0) return InvalidArgumentError("Gather of a scalar");
  CONFIDE_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(a.Int("axis", 0), rank));
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> idx, ReadInts(*ind));
  int64_t dim = s[axis];
  for (int64_t& i : idx) {
    if (i < -dim || i >= dim) return InvalidArgumentError("Gather index " + std::to_string(i) + " out of range");
    if (i < 0) i += dim;
  }
  Shape out(s.begin(), s.begin() + axis);
  out.insert(out.end(), ind->shape().begin(), ind->shape().end());
  out.insert(out.end(), s.begin() + axis + 1, s.end());
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= s[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= s[d];
  size_t row = inner * DataTypeSize(x->dtype());
  int64_t k = static_cast<int64_t>(idx.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < k; ++j) {
      std::memcpy(y->data<uint8_t>() + (o * k + j) * row, x->data<uint8_t>() + (o * dim + idx[j]) * row, row);
    }
  }
  return OkStatus();
}

}  // namespace

void RegisterGatherKernels(KernelRegistry* r) {
  r->Register({.op_type = "Gather", .factory = FnFactory(RunGather)});
}

}  // namespace confide::engine::kernels
