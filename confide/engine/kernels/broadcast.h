// The broadcasting loop behind elementwise binary ops (numpy rules, ONNX "multidirectional").
#ifndef CONFIDE_ENGINE_KERNELS_BROADCAST_H_
#define CONFIDE_ENGINE_KERNELS_BROADCAST_H_

#include "confide/engine/kernels/kernel_util.h"

namespace confide::engine::kernels {

// out[i] = op(a[ia], b[ib]) for every element of `out`, whose shape both a and b broadcast to.
// `out` may alias `a` when a has out's shape. Rows are split across `pool`.
template <typename A, typename B, typename R, typename Op>
void BroadcastBinary(const Tensor& a, const Tensor& b, Tensor& out, ThreadPool& pool, Op op) {
  const A* pa = a.data<A>();
  const B* pb = b.data<B>();
  R* po = out.data<R>();
  const Shape& os = out.shape();
  int64_t n = out.num_elements();
  if (n == 0) return;
  if (a.shape() == os && b.shape() == os) {
    pool.ParallelFor(n, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) po[i] = op(pa[i], pb[i]);
    }, 1 << 14);
    return;
  }
  if (a.shape() == os && b.num_elements() == 1) {
    B v = pb[0];
    pool.ParallelFor(n, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) po[i] = op(pa[i], v);
    }, 1 << 14);
    return;
  }
  std::vector<int64_t> sa = BroadcastStrides(a.shape(), os);
  std::vector<int64_t> sb = BroadcastStrides(b.shape(), os);
  size_t rank = os.size();
  int64_t inner = rank ? os[rank - 1] : 1;
  int64_t outer = n / inner;
  int64_t la = rank ? sa[rank - 1] : 0, lb = rank ? sb[rank - 1] : 0;
  pool.ParallelFor(outer, [&](int64_t s, int64_t e) {
    for (int64_t r = s; r < e; ++r) {
      int64_t oa = 0, ob = 0, rem = r;
      for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
        int64_t idx = rem % os[d];
        rem /= os[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      R* row = po + r * inner;
      for (int64_t j = 0; j < inner; ++j) row[j] = op(pa[oa + j * la], pb[ob + j * lb]);
    }
  }, std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(inner, 1)));
}

}  // namespace confide::engine::kernels

#endif  // CONFIDE_ENGINE_KERNELS_BROADCAST_H_
