// Geometry shared by Conv, ConvTranspose, QLinearConv and the pools: 1-D or 2-D windows (1-D is
// treated as 2-D with height 1), auto_pad, and the fused activation the optimizer may attach.
#ifndef CONFIDE_ENGINE_KERNELS_CONV_UTIL_H_
#define CONFIDE_ENGINE_KERNELS_CONV_UTIL_H_

#include <string>

#include "confide/engine/kernels/kernel_util.h"

namespace confide::engine::kernels {

struct WindowGeom {
  int64_t n = 1, c = 1;       // batch, channels
  int64_t ih = 1, iw = 1;     // input size
  int64_t kh = 1, kw = 1;     // kernel size
  int64_t sh = 1, sw = 1;     // strides
  int64_t dh = 1, dw = 1;     // dilations
  int64_t pt = 0, pl = 0;     // pads at the beginning
  int64_t pb = 0, pr = 0;     // pads at the end
  int64_t oh = 1, ow = 1;     // output size
  int spatial = 2;            // 1 or 2
  Shape OutputShape(int64_t channels) const;
};

// Geometry of a sliding window over x (N, C, spatial...), kernel size `kernel` (spatial dims).
// kUnsupported for 3+ spatial dims; kInvalidArgument for non-positive sizes or empty output.
Result<WindowGeom> MakeWindowGeom(const OpAttrs& a, const Shape& x, const std::vector<int64_t>& kernel,
                                  bool ceil_mode);

// Post-op attached by the fusion pass (attribute "_act": "Relu", "Clip", "LeakyRelu",
// "HardSwish"), then an optional affine tail act(x) * scale + shift ("_act_scale", "_act_shift":
// scalar Mul and Add nodes that followed the activation).
struct Activation {
  enum class Kind { kNone, kRelu, kClip, kLeakyRelu, kHardSwish } kind = Kind::kNone;
  float lo = 0, hi = 0, alpha = 0;
  float scale = 1, shift = 0;
  bool has_affine() const { return scale != 1.f || shift != 0.f; }
  static Activation FromAttrs(const OpAttrs& a);
  void Apply(float* x, int64_t n) const;      // the reference: plain C++
  void ApplyKind(float* x, int64_t n) const;  // Apply without the affine tail
  void ApplyFast(float* x, int64_t n) const;  // AVX2 when the CPU has it; the same results, NaN too
};

// Writes the im2col matrix of image `x` (c channels, geometry g) as rows c*kh*kw, cols oh*ow.
void Im2Col(const float* x, int64_t channels, const WindowGeom& g, float* col);

}  // namespace confide::engine::kernels

#endif  // CONFIDE_ENGINE_KERNELS_CONV_UTIL_H_
