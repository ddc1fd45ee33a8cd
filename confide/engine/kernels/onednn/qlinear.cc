// QLinearConv as an exact integer-valued fp32 convolution on oneDNN: x - x_zero_point and
// w - w_zero_point are small integers, exact in float, and so is every partial sum while it
// stays below 2^24 (checked at load from the weights' magnitudes; larger kernels decline to the
// reference). The int32 accumulator is then requantised exactly as the reference kernel does:
// round-half-even of acc * (x_scale * w_scale / y_scale), plus y_zero_point, saturated.
// Scales, zero points, weights and bias must be constant. (oneDNN's own int8 path, with VNNI,
// would be faster for large layers; not done yet.)
#include <immintrin.h>

#include <cmath>
#include <type_traits>

#include "confide/engine/kernels/onednn/onednn.h"

namespace confide::engine::kernels::onednn {
namespace {

// out[i] = in[i] - zero for 8-bit `in` (T uint8_t or int8_t), as float; returns how many leading
// elements it did (a multiple of 8).
template <typename T>
__attribute__((target("avx2,fma"))) int64_t ShiftAvx2(const T* in, int64_t n, int32_t zero, float* out) {
  const __m256i z = _mm256_set1_epi32(zero);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + i));
    __m256i wide = std::is_same_v<T, uint8_t> ? _mm256_cvtepu8_epi32(bytes) : _mm256_cvtepi8_epi32(bytes);
    _mm256_storeu_ps(out + i, _mm256_cvtepi32_ps(_mm256_sub_epi32(wide, z)));
  }
  return i;
}

// The vector form of QLinearConv::Requantize's loop for one channel's run of n accumulators:
// the same clamp, add-and-subtract rounding, zero point and saturation, in the same float
// operations. Returns how many leading elements it did (a multiple of 8).
template <typename T>
__attribute__((target("avx2,fma"))) int64_t RequantizeAvx2(const float* a, int64_t n, float mult, float zy,
                                                            float lo, float hi, T* out) {
  const __m256 m = _mm256_set1_ps(mult), z = _mm256_set1_ps(zy), l = _mm256_set1_ps(lo), h = _mm256_set1_ps(hi);
  const __m256 round = _mm256_set1_ps(12582912.f), limit = _mm256_set1_ps(2097152.f);
  const __m256 neg_limit = _mm256_set1_ps(-2097152.f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_min_ps(limit, _mm256_max_ps(neg_limit, _mm256_mul_ps(_mm256_loadu_ps(a + i), m)));
    __m256 r = _mm256_sub_ps(_mm256_add_ps(v, round), round);
    __m256i q = _mm256_cvtps_epi32(_mm256_min_ps(h, _mm256_max_ps(l, _mm256_add_ps(r, z))));
    alignas(32) int32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), q);
    for (int k = 0; k < 8; ++k) out[i + k] = static_cast<T>(lanes[k]);
  }
  return i;
}

int32_t Elem(const Tensor& t, int64_t i) {
  return t.dtype() == DataType::kUint8 ? t.data<uint8_t>()[i] : t.data<int8_t>()[i];
}

// The KernelContext the inner fp32 Conv sees: the shifted input and a float output in scratch.
class FloatConvContext : public KernelContext {
 public:
  FloatConvContext(KernelContext& outer, std::vector<const Tensor*> inputs)
      : outer_(outer), inputs_(std::move(inputs)) {}
  int num_inputs() const override { return static_cast<int>(inputs_.size()); }
  const Tensor* input(int i) const override { return i >= 0 && i < num_inputs() ? inputs_[i] : nullptr; }
  int num_outputs() const override { return 1; }
  Result<Tensor*> AllocateOutput(int i, DataType dtype, const Shape& shape) override {
    if (i != 0 || dtype != DataType::kFloat32) return InternalError("QLinearConv: unexpected inner output");
    CONFIDE_ASSIGN_OR_RETURN(int64_t n, CheckedNumElements(shape));
    CONFIDE_ASSIGN_OR_RETURN(void* p, outer_.Scratch(sizeof(float) * n));
    out_ = Tensor::View(dtype, shape, p);
    return &out_;
  }
  Result<void*> Scratch(size_t size) override { return outer_.Scratch(size); }
  ThreadPool& threads() override { return outer_.threads(); }
  Result<std::vector<Tensor>> RunSubgraph(std::string_view, const std::vector<Tensor>&) override {
    return InternalError("QLinearConv has no subgraphs");
  }
  std::string_view node_name() const override { return outer_.node_name(); }
  const Tensor& output() const { return out_; }

