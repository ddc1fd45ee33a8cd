#include "confide/engine/engine.h"

#include <algorithm>
#include <set>

#include "confide/base/process.h"
#include "confide/engine/internal/executor.h"
#include "confide/engine/internal/graph.h"
#include "confide/engine/internal/optimizer.h"

namespace confide::engine {
namespace {

using internal::Graph;

TensorDesc Describe(const Graph& g, int id) {
  const internal::ValueInfo& v = g.values[id];
  TensorDesc d{.name = v.name, .dtype = v.dtype, .has_shape = v.has_shape};
  for (const internal::Dim& dim : v.dims) {
    d.dims.push_back(dim.value);
    d.symbols.push_back(dim.symbol);
  }
  return d;
}

std::string Signature(const std::vector<Tensor>& inputs) {
  std::string s;
  for (const Tensor& t : inputs) s += ShapeToString(t.shape()) + ";";
  return s;
}

ModelInfo BuildInfo(const Graph& g, const internal::ModelMeta& meta) {
  ModelInfo info{.ir_version = meta.ir_version, .producer_name = meta.producer_name,
                 .opsets = meta.opsets};
  for (const internal::Node& n : g.nodes) {
    ++info.op_counts[n.domain.empty() ? n.op_type : n.domain + ":" + n.op_type];
  }
  for (int id : g.inputs) info.inputs.push_back(Describe(g, id));
  for (int id : g.outputs) info.outputs.push_back(Describe(g, id));
  return info;
}

bool AllStatic(const ModelInfo& info) {
  for (const TensorDesc& d : info.inputs) {
    if (!d.has_shape) return false;
    for (int64_t v : d.dims) {
      if (v < 0) return false;
    }
  }
  return true;
}

// Whether zero inputs of the model's static shapes are small enough to plan with at load: within
// the memory budget (if any) and 1 GiB. Otherwise the plan is made on the first run, with the
// caller's inputs (a model may declare absurd input dims; the loader bounds them at 2^34).
bool PlanInputsFit(const ModelInfo& info, size_t budget) {
  constexpr size_t kMaxPlanInputBytes = size_t{1} << 30;
  size_t limit = budget != 0 ? std::min(budget, kMaxPlanInputBytes) : kMaxPlanInputBytes, total = 0;
  for (const TensorDesc& d : info.inputs) {
    auto n = CheckedNumElements(d.dims, static_cast<int64_t>(limit));
    if (!n.ok()) return false;
    total += static_cast<size_t>(*n) * DataTypeSize(d.dtype);
    if (total > limit) return false;
  }
  return true;
}

// Makes the constants of `g` that its subgraph `sub` reads from the enclosing scope constants of
// `sub` itself (sharing their buffers), so that folding in `sub` sees them: an Unsqueeze or Slice
// of an initializer inside an If branch then runs once at load, not on every run. Outer refs
// that are run-time values of `g` stay outer refs.
void ImportOuterConstants(const Graph& g, Graph& sub) {
  std::vector<int> run_time;
  for (int ref : sub.outer_refs) {
    auto id = g.value_index.find(sub.values[ref].name);
    const Tensor* t = id == g.value_index.end() ? nullptr : g.Constant(id->second);
    if (t == nullptr) {
      run_time.push_back(ref);
      continue;
    }
    internal::ValueInfo& v = sub.values[ref];
    v.dtype = t->dtype();
    v.has_shape = true;
    v.dims.clear();
    for (int64_t d : t->shape()) v.dims.push_back({.value = d});
    sub.constants[ref] = *t;
  }
  sub.outer_refs = std::move(run_time);
}

// Constant folding, fusions and channels-last regions for `g` and every subgraph (If branches,
// each rewritten as a copy: subgraphs are shared and immutable once parsed). `g` is folded
// first, so its subgraphs see its folded values too (ImportOuterConstants); a node's implicit
// inputs are then the run-time values its subgraphs still read from `g`.
Status Optimize(Graph& g, const KernelRegistry& registry, ThreadPool& pool,
                internal::ConstantSharer* sharer, bool is_subgraph) {
  CONFIDE_TRY(internal::FoldConstants(
      g, registry, pool,
      is_subgraph ? internal::FoldErrors::kKeepNode : internal::FoldErrors::kReturn));
  for (internal::Node& n : g.nodes) {
    std::set<int> still_read;
    bool has_subgraph = false;
    for (auto& [name, a] : n.attrs) {
      if (!a.g) continue;
      has_subgraph = true;
      auto sub = std::make_shared<Graph>(*a.g);
      ImportOuterConstants(g, *sub);
      CONFIDE_TRY(Optimize(*sub, registry, pool, sharer, true));
      for (int ref : sub->outer_refs) {
        // The loader interned every name a subgraph reads from outside in `g` too.
        auto id = g.value_index.find(sub->values[ref].name);
        if (id == g.value_index.end()) {
          return InternalError("node '" + n.name + "': subgraph reads an unknown outer value");
        }
        still_read.insert(id->second);
      }
      a.g = std::move(sub);
    }
    if (has_subgraph) n.implicit_inputs.assign(still_read.begin(), still_read.end());
  }
  internal::FuseGraph(g);
  internal::RemoveDeadNodes(g);
  internal::AssignChannelsLast(g, registry);
  sharer->Share(g);
  return OkStatus();
}

// Constants of the graph and, recursively, of its subgraphs (If branches), each buffer once
// (a subgraph shares the buffers of the enclosing constants it reads).
size_t WeightBytes(const Graph& g, std::set<const void*>* seen) {
  size_t total = 0;
  for (const auto& [id, t] : g.constants) {
    if (seen->insert(t.raw_data()).second) total += t.byte_size();
  }
  for (const internal::Node& n : g.nodes) {
    for (const auto& [name, a] : n.attrs) {
      if (a.g) total += WeightBytes(*a.g, seen);
    }
  }
  return total;
}

}  // namespace

std::string TensorDesc::ShapeString() const {
  if (!has_shape) return "?";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += dims[i] >= 0 ? std::to_string(dims[i]) : (symbols[i].empty() ? "?" : symbols[i]);
  }
  return s + "]";
}

