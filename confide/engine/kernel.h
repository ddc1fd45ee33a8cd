// The kernel interface: how an operator implementation plugs into the engine.
//
// A KernelRegistry maps (domain, op_type, opset range) to factories with a priority. At load, for
// each node, the engine asks the registry for the highest-priority factory whose opset range holds
// the model's opset for the node's domain, and calls it with a NodeInfo (attributes, and the
// values of inputs that are constant at load, so a fast kernel can pre-pack weights). The factory
// returns a Kernel, or kUnsupported to decline (say, a layout it cannot do); the registry then
// tries the next-priority factory. Kernel::Run is then called once per node per run, concurrently
// from several runs, so it must not mutate the kernel.
//
//   class MyConv : public Kernel {
//     Status Run(KernelContext& ctx) const override { ... ctx.input(0) ...
//                                                     ctx.AllocateOutput(0, dtype, shape) ... }
//   };
//   registry.Register({.op_type = "Conv", .priority = kFastKernelPriority,
//                      .factory = [](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
//                        if (n.GetInt("group", 1) != 1) return UnsupportedError("grouped conv");
//                        return std::unique_ptr<Kernel>(new MyConv(n)); }});
//
// Contract for kernels of Conv and Gemm: the fusion pass may attach a post-op as attributes
// "_act" (string "Relu" | "Clip" | "LeakyRelu"), "_act_lo"/"_act_hi" (Clip bounds) and
// "_act_alpha" (LeakyRelu). A kernel must apply it after the bias, or decline the node with
// kUnsupported. Conv+BatchNormalization is folded into the Conv weights before kernels are made.
#ifndef CONFIDE_ENGINE_KERNEL_H_
#define CONFIDE_ENGINE_KERNEL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "confide/base/result.h"
#include "confide/engine/tensor.h"
#include "confide/engine/thread_pool.h"

namespace confide::engine {

namespace internal {
struct Graph;
}  // namespace internal

// One node attribute (ONNX AttributeProto), already validated by the loader.
struct Attribute {
  enum class Type { kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings };
  Type type = Type::kInt;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::shared_ptr<const internal::Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

using AttributeMap = std::map<std::string, Attribute, std::less<>>;

// What a kernel factory knows about its node at load time. Pointers are valid only during the
// factory call: a kernel copies what it keeps.
struct NodeInfo {
  std::string_view name;     // the node's name (or "<op_type>#<index>" if it has none)
  std::string_view op_type;
  std::string_view domain;   // "" for ai.onnx
  int opset = 0;             // the model's opset for `domain`
  const AttributeMap* attrs = nullptr;
  int num_inputs = 0;        // including omitted optional inputs (then constant_inputs[i] null)
  int num_outputs = 0;
  // For each input: its value if known at load (initializer or folded constant), else nullptr.
  std::vector<const Tensor*> constant_inputs;
  // For each input: whether it is present (an omitted optional input has an empty name).
  std::vector<bool> input_present;