 private:
  KernelContext& outer_;
  std::vector<const Tensor*> inputs_;
  Tensor out_;
};

class QLinearConv : public Kernel {
 public:
  QLinearConv(const NodeInfo& n, Tensor w, Tensor b) : w_(std::move(w)), b_(std::move(b)) {
    auto c = [&](int i) { return *n.constant_inputs[i]; };
    zx_ = Elem(c(2), 0);
    zy_ = Elem(c(7), 0);
    y_dtype_ = c(7).dtype();
    const Tensor& ws = c(4);
    for (int64_t m = 0; m < w_.shape()[0]; ++m) {  // same float expression as the reference
      mult_.push_back(c(1).data<float>()[0] * ws.data<float>()[ws.num_elements() == 1 ? 0 : m] /
                      c(6).data<float>()[0]);
    }
  }

  Status Run(KernelContext& ctx) const override {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
    if (x->dtype() != DataType::kUint8 && x->dtype() != DataType::kInt8) {
      return InvalidArgumentError("QLinearConv input must be uint8/int8");
    }
    CONFIDE_ASSIGN_OR_RETURN(void* p, ctx.Scratch(sizeof(float) * x->num_elements()));
    Tensor xf = Tensor::View(DataType::kFloat32, x->shape(), p);
    Shift(*x, xf.data<float>());
    FloatConvContext inner(ctx, {&xf, &w_, b_.empty() ? nullptr : &b_});
    CONFIDE_TRY(conv_->Run(inner));
    const Tensor& acc = inner.output();
    CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, y_dtype_, acc.shape()));
    if (y_dtype_ == DataType::kUint8) {
      Requantize(acc, 0.f, 255.f, y->data<uint8_t>());
    } else {
      Requantize(acc, -128.f, 127.f, y->data<int8_t>());
    }
    return OkStatus();
  }

  std::unique_ptr<Kernel> conv_;

 private:
  void Shift(const Tensor& x, float* out) const {
    int64_t n = x.num_elements();
    if (x.dtype() == DataType::kUint8) {
      int64_t i = CpuHasAvx2Fma() ? ShiftAvx2(x.data<uint8_t>(), n, zx_, out) : 0;
      for (; i < n; ++i) out[i] = static_cast<float>(x.data<uint8_t>()[i] - zx_);
    } else {
      int64_t i = CpuHasAvx2Fma() ? ShiftAvx2(x.data<int8_t>(), n, zx_, out) : 0;
      for (; i < n; ++i) out[i] = static_cast<float>(x.data<int8_t>()[i] - zx_);
    }
  }

  // q = saturate(round_half_even(acc * mult[channel]) + y_zero_point). Rounds with the 1.5 * 2^23
  // trick, which equals nearbyint in the default rounding mode for |v| < 2^22; v is clamped to
  // +-2^21 first, far outside the saturated range, so the result equals the reference's.
  template <typename T>
  void Requantize(const Tensor& acc, float lo, float hi, T* out) const {
    constexpr float kRound = 12582912.f, kLimit = 2097152.f;
    int64_t m = acc.shape()[1], plane = acc.num_elements() / std::max<int64_t>(1, acc.shape()[0] * m);
    const float* a = acc.data<float>();
    for (int64_t p = 0; p < acc.num_elements() / std::max<int64_t>(1, plane); ++p) {
      float mult = mult_[p % m], zy = static_cast<float>(zy_);
      int64_t done = CpuHasAvx2Fma() ? RequantizeAvx2(a + p * plane, plane, mult, zy, lo, hi, out + p * plane) : 0;
      for (int64_t i = p * plane + done; i < (p + 1) * plane; ++i) {
        float v = std::min(kLimit, std::max(-kLimit, a[i] * mult));
        float r = (v + kRound) - kRound;
        out[i] = static_cast<T>(std::min(hi, std::max(lo, r + zy)));
      }
    }
  }

  Tensor w_, b_;  // w - w_zero_point and the bias, as float
  int32_t zx_ = 0, zy_ = 0;
  DataType y_dtype_ = DataType::kUint8;
  std::vector<float> mult_;
};

