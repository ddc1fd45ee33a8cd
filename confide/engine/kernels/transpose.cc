// Transpose (any dtype; default perm reverses the axes; a channels-last input, see below).
#include <cstring>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

template <typename T>
void Permute(const T* src, T* dst, const Shape& out, const std::vector<int64_t>& src_strides, ThreadPool& pool) {
  int64_t rank = static_cast<int64_t>(out.size());
  int64_t inner = out[rank - 1], rows = NumElements(out) / inner, last = src_strides[rank - 1];
  pool.ParallelFor(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t off = 0, rem = r;
      for (int64_t d = rank - 2; d >= 0; --d) {
        off += (rem % out[d]) * src_strides[d];
        rem /= out[d];
      }
      T* row = dst + r * inner;
      for (int64_t j = 0; j < inner; ++j) row[j] = src[off + j * last];
    }
  }, 64);
}

Status RunTranspose(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  const Shape& s = x->shape();
  int64_t rank = static_cast<int64_t>(s.size());
  std::vector<int64_t> perm = a.Ints("perm");
  if (perm.empty()) {
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  if (static_cast<int64_t>(perm.size()) != rank) return InvalidArgumentError("perm length differs from rank");
  std::vector<bool> used(rank, false);
  Shape out(rank);
  std::vector<int64_t> istr = Strides(s), pstr(rank);
  for (int64_t i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= rank || used[perm[i]]) return InvalidArgumentError("perm is not a permutation");
    used[perm[i]] = true;
    out[i] = s[perm[i]];
    pstr[i] = istr[perm[i]];
  }
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
  if (y->num_elements() == 0) return OkStatus();
  if (rank == 0) return CopyToOutput(ctx, 0, *x, out);
  switch (DataTypeSize(x->dtype())) {
    case 1: Permute(x->data<uint8_t>(), y->data<uint8_t>(), out, pstr, ctx.threads()); break;
    case 2: Permute(x->data<uint16_t>(), y->data<uint16_t>(), out, pstr, ctx.threads()); break;
    case 4: Permute(x->data<uint32_t>(), y->data<uint32_t>(), out, pstr, ctx.threads()); break;
    case 8: Permute(x->data<uint64_t>(), y->data<uint64_t>(), out, pstr, ctx.threads()); break;
    default: return UnsupportedError("Transpose element size");
  }
  return OkStatus();
}

// Transpose, which also reads a channels-last input ("_nhwc_in", internal/layout.cc) when its
// perm is (0, 2, 3, 1): the input's bytes are then already in the output's order.
class TransposeKernel : public Kernel {
 public:
  explicit TransposeKernel(const NodeInfo& n)
      : attrs_(n), nhwc_in_(n.GetInt("_nhwc_in", 0) != 0 && n.GetInts("perm") == std::vector<int64_t>{0, 2, 3, 1}) {}

  bool HandlesChannelsLast() const override { return nhwc_in_; }

  Status Run(KernelContext& ctx) const override {
    if (!nhwc_in_) return RunTranspose(ctx, attrs_);
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
    const Shape& s = x->shape();
    if (s.size() != 4) return InvalidArgumentError("perm length differs from rank");
    return CopyToOutput(ctx, 0, *x, {s[0], s[2], s[3], s[1]});
  }

 private:
  OpAttrs attrs_;
  bool nhwc_in_;
};

}  // namespace

void RegisterTransposeKernels(KernelRegistry* r) {
  r->Register({.op_type = "Transpose", .factory = [](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
                 return std::unique_ptr<Kernel>(new TransposeKernel(n));
               }});
}

}  // namespace confide::engine::kernels
