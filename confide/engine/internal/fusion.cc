// Pattern fusions. Each rewrite keeps results equal up to float rounding:
//   Conv → BatchNormalization      ⇒ Conv with folded weights and bias (constant params only)
//   Conv|Gemm → Relu|Clip|LeakyRelu ⇒ Conv|Gemm with the "_act" post-op attribute
//   Conv → HardSwish                ⇒ Conv with the "_act" post-op attribute
//   x * HardSigmoid(x) (alpha 1/6, beta 1/2) ⇒ HardSwish(x)
//   x * Clip(x + 3, 0, 6) / 6 (or * 1/6)     ⇒ HardSwish(x)   (PaddlePaddle's and older exports)
//   (x - m) / Sqrt(ReduceMean((x - m)^2) + eps) * gamma [+ beta], m = ReduceMean(x), last axis
//                                             ⇒ LayerNormalization(x, gamma, beta)
//   Conv → Mul|Add by a scalar constant       ⇒ Conv with scaled weights and bias, or, after a
//                                               fused activation, its affine tail ("_act_scale",
//                                               "_act_shift"; PP-LCNet's learnable affine blocks)
//   MatMul(x, W) + b, W a constant 2-D float32 [K, N], b a constant float32 [N]
//                                             ⇒ MatMul with bias b as input 2 and "_bias" = 1: the
//                                               Gemm form A*B + C, for x of any rank (rank is not
//                                               known before the first run)
// A rewrite applies only when the intermediate value has one consumer and is not a graph output.
#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <utility>

#include "confide/engine/internal/optimizer.h"

namespace confide::engine::internal {
namespace {

struct Uses {
  std::vector<int> count;     // consumers per value (graph outputs count as one)
  std::vector<int> producer;  // node index per value, -1 if none
};

Uses CountUses(const Graph& g) {
  Uses u{std::vector<int>(g.values.size(), 0), std::vector<int>(g.values.size(), -1)};
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto* list : {&g.nodes[i].inputs, &g.nodes[i].implicit_inputs}) {
      for (int in : *list) {
        if (in >= 0) ++u.count[in];
      }
    }
    for (int out : g.nodes[i].outputs) {
      if (out >= 0) u.producer[out] = static_cast<int>(i);
    }
  }
  for (int out : g.outputs) u.count[out] += 2;  // never fuse away a graph output
  return u;
}

int AddConstant(Graph& g, const std::string& name, Tensor t) {
  int id = g.Intern(name + "_fused_" + std::to_string(g.values.size()));
  g.values[id].dtype = t.dtype();
  g.constants[id] = std::move(t);
  return id;
}

// Folds BatchNormalization `bn` into the Conv that produces its input.
bool FoldBatchNorm(Graph& g, Node& conv, Node& bn) {
  const Tensor* w = g.Constant(conv.inputs[1]);
  const Tensor* b = conv.inputs.size() > 2 && conv.inputs[2] >= 0 ? g.Constant(conv.inputs[2]) : nullptr;
  if (!w || w->dtype() != DataType::kFloat32 || (conv.inputs.size() > 2 && conv.inputs[2] >= 0 && !b)) return false;
  if (bn.inputs.size() != 5 || bn.outputs.size() != 1) return false;
  const Tensor* p[4];
  for (int i = 0; i < 4; ++i) {
    p[i] = bn.inputs[i + 1] >= 0 ? g.Constant(bn.inputs[i + 1]) : nullptr;
    if (!p[i] || p[i]->dtype() != DataType::kFloat32) return false;
  }
  int64_t m = w->shape().empty() ? 0 : w->shape()[0];
  if (m == 0 || (b && b->num_elements() != m)) return false;
  for (const Tensor* t : p) {
    if (t->num_elements() != m) return false;
  }
  auto eps_it = bn.attrs.find("epsilon");
  float eps = eps_it != bn.attrs.end() ? eps_it->second.f : 1e-5f;
  Tensor nw = w->Clone();
  Tensor nb = Tensor::Zeros(DataType::kFloat32, {m});
  int64_t per = w->num_elements() / m;
  for (int64_t c = 0; c < m; ++c) {
    float s = p[0]->data<float>()[c] / std::sqrt(p[3]->data<float>()[c] + eps);
    for (int64_t k = 0; k < per; ++k) nw.data<float>()[c * per + k] *= s;
    float bias = b ? b->data<float>()[c] : 0.f;
    nb.data<float>()[c] = (bias - p[2]->data<float>()[c]) * s + p[1]->data<float>()[c];
  }
  conv.inputs.resize(3);
  conv.inputs[1] = AddConstant(g, conv.name + "_W", std::move(nw));
  conv.inputs[2] = AddConstant(g, conv.name + "_B", std::move(nb));
  conv.outputs[0] = bn.outputs[0];
  return true;
}

