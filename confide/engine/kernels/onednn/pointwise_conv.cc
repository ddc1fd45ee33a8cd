// Pointwise Conv (fp32 NCHW, 1x1 kernel, stride 1, no pads, group 1; 1-D or 2-D) as a matrix
// product per image, Y (M x HW) = W (M x C) * X (C x HW), with no layout change: the blocked
// convolution of conv.cc spends more time transposing NCHW in and out than computing for these
// layers. The HW columns go in fixed-width blocks (sized so a block of X and Y stays in L2);
// each block is one single-threaded dnnl_sgemm, then bias and post-op while it is in cache.
// Blocks are spread over the engine's pool; the blocking does not depend on the thread count,
// so neither do the results. Registered above conv.cc's Conv; declines every other Conv.
#include <algorithm>

#include "confide/engine/kernels/onednn/onednn.h"

namespace confide::engine::kernels::onednn {
namespace {

class PointwiseConv : public Kernel {
 public:
  explicit PointwiseConv(const NodeInfo& n)
      : w_(*n.constant_inputs[1]), act_(Activation::FromAttrs(OpAttrs(n))) {
    if (n.num_inputs > 2 && n.constant_inputs[2]) b_ = *n.constant_inputs[2];
  }

  Status Run(KernelContext& ctx) const override {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
    const Shape& xs = x->shape();
    int64_t m = w_.shape()[0], c = w_.shape()[1];
    if (x->dtype() != DataType::kFloat32 || xs.size() != w_.shape().size() || xs[1] != c) {
      return InvalidArgumentError("pointwise Conv: input " + ShapeToString(xs) + " does not match weights " +
                                  ShapeToString(w_.shape()));
    }
    Shape ys = xs;
    ys[1] = m;
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, ys));
    int64_t hw = 1;
    for (size_t d = 2; d < xs.size(); ++d) hw *= xs[d];
    if (NumElements(ys) == 0) return OkStatus();
    // ~256 KiB of X and Y columns per block, a multiple of 16 columns.
    int64_t block = std::clamp<int64_t>((int64_t{64} << 10) / (c + m) / 16 * 16, 16, hw);
    int64_t blocks_per_image = (hw + block - 1) / block;
    const float* xd = x->data<float>();
    float* yd = y->data<float>();
    const float* bias = b_.empty() ? nullptr : b_.data<float>();
    Status failed = OkStatus();
    std::mutex mu;
    ctx.threads().ParallelFor(xs[0] * blocks_per_image, [&](int64_t s, int64_t e) {
      UseThreads(1);
      for (int64_t i = s; i < e; ++i) {
        int64_t img = i / blocks_per_image, col = i % blocks_per_image * block;
        int64_t cols = std::min(block, hw - col);
        float* out = yd + img * m * hw + col;
        dnnl_status_t st = dnnl_sgemm('N', 'N', m, cols, c, 1.f, w_.data<float>(), c,
                                      xd + img * c * hw + col, hw, 0.f, out, hw);
        if (st != dnnl_success) {
          std::lock_guard<std::mutex> lock(mu);
          failed = InternalError("pointwise Conv: dnnl_sgemm status " + std::to_string(st));
          return;
        }
        for (int64_t r = 0; r < m; ++r) {
          float* row = out + r * hw;
          if (bias) {
            const float b = bias[r];
            for (int64_t k = 0; k < cols; ++k) row[k] += b;
          }
          act_.ApplyFast(row, cols);
        }
      }
    }, 1);
    return failed;
  }

 private:
  Tensor w_, b_;
  Activation act_;
};

bool AllEqual(const std::vector<int64_t>& v, int64_t want) {
  return std::all_of(v.begin(), v.end(), [want](int64_t d) { return d == want; });
}

Result<std::unique_ptr<Kernel>> MakePointwise(const NodeInfo& n) {
  if (n.Has("_nhwc_in") || n.Has("_nhwc_out")) return UnsupportedError("channels-last Conv: oneDNN's");
  const Tensor* w = n.num_inputs > 1 ? n.constant_inputs[1] : nullptr;
  if (!w || w->dtype() != DataType::kFloat32 || w->shape().size() < 3 || w->shape().size() > 4) {
    return UnsupportedError("pointwise Conv: weights must be constant float32, 1-D or 2-D");
  }
  std::vector<int64_t> kernel(w->shape().begin() + 2, w->shape().end());
  if (!AllEqual(kernel, 1) || n.GetInt("group", 1) != 1 || !AllEqual(n.GetInts("strides"), 1) ||
      !AllEqual(n.GetInts("pads"), 0)) {
    return UnsupportedError("not a pointwise Conv");
  }
  std::string auto_pad = n.GetString("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") return UnsupportedError("pointwise Conv: auto_pad");
  if (n.num_inputs > 2 && n.input_present[2] &&
      (!n.constant_inputs[2] || n.constant_inputs[2]->dtype() != DataType::kFloat32 ||
       n.constant_inputs[2]->num_elements() != w->shape()[0])) {
    return UnsupportedError("pointwise Conv: bias must be constant float32");
  }
  std::string act = n.GetString("_act", "");
  if (!act.empty() && act != "Relu" && act != "Clip" && act != "LeakyRelu" && act != "HardSwish") {
    return UnsupportedError("pointwise Conv: post-op " + act);
  }
  return std::unique_ptr<Kernel>(new PointwiseConv(n));
}

}  // namespace

void RegisterPointwiseConv(KernelRegistry* r) {
  r->Register({.op_type = "Conv", .priority = kFastKernelPriority + 1, .factory = MakePointwise});
}

}  // namespace confide::engine::kernels::onednn
