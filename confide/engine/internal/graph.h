// The engine's graph IR: values (SSA, by index), nodes in topological order, constants.
// Built by the ONNX loader, rewritten by the optimizer, compiled by the executor.
#ifndef CONFIDE_ENGINE_INTERNAL_GRAPH_H_
#define CONFIDE_ENGINE_INTERNAL_GRAPH_H_

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/engine/kernel.h"
#include "confide/engine/tensor.h"

namespace confide::engine::internal {

// One dimension: a static size (value >= 0), or symbolic (value < 0, symbol possibly empty).
struct Dim {
  int64_t value = -1;
  std::string symbol;
};

struct ValueInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;
  bool has_shape = false;
  std::vector<Dim> dims;
};

struct Node {
  std::string name;  // never empty after loading ("<op_type>#<index>" when unnamed)
  std::string op_type;
  std::string domain;  // "" for ai.onnx
  int opset = 0;
  std::vector<int> inputs;   // value ids; -1 for an omitted optional input
  std::vector<int> outputs;  // value ids; -1 for an omitted optional output
  AttributeMap attrs;
  // Values of enclosing scopes that this node's subgraphs read (for ordering and lifetimes).
  std::vector<int> implicit_inputs;
};

struct Graph {
  std::vector<ValueInfo> values;
  std::unordered_map<std::string, int> value_index;
  std::vector<Node> nodes;  // topologically sorted
  std::vector<int> inputs;  // formal inputs that are not initializers
  std::vector<int> outputs;
  std::map<int, Tensor> constants;  // initializers and folded values, by value id
  std::vector<int> outer_refs;      // values defined in an enclosing scope (subgraphs only)
  std::map<std::string, int> opsets;

  // The id of `name`, adding a value if new.
  int Intern(const std::string& name);
  const Tensor* Constant(int id) const {
    auto it = constants.find(id);
    return it == constants.end() ? nullptr : &it->second;
  }
};

// Load-time limits for untrusted model bytes.
struct LoadLimits {
  size_t max_model_size = size_t{2000} << 20;  // protobuf cannot parse 2 GiB
  int max_recursion = 64;                      // protobuf message nesting
  int max_subgraph_depth = 8;
  size_t max_nodes = 1 << 20;
  int64_t max_tensor_elements = int64_t{1} << 34;
};

struct ModelMeta {
  int64_t ir_version = 0;
  std::string producer_name;
  std::map<std::string, int> opsets;
};

// Parses and validates an ONNX ModelProto: every node's domain is imported, every input is
// defined (in this or an enclosing scope), no value has two producers, no cycles, initializers
// match their dims, dims are non-negative and bounded, no external data. Errors name the node
// or tensor. Does not check that ops have kernels (the executor does).
Result<std::shared_ptr<Graph>> ParseOnnxModel(ByteSpan bytes, const LoadLimits& limits,
                                              ModelMeta* meta);
// Parses a serialized TensorProto (the ONNX test data .pb files).
Result<Tensor> ParseOnnxTensor(ByteSpan bytes, std::string* name);
// Sorts `graph.nodes` topologically; kMalformed naming a node on a cycle.
Status TopologicalSort(Graph& graph);

}  // namespace confide::engine::internal

#endif  // CONFIDE_ENGINE_INTERNAL_GRAPH_H_
