#include "confide/engine/internal/optimizer.h"

#include "confide/engine/internal/executor.h"

namespace confide::engine::internal {
namespace {

constexpr size_t kMaxFoldedBytes = size_t{64} << 20;

bool Foldable(const Graph& g, const Node& n) {
  if (!n.implicit_inputs.empty()) return false;
  for (const auto& [name, a] : n.attrs) {
    if (a.g) return false;
  }
  if (n.op_type.find("Random") != std::string::npos || n.op_type == "Dropout") return false;
  for (int in : n.inputs) {
    if (in >= 0 && !g.constants.count(in)) return false;
  }
  return true;
}

// Runs one node on constant inputs by compiling a one-node graph.
Result<std::vector<Tensor>> EvalNode(const Graph& g, const Node& n, const KernelRegistry& registry,
                                     ThreadPool& pool) {
  auto one = std::make_shared<Graph>();
  one->opsets = g.opsets;
  Node copy = n;
  for (int& in : copy.inputs) {
    if (in < 0) continue;
    int id = one->Intern(g.values[in].name);
    one->constants[id] = g.constants.at(in);
    in = id;
  }
  for (int& out : copy.outputs) {
    if (out < 0) continue;
    out = one->Intern(g.values[out].name);
    one->outputs.push_back(out);
  }
  one->nodes.push_back(std::move(copy));
  CONFIDE_ASSIGN_OR_RETURN(auto cg, Compile(one, registry));
  ExecuteOptions opts{.pool = &pool};
  return Execute(*cg, {}, opts);
}

}  // namespace

Status FoldConstants(Graph& g, const KernelRegistry& registry, ThreadPool& pool) {
  std::vector<Node> kept;
  for (Node& n : g.nodes) {
    if (!Foldable(g, n)) {
      kept.push_back(std::move(n));
      continue;
    }
    CONFIDE_ASSIGN_OR_RETURN(std::vector<Tensor> outs, EvalNode(g, n, registry, pool));
    size_t total = 0;
    for (const Tensor& t : outs) total += t.byte_size();
    if (total > kMaxFoldedBytes) {
      kept.push_back(std::move(n));
      continue;
    }
    size_t k = 0;
    for (int out : n.outputs) {
      if (out < 0) continue;
      g.values[out].dtype = outs[k].dtype();
      g.constants[out] = std::move(outs[k++]);
    }
  }
  g.nodes = std::move(kept);
  return OkStatus();
}

void RemoveDeadNodes(Graph& g) {
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<int> uses(g.values.size(), 0);
    for (const Node& n : g.nodes) {
      for (const auto* list : {&n.inputs, &n.implicit_inputs}) {
        for (int in : *list) {
          if (in >= 0) ++uses[in];
        }
      }
    }
    for (int out : g.outputs) ++uses[out];
    std::vector<Node> kept;
    for (Node& n : g.nodes) {
      bool used = false;
      for (int out : n.outputs) used |= out >= 0 && uses[out] > 0;
      if (used) {
        kept.push_back(std::move(n));
      } else {
        changed = true;
      }
    }
    g.nodes = std::move(kept);
    if (!changed) {
      for (auto it = g.constants.begin(); it != g.constants.end();) {
        it = uses[it->first] == 0 ? g.constants.erase(it) : std::next(it);
      }
    }
  }
}

}  // namespace confide::engine::internal
