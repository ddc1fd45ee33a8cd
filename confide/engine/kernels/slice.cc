// Slice (opset < 10: attributes; >= 10: inputs starts, ends, axes, steps). Any dtype.
#include <algorithm>
#include <cstring>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

struct SliceParams {
  std::vector<int64_t> starts, ends, axes, steps;
};

Result<SliceParams> ReadParams(KernelContext& ctx, const OpAttrs& a) {
  SliceParams p;
  if (a.opset() < 10) {
    p.starts = a.Ints("starts");
    p.ends = a.Ints("ends");
    p.axes = a.Ints("axes");
  } else {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* s, Input(ctx, 1));
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* e, Input(ctx, 2));
    CONFIDE_ASSIGN_OR_RETURN(p.starts, ReadInts(*s));
    CONFIDE_ASSIGN_OR_RETURN(p.ends, ReadInts(*e));
    if (ctx.input(3)) { CONFIDE_ASSIGN_OR_RETURN(p.axes, ReadInts(*ctx.input(3))); }
    if (ctx.input(4)) { CONFIDE_ASSIGN_OR_RETURN(p.steps, ReadInts(*ctx.input(4))); }
  }
  if (p.axes.empty()) {
    for (size_t i = 0; i < p.starts.size(); ++i) p.axes.push_back(static_cast<int64_t>(i));
  }
  if (p.steps.empty()) p.steps.assign(p.starts.size(), 1);
  if (p.ends.size() != p.starts.size() || p.axes.size() != p.starts.size() || p.steps.size() != p.starts.size()) {
    return InvalidArgumentError("Slice starts/ends/axes/steps differ in length");
  }
  return p;
}

Status RunSlice(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(SliceParams p, ReadParams(ctx, a));
  const Shape& s = x->shape();
  int64_t rank = static_cast<int64_t>(s.size());
  std::vector<int64_t> start(rank, 0), step(rank, 1);
  Shape out = s;
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < p.axes.size(); ++i) {
    CONFIDE_ASSIGN_OR_RETURN(int64_t ax, NormalizeAxis(p.axes[i], rank));
    if (seen[ax]) return InvalidArgumentError("Slice axis repeated");
    seen[ax] = true;
    int64_t dim = s[ax], st = p.steps[i];
    if (st == 0) return InvalidArgumentError("Slice step 0");
    int64_t b = p.starts[i], e = p.ends[i];
    if (b < 0) b += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      out[ax] = e > b ? (e - b + st - 1) / st : 0;
    } else {
      b = std::clamp<int64_t>(b, -1, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      out[ax] = b > e ? (b - e + (-st) - 1) / (-st) : 0;
    }
    start[ax] = b;
    step[ax] = st;
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
  int64_t n = y->num_elements();
  if (n == 0) return OkStatus();
  size_t es = DataTypeSize(x->dtype());
  std::vector<int64_t> istr = Strides(s), idx(rank, 0);
  // Copy innermost rows in one memcpy when the last axis has step 1.
  int64_t inner = rank && step[rank - 1] == 1 ? out[rank - 1] : 1;
  int64_t inner_rank = rank && step[rank - 1] == 1 ? rank - 1 : rank;
  const uint8_t* src = x->data<uint8_t>();
  uint8_t* dst = y->data<uint8_t>();
  // `off` follows idx: + step*stride when a dim advances, back to its start when it wraps.
  int64_t off = 0;
  for (int64_t d = 0; d < rank; ++d) off += start[d] * istr[d];
  for (int64_t o = 0; o < n; o += inner) {
    CopyRow(dst + o * es, src + off * es, inner * es);
    for (int64_t d = inner_rank - 1; d >= 0; --d) {
      off += step[d] * istr[d];
      if (++idx[d] < out[d]) break;
      off -= out[d] * step[d] * istr[d];
      idx[d] = 0;
    }
  }
  return OkStatus();
}

}  // namespace

void RegisterSliceKernels(KernelRegistry* r) {
  r->Register({.op_type = "Slice", .factory = FnFactory(RunSlice)});
}

}  // namespace confide::engine::kernels
