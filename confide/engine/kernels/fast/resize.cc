// Resize / Upsample, nearest mode, float32, rank 3 or 4 (N and C not resized): source indices
// per output row and column are computed once per call with the reference kernel's formulas, then
// rows are gathered. Every other case (linear, resized batch/channels, other dtypes) goes to the
// reference kernel. Exact: it copies input values.
#include <algorithm>
#include <cmath>

#include "confide/engine/kernels/fast/fast.h"
#include "confide/engine/kernels/kernel_util.h"

namespace confide::engine::kernels::fast {
namespace {

// The reference kernel's coordinate transformation (kernels/resize.cc), for nearest mode.
double SourceCoord(const std::string& mode, double o, double scale, int64_t in, int64_t out) {
  if (mode == "asymmetric") return o / scale;
  if (mode == "align_corners") return out == 1 ? 0 : o * (in - 1) / static_cast<double>(out - 1);
  if (mode == "pytorch_half_pixel") return out > 1 ? (o + 0.5) / scale - 0.5 : 0;
  if (mode == "half_pixel_symmetric") {
    double adj = out / (scale * in);
    return in / 2.0 * (1 - adj) + (o + 0.5) / scale - 0.5;
  }
  return (o + 0.5) / scale - 0.5;  // half_pixel
}

int64_t Nearest(const std::string& mode, double x) {
  if (mode == "floor") return static_cast<int64_t>(std::floor(x));
  if (mode == "ceil") return static_cast<int64_t>(std::ceil(x));
  if (mode == "round_prefer_ceil") return static_cast<int64_t>(std::floor(x + 0.5));
  return static_cast<int64_t>(std::ceil(x - 0.5));  // round_prefer_floor
}

class NearestResize : public Kernel {
 public:
  NearestResize(const NodeInfo& n, std::unique_ptr<Kernel> fallback)
      : v10_(n.op_type == "Upsample" || n.opset < 11), fallback_(std::move(fallback)) {
    ctm_ = n.GetString("coordinate_transformation_mode", v10_ ? "asymmetric" : "half_pixel");
    nearest_ = n.GetString("nearest_mode", "round_prefer_floor");
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x || x->dtype() != DataType::kFloat32 || x->shape().size() < 3 || x->shape().size() > 4) {
      return fallback_->Run(ctx);
    }
    const Shape& s = x->shape();
    int64_t rank = static_cast<int64_t>(s.size());
    std::vector<double> scales(rank, 1.0);
    Shape out = s;
    const Tensor* scales_t = ctx.input(v10_ ? 1 : 2);
    const Tensor* sizes_t = v10_ ? nullptr : ctx.input(3);
    if (sizes_t && sizes_t->num_elements() == rank && sizes_t->dtype() == DataType::kInt64) {
      for (int64_t d = 0; d < rank; ++d) {
        out[d] = sizes_t->data<int64_t>()[d];
        scales[d] = s[d] ? static_cast<double>(out[d]) / s[d] : 1.0;
      }
    } else if (scales_t && scales_t->num_elements() == rank && scales_t->dtype() == DataType::kFloat32 &&
               !(sizes_t && sizes_t->num_elements() > 0)) {
      for (int64_t d = 0; d < rank; ++d) {
        scales[d] = scales_t->data<float>()[d];
        if (!(scales[d] > 0) || scales[d] > 1e6) return fallback_->Run(ctx);
        out[d] = static_cast<int64_t>(std::floor(s[d] * scales[d]));
      }
    } else {
      return fallback_->Run(ctx);
    }
    if (out[0] != s[0] || out[1] != s[1] || NumElements(out) == 0 || NumElements(s) == 0) return fallback_->Run(ctx);
    std::vector<int64_t> rows = Indices(scales[rank - 2], s[rank - 2], out[rank - 2]);
    std::vector<int64_t> cols = Indices(scales[rank - 1], s[rank - 1], out[rank - 1]);
    if (rank == 3) rows = {0};
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, out));
    int64_t ih = rank == 4 ? s[2] : 1, iw = s.back(), oh = static_cast<int64_t>(rows.size()), ow = out.back();
    const float* xd = x->data<float>();
    float* yd = y->data<float>();
    ctx.threads().ParallelFor(s[0] * s[1], [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        for (int64_t oy = 0; oy < oh; ++oy) {
          const float* in = xd + (p * ih + rows[oy]) * iw;
          float* o = yd + (p * oh + oy) * ow;
          for (int64_t ox = 0; ox < ow; ++ox) o[ox] = in[cols[ox]];
        }
      }
    }, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, oh * ow)));
    return OkStatus();
  }

 private:
  std::vector<int64_t> Indices(double scale, int64_t in, int64_t out) const {
    std::vector<int64_t> idx(out);
    for (int64_t o = 0; o < out; ++o) {
      double c = SourceCoord(ctm_, static_cast<double>(o), scale, in, out);
      idx[o] = std::clamp<int64_t>(v10_ ? static_cast<int64_t>(std::floor(c)) : Nearest(nearest_, c), 0, in - 1);
    }
    return idx;
  }

  bool v10_;
  std::string ctm_, nearest_;
  std::unique_ptr<Kernel> fallback_;
};

Result<std::unique_ptr<Kernel>> MakeResize(const NodeInfo& n) {
  if (n.GetString("mode", "nearest") != "nearest" || n.GetInt("antialias", 0) != 0 || n.Has("axes") ||
      n.GetString("coordinate_transformation_mode", "") == "tf_crop_and_resize") {
    return UnsupportedError("fast Resize: nearest mode only");
  }
  CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> ref, ReferenceKernelRegistry().Create(n));
  return std::unique_ptr<Kernel>(new NearestResize(n, std::move(ref)));
}

}  // namespace

void RegisterFastResize(KernelRegistry* r) {
  r->Register({.op_type = "Resize", .priority = kFastKernelPriority, .factory = MakeResize});
  r->Register({.op_type = "Upsample", .priority = kFastKernelPriority, .factory = MakeResize});
}

}  // namespace confide::engine::kernels::fast
