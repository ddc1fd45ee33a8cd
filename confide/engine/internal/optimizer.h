// Graph rewrites before compilation: constant folding, fusions, then channels-last regions.
#ifndef CONFIDE_ENGINE_INTERNAL_OPTIMIZER_H_
#define CONFIDE_ENGINE_INTERNAL_OPTIMIZER_H_

#include <cstdint>
#include <unordered_map>

#include "confide/engine/internal/graph.h"
#include "confide/engine/kernel.h"

namespace confide::engine::internal {

// What FoldConstants does with a node whose evaluation fails (e.g. a malformed constant
// Reshape): return the error, naming the node, or keep the node unfolded, for a subgraph that
// may never run (an If branch not taken), so that the error comes only if it runs.
enum class FoldErrors { kReturn, kKeepNode };

// Evaluates every node whose inputs are all constants (and that has no subgraph) with the
// registry's kernels, turning its outputs into constants and dropping the node.
Status FoldConstants(Graph& graph, const KernelRegistry& registry, ThreadPool& pool,
                     FoldErrors errors = FoldErrors::kReturn);

// Pattern fusions (internal/fusion.cc): Conv+BatchNormalization folding, Conv/Gemm+Relu/Clip,
// MatMul+Add → MatMul with a bias, x*HardSigmoid(x) → HardSwish. Each keeps results within float rounding.
void FuseGraph(Graph& graph);

// Channels-last regions (internal/layout.cc), after fusion: a 2-D Conv output that only 2-D
// Convs, or Transposes by (0, 2, 3, 1), read (as their input 0) stays NHWC between them, so the
// NCHW<->NHWC transposes around oneDNN's channels-last convolutions run only where a region
// starts or ends. Marks producers "_nhwc_out" and readers "_nhwc_in". A node takes part only if
// the registry's kernel for it, made with the attributes set, HandlesChannelsLast(); with the
// reference kernels no Conv does.
void AssignChannelsLast(Graph& graph, const KernelRegistry& registry);

// Drops nodes none of whose outputs is used (after folding), and constants no node reads.
void RemoveDeadNodes(Graph& graph);

// Makes equal constants (same dtype, shape and bytes) share one buffer, across every graph it is
// given: the branches of an If often fold the same weights each on their own.
class ConstantSharer {
 public:
  // Replaces each constant of `graph` by an equal one seen before, if any, and remembers the rest.
  void Share(Graph& graph);

 private:
  std::unordered_multimap<uint64_t, Tensor> seen_;  // by a hash of dtype, shape and bytes
};

}  // namespace confide::engine::internal

#endif  // CONFIDE_ENGINE_INTERNAL_OPTIMIZER_H_
