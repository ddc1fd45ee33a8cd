// The one adapter between the engine and oneDNN 2.x (Debian libdnnl-dev 2.6, OpenMP threading).
// Every oneDNN call of the engine goes through the fast kernels in this folder; nothing else
// includes <dnnl.hpp>, so a port to oneDNN 3.x touches only kernels/onednn/.
//
//   RegisterOneDnnKernels(&registry);  // Conv, ConvTranspose, Gemm, MatMul, pools, int8 ops
//
// Threading: oneDNN runs on libgomp. Before every primitive execution the kernels set the calling
// thread's OpenMP team size to the engine's intra-op thread count (omp_set_num_threads is per
// calling thread), so results are deterministic for a fixed thread count and the two thread
// runtimes never run more than num_threads busy threads between them (kernel steps run one at a
// time on the run's thread; the engine's own pool is idle while oneDNN runs).
#ifndef CONFIDE_ENGINE_KERNELS_ONEDNN_ONEDNN_H_
#define CONFIDE_ENGINE_KERNELS_ONEDNN_ONEDNN_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "confide/engine/kernel.h"
#include "confide/engine/kernels/conv_util.h"
#include "confide/engine/lru_map.h"

namespace confide::engine::kernels::onednn {

// Registers every oneDNN kernel at kFastKernelPriority. Each factory declines (kUnsupported)
// what it does not handle, so the reference kernel stays the fallback.
void RegisterOneDnnKernels(KernelRegistry* r);
void RegisterConvKernels(KernelRegistry* r);    // conv.cc: Conv, ConvTranspose
void RegisterPointwiseConv(KernelRegistry* r);  // pointwise_conv.cc: 1x1 Conv as dnnl_sgemm
void RegisterMatMulKernels(KernelRegistry* r);  // matmul.cc: Gemm, MatMul
void RegisterPoolKernels(KernelRegistry* r);    // pool.cc: MaxPool, AveragePool, Global*
void RegisterQLinearKernels(KernelRegistry* r); // qlinear.cc: QLinearConv

// The fp32 Conv kernel of conv.cc for `n` (an op_type "Conv" node), for kernels built on it.
Result<std::unique_ptr<Kernel>> MakeFloatConv(const NodeInfo& n);

// The process-wide CPU engine (created on first use; thread safe).
const dnnl::engine& Engine();

using Args = std::unordered_map<int, dnnl::memory>;

// Executes `prim` on the calling thread's stream with `threads` OpenMP threads (the count it was
// created with, see ThreadsFor); the scratchpad (the primitive must use scratchpad_mode::user)
// comes from ctx.Scratch. Waits for completion. kInternal if oneDNN throws.
Status Execute(KernelContext& ctx, int threads, const dnnl::primitive& prim,
               const dnnl::memory::desc& scratch, Args args);

// The OpenMP threads for a primitive doing `flops` of work: the engine's intra-op thread count,
// or 1 below about 4 MFLOP, where a team's fork and barrier cost more than they save (and, on a
// loaded host, a spinning libgomp worker stalls the next region). Depends on the shape only, so
// results stay deterministic for a fixed thread count.
int ThreadsFor(KernelContext& ctx, double flops);
// Sets the calling thread's OpenMP team size. Call before creating a primitive too: oneDNN fixes
// a primitive's thread partitioning at creation.
void UseThreads(int threads);

// A plain row-major ("abcd...") descriptor of `dims`.
dnnl::memory::desc PlainDesc(const dnnl::memory::dims& dims, dnnl::memory::data_type dt);
// Wraps caller memory (not copied, not owned). `data` must hold desc.get_size() bytes.
dnnl::memory Wrap(const dnnl::memory::desc& desc, const void* data);

// Converts images between NCHW and NHWC (to_nhwc: NCHW -> NHWC); dims = {N, C, H, W}. A tiled
// transpose on the engine's thread pool; exact (moves values only).
void TransposeImages(KernelContext& ctx, const dnnl::memory::dims& dims, const float* src, float* dst,
                     bool to_nhwc);
// Converts images between NCHW and nChw{block}c, oneDNN's channel-blocked layout (to_blocked:
// NCHW -> blocked, whose padded channels of the last block become zeroes); dims = {N, C, H, W}.
// The same tiled transposes, one per block of channels; exact.
void CopyChannelBlocks(KernelContext& ctx, const dnnl::memory::dims& dims, int64_t block,
                       const float* src, float* dst, bool to_blocked);
// The block (16 or 8) if `md` is nChw16c or nChw8c of its dims, else 0.
int64_t ChannelBlockOf(const dnnl::memory::desc& md);

// Attributes with scratchpad_mode::user plus the fused "_act" post-op (kernel.h contract);
// kUnsupported for an activation oneDNN cannot express.
Result<dnnl::primitive_attr> AttrWithActivation(const Activation& act);

// Calls fn (which returns a Result) and maps a thrown dnnl::error to kUnsupported, so a factory
// declines a node oneDNN rejects and a run reports it instead of unwinding through the engine.
template <typename F>
auto Try(F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    return UnsupportedError(std::string("oneDNN: ") + e.what());
  }
}

