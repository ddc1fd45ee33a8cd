#include "confide/engine/internal/executor.h"

#include <cstring>
#include <new>
#include <set>

namespace confide::engine::internal {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 34;

Error Prefix(const Node& n, const Error& e) {
  return Error{e.code, "node '" + n.name + "' (" + n.op_type + "): " + e.message};
}

struct RunState {
  const CompiledGraph* cg;
  const ExecuteOptions* opts;
  std::vector<Tensor> values;
  uint8_t* arena = nullptr;
};

class Context : public KernelContext {
 public:
  Context(RunState& s, int step) : s_(s), step_(step), node_(*s.cg->steps[step].node) {}

  int num_inputs() const override { return static_cast<int>(node_.inputs.size()); }
  const Tensor* input(int i) const override {
    if (i < 0 || i >= num_inputs() || node_.inputs[i] < 0) return nullptr;
    const Tensor& t = s_.values[node_.inputs[i]];
    return t.empty() ? nullptr : &t;
  }
  int num_outputs() const override { return static_cast<int>(node_.outputs.size()); }
  std::string_view node_name() const override { return node_.name; }
  ThreadPool& threads() override { return *s_.opts->pool; }

  Result<Tensor*> AllocateOutput(int i, DataType dtype, const Shape& shape) override {
    if (i < 0 || i >= num_outputs()) return InternalError("output index out of range");
    auto n = CheckedNumElements(shape, kMaxElements);
    if (!n.ok()) return InvalidArgumentError("output " + std::to_string(i) + ": " + n.error().message);
    int v = node_.outputs[i];
    if (v < 0) {  // omitted optional output: give the kernel a private buffer
      CONFIDE_TRY(CheckBufferSize(static_cast<size_t>(*n) * DataTypeSize(dtype)));
      dropped_.push_back(Tensor::Zeros(dtype, shape));
      return &dropped_.back();
    }
    size_t bytes = static_cast<size_t>(*n) * DataTypeSize(dtype);
    if (s_.opts->record) s_.opts->record->value_size[v] = bytes;
    const MemoryPlan* plan = s_.opts->plan;
    if (plan && plan->value_offset[v] >= 0 && plan->value_size[v] >= bytes) {
      s_.values[v] = Tensor::View(dtype, shape, s_.arena + plan->value_offset[v]);
    } else {
      CONFIDE_TRY(CheckBufferSize(bytes));
      s_.values[v] = Tensor::Zeros(dtype, shape);
    }
    return &s_.values[v];
  }

  Result<void*> Scratch(size_t size) override {
    size_t aligned = (size + 63) / 64 * 64;
    scratch_used_ += aligned;
    if (s_.opts->record) s_.opts->record->scratch_size[step_] = scratch_used_;
    const MemoryPlan* plan = s_.opts->plan;
    if (plan && plan->scratch_offset[step_] >= 0 && plan->scratch_size[step_] >= scratch_used_) {
      return s_.arena + plan->scratch_offset[step_] + (scratch_used_ - aligned);
    }
    CONFIDE_TRY(CheckBufferSize(aligned));
    heap_scratch_.push_back(Tensor::Zeros(DataType::kUint8, {static_cast<int64_t>(aligned)}));
    return heap_scratch_.back().raw_data();
  }

  Result<std::vector<Tensor>> RunSubgraph(std::string_view attr,
                                          const std::vector<Tensor>& inputs) override {
    const Step& step = s_.cg->steps[step_];
    auto it = step.subgraphs.find(attr);
    if (it == step.subgraphs.end()) return InternalError("no subgraph " + std::string(attr));
    const Graph& sub = *it->second->graph;
    if (inputs.size() != sub.inputs.size()) {
      return InvalidArgumentError("subgraph " + std::string(attr) + " takes " +
                                  std::to_string(sub.inputs.size()) + " inputs");
    }
    OuterScope scope{s_.cg->graph.get(), &s_.values, s_.opts->outer};
    ExecuteOptions opts{.pool = s_.opts->pool, .outer = &scope,
                        .max_buffer_bytes = s_.opts->max_buffer_bytes,
                        .over_budget = s_.opts->over_budget};
    return Execute(*it->second, inputs, opts);
  }

 private:
  Status CheckBufferSize(size_t bytes) const {
    size_t max = s_.opts->max_buffer_bytes;
    if (max == 0 || bytes <= max) return OkStatus();
    if (s_.opts->over_budget) *s_.opts->over_budget = bytes;
    return InvalidArgumentError("a buffer of " + std::to_string(bytes) +
                                " bytes exceeds memory_budget_bytes " + std::to_string(max));
  }

  RunState& s_;
  int step_;
  const Node& node_;
  std::vector<Tensor> dropped_;
  std::vector<Tensor> heap_scratch_;
  size_t scratch_used_ = 0;
};

Status BindValues(RunState& s, const std::vector<Tensor>& inputs) {
  const Graph& g = *s.cg->graph;
  s.values.assign(g.values.size(), Tensor());
  for (const auto& [id, t] : g.constants) s.values[id] = t;
  for (size_t i = 0; i < g.inputs.size() && i < inputs.size(); ++i) s.values[g.inputs[i]] = inputs[i];
  for (int ref : g.outer_refs) {
    const Tensor* t = s.opts->outer ? s.opts->outer->Lookup(g.values[ref].name) : nullptr;
    if (t == nullptr) return InternalError("outer value '" + g.values[ref].name + "' is missing");
    s.values[ref] = *t;
  }
  return OkStatus();
}

}  // namespace

const Tensor* OuterScope::Lookup(const std::string& name) const {
  for (const OuterScope* s = this; s != nullptr; s = s->parent) {
    auto it = s->graph->value_index.find(name);
    if (it != s->graph->value_index.end() && !(*s->values)[it->second].empty()) {
      return &(*s->values)[it->second];
    }
  }
  return nullptr;
}

