// ONNX ModelProto → Graph. Every check on untrusted model bytes lives here.
#include <google/protobuf/io/coded_stream.h>

#include <cstring>
#include <set>

#include "confide/engine/internal/graph.h"
#include "onnx.pb.h"

namespace confide::engine::internal {
namespace {

using google::protobuf::io::CodedInputStream;

template <typename Msg>
bool ParseLimited(ByteSpan bytes, int max_recursion, Msg* msg) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return false;
  CodedInputStream in(bytes.data(), static_cast<int>(bytes.size()));
  in.SetRecursionLimit(max_recursion);
  in.SetTotalBytesLimit(static_cast<int>(bytes.size()));
  return msg->ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

std::string Domain(const std::string& d) { return d == "ai.onnx" ? "" : d; }

template <typename Src, typename Dst>
void CopyTyped(const Src& src, Dst* dst) {
  for (int i = 0; i < src.size(); ++i) dst[i] = static_cast<Dst>(src.Get(i));
}

// Copies the typed repeated field that ONNX uses for `dtype` (onnx.proto TensorProto comments).
Status CopyTypedData(const onnx::TensorProto& p, Tensor& t, int64_t n) {
  auto check = [&](int count) -> Status {
    if (count != n) {
      return MalformedError("tensor '" + p.name() + "' has " + std::to_string(count) +
                            " values for shape " + ShapeToString(t.shape()));
    }
    return OkStatus();
  };
  switch (t.dtype()) {
    case DataType::kFloat32: CONFIDE_TRY(check(p.float_data_size())); CopyTyped(p.float_data(), t.data<float>()); break;
    case DataType::kFloat64: CONFIDE_TRY(check(p.double_data_size())); CopyTyped(p.double_data(), t.data<double>()); break;
    case DataType::kInt64: CONFIDE_TRY(check(p.int64_data_size())); CopyTyped(p.int64_data(), t.data<int64_t>()); break;
    case DataType::kUint32: CONFIDE_TRY(check(p.uint64_data_size())); CopyTyped(p.uint64_data(), t.data<uint32_t>()); break;
    case DataType::kUint64: CONFIDE_TRY(check(p.uint64_data_size())); CopyTyped(p.uint64_data(), t.data<uint64_t>()); break;
    case DataType::kInt32: CONFIDE_TRY(check(p.int32_data_size())); CopyTyped(p.int32_data(), t.data<int32_t>()); break;
    case DataType::kInt16: CONFIDE_TRY(check(p.int32_data_size())); CopyTyped(p.int32_data(), t.data<int16_t>()); break;
    case DataType::kUint16: CONFIDE_TRY(check(p.int32_data_size())); CopyTyped(p.int32_data(), t.data<uint16_t>()); break;
    case DataType::kInt8: CONFIDE_TRY(check(p.int32_data_size())); CopyTyped(p.int32_data(), t.data<int8_t>()); break;
    case DataType::kUint8: CONFIDE_TRY(check(p.int32_data_size())); CopyTyped(p.int32_data(), t.data<uint8_t>()); break;
    case DataType::kBool: {
      CONFIDE_TRY(check(p.int32_data_size()));
      for (int i = 0; i < p.int32_data_size(); ++i) t.data<uint8_t>()[i] = p.int32_data(i) != 0;
      break;
    }
    case DataType::kUndefined: return MalformedError("tensor '" + p.name() + "' has no type");
  }
  return OkStatus();
}

Result<Tensor> ConvertTensor(const onnx::TensorProto& p, const LoadLimits& limits) {
  const std::string what = "tensor '" + p.name() + "'";
  if (p.data_location() == onnx::TensorProto::EXTERNAL || p.external_data_size() > 0) {
    return UnsupportedError(what + " references external data (only self-contained models load)");
  }
  if (p.has_segment()) return UnsupportedError(what + " is segmented");
  auto dtype = DataTypeFromOnnx(p.data_type());
  if (!dtype.ok()) return UnsupportedError(what + ": " + dtype.error().message);
  Shape shape(p.dims().begin(), p.dims().end());
  auto n = CheckedNumElements(shape, limits.max_tensor_elements);
  if (!n.ok()) return MalformedError(what + ": " + n.error().message);
  if (p.has_raw_data()) {
    auto t = Tensor::FromBytes(*dtype, shape, p.raw_data().data(), p.raw_data().size());
    if (!t.ok()) return MalformedError(what + ": " + t.error().message);
    if (*dtype == DataType::kBool) {
      for (int64_t i = 0; i < *n; ++i) t->data<uint8_t>()[i] = t->data<uint8_t>()[i] != 0;
    }
    return t;
  }
  // Typed fields hold at most as many values as the input has bytes, so this allocation is
  // bounded once the count check below passes; check the count before allocating.
  int count = p.float_data_size() + p.double_data_size() + p.int64_data_size() +
              p.uint64_data_size() + p.int32_data_size();
  if (count != *n) {
    return MalformedError(what + " has " + std::to_string(count) + " values for shape " +
                          ShapeToString(shape));
  }
  Tensor t = Tensor::Zeros(*dtype, shape);
  CONFIDE_TRY(CopyTypedData(p, t, *n));
  return t;
}

struct Scope {
  const Scope* parent = nullptr;
  const Graph* graph = nullptr;
  bool Visible(const std::string& name) const {
    for (const Scope* s = this; s != nullptr; s = s->parent) {
      if (s->graph->value_index.count(name)) return true;
    }
    return false;
  }
};

Result<std::shared_ptr<Graph>> ConvertGraph(const onnx::GraphProto& gp, const Scope* outer,
                                            int depth, const LoadLimits& limits,
                                            const std::map<std::string, int>& opsets);

Status ConvertValueInfo(const onnx::ValueInfoProto& vp, ValueInfo* out) {
  if (!vp.has_type()) return OkStatus();
  if (vp.type().has_sequence_type() || vp.type().has_map_type() || vp.type().has_optional_type() ||
      vp.type().has_sparse_tensor_type()) {
    return UnsupportedError("value '" + vp.name() + "' is not a tensor (sequence/map/optional)");
  }
  if (!vp.type().has_tensor_type()) return OkStatus();  // type left unspecified
  const auto& tt = vp.type().tensor_type();
  if (tt.has_elem_type()) {
    auto dtype = DataTypeFromOnnx(tt.elem_type());
    if (!dtype.ok()) return UnsupportedError("value '" + vp.name() + "': " + dtype.error().message);
    out->dtype = *dtype;
  }
  if (!tt.has_shape()) return OkStatus();
  out->has_shape = true;
  out->dims.clear();
  for (const auto& d : tt.shape().dim()) {
    Dim dim;
    if (d.has_dim_value()) {
      if (d.dim_value() < 0 || d.dim_value() > (int64_t{1} << 40)) {
        return MalformedError("value '" + vp.name() + "' has dimension " +
                              std::to_string(d.dim_value()));
      }
      dim.value = d.dim_value();
    } else {
      dim.symbol = d.dim_param();
    }
    out->dims.push_back(std::move(dim));
  }
  return OkStatus();
}

Result<Attribute> ConvertAttribute(const onnx::AttributeProto& ap, const Scope* scope, int depth,
                                   const LoadLimits& limits,
                                   const std::map<std::string, int>& opsets) {
  Attribute a;
  using AP = onnx::AttributeProto;
  if (!ap.ref_attr_name().empty()) return UnsupportedError("attribute references (functions)");
  AP::AttributeType type = ap.type();
  if (type == AP::UNDEFINED) {  // IR < 3 models leave the type out; infer it from the field set
    if (ap.has_f()) type = AP::FLOAT;
    else if (ap.has_i()) type = AP::INT;
    else if (ap.has_s()) type = AP::STRING;
    else if (ap.has_t()) type = AP::TENSOR;
    else if (ap.has_g()) type = AP::GRAPH;
    else if (ap.floats_size()) type = AP::FLOATS;
    else if (ap.ints_size()) type = AP::INTS;
    else if (ap.strings_size()) type = AP::STRINGS;
  }
  switch (type) {
    case AP::FLOAT: a.type = Attribute::Type::kFloat; a.f = ap.f(); break;
    case AP::INT: a.type = Attribute::Type::kInt; a.i = ap.i(); break;
    case AP::STRING: a.type = Attribute::Type::kString; a.s = ap.s(); break;
    case AP::FLOATS: a.type = Attribute::Type::kFloats; a.floats.assign(ap.floats().begin(), ap.floats().end()); break;
    case AP::INTS: a.type = Attribute::Type::kInts; a.ints.assign(ap.ints().begin(), ap.ints().end()); break;
    case AP::STRINGS: a.type = Attribute::Type::kStrings; a.strings.assign(ap.strings().begin(), ap.strings().end()); break;
    case AP::TENSOR: {
      a.type = Attribute::Type::kTensor;
      CONFIDE_ASSIGN_OR_RETURN(a.t, ConvertTensor(ap.t(), limits));
      break;
    }
    case AP::GRAPH: {
      a.type = Attribute::Type::kGraph;
      CONFIDE_ASSIGN_OR_RETURN(a.g, ConvertGraph(ap.g(), scope, depth + 1, limits, opsets));
      break;
    }
    default:
      return UnsupportedError("attribute '" + ap.name() + "' has unsupported type " +
                              std::to_string(static_cast<int>(type)));
  }
  return a;
}

Status ConvertNode(const onnx::NodeProto& np, size_t index, Graph& g, const Scope& scope,
                   int depth, const LoadLimits& limits) {
  Node n;
  n.op_type = np.op_type();
  n.domain = Domain(np.domain());
  n.name = np.name().empty() ? n.op_type + "#" + std::to_string(index) : np.name();
  const std::string where = "node '" + n.name + "' (" + n.op_type + ")";
  auto opset = g.opsets.find(n.domain);
  if (opset == g.opsets.end()) {
    return UnsupportedError(where + ": domain '" + n.domain + "' is not imported by the model");
  }
  n.opset = opset->second;
  for (const auto& ap : np.attribute()) {
    if (n.attrs.count(ap.name())) return MalformedError(where + ": duplicate attribute " + ap.name());
    if (!ap.name().empty() && ap.name()[0] == '_') {  // the optimizer's own ("_act", "_bias")
      return MalformedError(where + ": attribute name " + ap.name() + " is reserved (leading '_')");
    }
    auto a = ConvertAttribute(ap, &scope, depth, limits, g.opsets);
    if (!a.ok()) return Error{a.error().code, where + ": " + a.error().message};
    if (a->g) {
      for (int ref : a->g->outer_refs) {
        // A name from a scope above ours becomes one of our own outer refs in CheckEdges.
        n.implicit_inputs.push_back(g.Intern(a->g->values[ref].name));
      }
    }
    n.attrs.emplace(ap.name(), std::move(*a));
  }
  for (const std::string& in : np.input()) n.inputs.push_back(in.empty() ? -1 : g.Intern(in));
  for (const std::string& out : np.output()) n.outputs.push_back(out.empty() ? -1 : g.Intern(out));
  g.nodes.push_back(std::move(n));
  return OkStatus();
}

// Checks single assignment and that every input is defined here or in an enclosing scope.
Status CheckEdges(Graph& g, const Scope* outer) {
  std::vector<bool> defined(g.values.size(), false);
  for (int id : g.inputs) defined[id] = true;
  for (const auto& [id, t] : g.constants) defined[id] = true;
  for (const Node& n : g.nodes) {
    for (int out : n.outputs) {
      if (out < 0) continue;
      if (defined[out]) {
        return MalformedError("node '" + n.name + "': output '" + g.values[out].name +
                              "' is already defined (a value has one producer)");
      }
      defined[out] = true;
    }
  }
  std::set<int> outer_refs;
  auto check_use = [&](const Node* n, int id) -> Status {
    if (id < 0 || defined[id]) return OkStatus();
    const std::string& name = g.values[id].name;
    if (outer != nullptr && outer->Visible(name)) {
      outer_refs.insert(id);
      return OkStatus();
    }
    return MalformedError((n ? "node '" + n->name + "'" : std::string("graph output")) +
                          ": input '" + name + "' is not produced by any node");
  };
  for (const Node& n : g.nodes) {
    for (int in : n.inputs) CONFIDE_TRY(check_use(&n, in));
    for (int in : n.implicit_inputs) CONFIDE_TRY(check_use(&n, in));
  }
  for (int out : g.outputs) CONFIDE_TRY(check_use(nullptr, out));
  g.outer_refs.assign(outer_refs.begin(), outer_refs.end());
  return OkStatus();
}

Result<std::shared_ptr<Graph>> ConvertGraph(const onnx::GraphProto& gp, const Scope* outer,
                                            int depth, const LoadLimits& limits,
                                            const std::map<std::string, int>& opsets) {
  if (depth > limits.max_subgraph_depth) return UnsupportedError("subgraphs nested too deeply");
  if (static_cast<size_t>(gp.node_size()) > limits.max_nodes) {
    return UnsupportedError("graph has " + std::to_string(gp.node_size()) + " nodes");
  }
  if (gp.sparse_initializer_size() > 0) return UnsupportedError("sparse initializers");
  auto g = std::make_shared<Graph>();
  g->opsets = opsets;
  for (const auto& tp : gp.initializer()) {
    int id = g->Intern(tp.name());
    if (g->constants.count(id)) return MalformedError("initializer '" + tp.name() + "' repeated");
    CONFIDE_ASSIGN_OR_RETURN(Tensor t, ConvertTensor(tp, limits));
    g->values[id].dtype = t.dtype();
    g->constants.emplace(id, std::move(t));
  }
  for (const auto& vp : gp.input()) {
    int id = g->Intern(vp.name());
    CONFIDE_TRY(ConvertValueInfo(vp, &g->values[id]));
    if (!g->constants.count(id)) g->inputs.push_back(id);
  }
  for (const auto& vp : gp.value_info()) CONFIDE_TRY(ConvertValueInfo(vp, &g->values[g->Intern(vp.name())]));
  for (const auto& vp : gp.output()) {
    int id = g->Intern(vp.name());
    CONFIDE_TRY(ConvertValueInfo(vp, &g->values[id]));
    g->outputs.push_back(id);
  }
  Scope scope{outer, g.get()};
  for (int i = 0; i < gp.node_size(); ++i) {
    CONFIDE_TRY(ConvertNode(gp.node(i), i, *g, scope, depth, limits));
  }
  CONFIDE_TRY(CheckEdges(*g, outer));
  CONFIDE_TRY(TopologicalSort(*g));
  return g;
}

}  // namespace

int Graph::Intern(const std::string& name) {
  auto [it, inserted] = value_index.emplace(name, static_cast<int>(values.size()));
  if (inserted) values.push_back(ValueInfo{.name = name});
  return it->second;
}

Status TopologicalSort(Graph& g) {
  std::vector<int> producer(g.values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int out : g.nodes[i].outputs) {
      if (out >= 0) producer[out] = static_cast<int>(i);
    }
  }
  std::vector<int> pending(g.nodes.size(), 0);
  std::vector<std::vector<int>> users(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    std::set<int> deps;
    for (const auto* list : {&g.nodes[i].inputs, &g.nodes[i].implicit_inputs}) {
      for (int in : *list) {
        if (in >= 0 && producer[in] >= 0) deps.insert(producer[in]);
      }
    }
    for (int d : deps) users[d].push_back(static_cast<int>(i));
    pending[i] = static_cast<int>(deps.size());
  }
  std::vector<int> order;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (pending[i] == 0) order.push_back(static_cast<int>(i));
  }
  for (size_t k = 0; k < order.size(); ++k) {
    for (int u : users[order[k]]) {
      if (--pending[u] == 0) order.push_back(u);
    }
  }
  if (order.size() != g.nodes.size()) {
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (pending[i] > 0) {
        return MalformedError("node '" + g.nodes[i].name + "' is on a cycle of the graph");
      }
    }
  }
  std::vector<Node> sorted;
  sorted.reserve(order.size());
  for (int i : order) sorted.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(sorted);
  return OkStatus();
}