// Objects built once per input-shape signature and then shared read-only by concurrent runs.
// Holds at most `capacity` shapes: a model with dynamic dims sees as many shapes as its callers
// send, and each entry holds primitives and their JIT code, so the least recently used entry is
// dropped to make room (a run still using it keeps it alive through its shared_ptr). The default
// matches Model's plan bound (engine.h); callers rotating through more shapes than that rebuild
// primitives on every run.
template <typename V>
class ShapeCache {
 public:
  static constexpr size_t kDefaultCapacity = 16;
  explicit ShapeCache(size_t capacity = kDefaultCapacity) : entries_(capacity) {}

  // The entry for `key`, building it with make() (Result<V>) on first use. Errors are not cached.
  template <typename Make>
  Result<std::shared_ptr<const V>> Get(const std::vector<int64_t>& key, Make&& make) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (std::shared_ptr<const V>* found = entries_.Find(key)) return *found;
    Result<V> made = Try([&]() -> Result<V> { return make(); });
    if (!made.ok()) return made.error();
    auto value = std::make_shared<const V>(std::move(made).value());
    entries_.Put(key, value);
    return std::shared_ptr<const V>(value);
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.size();
  }

 private:
  mutable std::mutex mu_;
  mutable LruMap<std::vector<int64_t>, std::shared_ptr<const V>> entries_;  // guarded by mu_
};

// A kernel's constant weights in the layouts its primitives ask for, held once: one copy per
// layout, shared by the plans of every input shape (oneDNN picks the same weight layout for most
// shapes of a node; a copy per shape grew memory with every new shape a caller sent). A layout
// equal to the stored one is used in place. Once a packed copy exists, the stored tensor is
// released, unless a plan already reads it in place. With the graph's copy dropped
// (Kernel::ReadsConstantInput, DropAdoptedConstants) the model then holds these weights once, in
// oneDNN's layout. Thread safe.
//
// The copies between layouts are our own element-by-element copy (CopyBetweenLayouts), not
// oneDNN reorder primitives: a process that never creates a reorder keeps about 0.7 MiB less of
// libdnnl's code resident.
class PackedWeights {
 public:
  // `weights` (float32) as stored by the model (empty for a kernel without constant weights).
  explicit PackedWeights(Tensor weights = Tensor());

  // The weights in layout `want`, reordered on first use. `stored` maps the stored bytes to
  // oneDNN's logical dims (the dims of `want`); a kernel passes the same one on every call.
  dnnl::memory Get(const dnnl::memory::desc& stored, const dnnl::memory::desc& want);
  // The weights in the stored layout (for a reference kernel): the stored tensor while it is
  // held, else a tensor unpacked from a packed copy once and kept (only models whose shapes
  // oneDNN declines pay for it).
  Tensor Stored();
  // Packed copies made so far, and whether the stored tensor is still held (for tests).
  size_t copies() const;
  bool holds_stored() const;

 private:
  Shape stored_shape_;
  mutable std::mutex mu_;
  dnnl::memory::desc stored_desc_;  // from the first Get; guarded by mu_
  // Released once packed_ is not empty, unless Get lent it in place to a plan (which keeps the
  // raw pointer). Guarded by mu_.
  Tensor stored_;
  bool stored_lent_ = false;
  Tensor unpacked_;  // Stored()'s copy once stored_ is gone; guarded by mu_
  std::vector<dnnl::memory> packed_;   // guarded by mu_
};

// A primitive with the layouts it was made for, shared by every plan that asks for the same one
// (the same op, shapes, layouts, post-ops and threads): the identical layers of a model, or of
// several models, then hold one copy of its JIT code and objects. oneDNN's own primitive cache
// is off (Engine()); this one holds an entry only while some plan holds it.
struct SharedPrimitive {
  dnnl::primitive primitive;
  dnnl::memory::desc src, weights, dst, scratchpad;
};
// The live SharedPrimitive for `key`, or a new one from `make` (called without the lock held).
// `key` must name everything `make` depends on. Thread safe.
Result<std::shared_ptr<const SharedPrimitive>> SharePrimitive(
    const std::string& key, const std::function<Result<SharedPrimitive>()>& make);
// SharedPrimitive objects alive (held by plans), for tests.
size_t SharedPrimitiveCount();

// Copies float32 `from` into `to`, both of the same logical dims, element by element through
// their blocked layouts; zeroes `to`'s padding. False (and nothing written) when either layout
// is not a plain blocked float32 one, so the caller uses a oneDNN reorder instead.
bool CopyBetweenLayouts(const dnnl::memory& from, const dnnl::memory& to);

}  // namespace confide::engine::kernels::onednn

#endif  // CONFIDE_ENGINE_KERNELS_ONEDNN_ONEDNN_H_
