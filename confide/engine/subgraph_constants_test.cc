// Constants read by If branches (engine.cc: ImportOuterConstants, internal::ConstantSharer), seen
// through the public API: a branch node whose inputs are all constants of the enclosing graph is
// folded at load rather than run on every run, and the branches' equal folded constants share
// one buffer.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "confide/engine/engine.h"
#include "confide/engine/kernel.h"
#include "onnx.pb.h"

namespace confide::engine {
namespace {

// Counts the runs of the kernel it wraps.
class CountingKernel : public Kernel {
 public:
  CountingKernel(std::unique_ptr<Kernel> inner, std::atomic<int>* runs)
      : inner_(std::move(inner)), runs_(runs) {}
  Status Run(KernelContext& ctx) const override {
    runs_->fetch_add(1);
    return inner_->Run(ctx);
  }

 private:
  std::unique_ptr<Kernel> inner_;
  std::atomic<int>* runs_;
};

// A model with the bool input `cond`, the float input X and the float output Y = If(cond).
// Initializers go into `main`; each branch gets its nodes from Branch(), which names the value
// the branch must write.
struct IfModel {
  onnx::ModelProto model;
  onnx::GraphProto* main = model.mutable_graph();
  onnx::NodeProto* if_node = nullptr;

  IfModel() {
    model.set_ir_version(8);
    model.add_opset_import()->set_version(13);
    AddValue(main->add_input(), "cond", onnx::TensorProto::BOOL);
    AddValue(main->add_input(), "X", onnx::TensorProto::FLOAT);
    AddValue(main->add_output(), "Y", onnx::TensorProto::FLOAT);
    if_node = AddNode(main, "If", "if", {"cond"}, "Y");
  }
  static void AddValue(onnx::ValueInfoProto* v, const std::string& name, int elem_type) {
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(elem_type);
  }
  static onnx::NodeProto* AddNode(onnx::GraphProto* g, const char* op, const std::string& name,
                                  const std::vector<std::string>& inputs, const std::string& out) {
    onnx::NodeProto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const std::string& in : inputs) n->add_input(in);
    n->add_output(out);
    return n;
  }
  void FloatInitializer(const char* name, const std::vector<float>& values,
                        const std::vector<int64_t>& dims) {
    onnx::TensorProto* t = main->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
  }
  void Int64Initializer(const char* name, const std::vector<int64_t>& values) {
    onnx::TensorProto* t = main->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
  }
  // The branch `name` ("then_branch" or "else_branch"), whose float output is `name` + "_Y".
  onnx::GraphProto* Branch(const std::string& name) {
    onnx::AttributeProto* attr = if_node->add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto* sub = attr->mutable_g();
    sub->set_name(name);
    AddValue(sub->add_output(), name + "_Y", onnx::TensorProto::FLOAT);
    return sub;
  }
  std::string Bytes() const { return model.SerializeAsString(); }
};

Result<std::unique_ptr<Model>> Load(const std::string& bytes, const KernelRegistry& registry) {
  return Model::Load(ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                     {.num_threads = 1, .registry = &registry});
}

Tensor Bool(bool value) {
  Tensor t = Tensor::Zeros(DataType::kBool, {});
  t.data<bool>()[0] = value;
  return t;
}

// Y = If(cond): then W + X, else W * X, where each branch unsqueezes the outer initializer W
// ([2, 3]) on axis 0 first, with the outer initializer `axes`. X is [2, 3]; Y is [1, 2, 3].
std::string IfOverOuterWeights(const std::vector<float>& w) {
  IfModel m;
  m.FloatInitializer("W", w, {2, 3});
  m.Int64Initializer("axes", {0});
  for (const std::string branch : {"then_branch", "else_branch"}) {
    onnx::GraphProto* sub = m.Branch(branch);
    IfModel::AddNode(sub, "Unsqueeze", branch + "_unsqueeze", {"W", "axes"}, branch + "_U");
    IfModel::AddNode(sub, branch == "then_branch" ? "Add" : "Mul", branch + "_combine",
                     {branch + "_U", "X"}, branch + "_Y");
  }
  return m.Bytes();
}

TEST(SubgraphConstants, BranchNodesOfOuterConstantsAreFoldedAtLoadAndShared) {
  const std::vector<float> w = {1, 2, 3, 4, 5, 6}, xs = {0.5f, -1, 2, 0, 3, -2};
  std::atomic<int> unsqueeze_runs{0};
  KernelRegistry registry;
  RegisterReferenceKernels(&registry);
  registry.Register({.op_type = "Unsqueeze",
                     .priority = kFastKernelPriority,
                     .factory = [&](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
                       CONFIDE_ASSIGN_OR_RETURN(auto k, ReferenceKernelRegistry().Create(n));
                       return std::unique_ptr<Kernel>(
                           new CountingKernel(std::move(k), &unsqueeze_runs));
                     }});
  auto model = Load(IfOverOuterWeights(w), registry);
  ASSERT_TRUE(model.ok()) << model.error().message;
  // One folded [1, 2, 3] copy of W, shared by both branches; W and axes themselves are gone.
  EXPECT_EQ((*model)->info().weight_bytes, w.size() * sizeof(float));
  const int runs_at_load = unsqueeze_runs.load();

  Tensor x = Tensor::Zeros(DataType::kFloat32, {2, 3});
  for (size_t i = 0; i < xs.size(); ++i) x.data<float>()[i] = xs[i];
  for (bool then : {true, false, true}) {
    auto out = (*model)->Run({{"cond", Bool(then)}, {"X", x}});
    ASSERT_TRUE(out.ok()) << out.error().message;
    const Tensor& y = (*out)[0].second;
    ASSERT_EQ(y.shape(), (Shape{1, 2, 3}));
    for (size_t i = 0; i < w.size(); ++i) {
      EXPECT_EQ(y.data<float>()[i], then ? w[i] + xs[i] : w[i] * xs[i]) << i;
    }
  }
  EXPECT_EQ(unsqueeze_runs.load(), runs_at_load) << "a branch unsqueezed W at run time";
}

// A Conv kernel that keeps its own copy of the weights (like oneDNN's) and records whether the
// graph still held them when it ran.
class AdoptingConv : public Kernel {
 public:
  AdoptingConv(std::unique_ptr<Kernel> reference, const Tensor& weights, std::atomic<int>* held)
      : reference_(std::move(reference)), weights_(weights.Clone()), held_(held) {}
  bool ReadsConstantInput(int i) const override { return i != 1; }
  Status Run(KernelContext& ctx) const override {
    if (ctx.input(1) != nullptr) held_->fetch_add(1);
    InputOverrideContext own(ctx, 1, &weights_);
    return reference_->Run(own);
  }

