// Concat and Split: copies of contiguous blocks along one axis (any dtype); Concat also of
// channels-last inputs (below).
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

// Concat, which also joins channels-last inputs on the channel axis ("_nhwc_in" and "_nhwc_out",
// internal/layout.cc, only for axis 1): in NHWC each pixel's channels are one run, so every
// pixel's output run is its inputs' runs one after another.
class ConcatKernel : public Kernel {
 public:
  explicit ConcatKernel(const NodeInfo& n)
      : attrs_(n),
        channels_last_(n.GetInt("_nhwc_in", 0) != 0 && n.GetInt("_nhwc_out", 0) != 0 &&
                       n.GetInt("axis", 0) == 1) {}

  bool HandlesChannelsLast() const override { return channels_last_; }

  Status Run(KernelContext& ctx) const override {
    if (!channels_last_) return RunConcat(ctx, attrs_);
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* first, Input(ctx, 0));
    Shape out = first->shape();
    if (out.size() != 4) return InvalidArgumentError("channels-last Concat needs 4-D inputs");
    out[1] = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      CONFIDE_ASSIGN_OR_RETURN(const Tensor* t, Input(ctx, i));
      const Shape& s = t->shape();
      bool fits = s.size() == 4 && s[0] == out[0] && s[2] == out[2] && s[3] == out[3];
      if (t->dtype() != first->dtype() || !fits) {
        return InvalidArgumentError("Concat inputs differ in dtype, rank or shape");
      }
      out[1] += s[1];
    }
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, first->dtype(), out));
    size_t es = DataTypeSize(first->dtype()), out_run = out[1] * es, offset = 0;
    int64_t pixels = out[0] * out[2] * out[3];
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor* t = ctx.input(i);
      size_t run = t->shape()[1] * es;
      for (int64_t p = 0; p < pixels && run > 0; ++p) {
        CopyRow(y->data<uint8_t>() + p * out_run + offset, t->data<uint8_t>() + p * run, run);
      }
      offset += run;
    }
    return OkStatus();
  }

 private:
  OpAttrs attrs_;
  bool channels_last_;
};

}  // namespace

void RegisterConcatKernels(KernelRegistry* r) {
  r->Register({.op_type = "Concat", .factory = [](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
                 return std::unique_ptr<Kernel>(new ConcatKernel(n));
               }});
  r->Register({.op_type = "Split", .factory = FnFactory(RunSplit)});
}

}  // namespace confide::engine::kernels