// The value of constant `v` if it is a single float32.
std::optional<float> ScalarConstant(const Graph& g, int v) {
  const Tensor* t = v >= 0 ? g.Constant(v) : nullptr;
  if (!t || t->dtype() != DataType::kFloat32 || t->num_elements() != 1) return std::nullopt;
  return t->data<float>()[0];
}

// Clip's (min, max): attributes before opset 11, constant inputs since; nullopt when an input
// bound is not a constant float32 scalar.
std::optional<std::pair<float, float>> ClipBounds(const Graph& g, const Node& clip) {
  float lo = -INFINITY, hi = INFINITY;
  if (clip.opset < 11) {
    auto l = clip.attrs.find("min"), h = clip.attrs.find("max");
    if (l != clip.attrs.end()) lo = l->second.f;
    if (h != clip.attrs.end()) hi = h->second.f;
    return std::pair{lo, hi};
  }
  for (size_t i = 1; i < clip.inputs.size() && i < 3; ++i) {
    if (clip.inputs[i] < 0) continue;
    auto v = ScalarConstant(g, clip.inputs[i]);
    if (!v) return std::nullopt;
    (i == 1 ? lo : hi) = *v;
  }
  return std::pair{lo, hi};
}

// Attaches activation `act` to `producer` as the "_act" post-op.
bool AttachActivation(const Graph& g, Node& producer, const Node& act) {
  if (producer.attrs.count("_act")) return false;
  auto set = [&](const char* key, float v) {
    Attribute a;
    a.type = Attribute::Type::kFloat;
    a.f = v;
    producer.attrs[key] = a;
  };
  Attribute kind;
  kind.type = Attribute::Type::kString;
  kind.s = act.op_type;
  if (act.op_type == "Clip") {
    auto bounds = ClipBounds(g, act);
    if (!bounds) return false;
    set("_act_lo", bounds->first);
    set("_act_hi", bounds->second);
  } else if (act.op_type == "LeakyRelu") {
    auto a = act.attrs.find("alpha");
    set("_act_alpha", a != act.attrs.end() ? a->second.f : 0.01f);
  }
  producer.attrs["_act"] = kind;
  producer.outputs[0] = act.outputs[0];
  return true;
}

bool IsHardSigmoidSixth(const Node& n) {
  auto a = n.attrs.find("alpha"), b = n.attrs.find("beta");
  float alpha = a != n.attrs.end() ? a->second.f : 0.2f, beta = b != n.attrs.end() ? b->second.f : 0.5f;
  return std::fabs(alpha - 1.f / 6) < 1e-6f && std::fabs(beta - 0.5f) < 1e-6f;
}

// Folds `n` = x * s or x + s (s a float32 scalar constant, input `scalar_side`) into `conv`, the
// Conv that makes x: into the weights and bias when the Conv has no post-op, else into the
// post-op's affine tail act(x) * scale + shift.
bool FoldScalarAffine(Graph& g, Node& conv, const Node& n, int scalar_side) {
  auto s = ScalarConstant(g, n.inputs[scalar_side]);
  if (!s || g.Constant(n.inputs[scalar_side])->shape().size() > 1) return false;  // rank stays
  bool mul = n.op_type == "Mul";
  if (conv.attrs.count("_act")) {
    auto get = [&](const char* key, float def) {
      auto it = conv.attrs.find(key);
      return it != conv.attrs.end() ? it->second.f : def;
    };
    float scale = get("_act_scale", 1.f), shift = get("_act_shift", 0.f);
    if (mul) {
      scale *= *s;
      shift *= *s;
    } else {
      shift += *s;
    }
    for (auto [key, v] : {std::pair{"_act_scale", scale}, std::pair{"_act_shift", shift}}) {
      Attribute a;
      a.type = Attribute::Type::kFloat;
      a.f = v;
      conv.attrs[key] = a;
    }
  } else {
    const Tensor* w = conv.inputs.size() > 1 ? g.Constant(conv.inputs[1]) : nullptr;
    bool has_b = conv.inputs.size() > 2 && conv.inputs[2] >= 0;
    const Tensor* b = has_b ? g.Constant(conv.inputs[2]) : nullptr;
    if (!w || w->dtype() != DataType::kFloat32 || w->shape().empty() || (has_b && !b)) return false;
    int64_t m = w->shape()[0];
    if (b && (b->dtype() != DataType::kFloat32 || b->num_elements() != m)) return false;
    Tensor nb = Tensor::Zeros(DataType::kFloat32, {m});
    for (int64_t c = 0; c < m; ++c) {
      float bias = b ? b->data<float>()[c] : 0.f;
      nb.data<float>()[c] = mul ? bias * *s : bias + *s;
    }
    if (mul) {
      Tensor nw = w->Clone();
      for (int64_t i = 0; i < nw.num_elements(); ++i) nw.data<float>()[i] *= *s;
      conv.inputs[1] = AddConstant(g, conv.name + "_W", std::move(nw));
    }
    conv.inputs.resize(3);
    conv.inputs[2] = AddConstant(g, conv.name + "_B", std::move(nb));
  }
  conv.outputs[0] = n.outputs[0];
  return true;
}