Model::~Model() = default;

Tensor Model::TakeArena(size_t size) const {
  {
    std::lock_guard<std::mutex> lock(arena_mu_);
    // The smallest idle arena that fits (plans of different shapes share the pool).
    auto best = idle_arenas_.end();
    for (auto it = idle_arenas_.begin(); it != idle_arenas_.end(); ++it) {
      bool fits = it->byte_size() >= size;
      if (fits && (best == idle_arenas_.end() || it->byte_size() < best->byte_size())) best = it;
    }
    if (best != idle_arenas_.end()) {
      Tensor a = std::move(*best);
      idle_arenas_.erase(best);
      return a;
    }
  }
  return Tensor::Zeros(DataType::kUint8, {static_cast<int64_t>(size)});
}

void Model::ReturnArena(Tensor arena) const {
  std::lock_guard<std::mutex> lock(arena_mu_);
  if (idle_arenas_.size() < kMaxIdleArenas) {
    idle_arenas_.push_back(std::move(arena));
    return;
  }
  // Full: drop the smallest (the larger ones serve every shape the smaller ones do).
  auto smallest = std::min_element(
      idle_arenas_.begin(), idle_arenas_.end(),
      [](const Tensor& a, const Tensor& b) { return a.byte_size() < b.byte_size(); });
  if (smallest->byte_size() < arena.byte_size()) std::swap(*smallest, arena);
}  // `arena` (the smaller) is freed here