  bool Has(std::string_view attr) const;
  // Attribute getters return `def` when the attribute is absent. A present attribute of the
  // wrong type is a loader error, so these never fail.
  int64_t GetInt(std::string_view attr, int64_t def) const;
  float GetFloat(std::string_view attr, float def) const;
  std::string GetString(std::string_view attr, std::string def) const;
  std::vector<int64_t> GetInts(std::string_view attr) const;   // empty if absent
  std::vector<float> GetFloats(std::string_view attr) const;   // empty if absent
  std::vector<std::string> GetStrings(std::string_view attr) const;
  const Attribute* Find(std::string_view attr) const;          // nullptr if absent
};

// The per-run view a kernel gets. Implemented by the executor; one per (run, node).
class KernelContext {
 public:
  virtual ~KernelContext() = default;
  virtual int num_inputs() const = 0;
  // Input i, or nullptr when the optional input is omitted (or i is out of range).
  virtual const Tensor* input(int i) const = 0;
  virtual int num_outputs() const = 0;
  // Allocates output i (from the run's planned arena when the plan has room, else the heap) and
  // returns it, zero-initialised only when it came from the heap. kInvalidArgument for a negative
  // or absurd shape (the message names the node). Each output is allocated at most once.
  virtual Result<Tensor*> AllocateOutput(int i, DataType dtype, const Shape& shape) = 0;
  // Temporary memory valid until Run returns (counted in the memory plan). 64-byte aligned.
  virtual Result<void*> Scratch(size_t size) = 0;
  virtual ThreadPool& threads() = 0;
  // Runs the graph attribute `attr` (e.g. If's then_branch) with `inputs` bound to its formal
  // inputs, resolving outer-scope names against this run; returns its outputs (owned).
  virtual Result<std::vector<Tensor>> RunSubgraph(std::string_view attr,
                                                  const std::vector<Tensor>& inputs) = 0;
  virtual std::string_view node_name() const = 0;
};

// One operator implementation bound to one node. Run must be thread safe (const, no mutation).
class Kernel {
 public:
  virtual ~Kernel() = default;
  // Reads inputs, allocates and fills every output. An Error names the problem; the executor
  // prefixes the node name and op type.
  virtual Status Run(KernelContext& ctx) const = 0;
  // Whether this kernel honours the node attributes "_nhwc_in" / "_nhwc_out" that
  // internal/layout.cc sets: input 0 / output 0 stored channels-last (NHWC) under their logical
  // NCHW shape. Kernels that do not know them return false, and then the pass sets neither.
  virtual bool HandlesChannelsLast() const { return false; }
  // Whether Run reads constant input i through the context. A kernel that keeps its own copy of
  // a constant (oneDNN's packed weights) returns false for it, and the model then drops the
  // graph's copy when no other reader needs it, so the weights are held once.
  virtual bool ReadsConstantInput(int /*i*/) const { return true; }
};

// A context that forwards everything to `base` except input `index`, which reads `replacement`
// (for a kernel that runs another kernel on its own copy of a constant).
class InputOverrideContext : public KernelContext {
 public:
  InputOverrideContext(KernelContext& base, int index, const Tensor* replacement)
      : base_(base), index_(index), replacement_(replacement) {}
  int num_inputs() const override { return base_.num_inputs(); }
  const Tensor* input(int i) const override { return i == index_ ? replacement_ : base_.input(i); }
  int num_outputs() const override { return base_.num_outputs(); }
  Result<Tensor*> AllocateOutput(int i, DataType dtype, const Shape& shape) override {
    return base_.AllocateOutput(i, dtype, shape);
  }
  Result<void*> Scratch(size_t size) override { return base_.Scratch(size); }
  ThreadPool& threads() override { return base_.threads(); }
  Result<std::vector<Tensor>> RunSubgraph(std::string_view attr, const std::vector<Tensor>& inputs) override {
    return base_.RunSubgraph(attr, inputs);
  }
  std::string_view node_name() const override { return base_.node_name(); }

 private:
  KernelContext& base_;
  int index_;
  const Tensor* replacement_;
};

using KernelFactory = std::function<Result<std::unique_ptr<Kernel>>(const NodeInfo&)>;

inline constexpr int kMaxSupportedOpset = 21;
inline constexpr int kReferenceKernelPriority = 0;  // confide/engine/kernels
inline constexpr int kFastKernelPriority = 100;     // e.g. oneDNN kernels

// A registered implementation of one op for an opset range [since_version, until_version].
struct KernelDef {
  std::string domain;  // "" (ai.onnx) or "ai.onnx.ml"
  std::string op_type;
  int since_version = 1;
  int until_version = kMaxSupportedOpset;
  int priority = kReferenceKernelPriority;
  KernelFactory factory;
};

// Maps ops to factories. Build it once, then share it read-only (const methods are thread safe).
class KernelRegistry {
 public:
  void Register(KernelDef def);
  // Creates a kernel for `node`: tries matching defs from the highest priority down and returns
  // the first success; a factory's kUnsupported falls through to the next. kUnsupported when no
  // def matches (the message names the op, domain and opset).
  Result<std::unique_ptr<Kernel>> Create(const NodeInfo& node) const;
  // Whether any def covers (domain, op_type) at `opset`.
  bool Supports(std::string_view domain, std::string_view op_type, int opset) const;
  // Every (domain, op_type) registered, sorted.
  std::vector<std::pair<std::string, std::string>> Ops() const;

 private:
  std::map<std::pair<std::string, std::string>, std::vector<KernelDef>> defs_;
};

// Registers the plain C++ reference kernels of every supported op (kernels/registry.cc).
void RegisterReferenceKernels(KernelRegistry* registry);
// A process-wide immutable registry holding only the reference kernels.
const KernelRegistry& ReferenceKernelRegistry();
// A process-wide immutable registry: the reference kernels plus the fast kernels (oneDNN in
// kernels/onednn/, elementwise in kernels/fast/) at kFastKernelPriority. Model::Load's default.
const KernelRegistry& DefaultKernelRegistry();
// The same without oneDNN: the reference kernels plus our own fast kernels (kernels/fast/). No
// JIT code and none of oneDNN's memory, at a fraction of the speed on convolutions and matrix
// products; for measuring what oneDNN costs and gives (bench/, CONFIDE_BENCH_KERNELS).
const KernelRegistry& KernelRegistryWithoutOneDnn();

}  // namespace confide::engine

#endif  // CONFIDE_ENGINE_KERNEL_H_
