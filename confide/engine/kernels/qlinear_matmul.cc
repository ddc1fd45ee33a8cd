// QLinearMatMul and MatMulInteger (uint8/int8 operands, int32 accumulation). 2-D, or N-D with a
// batch that is equal on both sides or absent on B.
#include <algorithm>
#include <cmath>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

struct MatDims {
  int64_t batch = 1, m = 0, k = 0, n = 0;
  bool b_batched = false;
  Shape out;
};

Result<MatDims> Dims(const Tensor& a, const Tensor& b) {
  const Shape &as = a.shape(), &bs = b.shape();
  if (as.size() < 2 || bs.size() < 2) return UnsupportedError("integer matmul needs rank >= 2");
  MatDims d;
  d.m = as[as.size() - 2];
  d.k = as.back();
  d.n = bs.back();
  if (bs[bs.size() - 2] != d.k) return InvalidArgumentError("inner dimensions differ");
  d.out.assign(as.begin(), as.end() - 1);
  d.out.push_back(d.n);
  d.batch = NumElements(Shape(as.begin(), as.end() - 2));
  d.b_batched = bs.size() > 2;
  if (d.b_batched && (bs.size() != as.size() || !std::equal(bs.begin(), bs.end() - 2, as.begin()))) {
    return UnsupportedError("integer matmul with a broadcast batch");
  }
  return d;
}

int32_t Elem(const Tensor& t, int64_t i) {
  return t.dtype() == DataType::kUint8 ? t.data<uint8_t>()[i] : t.data<int8_t>()[i];
}

// acc[b][i][j] = sum_k (a - azp) * (b - bzp[j]).
Result<std::vector<int32_t>> IntMatMul(const Tensor& a, const Tensor* azp, const Tensor& b, const Tensor* bzp,
                                       const MatDims& d) {
  for (const Tensor* t : {&a, &b}) {
    if (t->dtype() != DataType::kUint8 && t->dtype() != DataType::kInt8) return UnsupportedError("operands must be uint8/int8");
  }
  if (azp && azp->num_elements() != 1) return UnsupportedError("per-row A zero points");
  if (bzp && bzp->num_elements() != 1 && bzp->num_elements() != d.n) return InvalidArgumentError("B zero point size");
  int32_t za = azp ? Elem(*azp, 0) : 0;
  std::vector<int32_t> acc(d.batch * d.m * d.n, 0);
  std::vector<int32_t> bcol(d.k);
  for (int64_t bi = 0; bi < d.batch; ++bi) {
    int64_t boff = d.b_batched ? bi * d.k * d.n : 0;
    for (int64_t j = 0; j < d.n; ++j) {
      int32_t zb = bzp ? Elem(*bzp, bzp->num_elements() == 1 ? 0 : j) : 0;
      for (int64_t p = 0; p < d.k; ++p) bcol[p] = Elem(b, boff + p * d.n + j) - zb;
      for (int64_t i = 0; i < d.m; ++i) {
        int64_t aoff = (bi * d.m + i) * d.k;
        int32_t s = 0;
        for (int64_t p = 0; p < d.k; ++p) s += (Elem(a, aoff + p) - za) * bcol[p];
        acc[(bi * d.m + i) * d.n + j] = s;
      }
    }
  }
  return acc;
}

Status RunMatMulInteger(KernelContext& ctx, const OpAttrs&) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* a, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* b, Input(ctx, 1));
  CONFIDE_ASSIGN_OR_RETURN(MatDims d, Dims(*a, *b));
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int32_t> acc, IntMatMul(*a, ctx.input(2), *b, ctx.input(3), d));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kInt32, d.out));
  std::copy(acc.begin(), acc.end(), y->data<int32_t>());
  return OkStatus();
}

Status RunQLinearMatMul(KernelContext& ctx, const OpAttrs&) {
  const Tensor* in[8];
  for (int i = 0; i < 8; ++i) {
    CONFIDE_ASSIGN_OR_RETURN(in[i], Input(ctx, i));
  }
  const Tensor &a = *in[0], &as = *in[1], &b = *in[3], &bs = *in[4], &ys = *in[6], &yz = *in[7];
  CONFIDE_ASSIGN_OR_RETURN(MatDims d, Dims(a, b));
  if (as.num_elements() != 1 || ys.num_elements() != 1 || yz.num_elements() != 1) {
    return UnsupportedError("per-row scales for A or Y");
  }
  if (bs.num_elements() != 1 && bs.num_elements() != d.n) return InvalidArgumentError("B scale size");
  CONFIDE_ASSIGN_OR_RETURN(std::vector<int32_t> acc, IntMatMul(a, in[2], b, in[5], d));
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, yz.dtype(), d.out));
  double lo = yz.dtype() == DataType::kUint8 ? 0 : -128, hi = yz.dtype() == DataType::kUint8 ? 255 : 127;
  int32_t z = Elem(yz, 0);
  for (int64_t i = 0; i < static_cast<int64_t>(acc.size()); ++i) {
    int64_t j = i % d.n;
    float mult = as.data<float>()[0] * bs.data<float>()[bs.num_elements() == 1 ? 0 : j] / ys.data<float>()[0];
    double r = std::nearbyint(acc[i] * mult);
    double v = std::clamp((std::isnan(r) ? 0.0 : r) + z, lo, hi);  // NaN: zero scales
    if (yz.dtype() == DataType::kUint8) y->data<uint8_t>()[i] = static_cast<uint8_t>(v);
    else y->data<int8_t>()[i] = static_cast<int8_t>(v);
  }
  return OkStatus();
}

}  // namespace

void RegisterQLinearMatMulKernels(KernelRegistry* r) {
  r->Register({.op_type = "QLinearMatMul", .factory = FnFactory(RunQLinearMatMul)});
  r->Register({.op_type = "MatMulInteger", .factory = FnFactory(RunMatMulInteger)});
}

}  // namespace confide::engine::kernels
