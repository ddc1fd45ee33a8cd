#include "confide/engine/kernels/onednn/onednn.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace confide::engine::kernels::onednn {

const dnnl::engine& Engine() {
  static const dnnl::engine* engine = [] {
    // oneDNN's own primitive cache (1,024 primitives by default) would keep every primitive, with
    // its JIT code, after the kernels' ShapeCaches drop it: rec at 40 input widths grew to
    // 353 MiB instead of 137. The kernels keep what they use; a single shape also peaked lower
    // without it (rec 49 MiB against 56).
    dnnl::set_primitive_cache_capacity(0);
    return new dnnl::engine(dnnl::engine::kind::cpu, 0);
  }();
  return *engine;
}

Status Execute(KernelContext& ctx, int threads, const dnnl::primitive& prim,
               const dnnl::memory::desc& scratch, Args args) {
  if (size_t size = scratch.get_size(); size > 0) {
    CONFIDE_ASSIGN_OR_RETURN(void* p, ctx.Scratch(size));
    args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(scratch, Engine(), p));
  }
  UseThreads(threads);
  try {
    thread_local dnnl::stream stream(Engine());
    prim.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    return InternalError(std::string("oneDNN execute: ") + e.what());
  }
  return OkStatus();
}

namespace {

// dst (cols x rows, leading dimension ldd) = transpose of the 8x8 block at src (ld lds).
__attribute__((target("avx2"))) inline void Transpose8x8(const float* src, int64_t lds, float* dst,
                                                          int64_t ldd) {
  __m256 r[8], t[8];
  for (int k = 0; k < 8; ++k) r[k] = _mm256_loadu_ps(src + k * lds);
  for (int k = 0; k < 8; k += 2) {
    t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
    t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
  }
  for (int k = 0; k < 8; k += 4) {
    r[k] = _mm256_shuffle_ps(t[k], t[k + 2], 0x44);
    r[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], 0xEE);
    r[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0x44);
    r[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], 0xEE);
  }
  for (int k = 0; k < 4; ++k) {
    _mm256_storeu_ps(dst + k * ldd, _mm256_permute2f128_ps(r[k], r[k + 4], 0x20));
    _mm256_storeu_ps(dst + (k + 4) * ldd, _mm256_permute2f128_ps(r[k], r[k + 4], 0x31));
  }
}

// Three rows (an RGB image, NCHW to NHWC): eight columns of each row become 24 interleaved
// floats x0 y0 z0 x1 y1 z1 ..., by one lane permute per row and output vector plus two blends.
// Returns the first column it did not do.
__attribute__((target("avx2"))) int64_t InterleaveThreeRows(const float* src, int64_t cols, float* dst, int64_t c0,
                                                             int64_t c1) {
  const __m256i px[3] = {_mm256_setr_epi32(0, 0, 0, 1, 0, 0, 2, 0), _mm256_setr_epi32(0, 3, 0, 0, 4, 0, 0, 5),
                         _mm256_setr_epi32(0, 0, 6, 0, 0, 7, 0, 0)};
  const __m256i py[3] = {_mm256_setr_epi32(0, 0, 0, 0, 1, 0, 0, 2), _mm256_setr_epi32(0, 0, 3, 0, 0, 4, 0, 0),
                         _mm256_setr_epi32(5, 0, 0, 6, 0, 0, 7, 0)};
  const __m256i pz[3] = {_mm256_setr_epi32(0, 0, 0, 0, 0, 1, 0, 0), _mm256_setr_epi32(2, 0, 0, 3, 0, 0, 4, 0),
                         _mm256_setr_epi32(0, 5, 0, 0, 6, 0, 0, 7)};
  int64_t j = c0;
  for (; j + 8 <= c1; j += 8) {
    __m256 x = _mm256_loadu_ps(src + j), y = _mm256_loadu_ps(src + cols + j), z = _mm256_loadu_ps(src + 2 * cols + j);
    float* d = dst + j * 3;
    // Output vector k takes y in the slots of mask ym[k] and z in zm[k] (blend immediates).
    __m256 o0 = _mm256_blend_ps(_mm256_permutevar8x32_ps(x, px[0]), _mm256_permutevar8x32_ps(y, py[0]), 0x92);
    __m256 o1 = _mm256_blend_ps(_mm256_permutevar8x32_ps(x, px[1]), _mm256_permutevar8x32_ps(y, py[1]), 0x24);
    __m256 o2 = _mm256_blend_ps(_mm256_permutevar8x32_ps(x, px[2]), _mm256_permutevar8x32_ps(y, py[2]), 0x49);
    _mm256_storeu_ps(d, _mm256_blend_ps(o0, _mm256_permutevar8x32_ps(z, pz[0]), 0x24));
    _mm256_storeu_ps(d + 8, _mm256_blend_ps(o1, _mm256_permutevar8x32_ps(z, pz[1]), 0x49));
    _mm256_storeu_ps(d + 16, _mm256_blend_ps(o2, _mm256_permutevar8x32_ps(z, pz[2]), 0x92));
  }
  return j;
}