Result<std::unique_ptr<Model>> Model::Load(ByteSpan bytes, const LoadOptions& options) {
  std::unique_ptr<Model> m(new Model);
  m->options_ = options;
  const KernelRegistry& registry = options.registry ? *options.registry : DefaultKernelRegistry();
  internal::ModelMeta meta;
  CONFIDE_ASSIGN_OR_RETURN(m->graph_, internal::ParseOnnxModel(bytes, internal::LoadLimits{}, &meta));
  m->info_ = BuildInfo(*m->graph_, meta);
  m->pool_ = std::make_unique<ThreadPool>(options.num_threads);
  // Check every op has a kernel before folding, so that errors name the original node.
  if (auto check = internal::Compile(m->graph_, registry); !check.ok()) return check.error();
  if (options.optimize) {
    internal::ConstantSharer sharer;
    CONFIDE_TRY(Optimize(*m->graph_, registry, *m->pool_, &sharer, false));
  }
  m->info_.num_nodes_optimized = static_cast<int>(m->graph_->nodes.size());
  std::set<const void*> seen;
  m->info_.weight_bytes = WeightBytes(*m->graph_, &seen);
  CONFIDE_ASSIGN_OR_RETURN(m->compiled_, internal::Compile(m->graph_, registry));
  // Weights a kernel keeps in its own layout (oneDNN's packed copies) are then held only there.
  internal::DropAdoptedConstants(*m->graph_, *m->compiled_);
  if (AllStatic(m->info_) && PlanInputsFit(m->info_, options.memory_budget_bytes)) {
    std::vector<Tensor> zeros;
    for (const TensorDesc& d : m->info_.inputs) zeros.push_back(Tensor::Zeros(d.dtype, d.dims));
    std::vector<Tensor> ignored;
    auto plan = m->PlanFor(zeros, &ignored);
    if (plan.ok()) {
      m->info_.planned_peak_bytes = (*plan)->arena_size;
    } else if (m->budget_exceeded_) {
      return plan.error();
    }
    // Otherwise a value-dependent op (a Slice step, a Reshape target fed as input) rejected the
    // zero inputs: the plan is made on the first run instead.
  }
  return m;
}

Status Model::CheckBudget(size_t arena_size) const {
  if (options_.memory_budget_bytes != 0 && arena_size > options_.memory_budget_bytes) {
    return InvalidArgumentError("memory plan needs " + std::to_string(arena_size) +
                                " bytes; memory_budget_bytes allows " +
                                std::to_string(options_.memory_budget_bytes));
  }
  return OkStatus();
}

Result<std::shared_ptr<const internal::MemoryPlan>> Model::PlanFor(
    const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs) const {
  std::string key = Signature(inputs);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto* found = plans_.Find(key)) return *found;
  }
  internal::RunRecord record;
  size_t over_budget = 0;
  internal::ExecuteOptions opts{.pool = pool_.get(), .record = &record,
                                .max_buffer_bytes = options_.memory_budget_bytes,
                                .over_budget = &over_budget};
  auto run = internal::Execute(*compiled_, inputs, opts);
  if (!run.ok() && over_budget != 0) {  // one buffer alone is over: so is the plan
    budget_exceeded_ = true;
    return InvalidArgumentError("memory plan needs at least " + std::to_string(over_budget) +
                                " bytes; memory_budget_bytes allows " +
                                std::to_string(options_.memory_budget_bytes));
  }
  CONFIDE_ASSIGN_OR_RETURN(*outputs, std::move(run));
  auto plan = std::make_shared<const internal::MemoryPlan>(internal::PlanMemory(*compiled_, record));
  if (Status st = CheckBudget(plan->arena_size); !st.ok()) {
    budget_exceeded_ = true;
    return st.error();
  }
  // The planning run allocated every intermediate separately; give the freed heap back rather
  // than keep it resident beside the arena the plan now uses (ppocrv4_det: 3.9 MiB).
  ReleaseFreedHeap();
  std::lock_guard<std::mutex> lock(mu_);
  plans_.Put(key, plan);  // (another run may have planned the same shape meanwhile)
  return std::shared_ptr<const internal::MemoryPlan>(plan);
}

