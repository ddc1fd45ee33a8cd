// ai.onnx.ml TreeEnsembleClassifier and TreeEnsembleRegressor. The trees are validated once in
// the factory (sizes agree, child ids exist, traversal bounded), so Run cannot loop or overrun.
#include <algorithm>
#include <cmath>
#include <map>

#include "confide/engine/kernels/kernel_util.h"
#include "confide/engine/kernels/kernels.h"

namespace confide::engine::kernels {
namespace {

enum class Mode { kLeq, kLt, kGte, kGt, kEq, kNeq, kLeaf };

struct TreeNode {
  Mode mode = Mode::kLeaf;
  int64_t feature = 0;
  float value = 0;
  int32_t true_child = -1, false_child = -1;
  bool missing_true = false;
  std::vector<std::pair<int64_t, float>> outputs;  // (target or class index, weight)
};

struct Ensemble {
  std::vector<TreeNode> nodes;
  std::vector<int32_t> roots;
  int64_t num_outputs = 1;
  std::vector<float> base_values;
  std::string post_transform, aggregate = "SUM";
  std::vector<int64_t> labels;  // classifier
  bool classifier = false;
};

Result<Mode> ParseMode(const std::string& s) {
  static const std::map<std::string, Mode> kModes = {{"BRANCH_LEQ", Mode::kLeq}, {"BRANCH_LT", Mode::kLt},
      {"BRANCH_GTE", Mode::kGte}, {"BRANCH_GT", Mode::kGt}, {"BRANCH_EQ", Mode::kEq},
      {"BRANCH_NEQ", Mode::kNeq}, {"LEAF", Mode::kLeaf}};
  auto it = kModes.find(s);
  if (it == kModes.end()) return InvalidArgumentError("unknown node mode " + s);
  return it->second;
}

Status BuildNodes(const NodeInfo& n, Ensemble& e, std::map<std::pair<int64_t, int64_t>, int32_t>& index) {
  auto tree = n.GetInts("nodes_treeids"), ids = n.GetInts("nodes_nodeids"), feat = n.GetInts("nodes_featureids"),
       tc = n.GetInts("nodes_truenodeids"), fc = n.GetInts("nodes_falsenodeids"), miss = n.GetInts("nodes_missing_value_tracks_true");
  auto vals = n.GetFloats("nodes_values");
  auto modes = n.GetStrings("nodes_modes");
  size_t count = tree.size();
  if (ids.size() != count || feat.size() != count || tc.size() != count || fc.size() != count ||
      vals.size() != count || modes.size() != count || (!miss.empty() && miss.size() != count)) {
    return InvalidArgumentError("tree node attributes differ in length");
  }
  for (size_t i = 0; i < count; ++i) {
    if (!index.emplace(std::make_pair(tree[i], ids[i]), static_cast<int32_t>(i)).second) return InvalidArgumentError("duplicate tree node id");
    TreeNode node;
    CONFIDE_ASSIGN_OR_RETURN(node.mode, ParseMode(modes[i]));
    node.feature = feat[i];
    node.value = vals[i];
    node.missing_true = !miss.empty() && miss[i] != 0;
    if (node.feature < 0) return InvalidArgumentError("negative feature id");
    e.nodes.push_back(node);
  }
  for (size_t i = 0; i < count; ++i) {
    if (e.nodes[i].mode == Mode::kLeaf) continue;
    auto t = index.find({tree[i], tc[i]}), f = index.find({tree[i], fc[i]});
    if (t == index.end() || f == index.end()) return InvalidArgumentError("tree node child does not exist");
    e.nodes[i].true_child = t->second;
    e.nodes[i].false_child = f->second;
  }
  std::map<int64_t, int32_t> roots;
  for (size_t i = 0; i < count; ++i) {
    roots.emplace(tree[i], static_cast<int32_t>(i));  // first node of each tree, unless node 0 exists
  }
  for (auto& [t, i] : roots) {
    auto it = index.find({t, 0});
    e.roots.push_back(it != index.end() ? it->second : i);
  }
  return OkStatus();
}

Status AttachLeaves(const NodeInfo& n, const std::string& prefix, Ensemble& e,
                    const std::map<std::pair<int64_t, int64_t>, int32_t>& index) {
  auto tree = n.GetInts(prefix + "_treeids"), ids = n.GetInts(prefix + "_nodeids");
  auto targets = n.GetInts(prefix + "_ids");
  auto weights = n.GetFloats(prefix + "_weights");
  if (ids.size() != tree.size() || targets.size() != tree.size() || weights.size() != tree.size()) {
    return InvalidArgumentError(prefix + " attributes differ in length");
  }
  for (size_t i = 0; i < tree.size(); ++i) {
    auto it = index.find({tree[i], ids[i]});
    if (it == index.end()) return InvalidArgumentError(prefix + " refers to a missing node");
    if (targets[i] < 0 || targets[i] >= e.num_outputs) return InvalidArgumentError(prefix + " id out of range");
    e.nodes[it->second].outputs.emplace_back(targets[i], weights[i]);
  }
  return OkStatus();
}

const TreeNode& Leaf(const Ensemble& e, int32_t root, const float* row, int64_t width) {
  int32_t i = root;
  for (size_t steps = 0; steps <= e.nodes.size() && e.nodes[i].mode != Mode::kLeaf; ++steps) {
    const TreeNode& nd = e.nodes[i];
    float v = nd.feature < width ? row[nd.feature] : NAN;
    bool go;
    if (std::isnan(v)) {
      go = nd.missing_true;
    } else {
      switch (nd.mode) {
        case Mode::kLeq: go = v <= nd.value; break;
        case Mode::kLt: go = v < nd.value; break;
        case Mode::kGte: go = v >= nd.value; break;
        case Mode::kGt: go = v > nd.value; break;
        case Mode::kEq: go = v == nd.value; break;
        default: go = v != nd.value; break;
      }
    }
    i = go ? nd.true_child : nd.false_child;
  }
  return e.nodes[i];
}

void PostTransform(const std::string& t, float* s, int64_t n) {
  if (t == "LOGISTIC") {
    for (int64_t i = 0; i < n; ++i) s[i] = 1.f / (1.f + std::exp(-s[i]));
  } else if (t == "SOFTMAX" || t == "SOFTMAX_ZERO") {
    float mx = *std::max_element(s, s + n), sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += (s[i] = (t == "SOFTMAX_ZERO" && s[i] == 0) ? 0 : std::exp(s[i] - mx));
    for (int64_t i = 0; i < n; ++i) s[i] /= sum;
  }
}

class TreeEnsembleKernel : public Kernel {
 public:
  explicit TreeEnsembleKernel(Ensemble e) : e_(std::move(e)) {}
  Status Run(KernelContext& ctx) const override {
    CONFIDE_ASSIGN_OR_RETURN(const Tensor* x, Input(ctx, 0));
    if (x->dtype() != DataType::kFloat32 || x->shape().empty() || x->shape().size() > 2) return UnsupportedError("tree ensembles take float32 [N,F]");
    int64_t rows = x->shape().size() == 2 ? x->shape()[0] : 1, width = x->shape().back();
    int64_t k = e_.num_outputs;
    std::vector<float> scores(rows * k, 0.f);
    for (int64_t r = 0; r < rows; ++r) {
      float* s = scores.data() + r * k;
      for (int64_t j = 0; j < k; ++j) s[j] = e_.aggregate == "MIN" ? INFINITY : e_.aggregate == "MAX" ? -INFINITY : 0.f;
      for (int32_t root : e_.roots) {
        for (const auto& [t, w] : Leaf(e_, root, x->data<float>() + r * width, width).outputs) {
          s[t] = e_.aggregate == "MIN" ? std::min(s[t], w) : e_.aggregate == "MAX" ? std::max(s[t], w) : s[t] + w;
        }
      }
      for (int64_t j = 0; j < k; ++j) {
        if (e_.aggregate == "AVERAGE") s[j] /= static_cast<float>(e_.roots.size());
        if (!e_.base_values.empty()) s[j] += e_.base_values[j];
      }
      PostTransform(e_.post_transform, s, k);
    }
    int score_out = e_.classifier ? 1 : 0;
    if (e_.classifier) {
      CONFIDE_ASSIGN_OR_RETURN(Tensor * label, ctx.AllocateOutput(0, DataType::kInt64, {rows}));
      for (int64_t r = 0; r < rows; ++r) {
        const float* s = scores.data() + r * k;
        label->data<int64_t>()[r] = e_.labels[std::max_element(s, s + k) - s];
      }
    }
    if (ctx.num_outputs() > score_out) {
      CONFIDE_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(score_out, DataType::kFloat32, {rows, k}));
      std::copy(scores.begin(), scores.end(), y->data<float>());
    }
    return OkStatus();
  }

