// Pad: constant, reflect and edge modes (opset < 11 attributes; >= 11 inputs; axes at >= 18).
#include <cstring>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

Result<std::vector<int64_t>> ReadPads(KernelContext& ctx, const OpAttrs& a, int64_t rank) {
  if (a.opset() < 11) return a.Ints(a.opset() < 2 ? "paddings" : "pads");
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* p, Input(ctx, 1));
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> pads, ReadInts(*p));
  if (ctx.input(3) == nullptr) return pads;
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ReadInts(*ctx.input(3)));
  if (pads.size() != 2 * axes.size()) return InvalidArgumentError("pads and axes differ in length");
  std::vector<int64_t> full(2 * rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    CONFIDE_ASSIGN_OR_RETURN(int64_t ax, NormalizeAxis(axes[i], rank));
    full[ax] = pads[i];
    full[ax + rank] = pads[i + axes.size()];
  }
  return full;
}

// Maps an output coordinate to the input coordinate, or -1 for the constant fill.
int64_t SourceIndex(int64_t o, int64_t before, int64_t dim, const std::string& mode) {
  int64_t i = o - before;
  if (i >= 0 && i < dim) return i;
  if (mode == "edge") return i < 0 ? 0 : dim - 1;
  if (mode == "reflect") {
    if (dim == 1) return 0;
    int64_t period = 2 * (dim - 1);
    i = ((i % period) + period) % period;
    return i < dim ? i : period - i;
  }
  return -1;
}

Status RunPad(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  const Shape& s = x->shape();
  int64_t rank = static_cast<int64_t>(s.size());
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> pads, ReadPads(ctx, a, rank));
  if (static_cast<int64_t>(pads.size()) != 2 * rank) return InvalidArgumentError("pads must have 2*rank values");
  std::string mode = a.String("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge") return UnsupportedError("Pad mode " + mode);
  Shape out(rank);
  for (int64_t d = 0; d < rank; ++d) {
    out[d] = s[d] + pads[d] + pads[d + rank];
    if (out[d] < 0) return InvalidArgumentError("Pad removes more than the dim");
    if (mode != "constant" && s[d] == 0 && out[d] > 0) return InvalidArgumentError("Pad of an empty dim");
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
  size_t es = DataTypeSize(x->dtype());
  std::vector<uint8_t> fill(es, 0);
  if (a.opset() < 11) {
    float v = a.Float("value", 0.f);
    CONFIDE_DISPATCH_ALL(x->dtype(), { T t = static_cast<T>(v); std::memcpy(fill.data(), &t, es); });
  } else if (const Tensor* c = ctx.input(2); c && c->num_elements() > 0) {
    if (c->dtype() != x->dtype()) return InvalidArgumentError("constant_value dtype differs");
    std::memcpy(fill.data(), c->raw_data(), es);
  }
  std::vector<int64_t> istr = Strides(s), idx(rank, 0);
  int64_t n = y->num_elements();
  for (int64_t o = 0; o < n; ++o) {
    int64_t off = 0;
    bool inside = true;
    for (int64_t d = 0; d < rank && inside; ++d) {
      int64_t i = SourceIndex(idx[d], pads[d], s[d], mode);
      inside = i >= 0;
      off += i * istr[d];
    }
    std::memcpy(y->data<uint8_t>() + o * es, inside ? x->data<uint8_t>() + off * es : fill.data(), es);
    for (int64_t d = rank - 1; d >= 0 && ++idx[d] == out[d]; --d) idx[d] = 0;
  }
  return OkStatus();
}

}  // namespace

void RegisterPadKernels(KernelRegistry* r) {
  r->Register({.op_type = "Pad", .factory = FnFactory(RunPad)});
}

}  // namespace confide::engine::kernels