// Folds `add` = MatMul(x, W) + b (b at input `bias_side`) into `matmul`, as its bias input.
bool FoldMatMulBias(Graph& g, Node& matmul, const Node& add, int bias_side) {
  if (matmul.inputs.size() != 2 || matmul.attrs.count("_bias")) return false;
  const Tensor* w = g.Constant(matmul.inputs[1]);
  const Tensor* b = g.Constant(add.inputs[bias_side]);
  if (!w || !b || w->dtype() != DataType::kFloat32 || b->dtype() != DataType::kFloat32) return false;
  // b must broadcast along the last axis only, so that the sum keeps the MatMul's shape.
  if (w->shape().size() != 2 || w->shape()[1] == 0 || b->shape() != Shape{w->shape()[1]}) return false;
  Attribute flag;
  flag.type = Attribute::Type::kInt;
  flag.i = 1;
  matmul.attrs["_bias"] = flag;
  matmul.inputs.push_back(add.inputs[bias_side]);
  matmul.outputs[0] = add.outputs[0];
  return true;
}

// The node that makes value `v` if `v` has exactly one use and its maker is a live ai.onnx node
// of type `op`; else -1.
int SoleProducer(const Graph& g, const Uses& u, const std::vector<bool>& dead, int v, const char* op) {
  int p = v >= 0 ? u.producer[v] : -1;
  if (p < 0 || dead[p] || u.count[v] != 1) return -1;
  const Node& n = g.nodes[p];
  return n.op_type == op && n.domain.empty() ? p : -1;
}

bool Near(std::optional<float> v, float want) { return v && std::fabs(*v - want) <= 1e-6f * want; }

// Matches `last` = x * Clip(x + 3, 0, 6) / 6 (Div by 6 or Mul by 1/6; each product and sum in
// either operand order). On a match returns x and the Add, Clip and Mul nodes before `last`.
std::optional<std::pair<int, std::array<int, 3>>> MatchDecomposedHardSwish(
    const Graph& g, const Uses& u, const std::vector<bool>& dead, const Node& last) {
  if (!last.domain.empty() || last.inputs.size() != 2) return std::nullopt;
  int product = -1;
  if (last.op_type == "Div" && Near(ScalarConstant(g, last.inputs[1]), 6.f)) product = last.inputs[0];
  for (int side = 0; side < 2 && last.op_type == "Mul"; ++side) {
    if (Near(ScalarConstant(g, last.inputs[side]), 1.f / 6)) product = last.inputs[1 - side];
  }
  int mul = SoleProducer(g, u, dead, product, "Mul");
  if (mul < 0 || g.nodes[mul].inputs.size() != 2) return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    int x = g.nodes[mul].inputs[1 - side];
    int clip = SoleProducer(g, u, dead, g.nodes[mul].inputs[side], "Clip");
    if (clip < 0) continue;
    auto bounds = ClipBounds(g, g.nodes[clip]);
    if (!bounds || bounds->first != 0.f || bounds->second != 6.f) continue;
    int add = SoleProducer(g, u, dead, g.nodes[clip].inputs[0], "Add");
    if (add < 0 || g.nodes[add].inputs.size() != 2) continue;
    const auto& in = g.nodes[add].inputs;
    if ((in[0] == x && Near(ScalarConstant(g, in[1]), 3.f)) ||
        (in[1] == x && Near(ScalarConstant(g, in[0]), 3.f))) {
      return std::pair{x, std::array<int, 3>{add, clip, mul}};
    }
  }
  return std::nullopt;
}

// ReduceMean over the last axis only, keeping it (axes as the attribute [-1]).
bool IsLastAxisMean(const Node& n) {
  auto axes = n.attrs.find("axes"), keep = n.attrs.find("keepdims");
  if (n.inputs.size() != 1 || axes == n.attrs.end() || axes->second.ints != std::vector<int64_t>{-1}) return false;
  return keep == n.attrs.end() || keep->second.i == 1;
}

