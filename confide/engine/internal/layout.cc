// Channels-last regions between convolutions (see AssignChannelsLast in optimizer.h).
//
// oneDNN's fastest fp32 convolutions here (brgconv, brgconv_1x1 and brdgmm depthwise on
// AVX-512) read and write NHWC. Tensors between kernels are NCHW, so each such Conv used to
// transpose its input in and its output out. Where a Conv's output is read only by Convs, the
// transposes cancel: this pass marks that value channels-last, and both sides skip them.
#include "confide/engine/internal/executor.h"
#include "confide/engine/internal/optimizer.h"

namespace confide::engine::internal {
namespace {

Attribute IntAttribute(int64_t v) {
  Attribute a;
  a.type = Attribute::Type::kInt;
  a.i = v;
  return a;
}

// What node `n` can do channels-last: read its input 0, write its output 0.
struct Capability {
  bool reads = false, writes = false;
};

// Whether the registry's kernel for `n`, made with `attrs` added, HandlesChannelsLast().
bool KernelHandles(const Graph& g, const Node& n, const KernelRegistry& registry, std::vector<const char*> added) {
  AttributeMap attrs = n.attrs;
  for (const char* name : added) attrs[name] = IntAttribute(1);
  NodeInfo info = MakeNodeInfo(g, n);
  info.attrs = &attrs;
  auto kernel = registry.Create(info);
  return kernel.ok() && (*kernel)->HandlesChannelsLast();
}

// Only two ops are asked (asking makes a kernel): a 2-D Conv (constant float32 4-D weights),
// which may do both, and Transpose, which may read (kernels/transpose.cc).
Capability ChannelsLastCapability(const Graph& g, const Node& n, const KernelRegistry& registry) {
  if (!n.domain.empty() || n.inputs.empty() || n.outputs.size() != 1) return {};
  if (n.op_type == "Transpose") return {.reads = KernelHandles(g, n, registry, {"_nhwc_in"})};
  if (n.op_type != "Conv" || n.inputs.size() < 2) return {};
  const Tensor* w = g.Constant(n.inputs[1]);
  if (!w || w->dtype() != DataType::kFloat32 || w->shape().size() != 4) return {};
  bool both = KernelHandles(g, n, registry, {"_nhwc_in", "_nhwc_out"});
  return {.reads = both, .writes = both};
}

}  // namespace

void AssignChannelsLast(Graph& g, const KernelRegistry& registry) {
  std::vector<Capability> can(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) can[i] = ChannelsLastCapability(g, g.nodes[i], registry);
  // Per value: its producing node, the nodes that read it channels-last as input 0, and whether
  // anything else reads it (another input slot, another op, a subgraph, the graph's outputs).
  std::vector<int> producer(g.values.size(), -1);
  std::vector<std::vector<int>> readers(g.values.size());
  std::vector<bool> other_reader(g.values.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      int in = n.inputs[k];
      if (in < 0) continue;
      if (can[i].reads && k == 0) {
        readers[in].push_back(static_cast<int>(i));
      } else {
        other_reader[in] = true;
      }
    }
    for (int in : n.implicit_inputs) {
      if (in >= 0) other_reader[in] = true;
    }
    for (int out : n.outputs) {
      if (out >= 0) producer[out] = static_cast<int>(i);
    }
  }
  for (int out : g.outputs) other_reader[out] = true;
  for (size_t v = 0; v < g.values.size(); ++v) {
    int p = producer[v];
    if (p < 0 || !can[p].writes || other_reader[v] || readers[v].empty() || g.Constant(static_cast<int>(v))) continue;
    g.nodes[p].attrs["_nhwc_out"] = IntAttribute(1);
    for (int r : readers[v]) g.nodes[r].attrs["_nhwc_in"] = IntAttribute(1);
  }
}

}  // namespace confide::engine::internal
