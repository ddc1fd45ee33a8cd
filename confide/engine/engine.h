// The inference engine's public API: load an ONNX model from bytes, describe it, run it.
//
//   CONFIDE_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
//                            Model::Load(onnx_bytes, {.num_threads = 2,
//                                                     .memory_budget_bytes = 64 << 20}));
//   Tensor x = Tensor::Zeros(DataType::kFloat32, {1, 1, 28, 28});
//   CONFIDE_ASSIGN_OR_RETURN(NamedTensors out, model->Run({{"Input3", x}}));
#ifndef CONFIDE_ENGINE_ENGINE_H_
#define CONFIDE_ENGINE_ENGINE_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/engine/kernel.h"
#include "confide/engine/lru_map.h"
#include "confide/engine/tensor.h"

namespace confide::engine {

namespace internal {
struct Graph;
struct CompiledGraph;
struct MemoryPlan;
}  // namespace internal

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct LoadOptions {
  int num_threads = 0;  // intra-op threads; <= 0 means the number of cores
  // Refuse a model whose planned arena (intermediates + kernel scratch) exceeds this; 0 = no limit.
  // Weights are not counted (see ModelInfo::weight_bytes). A run also fails, before allocating,
  // when one buffer it would take from the heap (an output, or an intermediate of a first run
  // that plans) is larger than this.
  size_t memory_budget_bytes = 0;
  // Kernels to use; null means DefaultKernelRegistry() (reference + oneDNN). Must outlive the model.
  const KernelRegistry* registry = nullptr;
  bool optimize = true;  // constant folding and fusions
};

// A graph input or output. dims[i] < 0 means symbolic; then symbols[i] is its name ("" unknown).
struct TensorDesc {
  std::string name;
  DataType dtype = DataType::kUndefined;
  bool has_shape = false;
  std::vector<int64_t> dims;
  std::vector<std::string> symbols;
  std::string ShapeString() const;  // "[N,3,224,224]", "?" when the rank is unknown
};

struct ModelInfo {
  int64_t ir_version = 0;
  std::string producer_name;
  std::map<std::string, int> opsets;      // domain ("" = ai.onnx) → version
  std::map<std::string, int> op_counts;   // op type ("domain:op" outside ai.onnx) → nodes, as loaded
  int num_nodes_optimized = 0;            // nodes left after folding and fusion
  std::vector<TensorDesc> inputs;
  std::vector<TensorDesc> outputs;
  size_t weight_bytes = 0;                // initializers and folded constants
  // Planned arena bytes, known at load when every input dim is static; otherwise 0 until a run
  // plans for concrete shapes (see Model::PlannedArenaBytes).
  size_t planned_peak_bytes = 0;
};

// A loaded model. Thread safe: many threads may call Run at once. Each run gets its own arena;
// kernels and weights are shared read-only.
//
// Memory plans: a plan is computed per input-shape signature by a planning run that records the
// size of every intermediate and every kernel's scratch, then places them in one arena by
// lifetime (greedy best-fit by size). A model whose inputs are all static is planned at load
// (running once on zero inputs); a model with symbolic input dims is planned on the first run of
// each new signature, and that first run allocates from the heap. Plans are cached per signature.
class Model {
 public:
  // Parses, validates, optimizes and compiles. kMalformed for bad bytes or graphs, kUnsupported
  // for unknown ops/opsets/domains/dtypes or external data, kInvalidArgument when the plan exceeds
  // memory_budget_bytes (the message gives needed and allowed bytes). `bytes` is not retained.
  static Result<std::unique_ptr<Model>> Load(ByteSpan bytes, const LoadOptions& options = {});
  ~Model();

  const ModelInfo& info() const { return info_; }

  // Runs the model. Every graph input must be given exactly once, by name, with the declared
  // dtype and with static dims equal to the declared ones (a symbol bound twice must agree);
  // kInvalidArgument otherwise. Returns the outputs in graph order, each owning its buffer. Input
  // buffers are only read and need to live until Run returns.
  Result<NamedTensors> Run(const NamedTensors& inputs) const;

  // The arena bytes the plan for these input shapes needs (planning now if necessary).
  Result<size_t> PlannedArenaBytes(const std::vector<Shape>& input_shapes) const;

 private:
  Model() = default;
  Result<std::vector<Tensor>> CheckInputs(const NamedTensors& inputs) const;
  Result<std::shared_ptr<const internal::MemoryPlan>> PlanFor(const std::vector<Tensor>& inputs,
                                                              std::vector<Tensor>* outputs) const;
  Status CheckBudget(size_t arena_size) const;

  // Arenas are reused across runs instead of allocated per run: a fresh multi-MiB allocation per
  // run made glibc raise its mmap threshold and then grow and fragment the heap (ultraface: 23 MiB
  // anonymous RSS for a 7 MiB plan). At most kMaxIdleArenas idle ones are kept. Each is a uint8
  // Tensor, so a large one has its own mapping (tensor.cc) and never pins the heap.
  Tensor TakeArena(size_t size) const;  // uint8, at least `size` bytes
  void ReturnArena(Tensor arena) const;
  static constexpr size_t kMaxIdleArenas = 4;

  LoadOptions options_;
  ModelInfo info_;
  std::shared_ptr<internal::Graph> graph_;
  std::shared_ptr<const internal::CompiledGraph> compiled_;
  std::unique_ptr<ThreadPool> pool_;
  mutable std::mutex mu_;
  // Memory plans by input-shape signature, at most kMaxPlans (the least recently used is dropped
  // first): a model with symbolic dims sees as many shapes as its callers send. The same bound
  // as the oneDNN kernels' per-shape caches, so a kept plan's primitives are kept too.
  static constexpr size_t kMaxPlans = 16;
  // Guarded by mu_.
  mutable LruMap<std::string, std::shared_ptr<const internal::MemoryPlan>> plans_{kMaxPlans};
  mutable std::atomic<bool> budget_exceeded_{false};  // set when a plan was refused
  mutable std::mutex arena_mu_;
  mutable std::vector<Tensor> idle_arenas_;  // guarded by arena_mu_
};

}  // namespace confide::engine

#endif  // CONFIDE_ENGINE_ENGINE_H_
