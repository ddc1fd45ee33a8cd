// Channels-last regions between convolutions (see AssignChannelsLast in optimizer.h).
//
// oneDNN's fastest fp32 convolutions here (brgconv, brgconv_1x1 and brdgmm depthwise on
// AVX-512) read and write NHWC. Tensors between kernels are NCHW, so each such Conv used to
// transpose its input in and its output out. Where a Conv's output is read only by nodes that
// can take it channels-last, the transposes cancel: this pass marks that value channels-last,
// and both sides skip them.
//
// Three roles (the kernels say which they can take, see ChannelsLastRole):
//   Conv         reads input 0 and writes output 0 channels-last, each side on its own;
//   Reader       reads input 0 channels-last (Transpose by (0, 2, 3, 1));
//   Elementwise  all its runtime inputs and its output channels-last, or none of them (Add,
//                Mul, Relu, ..., Concat on the channel axis; constant inputs must be scalars).
#include <string>
#include <vector>

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

enum class Role { kNone, kConv, kReader, kElementwise };

// Whether the registry's kernel for `n`, made with `attrs` added, HandlesChannelsLast().
bool KernelHandles(const Graph& g, const Node& n, const KernelRegistry& registry,
                   const std::vector<const char*>& added) {
  AttributeMap attrs = n.attrs;
  for (const char* name : added) {
    attrs[name] = IntAttribute(1);
  }
  NodeInfo info = MakeNodeInfo(g, n);
  info.attrs = &attrs;
  auto kernel = registry.Create(info);
  return kernel.ok() && (*kernel)->HandlesChannelsLast();
}

bool IsElementwiseOp(const std::string& op) {
  for (const char* e : {"Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "Clip", "Sigmoid",
                        "HardSigmoid", "HardSwish", "Exp", "Concat"}) {
    if (op == e) return true;
  }
  return false;
}

// Only these ops are asked (asking makes a kernel): a 2-D Conv (constant float32 4-D weights),
// Transpose (kernels/transpose.cc), and the elementwise ops and Concat when every constant
// input is a single value (kernels/fast/elementwise.cc, kernels/concat.cc).
Role ChannelsLastRole(const Graph& g, const Node& n, const KernelRegistry& registry) {
  if (!n.domain.empty() || n.inputs.empty() || n.outputs.size() != 1 ||
      !n.implicit_inputs.empty()) {
    return Role::kNone;
  }
  if (n.op_type == "Transpose") {
    return KernelHandles(g, n, registry, {"_nhwc_in"}) ? Role::kReader : Role::kNone;
  }
  if (n.op_type == "Conv") {
    const Tensor* w = n.inputs.size() > 1 ? g.Constant(n.inputs[1]) : nullptr;
    if (!w || w->dtype() != DataType::kFloat32 || w->shape().size() != 4) return Role::kNone;
    return KernelHandles(g, n, registry, {"_nhwc_in", "_nhwc_out"}) ? Role::kConv : Role::kNone;
  }
  if (!IsElementwiseOp(n.op_type)) return Role::kNone;
  for (int in : n.inputs) {
    const Tensor* t = in >= 0 ? g.Constant(in) : nullptr;
    if (t && t->num_elements() != 1) return Role::kNone;
  }
  return KernelHandles(g, n, registry, {"_nhwc_in", "_nhwc_out"}) ? Role::kElementwise
                                                                  : Role::kNone;
}

// Whether a node of `role` can read the value at input `slot` channels-last.
bool ReadsAt(Role role, size_t slot) {
  return role == Role::kElementwise ||
         ((role == Role::kConv || role == Role::kReader) && slot == 0);
}

}  // namespace

void AssignChannelsLast(Graph& g, const KernelRegistry& registry) {
  std::vector<Role> role(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    role[i] = ChannelsLastRole(g, g.nodes[i], registry);
  }
  // Candidates: values a Conv or an elementwise node makes, read only where channels-last can
  // be read (not by another op, another input slot, a subgraph, or as a graph output).
  std::vector<int> producer(g.values.size(), -1);
  std::vector<bool> nhwc(g.values.size(), true);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      int in = n.inputs[k];
      if (in >= 0 && !ReadsAt(role[i], k)) nhwc[in] = false;
    }
    for (int in : n.implicit_inputs) {
      if (in >= 0) nhwc[in] = false;
    }
    for (int out : n.outputs) {
      if (out >= 0) producer[out] = static_cast<int>(i);
    }
  }
  for (int out : g.outputs) nhwc[out] = false;
  for (size_t v = 0; v < g.values.size(); ++v) {
    int p = producer[v];
    bool writer = p >= 0 && (role[p] == Role::kConv || role[p] == Role::kElementwise);
    if (!writer || g.Constant(static_cast<int>(v))) nhwc[v] = false;
  }
  // An elementwise node is all or nothing: one NCHW side makes every side NCHW. Only ever
  // clears, so it ends.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (role[i] != Role::kElementwise) continue;
      const Node& n = g.nodes[i];
      bool all = nhwc[n.outputs[0]];
      for (int in : n.inputs) all = all && (in < 0 || g.Constant(in) || nhwc[in]);
      if (all) continue;
      for (int v : n.inputs) {
        if (v >= 0 && nhwc[v]) {
          nhwc[v] = false;
          changed = true;
        }
      }
      if (nhwc[n.outputs[0]]) {
        nhwc[n.outputs[0]] = false;
        changed = true;
      }
    }
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.outputs.size() == 1 && n.outputs[0] >= 0 && nhwc[n.outputs[0]]) {
      n.attrs["_nhwc_out"] = IntAttribute(1);
    }
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      if (n.inputs[k] >= 0 && nhwc[n.inputs[k]]) n.attrs["_nhwc_in"] = IntAttribute(1);
    }
  }
}

}  // namespace confide::engine::internal
