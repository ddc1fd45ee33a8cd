// Resize (opset 10: X, scales; 11+: X, roi, scales, sizes) and Upsample: nearest and linear
// modes over any rank, with the ONNX coordinate transformation modes except tf_crop_and_resize.
#include <cmath>
#include <cstring>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

double SourceCoord(const std::string& mode, double o, double scale, int64_t in, int64_t out) {
  if (mode == "asymmetric") return o / scale;
  if (mode == "align_corners") return out == 1 ? 0 : o * (in - 1) / static_cast<double>(out - 1);
  if (mode == "pytorch_half_pixel") return out > 1 ? (o + 0.5) / scale - 0.5 : 0;
  if (mode == "half_pixel_symmetric") {
    double adj = out / (scale * in);
    double center = in / 2.0;
    return center * (1 - adj) + (o + 0.5) / scale - 0.5;
  }
  return (o + 0.5) / scale - 0.5;  // half_pixel
}

int64_t Nearest(const std::string& mode, double x) {
  if (mode == "floor") return static_cast<int64_t>(std::floor(x));
  if (mode == "ceil") return static_cast<int64_t>(std::ceil(x));
  if (mode == "round_prefer_ceil") return static_cast<int64_t>(std::floor(x + 0.5));
  return static_cast<int64_t>(std::ceil(x - 0.5));  // round_prefer_floor
}

Status RunResize(KernelContext& ctx, const OpAttrs& a) {
  CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
  if (x->dtype() != DataType::kFloat32) return UnsupportedError("Resize supports float32 only");
  const Shape& s = x->shape();
  int64_t rank = static_cast<int64_t>(s.size());
  bool v10 = a.op_type() == "Upsample" || a.opset() < 11;
  const Tensor* scales_t = ctx.input(v10 ? 1 : 2);
  const Tensor* sizes_t = v10 ? nullptr : ctx.input(3);
  std::vector<double> scales(rank, 1.0);
  Shape out = s;
  if (sizes_t && sizes_t->num_elements() > 0) {
    CONFIDE_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, ReadInts(*sizes_t));
    if (static_cast<int64_t>(sizes.size()) != rank) return UnsupportedError("Resize sizes with axes");
    for (int64_t d = 0; d < rank; ++d) {
      out[d] = sizes[d];
      scales[d] = s[d] ? static_cast<double>(sizes[d]) / s[d] : 1.0;
    }
  } else if (scales_t && scales_t->num_elements() > 0) {
    if (scales_t->num_elements() != rank || scales_t->dtype() != DataType::kFloat32) return InvalidArgumentError("Resize scales must be float32 of rank length");
    for (int64_t d = 0; d < rank; ++d) {
      scales[d] = scales_t->data<float>()[d];
      if (!(scales[d] > 0) || scales[d] > 1e6) return InvalidArgumentError("Resize scale must be positive");
      out[d] = static_cast<int64_t>(std::floor(s[d] * scales[d]));
    }
  } else {
    return InvalidArgumentError("Resize needs scales or sizes");
  }
  std::string mode = a.String("mode", "nearest");
  if (mode != "nearest" && mode != "linear") return UnsupportedError("Resize mode " + mode);
  if (a.Int("antialias", 0) != 0 || a.Has("axes")) return UnsupportedError("Resize antialias/axes");
  std::string ctm = a.String("coordinate_transformation_mode", v10 ? "asymmetric" : "half_pixel");
  if (ctm == "tf_crop_and_resize") return UnsupportedError("tf_crop_and_resize");
  std::string nearest = a.String("nearest_mode", "round_prefer_floor");
  CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kFloat32, out));
  // Per dim and output index: two source indices and the weight of the second.
  std::vector<std::vector<int64_t>> i0(rank), i1(rank);
  std::vector<std::vector<double>> w1(rank);
  for (int64_t d = 0; d < rank; ++d) {
    for (int64_t o = 0; o < out[d]; ++o) {
      double c = SourceCoord(ctm, static_cast<double>(o), scales[d], s[d], out[d]);
      if (mode == "nearest") {
        int64_t k = std::clamp<int64_t>(v10 ? static_cast<int64_t>(std::floor(c)) : Nearest(nearest, c), 0, s[d] - 1);
        i0[d].push_back(k);
        i1[d].push_back(k);
        w1[d].push_back(0);
      } else {
        c = std::clamp(c, 0.0, static_cast<double>(s[d] - 1));
        int64_t lo = static_cast<int64_t>(std::floor(c));
        i0[d].push_back(lo);
        i1[d].push_back(std::min(lo + 1, s[d] - 1));
        w1[d].push_back(c - lo);
      }
    }
  }
  std::vector<int64_t> istr = Strides(s), idx(rank, 0);
  int64_t n = y->num_elements();
  for (int64_t o = 0; o < n; ++o) {
    double acc = 0;
    for (int64_t corner = 0; corner < (int64_t{1} << rank); ++corner) {
      double w = 1;
      int64_t off = 0;
      for (int64_t d = 0; d < rank && w != 0; ++d) {
        bool hi = (corner >> d) & 1;
        double wd = hi ? w1[d][idx[d]] : 1 - w1[d][idx[d]];
        w *= wd;
        off += (hi ? i1[d][idx[d]] : i0[d][idx[d]]) * istr[d];
      }
      if (w != 0) acc += w * x->data<float>()[off];
    }
    y->data<float>()[o] = static_cast<float>(acc);
    for (int64_t d = rank - 1; d >= 0 && ++idx[d] == out[d]; --d) idx[d] = 0;
  }
  return OkStatus();
}

}  // namespace

void RegisterResizeKernels(KernelRegistry* r) {
  r->Register({.op_type = "Resize", .factory = FnFactory(RunResize)});
  r->Register({.op_type = "Upsample", .factory = FnFactory(RunResize)});
}

}  // namespace confide::engine::kernels
