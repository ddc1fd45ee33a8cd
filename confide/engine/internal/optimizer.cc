#include "confide/engine/internal/optimizer.h"

#include <algorithm>
#include <cstring>

#include "confide/engine/internal/executor.h"

namespace confide::engine::internal {
namespace {

constexpr size_t kMaxFoldedBytes = size_t{64} << 20;

// A hash of the dtype, the dims and the bytes, 8 bytes at a time (equal hashes are then compared
// byte for byte, so it need only spread constants over buckets).
uint64_t ConstantHash(const Tensor& t) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  auto mix = [&h](uint64_t v) {
    h = (h ^ v) * 0x100000001b3ull;
    h ^= h >> 29;
  };
  mix(static_cast<uint64_t>(t.dtype()));
  for (int64_t d : t.shape()) mix(static_cast<uint64_t>(d));
  const auto* p = static_cast<const uint8_t*>(t.raw_data());
  const size_t n = t.byte_size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    mix(v);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p + i, n - i);
  mix(tail ^ n);
  return h;
}

bool SameConstant(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
}

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

Status FoldConstants(Graph& g, const KernelRegistry& registry, ThreadPool& pool,
                     FoldErrors errors) {
  std::vector<Node> kept;
  for (Node& n : g.nodes) {
    if (!Foldable(g, n)) {
      kept.push_back(std::move(n));
      continue;
    }
    Result<std::vector<Tensor>> evaluated = EvalNode(g, n, registry, pool);
    if (!evaluated.ok() && errors == FoldErrors::kKeepNode) {
      kept.push_back(std::move(n));  // it fails when it runs, if its branch ever does
      continue;
    }
    CONFIDE_ASSIGN_OR_RETURN(std::vector<Tensor> outs, std::move(evaluated));
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

void ConstantSharer::Share(Graph& graph) {
  for (auto& entry : graph.constants) {
    Tensor& t = entry.second;  // not a structured binding: clang 14 cannot capture those
    if (t.byte_size() == 0) continue;
    const uint64_t h = ConstantHash(t);
    auto [first, last] = seen_.equal_range(h);
    auto same =
        std::find_if(first, last, [&t](const auto& kv) { return SameConstant(kv.second, t); });
    if (same == last) {
      seen_.emplace(h, t);
    } else if (same->second.raw_data() != t.raw_data()) {
      t = same->second;
    }
  }
}

}  // namespace confide::engine::internal
