// Compiles a Graph into steps with kernels, and runs it, with or without a memory plan.
#ifndef CONFIDE_ENGINE_INTERNAL_EXECUTOR_H_
#define CONFIDE_ENGINE_INTERNAL_EXECUTOR_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "confide/engine/internal/graph.h"
#include "confide/engine/kernel.h"

namespace confide::engine::internal {

struct CompiledGraph;

struct Step {
  const Node* node = nullptr;
  std::unique_ptr<Kernel> kernel;
  std::map<std::string, std::shared_ptr<const CompiledGraph>, std::less<>> subgraphs;
};

struct CompiledGraph {
  std::shared_ptr<const Graph> graph;
  std::vector<Step> steps;
  // Per value: the step that produces it (-1: input, constant or outer) and the last step that
  // reads it (steps.size() for graph outputs, -1 if never read).
  std::vector<int> def_step;
  std::vector<int> last_use;
};

// What a kernel factory is told about node `n` of `g` (attrs point into `n`).
NodeInfo MakeNodeInfo(const Graph& g, const Node& n);

// Creates a kernel for every node (recursively for subgraphs). kUnsupported names the node.
Result<std::shared_ptr<const CompiledGraph>> Compile(std::shared_ptr<const Graph> graph,
                                                     const KernelRegistry& registry);

// Drops from g.constants (the graph `cg` was compiled from) every constant whose readers' kernels
// all keep their own copy (Kernel::ReadsConstantInput false), so its bytes are held once, by
// those kernels; the same in every subgraph, each with its own constants. Constants that are
// graph outputs or read from a subgraph stay. Returns the bytes dropped. Only while loading:
// it changes the subgraphs `cg` holds.
size_t DropAdoptedConstants(Graph& g, const CompiledGraph& cg);

// Where each intermediate lives in one arena. Offsets are -1 for values outside the arena
// (inputs, constants, graph outputs, values the plan never saw).
struct MemoryPlan {
  size_t arena_size = 0;
  std::vector<int64_t> value_offset;
  std::vector<size_t> value_size;
  std::vector<int64_t> scratch_offset;  // per step
  std::vector<size_t> scratch_size;
};

// What a planning run observed: the byte size of every value and the scratch of every step.
struct RunRecord {
  std::vector<size_t> value_size;
  std::vector<size_t> scratch_size;
};

// Greedy best-fit placement of the recorded buffers by lifetime (internal/planner.cc).
MemoryPlan PlanMemory(const CompiledGraph& cg, const RunRecord& record);

// Names visible from an enclosing graph while a subgraph runs.
struct OuterScope {
  const Graph* graph = nullptr;
  const std::vector<Tensor>* values = nullptr;
  const OuterScope* parent = nullptr;
  const Tensor* Lookup(const std::string& name) const;
};

struct ExecuteOptions {
  ThreadPool* pool = nullptr;
  const MemoryPlan* plan = nullptr;  // null: every buffer from the heap
  RunRecord* record = nullptr;       // non-null: record sizes for planning
  const OuterScope* outer = nullptr;
  // With `plan`: an arena of at least plan->arena_size bytes, 64-byte aligned, owned by the
  // caller (Model reuses them across runs); null: Execute allocates one for this run.
  uint8_t* arena = nullptr;
  // A heap allocation for one output or scratch buffer larger than this fails the run
  // (kInvalidArgument) instead of being made, and sets *over_budget (if given) to its size;
  // 0 = no limit. Model passes memory_budget_bytes.
  size_t max_buffer_bytes = 0;
  size_t* over_budget = nullptr;
};

// Runs `cg` on `inputs` (in graph.inputs order, already checked). Returns the graph outputs,
// each owning its buffer.
Result<std::vector<Tensor>> Execute(const CompiledGraph& cg, const std::vector<Tensor>& inputs,
                                    const ExecuteOptions& opts);

}  // namespace confide::engine::internal

#endif  // CONFIDE_ENGINE_INTERNAL_EXECUTOR_H_