// dst (cols x rows) = transpose of src (rows x cols), for source columns [c0, c1). 16x16 tiles
// so every load and store covers whole cache lines; columns outermost so each output row is
// written in one sweep. Compiled for AVX2 and picked at run time (CI and TEE CPUs differ).
__attribute__((target("avx2"))) void TransposeColsAvx2(const float* src, int64_t rows, int64_t cols,
                                                        float* dst, int64_t c0, int64_t c1) {
  int64_t rows8 = rows / 8 * 8;
  int64_t j = rows == 3 ? InterleaveThreeRows(src, cols, dst, c0, c1) : c0;
  for (; j + 8 <= c1; j += 8) {
    for (int64_t i = 0; i < rows8; i += 8) Transpose8x8(src + i * cols + j, cols, dst + j * rows + i, rows);
    for (int64_t i = rows8; i < rows; ++i) {
      for (int64_t k = 0; k < 8; ++k) dst[(j + k) * rows + i] = src[i * cols + j + k];
    }
  }
  for (; j < c1; ++j) {
    for (int64_t i = 0; i < rows; ++i) dst[j * rows + i] = src[i * cols + j];
  }
}

void TransposeColsPlain(const float* src, int64_t rows, int64_t cols, float* dst, int64_t c0, int64_t c1) {
  for (int64_t j = c0; j < c1; ++j) {
    for (int64_t i = 0; i < rows; ++i) dst[j * rows + i] = src[i * cols + j];
  }
}

void TransposeCols(const float* src, int64_t rows, int64_t cols, float* dst, int64_t c0, int64_t c1) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  (avx2 ? TransposeColsAvx2 : TransposeColsPlain)(src, rows, cols, dst, c0, c1);
}

}  // namespace

void TransposeImages(KernelContext& ctx, const dnnl::memory::dims& dims, const float* src, float* dst,
                     bool to_nhwc) {
  int64_t c = dims[1], hw = dims[2] * dims[3];
  int64_t rows = to_nhwc ? c : hw, cols = to_nhwc ? hw : c;
  for (int64_t n = 0; n < dims[0]; ++n) {
    const float* s = src + n * c * hw;
    float* d = dst + n * c * hw;
    // Chunks of 16 source columns keep the 8x8 blocks whole and every store line-aligned.
    int64_t blocks = (cols + 15) / 16;
    ctx.threads().ParallelFor(
        blocks, [&](int64_t b0, int64_t b1) { TransposeCols(s, rows, cols, d, b0 * 16, std::min(cols, b1 * 16)); },
        std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(1, rows * 16)));
  }
}

void CopyChannelBlocks(KernelContext& ctx, const dnnl::memory::dims& dims, int64_t block,
                       const float* src, float* dst, bool to_blocked) {
  const int64_t c = dims[1], hw = dims[2] * dims[3], blocks = (c + block - 1) / block;
  for (int64_t n = 0; n < dims[0]; ++n) {
    const float* s = src + n * (to_blocked ? c : blocks * block) * hw;
    float* d = dst + n * (to_blocked ? blocks * block : c) * hw;
    ctx.threads().ParallelFor(
        blocks,
        [&](int64_t b0, int64_t b1) {
          for (int64_t b = b0; b < b1; ++b) {
            const int64_t c0 = b * block, nc = std::min(block, c - c0);
            float* blocked = to_blocked ? d + c0 * hw : nullptr;
            if (!to_blocked) {  // [hw][block] -> the block's nc channel planes
              TransposeCols(s + c0 * hw, hw, block, d + c0 * hw, 0, nc);
            } else if (nc == block) {  // nc channel planes -> [hw][block]
              TransposeCols(s + c0 * hw, block, hw, blocked, 0, hw);
            } else {  // the last, padded block
              for (int64_t p = 0; p < hw; ++p) {
                for (int64_t k = 0; k < block; ++k) {
                  blocked[p * block + k] = k < nc ? s[(c0 + k) * hw + p] : 0.f;
                }
              }
            }
          }
        },
        std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(1, hw * block)));
  }
}

namespace {

struct PrimitiveRegistry {
  std::mutex mu;
  std::unordered_map<std::string, std::weak_ptr<const SharedPrimitive>> live;  // guarded by mu