Result<Tensor> ParseOnnxTensor(ByteSpan bytes, std::string* name) {
  onnx::TensorProto p;
  if (!ParseLimited(bytes, 16, &p)) return MalformedError("not a valid ONNX TensorProto");
  if (name) *name = p.name();
  return ConvertTensor(p, LoadLimits{});
}

Result<std::shared_ptr<Graph>> ParseOnnxModel(ByteSpan bytes, const LoadLimits& limits,
                                              ModelMeta* meta) {
  if (bytes.size() > limits.max_model_size) {
    return InvalidArgumentError("model is " + std::to_string(bytes.size()) + " bytes; limit " +
                                std::to_string(limits.max_model_size));
  }
  onnx::ModelProto m;
  if (!ParseLimited(bytes, limits.max_recursion, &m)) {
    return MalformedError("not a valid ONNX model (protobuf parse failed: truncated, corrupt or "
                          "nested deeper than " + std::to_string(limits.max_recursion) + ")");
  }
  if (!m.has_graph()) return MalformedError("ONNX model has no graph");
  if (m.ir_version() < 3) {
    return UnsupportedError("ONNX IR version " + std::to_string(m.ir_version()) + " (need >= 3)");
  }
  meta->ir_version = m.ir_version();
  meta->producer_name = m.producer_name();
  for (const auto& op : m.opset_import()) {
    std::string d = Domain(op.domain());
    if (op.version() < 1 || op.version() > 1000) {
      return MalformedError("opset version " + std::to_string(op.version()) + " for domain '" + d + "'");
    }
    meta->opsets[d] = static_cast<int>(op.version());
  }
  if (meta->opsets.empty()) meta->opsets[""] = 1;  // IR 3 default
  auto ai = meta->opsets.find("");
  if (ai != meta->opsets.end() && ai->second > kMaxSupportedOpset) {
    return UnsupportedError("ai.onnx opset " + std::to_string(ai->second) + " (supported: 1-" +
                            std::to_string(kMaxSupportedOpset) + ")");
  }
  return ConvertGraph(m.graph(), nullptr, 0, limits, meta->opsets);
}

}  // namespace confide::engine::internal