 private:
  Ensemble e_;
};

Result<std::unique_ptr<Kernel>> MakeEnsemble(const NodeInfo& n, bool classifier) {
  Ensemble e;
  e.classifier = classifier;
  e.post_transform = n.GetString("post_transform", "NONE");
  if (e.post_transform == "PROBIT") return UnsupportedError("post_transform PROBIT");
  e.base_values = n.GetFloats("base_values");
  if (classifier) {
    if (n.Has("classlabels_strings")) return UnsupportedError("string class labels");
    e.labels = n.GetInts("classlabels_int64s");
    e.num_outputs = static_cast<int64_t>(e.labels.size());
    if (e.num_outputs < 2) return UnsupportedError("classifiers with fewer than two classes");
  } else {
    e.num_outputs = n.GetInt("n_targets", 1);
    e.aggregate = n.GetString("aggregate_function", "SUM");
  }
  if (e.num_outputs <= 0 || e.num_outputs > (1 << 20)) return InvalidArgumentError("bad number of targets");
  if (!e.base_values.empty() && static_cast<int64_t>(e.base_values.size()) != e.num_outputs) return InvalidArgumentError("base_values size");
  std::map<std::pair<int64_t, int64_t>, int32_t> index;
  CONFIDE_TRY(BuildNodes(n, e, index));
  if (e.nodes.empty()) return InvalidArgumentError("tree ensemble without nodes");
  CONFIDE_TRY(AttachLeaves(n, classifier ? "class" : "target", e, index));
  return std::unique_ptr<Kernel>(new TreeEnsembleKernel(std::move(e)));
}

}  // namespace

void RegisterTreeEnsembleKernels(KernelRegistry* r) {
  r->Register({.domain = "ai.onnx.ml", .op_type = "TreeEnsembleClassifier", .until_version = 5,
               .factory = [](const NodeInfo& n) { return MakeEnsemble(n, true); }});
  r->Register({.domain = "ai.onnx.ml", .op_type = "TreeEnsembleRegressor", .until_version = 5,
               .factory = [](const NodeInfo& n) { return MakeEnsemble(n, false); }});
}

}  // namespace confide::engine::kernels