// A decomposed LayerNormalization ending at `last`: Add(Mul(d, gamma), beta) or Mul(d, gamma),
// where d = Div(s, Sqrt(Add(ReduceMean(Pow(s, 2)), eps))), s = Sub(x, ReduceMean(x)), both means
// over the last axis; gamma and beta constant, eps a scalar constant. On a match returns the
// rewritten node's inputs {x, gamma[, beta]}, epsilon and the nodes to drop (all but `last`).
struct LayerNormMatch {
  std::vector<int> inputs;
  float epsilon = 0;
  std::vector<int> fused;
};

std::optional<LayerNormMatch> MatchDecomposedLayerNorm(const Graph& g, const Uses& u, const std::vector<bool>& dead,
                                                       const Node& last) {
  if (!last.domain.empty() || last.inputs.size() != 2) return std::nullopt;
  LayerNormMatch m;
  const Node* mul = nullptr;  // the Mul by gamma: `last`, or the node before an Add of beta
  int beta = -1;
  if (last.op_type == "Add" && g.Constant(last.inputs[1])) {
    int scaled = SoleProducer(g, u, dead, last.inputs[0], "Mul");
    if (scaled < 0) return std::nullopt;
    mul = &g.nodes[scaled];
    beta = last.inputs[1];
    m.fused.push_back(scaled);
  } else if (last.op_type == "Mul") {
    mul = &last;
  } else {
    return std::nullopt;
  }
  if (mul->inputs.size() != 2 || !g.Constant(mul->inputs[1])) return std::nullopt;
  int gamma = mul->inputs[1];
  int div = SoleProducer(g, u, dead, mul->inputs[0], "Div");
  if (div < 0 || g.nodes[div].inputs.size() != 2) return std::nullopt;
  int s = g.nodes[div].inputs[0];
  int sqrt = SoleProducer(g, u, dead, g.nodes[div].inputs[1], "Sqrt");
  if (sqrt < 0) return std::nullopt;
  int add = SoleProducer(g, u, dead, g.nodes[sqrt].inputs[0], "Add");
  if (add < 0 || g.nodes[add].inputs.size() != 2) return std::nullopt;
  auto eps = ScalarConstant(g, g.nodes[add].inputs[1]);
  int var = SoleProducer(g, u, dead, g.nodes[add].inputs[0], "ReduceMean");
  if (!eps || var < 0 || !IsLastAxisMean(g.nodes[var])) return std::nullopt;
  int pow = SoleProducer(g, u, dead, g.nodes[var].inputs[0], "Pow");
  if (pow < 0 || g.nodes[pow].inputs.size() != 2 || g.nodes[pow].inputs[0] != s) return std::nullopt;
  auto two = ScalarConstant(g, g.nodes[pow].inputs[1]);
  if (!two || *two != 2.f) return std::nullopt;
  // s feeds exactly the Pow and the Div.
  int sub = s >= 0 ? u.producer[s] : -1;
  if (sub < 0 || dead[sub] || u.count[s] != 2 || g.nodes[sub].op_type != "Sub" || !g.nodes[sub].domain.empty() ||
      g.nodes[sub].inputs.size() != 2) {
    return std::nullopt;
  }
  int x = g.nodes[sub].inputs[0];
  int mean = SoleProducer(g, u, dead, g.nodes[sub].inputs[1], "ReduceMean");
  if (mean < 0 || !IsLastAxisMean(g.nodes[mean]) || g.nodes[mean].inputs[0] != x) return std::nullopt;
  // gamma and beta 1-D of the same length > 1: broadcasting against x then makes it the last
  // dim, the size LayerNormalization's scale and bias must have.
  const Tensor* gt = g.Constant(gamma);
  const Tensor* bt = beta >= 0 ? g.Constant(beta) : nullptr;
  if (gt->shape().size() != 1 || gt->num_elements() < 2 || gt->dtype() != DataType::kFloat32 ||
      (bt && (bt->shape() != gt->shape() || bt->dtype() != DataType::kFloat32))) {
    return std::nullopt;
  }
  m.inputs = {x, gamma};
  if (beta >= 0) m.inputs.push_back(beta);
  m.epsilon = *eps;
  for (int k : {div, sqrt, add, var, pow, sub, mean}) m.fused.push_back(k);  // and the Mul, if not `last`
  return m;
}

