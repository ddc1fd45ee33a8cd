// Gemm and MatMul (fp32 via Sgemm; other numeric types with a plain triple loop).
#include <cstring>

#include "confide/engine/kernels/broadcast.h"
#include "confide/engine/kernels/conv_util.h"
#include "confide/engine/kernels/kernels.h"
#include "confide/engine/kernels/sgemm.h"

namespace confide::engine::kernels {
namespace {

Status RunGemm(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* w, Input(ctx, 1));
  const Tensor* c = ctx.input(2);
  if (x->dtype() != DataType::kFloat32 || w->dtype() != DataType::kFloat32) {
    return UnsupportedError("Gemm supports float32 only");
  }
  if (x->shape().size() != 2 || w->shape().size() != 2) return InvalidArgumentError("Gemm inputs must be 2-D");
  bool ta = a.Int("transA", 0), tb = a.Int("transB", 0);
  int64_t m = ta ? x->shape()[1] : x->shape()[0], k = ta ? x->shape()[0] : x->shape()[1];
  int64_t kb = tb ? w->shape()[1] : w->shape()[0], n = tb ? w->shape()[0] : w->shape()[1];
  if (k != kb) return InvalidArgumentError("Gemm inner dimensions differ");
  float alpha = a.Float("alpha", 1.f), beta = a.Float("beta", 1.f);
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, {m, n}));
  float b = 0.f;
  if (c != nullptr && beta != 0.f) {
    if (c->dtype() != DataType::kFloat32) return InvalidArgumentError("Gemm C must be float32");
    CONFIDE_ASSIGN_OR_RETURN(Shape bs, BroadcastShapes(c->shape(), {m, n}));
    if (bs != Shape{m, n}) return InvalidArgumentError("Gemm C does not broadcast to [M,N]");
    Tensor zero = Tensor::View(DataType::kFloat32, {}, &b);
    BroadcastBinary<float, float, float>(*c, zero, *y, ctx.threads(),
                                         [beta](float u, float) { return beta * u; });
    b = 1.f;
  }
  Sgemm(ta, tb, m, n, k, alpha, x->data<float>(), x->shape()[1], w->data<float>(), w->shape()[1],
        b, y->data<float>(), n, &ctx.threads());
  Activation::FromAttrs(a).Apply(y->data<float>(), m * n);
  return OkStatus();
}

template <typename T>
void NaiveMatMul(const T* a, const T* b, T* c, int64_t m, int64_t n, int64_t k) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      T acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += a[i * k + p] * b[p * n + j];
      c[i * n + j] = acc;
    }
  }
}

// Adds the fused bias (input 2, "_bias"; see fusion.cc) along y's last axis.
Status AddRowBias(KernelContext& ctx, Tensor* y) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* bias, Input(ctx, 2));
  int64_t n = y->shape().empty() ? 0 : y->shape().back();
  if (y->dtype() != DataType::kFloat32 || bias->dtype() != DataType::kFloat32 || bias->num_elements() != n || n == 0) {
    return InvalidArgumentError("MatMul bias " + ShapeToString(bias->shape()) + " does not fit output " +
                                ShapeToString(y->shape()));
  }
  float* out = y->data<float>();
  const float* b = bias->data<float>();
  for (int64_t row = 0, rows = y->num_elements() / n; row < rows; ++row) {
    for (int64_t j = 0; j < n; ++j) out[row * n + j] += b[j];
  }
  return OkStatus();
}

Status RunMatMul(KernelContext& ctx, const OpAttrs& attrs) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* a, Input(ctx, 0));
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* b, Input(ctx, 1));
  if (a->dtype() != b->dtype()) return InvalidArgumentError("MatMul input dtypes differ");
  Shape as = a->shape(), bs = b->shape();
  if (as.empty() || bs.empty()) return InvalidArgumentError("MatMul of a scalar");
  bool a1 = as.size() == 1, b1 = bs.size() == 1;
  if (a1) as.insert(as.begin(), 1);
  if (b1) bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  if (bs[bs.size() - 2] != k) {
    return InvalidArgumentError("MatMul shapes " + ShapeToString(a->shape()) + " and " +
                                ShapeToString(b->shape()) + " do not match");
  }
  Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  CONFIDE_ASSIGN_OR_RETURN(Shape batch, BroadcastShapes(ab, bb));
  Shape out = batch;
  if (!a1) out.push_back(m);
  if (!b1) out.push_back(n);
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, a->dtype(), out));
  int64_t batches = NumElements(batch);
  std::vector<int64_t> sa = BroadcastStrides(ab, batch), sb = BroadcastStrides(bb, batch);
  for (int64_t i = 0; i < batches; ++i) {
    int64_t oa = 0, ob = 0, rem = i;
    for (int64_t d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
      int64_t idx = rem % batch[d];
      rem /= batch[d];
      oa += idx * sa[d];
      ob += idx * sb[d];
    }
    if (a->dtype() == DataType::kFloat32) {
      Sgemm(false, false, m, n, k, 1.f, a->data<float>() + oa * m * k, k,
            b->data<float>() + ob * k * n, n, 0.f, y->data<float>() + i * m * n, n, &ctx.threads());
      continue;
    }
    CONFIDE_DISPATCH_ALL(a->dtype(), NaiveMatMul<T>(a->data<T>() + oa * m * k, b->data<T>() + ob * k * n,
                                                    y->data<T>() + i * m * n, m, n, k));
  }
  return attrs.Int("_bias", 0) ? AddRowBias(ctx, y) : OkStatus();
}

}  // namespace

void RegisterGemmKernels(KernelRegistry* r) {
  r->Register({.op_type = "Gemm", .factory = FnFactory(RunGemm)});
  r->Register({.op_type = "MatMul", .factory = FnFactory(RunMatMul)});
}

}  // namespace confide::engine::kernels