  // Drops the keys of expired entries once there are twice as many keys as at the last sweep.
  void SweepLocked() {
    if (live.size() < 2 * swept_size) return;
    for (auto it = live.begin(); it != live.end();)
      it = it->second.expired() ? live.erase(it) : ++it;
    swept_size = std::max<size_t>(64, live.size());
  }
  size_t swept_size = 64;
};

PrimitiveRegistry& Primitives() {
  static PrimitiveRegistry* registry = new PrimitiveRegistry;
  return *registry;
}

std::atomic<size_t> g_live_primitives{0};  // SharedPrimitive objects alive

}  // namespace

Result<std::shared_ptr<const SharedPrimitive>> SharePrimitive(
    const std::string& key, const std::function<Result<SharedPrimitive>()>& make) {
  PrimitiveRegistry& r = Primitives();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.live.find(key);
    if (it != r.live.end()) {
      if (auto found = it->second.lock()) return found;
    }
  }
  CONFIDE_ASSIGN_OR_RETURN(SharedPrimitive made, make());
  ++g_live_primitives;
  std::shared_ptr<const SharedPrimitive> fresh(new SharedPrimitive(std::move(made)),
                                               [](const SharedPrimitive* p) {
                                                 --g_live_primitives;
                                                 delete p;
                                               });
  std::lock_guard<std::mutex> lock(r.mu);
  std::weak_ptr<const SharedPrimitive>& slot = r.live[key];
  if (auto other = slot.lock()) return other;  // another thread made it meanwhile
  slot = fresh;
  r.SweepLocked();
  return std::shared_ptr<const SharedPrimitive>(std::move(fresh));
}

size_t SharedPrimitiveCount() { return g_live_primitives.load(); }

int64_t ChannelBlockOf(const dnnl::memory::desc& md) {
  if (md.dims().size() != 4 || md.data_type() != dnnl::memory::data_type::f32) return 0;
  using Tag = dnnl::memory::format_tag;
  if (md == dnnl::memory::desc(md.dims(), md.data_type(), Tag::nChw16c)) return 16;
  if (md == dnnl::memory::desc(md.dims(), md.data_type(), Tag::nChw8c)) return 8;
  return 0;
}

int ThreadsFor(KernelContext& ctx, double flops) {
  constexpr double kMinParallelFlops = 4e6;
  return flops < kMinParallelFlops ? 1 : ctx.threads().num_threads();
}

void UseThreads(int threads) {
  // An OpenMP ICV of the calling thread, so concurrent runs with other counts are safe.
  if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
}

dnnl::memory::desc PlainDesc(const dnnl::memory::dims& dims, dnnl::memory::data_type dt) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * dims[i + 1];
  return dnnl::memory::desc(dims, dt, strides);
}

dnnl::memory Wrap(const dnnl::memory::desc& desc, const void* data) {
  // oneDNN takes a non-const handle; kernels only ever read through wrapped inputs.
  return dnnl::memory(desc, Engine(), const_cast<void*>(data));
}

PackedWeights::PackedWeights(Tensor weights)
    : stored_shape_(weights.shape()), stored_(std::move(weights)) {}

namespace {

// Whether `md` is a blocked layout with nothing beyond its strides and inner blocks (no int8
// compensation or scale adjustment, no offsets), which BlockedOffset can address and whose
// buffer starts at its first element.
bool PlainBlocked(const dnnl_memory_desc_t& md) {
  if (md.format_kind != dnnl_blocked || md.extra.flags != dnnl_memory_extra_flag_none ||
      md.ndims <= 0 || md.ndims > DNNL_MAX_NDIMS || md.offset0 != 0) {
    return false;
  }
  return std::all_of(md.padded_offsets, md.padded_offsets + md.ndims,
                     [](int64_t offset) { return offset == 0; });
}

// The element offset of logical index `index` in blocked layout `md` (as oneDNN's
// memory_desc_wrapper::off_v computes it): inner blocks innermost, then the outer strides.
int64_t BlockedOffset(const dnnl_memory_desc_t& md, const int64_t* index) {
  const dnnl_blocking_desc_t& blk = md.format_desc.blocking;
  int64_t pos[DNNL_MAX_NDIMS];
  for (int d = 0; d < md.ndims; ++d) pos[d] = index[d] + md.padded_offsets[d];
  int64_t offset = md.offset0, block_stride = 1;
  for (int i = blk.inner_nblks - 1; i >= 0; --i) {
    const int d = static_cast<int>(blk.inner_idxs[i]);
    offset += pos[d] % blk.inner_blks[i] * block_stride;
    pos[d] /= blk.inner_blks[i];
    block_stride *= blk.inner_blks[i];
  }
  for (int d = 0; d < md.ndims; ++d) offset += pos[d] * blk.strides[d];
  return offset;
}

void Reorder(dnnl::memory from, dnnl::memory to) {
  if (CopyBetweenLayouts(from, to)) return;
  dnnl::stream stream(Engine());
  dnnl::reorder(from, to).execute(stream, from, to);
  stream.wait();
}

}  // namespace