NodeInfo MakeNodeInfo(const Graph& g, const Node& n) {
  NodeInfo info{.name = n.name, .op_type = n.op_type, .domain = n.domain, .opset = n.opset,
                .attrs = &n.attrs, .num_inputs = static_cast<int>(n.inputs.size()),
                .num_outputs = static_cast<int>(n.outputs.size())};
  for (int in : n.inputs) {
    info.constant_inputs.push_back(in >= 0 ? g.Constant(in) : nullptr);
    info.input_present.push_back(in >= 0);
  }
  return info;
}

Result<std::shared_ptr<const CompiledGraph>> Compile(std::shared_ptr<const Graph> graph,
                                                     const KernelRegistry& registry) {
  auto cg = std::make_shared<CompiledGraph>();
  cg->graph = graph;
  const Graph& g = *graph;
  cg->def_step.assign(g.values.size(), -1);
  cg->last_use.assign(g.values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    Step step;
    step.node = &n;
    auto kernel = registry.Create(MakeNodeInfo(g, n));
    if (!kernel.ok()) return Prefix(n, kernel.error());
    step.kernel = std::move(kernel).value();
    // A node that layout.cc marked must get a kernel that honours the marks.
    if ((n.attrs.count("_nhwc_in") || n.attrs.count("_nhwc_out")) && !step.kernel->HandlesChannelsLast()) {
      return Prefix(n, InternalError("channels-last node got a kernel that is not"));
    }
    for (const auto& [name, attr] : n.attrs) {
      if (!attr.g) continue;
      auto sub = Compile(attr.g, registry);
      if (!sub.ok()) return Prefix(n, sub.error());
      step.subgraphs.emplace(name, std::move(sub).value());
    }
    for (int out : n.outputs) {
      if (out >= 0) cg->def_step[out] = static_cast<int>(i);
    }
    for (const auto* list : {&n.inputs, &n.implicit_inputs}) {
      for (int in : *list) {
        if (in >= 0) cg->last_use[in] = static_cast<int>(i);
      }
    }
    cg->steps.push_back(std::move(step));
  }
  for (int out : g.outputs) cg->last_use[out] = static_cast<int>(g.nodes.size());
  return std::shared_ptr<const CompiledGraph>(std::move(cg));
}

size_t DropAdoptedConstants(Graph& g, const CompiledGraph& cg) {
  std::set<int> keep(g.outputs.begin(), g.outputs.end());
  std::set<int> adopted;
  size_t dropped = 0;
  for (const Step& step : cg.steps) {
    for (const auto& [attr, sub] : step.subgraphs) {
      // The model owns its subgraphs, and nothing runs while it loads: the const is the
      // executor's view, not the graph's ownership.
      dropped += DropAdoptedConstants(const_cast<Graph&>(*sub->graph), *sub);
    }
    for (int in : step.node->implicit_inputs) keep.insert(in);
    for (size_t j = 0; j < step.node->inputs.size(); ++j) {
      int in = step.node->inputs[j];
      if (in < 0 || !g.constants.count(in)) continue;
      (step.kernel->ReadsConstantInput(static_cast<int>(j)) ? keep : adopted).insert(in);
    }
  }
  for (int id : adopted) {
    if (keep.count(id)) continue;
    dropped += g.constants.at(id).byte_size();
    g.constants.erase(id);
  }
  return dropped;
}

Result<std::vector<Tensor>> Execute(const CompiledGraph& cg, const std::vector<Tensor>& inputs,
                                    const ExecuteOptions& opts) {
  RunState s{&cg, &opts, {}, nullptr};
  CONFIDE_TRY(BindValues(s, inputs));
  std::unique_ptr<uint8_t[], void (*)(uint8_t*)> arena(nullptr, [](uint8_t* p) {
    ::operator delete[](p, std::align_val_t(64));
  });
  if (opts.plan && opts.plan->arena_size > 0 && opts.arena != nullptr) {
    s.arena = opts.arena;
  } else if (opts.plan && opts.plan->arena_size > 0) {
    arena.reset(static_cast<uint8_t*>(::operator new[](opts.plan->arena_size, std::align_val_t(64))));
    s.arena = arena.get();
  }
  if (opts.record) {
    opts.record->value_size.assign(cg.graph->values.size(), 0);
    opts.record->scratch_size.assign(cg.steps.size(), 0);
  }
  const Graph& g = *cg.graph;
  for (size_t i = 0; i < cg.steps.size(); ++i) {
    const Step& step = cg.steps[i];
    Context ctx(s, static_cast<int>(i));
    Status st = step.kernel->Run(ctx);
    if (!st.ok()) return Prefix(*step.node, st.error());
    for (int out : step.node->outputs) {
      if (out >= 0 && s.values[out].empty()) {
        return Prefix(*step.node, InternalError("kernel did not produce output '" + g.values[out].name + "'"));
      }
    }
    for (const auto* list : {&step.node->inputs, &step.node->implicit_inputs}) {
      for (int in : *list) {  // release heap buffers early; arena slots are reused by the plan
        if (in >= 0 && cg.last_use[in] == static_cast<int>(i) && !g.constants.count(in)) s.values[in] = Tensor();
      }
    }
  }
  std::vector<Tensor> outputs;
  for (int out : g.outputs) {
    const Tensor& t = s.values[out];
    if (t.empty()) return InternalError("graph output '" + g.values[out].name + "' was not computed");
    outputs.push_back(t.owns_data() && cg.def_step[out] >= 0 ? t : t.Clone());
  }
  return outputs;
}

}  // namespace confide::engine::internal