bool IsInt8(const Tensor* t) { return t && (t->dtype() == DataType::kUint8 || t->dtype() == DataType::kInt8); }

// Weights minus zero points as float; kUnsupported unless every partial sum stays exact.
Result<Tensor> ShiftedWeights(const NodeInfo& n) {
  const Tensor &w = *n.constant_inputs[3], &wz = *n.constant_inputs[5], &xz = *n.constant_inputs[2];
  int64_t m = w.shape()[0], per = w.num_elements() / std::max<int64_t>(1, m);
  if (wz.num_elements() != 1 && wz.num_elements() != m) return UnsupportedError("QLinearConv: w_zero_point size");
  Tensor f = Tensor::Zeros(DataType::kFloat32, w.shape());
  double max_w = 0;
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    int32_t v = Elem(w, i) - Elem(wz, wz.num_elements() == 1 ? 0 : i / per);
    f.data<float>()[i] = static_cast<float>(v);
    max_w = std::max(max_w, std::fabs(static_cast<double>(v)));
  }
  int32_t zx = Elem(xz, 0);
  double max_x = xz.dtype() == DataType::kUint8 ? std::max(zx, 255 - zx) : std::max(zx + 128, 127 - zx);
  double max_b = 0;
  if (n.num_inputs > 8 && n.constant_inputs[8]) {
    for (int64_t i = 0; i < n.constant_inputs[8]->num_elements(); ++i) {
      max_b = std::max(max_b, std::fabs(static_cast<double>(n.constant_inputs[8]->data<int32_t>()[i])));
    }
  }
  if (per * max_x * max_w + max_b >= double(1 << 24)) return UnsupportedError("QLinearConv: sums may exceed 2^24");
  return f;
}

Result<std::unique_ptr<Kernel>> MakeQLinearConv(const NodeInfo& n) {
  if (n.num_inputs < 8) return UnsupportedError("QLinearConv: missing inputs");
  for (int i = 1; i < 8; ++i) {
    if (!n.constant_inputs[i]) return UnsupportedError("QLinearConv: scales, zero points and weights must be constant");
  }
  auto c = [&](int i) { return n.constant_inputs[i]; };
  if (!IsInt8(c(2)) || !IsInt8(c(3)) || !IsInt8(c(5)) || !IsInt8(c(7)) || c(2)->num_elements() != 1 ||
      c(7)->num_elements() != 1 || c(1)->dtype() != DataType::kFloat32 || c(6)->dtype() != DataType::kFloat32 ||
      c(4)->dtype() != DataType::kFloat32 || c(1)->num_elements() != 1 || c(6)->num_elements() != 1 ||
      (c(4)->num_elements() != 1 && c(4)->num_elements() != c(3)->shape()[0])) {
    return UnsupportedError("QLinearConv: unsupported quantisation parameters");
  }
  bool has_bias = n.num_inputs > 8 && n.input_present[8];
  if (has_bias && (!c(8) || c(8)->dtype() != DataType::kInt32)) return UnsupportedError("QLinearConv: bias must be constant int32");
  CONFIDE_ASSIGN_OR_RETURN(Tensor w, ShiftedWeights(n));
  Tensor b;
  if (has_bias) {
    b = Tensor::Zeros(DataType::kFloat32, c(8)->shape());
    for (int64_t i = 0; i < b.num_elements(); ++i) b.data<float>()[i] = static_cast<float>(c(8)->data<int32_t>()[i]);
  }
  NodeInfo conv{.name = n.name, .op_type = "Conv", .domain = "", .opset = std::min(n.opset, kMaxSupportedOpset),
                .attrs = n.attrs, .num_inputs = has_bias ? 3 : 2, .num_outputs = 1,
                .constant_inputs = {nullptr, &w}, .input_present = {true, true}};
  if (has_bias) {
    conv.constant_inputs.push_back(&b);
    conv.input_present.push_back(true);
  }
  auto kernel = std::make_unique<QLinearConv>(n, w, b);
  CONFIDE_ASSIGN_OR_RETURN(kernel->conv_, MakeFloatConv(conv));
  return std::unique_ptr<Kernel>(std::move(kernel));
}

}  // namespace

void RegisterQLinearKernels(KernelRegistry* r) {
  r->Register({.op_type = "QLinearConv", .priority = kFastKernelPriority, .factory = MakeQLinearConv});
}

}  // namespace confide::engine::kernels::onednn