Result<std::vector<Tensor>> Model::CheckInputs(const NamedTensors& inputs) const {
  std::vector<Tensor> ordered(info_.inputs.size());
  std::map<std::string, int64_t> symbols;
  for (const auto& [name, t] : inputs) {
    size_t i = 0;
    while (i < info_.inputs.size() && info_.inputs[i].name != name) ++i;
    if (i == info_.inputs.size()) return InvalidArgumentError("model has no input '" + name + "'");
    if (!ordered[i].empty()) return InvalidArgumentError("input '" + name + "' given twice");
    const TensorDesc& d = info_.inputs[i];
    if (t.empty()) return InvalidArgumentError("input '" + name + "' is empty");
    if (d.dtype != DataType::kUndefined && t.dtype() != d.dtype) {
      return InvalidArgumentError("input '" + name + "' must be " + std::string(DataTypeName(d.dtype)) +
                                  ", got " + std::string(DataTypeName(t.dtype())));
    }
    bool ok = !d.has_shape || d.dims.size() == t.shape().size();
    for (size_t k = 0; ok && d.has_shape && k < d.dims.size(); ++k) {
      if (d.dims[k] >= 0) {
        ok = d.dims[k] == t.shape()[k];
      } else if (!d.symbols[k].empty()) {
        auto [it, inserted] = symbols.emplace(d.symbols[k], t.shape()[k]);
        ok = inserted || it->second == t.shape()[k];
      }
    }
    if (!ok) {
      return InvalidArgumentError("input '" + name + "' has shape " + ShapeToString(t.shape()) +
                                  "; the model expects " + d.ShapeString());
    }
    ordered[i] = t;
  }
  for (size_t i = 0; i < ordered.size(); ++i) {
    if (ordered[i].empty()) return InvalidArgumentError("missing input '" + info_.inputs[i].name + "'");
  }
  return ordered;
}

Result<NamedTensors> Model::Run(const NamedTensors& inputs) const {
  CONFIDE_ASSIGN_OR_RETURN(std::vector<Tensor> ordered, CheckInputs(inputs));
  std::vector<Tensor> outputs;
  CONFIDE_ASSIGN_OR_RETURN(auto plan, PlanFor(ordered, &outputs));
  if (outputs.empty() && !info_.outputs.empty()) {
    Tensor arena = plan->arena_size > 0 ? TakeArena(plan->arena_size) : Tensor();
    internal::ExecuteOptions opts{.pool = pool_.get(), .plan = plan.get(),
                                  .arena = arena.data<uint8_t>(),
                                  .max_buffer_bytes = options_.memory_budget_bytes};
    Result<std::vector<Tensor>> run = internal::Execute(*compiled_, ordered, opts);
    if (!arena.empty()) ReturnArena(std::move(arena));
    if (!run.ok()) return run.error();
    outputs = std::move(*run);
  }
  NamedTensors named;
  for (size_t i = 0; i < outputs.size(); ++i) named.emplace_back(info_.outputs[i].name, outputs[i]);
  return named;
}

Result<size_t> Model::PlannedArenaBytes(const std::vector<Shape>& input_shapes) const {
  if (input_shapes.size() != info_.inputs.size()) {
    return InvalidArgumentError("expected " + std::to_string(info_.inputs.size()) + " shapes");
  }
  std::vector<Tensor> zeros;
  for (size_t i = 0; i < input_shapes.size(); ++i) {
    if (auto n = CheckedNumElements(input_shapes[i]); !n.ok()) return n.error();
    zeros.push_back(Tensor::Zeros(info_.inputs[i].dtype, input_shapes[i]));
  }
  std::vector<Tensor> ignored;
  CONFIDE_ASSIGN_OR_RETURN(auto plan, PlanFor(zeros, &ignored));
  return plan->arena_size;
}

}  // namespace confide::engine