bool CopyBetweenLayouts(const dnnl::memory& from, const dnnl::memory& to) {
  const dnnl_memory_desc_t& a = from.get_desc().data;
  const dnnl_memory_desc_t& b = to.get_desc().data;
  if (!PlainBlocked(a) || !PlainBlocked(b) || a.ndims != b.ndims || a.data_type != dnnl_f32 ||
      b.data_type != dnnl_f32) {
    return false;
  }
  int64_t total = 1;
  for (int d = 0; d < b.ndims; ++d) {
    if (a.dims[d] != b.dims[d] || b.padded_dims[d] < b.dims[d]) return false;
    total *= b.padded_dims[d];
  }
  const float* src = static_cast<const float*>(from.get_data_handle());
  float* dst = static_cast<float*>(to.get_data_handle());
  std::memset(dst, 0, to.get_desc().get_size());  // padding, and any gap between blocks
  int64_t index[DNNL_MAX_NDIMS] = {};
  const int last = b.ndims - 1;
  for (int64_t n = 0; n < total; ++n) {
    bool inside = true;
    for (int d = 0; d < b.ndims; ++d) inside = inside && index[d] < b.dims[d];
    if (inside) dst[BlockedOffset(b, index)] = src[BlockedOffset(a, index)];
    for (int d = last; d >= 0 && ++index[d] == b.padded_dims[d]; --d) {
      if (d > 0) index[d] = 0;
    }
  }
  return true;
}

dnnl::memory PackedWeights::Get(const dnnl::memory::desc& stored, const dnnl::memory::desc& want) {
  std::lock_guard<std::mutex> lock(mu_);
  stored_desc_ = stored;
  if (want == stored_desc_ && !stored_.empty()) {
    stored_lent_ = true;  // a plan now reads stored_ in place: it must outlive that plan
    return Wrap(stored_desc_, stored_.raw_data());
  }
  for (const dnnl::memory& m : packed_) {
    if (m.get_desc() == want) return m;
  }
  dnnl::memory packed(want, Engine());
  Reorder(stored_.empty() ? packed_.front() : Wrap(stored_desc_, stored_.raw_data()), packed);
  packed_.push_back(packed);
  if (!stored_lent_) stored_ = Tensor();  // the packed copy serves every later layout
  return packed;
}

Tensor PackedWeights::Stored() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stored_.empty()) return stored_;
  if (unpacked_.empty()) {  // packed_ is not empty here, so Get has set stored_desc_
    // stored_desc_ maps the stored bytes to oneDNN's dims, so this rebuilds the stored bytes.
    unpacked_ = Tensor::Zeros(DataType::kFloat32, stored_shape_);
    Reorder(packed_.front(), Wrap(stored_desc_, unpacked_.raw_data()));
  }
  return unpacked_;
}

size_t PackedWeights::copies() const {
  std::lock_guard<std::mutex> lock(mu_);
  return packed_.size();
}

bool PackedWeights::holds_stored() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !stored_.empty();
}

Result<dnnl::primitive_attr> AttrWithActivation(const Activation& act) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::post_ops ops;
  switch (act.kind) {
    case Activation::Kind::kNone:
      break;
    case Activation::Kind::kRelu:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      break;
    case Activation::Kind::kLeakyRelu:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, act.alpha, 0.f);
      break;
    case Activation::Kind::kHardSwish:  // x * relu6(x + 3) / 6 in oneDNN 2.x (alpha, beta unused)
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_hardswish, 0.f, 0.f);
      break;
    case Activation::Kind::kClip: {
      // clip_v2 is min(max(x, lo), hi) like ONNX Clip; infinite bounds become the float range.
      if (std::isnan(act.lo) || std::isnan(act.hi)) return UnsupportedError("Clip bound is NaN");
      float lo = std::isinf(act.lo) ? (act.lo < 0 ? -FLT_MAX : FLT_MAX) : act.lo;
      float hi = std::isinf(act.hi) ? (act.hi < 0 ? -FLT_MAX : FLT_MAX) : act.hi;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip_v2, lo, hi);
      break;
    }
  }
  if (act.has_affine()) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, act.scale, act.shift);
  attr.set_post_ops(ops);
  return attr;
}

void RegisterOneDnnKernels(KernelRegistry* r) {
  RegisterConvKernels(r);
  RegisterMatMulKernels(r);
  RegisterPoolKernels(r);
  RegisterQLinearKernels(r);
  RegisterPointwiseConv(r);
}

}  // namespace confide::engine::kernels::onednn