// For each live binary ai.onnx node of an op in `ops` whose operand on one side is the sole use
// of a `producer_op` node: if fold(g, producer, node, other side) rewrites the producer to take
// the node's place, the node is dropped. Returns the number of folds.
template <typename Fold>
int FoldIntoProducer(Graph& g, const Uses& u, std::vector<bool>& dead,
                     std::initializer_list<const char*> ops, const char* producer_op, Fold fold) {
  int folds = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    bool op_matches =
        std::any_of(ops.begin(), ops.end(), [&](const char* op) { return n.op_type == op; });
    if (dead[i] || !op_matches || n.inputs.size() != 2 || !n.domain.empty()) continue;
    for (int side = 0; side < 2; ++side) {
      int p = SoleProducer(g, u, dead, n.inputs[1 - side], producer_op);
      if (p < 0 || !fold(g, g.nodes[p], n, side)) continue;
      dead[i] = true;
      ++folds;
      break;
    }
  }
  return folds;
}

// One sweep over the nodes; returns the number of rewrites. Fused-away nodes are cleared.
int FuseOnce(Graph& g) {
  Uses u = CountUses(g);
  int rewrites = 0;
  std::vector<bool> dead(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (dead[i] || n.inputs.empty() || n.inputs[0] < 0 || !n.domain.empty()) continue;
    int src = n.inputs[0];
    int p = u.producer[src];
    if (p < 0 || dead[p] || u.count[src] != 1) continue;
    Node& prod = g.nodes[p];
    bool fused = false;
    if (n.op_type == "BatchNormalization" && prod.op_type == "Conv" && !prod.attrs.count("_act")) {
      fused = FoldBatchNorm(g, prod, n);
    } else if ((n.op_type == "Relu" || n.op_type == "Clip" || n.op_type == "LeakyRelu") &&
               (prod.op_type == "Conv" || prod.op_type == "Gemm")) {
      fused = AttachActivation(g, prod, n);
    } else if (n.op_type == "HardSwish" && prod.op_type == "Conv") {
      fused = AttachActivation(g, prod, n);
    }
    if (fused) {
      dead[i] = true;
      ++rewrites;
    }
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {  // Mul(x, HardSigmoid(x)) → HardSwish(x)
    Node& n = g.nodes[i];
    if (dead[i] || n.op_type != "Mul" || n.inputs.size() != 2 || !n.domain.empty()) continue;
    for (int side = 0; side < 2; ++side) {
      int hs = n.inputs[side], x = n.inputs[1 - side];
      int p = hs >= 0 ? u.producer[hs] : -1;
      if (p < 0 || dead[p] || u.count[hs] != 1) continue;
      Node& h = g.nodes[p];
      if (h.op_type != "HardSigmoid" || h.inputs[0] != x || !IsHardSigmoidSixth(h)) continue;
      n.op_type = "HardSwish";
      n.inputs = {x};
      dead[p] = true;
      ++rewrites;
      break;
    }
  }
  // Conv → Mul|Add by a scalar → Conv; MatMul(x, W) + b → MatMul with a bias.
  rewrites += FoldIntoProducer(g, u, dead, {"Mul", "Add"}, "Conv", FoldScalarAffine);
  rewrites += FoldIntoProducer(g, u, dead, {"Add"}, "MatMul", FoldMatMulBias);
  // Decomposed LayerNorm → LayerNormalization. Backwards, so that the Add of beta is seen before
  // the Mul by gamma, which alone would also match.
  for (size_t i = g.nodes.size(); i-- > 0;) {
    Node& n = g.nodes[i];
    if (dead[i]) continue;
    auto m = MatchDecomposedLayerNorm(g, u, dead, n);
    if (!m) continue;
    n.op_type = "LayerNormalization";
    n.inputs = m->inputs;
    n.attrs.clear();
    Attribute axis, eps;
    axis.type = Attribute::Type::kInt;
    axis.i = -1;
    eps.type = Attribute::Type::kFloat;
    eps.f = m->epsilon;
    n.attrs["axis"] = axis;
    n.attrs["epsilon"] = eps;
    for (int k : m->fused) dead[k] = true;
    ++rewrites;
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {  // x * Clip(x + 3, 0, 6) / 6 → HardSwish(x)
    Node& n = g.nodes[i];
    if (dead[i]) continue;
    auto m = MatchDecomposedHardSwish(g, u, dead, n);
    if (!m) continue;
    n.op_type = "HardSwish";
    n.inputs = {m->first};
    n.attrs.clear();
    for (int k : m->second) dead[k] = true;
    ++rewrites;
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!dead[i]) kept.push_back(std::move(g.nodes[i]));
  }
  g.nodes = std::move(kept);
  return rewrites;
}

}  // namespace

void FuseGraph(Graph& g) {
  while (FuseOnce(g) > 0) {
  }
}

}  // namespace confide::engine::internal