 private:
  std::unique_ptr<Kernel> reference_;
  Tensor weights_;
  std::atomic<int>* held_;
};

// Y = If(cond): then Conv(X, W), else Reshape(W, shape) where `shape` does not fit W; W and
// shape are initializers of the main graph.
std::string IfWithConvAndBadReshape() {
  IfModel m;
  m.FloatInitializer("W", std::vector<float>(2 * 3 * 1 * 1, 0.5f), {2, 3, 1, 1});
  m.Int64Initializer("shape", {7});  // W has 6 elements
  IfModel::AddNode(m.Branch("then_branch"), "Conv", "conv", {"X", "W"}, "then_branch_Y");
  IfModel::AddNode(m.Branch("else_branch"), "Reshape", "bad_reshape", {"W", "shape"},
                   "else_branch_Y");
  return m.Bytes();
}

// A branch Conv that keeps its own weights gets the graph's copy dropped (held once), and a
// branch whose constant Reshape cannot fold still loads: it fails only when it runs.
TEST(SubgraphConstants, BranchWeightsHeldOnceAndUnfoldableBranchesFailOnlyWhenRun) {
  std::atomic<int> runs_with_graph_weights{0};
  KernelRegistry registry;
  RegisterReferenceKernels(&registry);
  registry.Register({.op_type = "Conv",
                     .priority = kFastKernelPriority,
                     .factory = [&](const NodeInfo& n) -> Result<std::unique_ptr<Kernel>> {
                       if (n.constant_inputs.size() < 2 || n.constant_inputs[1] == nullptr) {
                         return UnsupportedError("weights not constant");
                       }
                       CONFIDE_ASSIGN_OR_RETURN(auto k, ReferenceKernelRegistry().Create(n));
                       return std::unique_ptr<Kernel>(new AdoptingConv(
                           std::move(k), *n.constant_inputs[1], &runs_with_graph_weights));
                     }});
  auto model = Load(IfWithConvAndBadReshape(), registry);
  ASSERT_TRUE(model.ok()) << model.error().message;

  Tensor x = Tensor::Zeros(DataType::kFloat32, {1, 3, 2, 2});
  for (int64_t i = 0; i < x.num_elements(); ++i) x.data<float>()[i] = static_cast<float>(i);
  auto conv = (*model)->Run({{"cond", Bool(true)}, {"X", x}});
  ASSERT_TRUE(conv.ok()) << conv.error().message;
  const Tensor& y = (*conv)[0].second;
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 2}));
  for (int64_t p = 0; p < 4; ++p) {  // 0.5 * (x[c=0] + x[c=1] + x[c=2]) at each pixel
    const float want = 0.5f * static_cast<float>(p + (p + 4) + (p + 8));
    EXPECT_EQ(y.data<float>()[p], want);
    EXPECT_EQ(y.data<float>()[4 + p], want);
  }
  EXPECT_EQ(runs_with_graph_weights.load(), 0) << "the branch still held its copy of W";

  auto reshape = (*model)->Run({{"cond", Bool(false)}, {"X", x}});
  ASSERT_FALSE(reshape.ok());
  EXPECT_NE(reshape.error().message.find("bad_reshape"), std::string::npos)
      << reshape.error().message;
}

}  // namespace
}  // namespace confide::engine
