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

void AddInitializer(onnx::GraphProto* g, const char* name, const std::vector<float>& values,
                    const std::vector<int64_t>& dims) {
  onnx::TensorProto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

// Y = If(cond): then W + X, else W * X, where each branch unsqueezes the outer initializer W
// ([2, 3]) on axis 0 first, with the outer initializer `axes`. X is [2, 3]; Y is [1, 2, 3].
std::string IfOverOuterWeights(const std::vector<float>& w) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  onnx::ValueInfoProto* cond = g->add_input();
  cond->set_name("cond");
  cond->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::BOOL);
  onnx::ValueInfoProto* x = g->add_input();
  x->set_name("X");
  x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::ValueInfoProto* y = g->add_output();
  y->set_name("Y");
  y->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  AddInitializer(g, "W", w, {2, 3});
  onnx::TensorProto* axes = g->add_initializer();
  axes->set_name("axes");
  axes->set_data_type(onnx::TensorProto::INT64);
  axes->add_dims(1);
  axes->add_int64_data(0);

  onnx::NodeProto* branch_node = g->add_node();
  branch_node->set_name("if");
  branch_node->set_op_type("If");
  branch_node->add_input("cond");
  branch_node->add_output("Y");
  for (const char* branch : {"then_branch", "else_branch"}) {
    onnx::AttributeProto* attr = branch_node->add_attribute();
    attr->set_name(branch);
    attr->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto* sub = attr->mutable_g();
    sub->set_name(branch);
    const std::string u = std::string(branch) + "_U", out = std::string(branch) + "_Y";
    onnx::NodeProto* unsqueeze = sub->add_node();
    unsqueeze->set_op_type("Unsqueeze");
    unsqueeze->add_input("W");
    unsqueeze->add_input("axes");
    unsqueeze->add_output(u);
    onnx::NodeProto* combine = sub->add_node();
    combine->set_op_type(branch[0] == 't' ? "Add" : "Mul");
    combine->add_input(u);
    combine->add_input("X");
    combine->add_output(out);
    onnx::ValueInfoProto* o = sub->add_output();
    o->set_name(out);
    o->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  return m.SerializeAsString();
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
  const std::string bytes = IfOverOuterWeights(w);
  auto model = Model::Load(ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                           {.num_threads = 1, .registry = &registry});
  ASSERT_TRUE(model.ok()) << model.error().message;
  // One folded [1, 2, 3] copy of W, shared by both branches; W and axes themselves are gone.
  EXPECT_EQ((*model)->info().weight_bytes, w.size() * sizeof(float));
  const int runs_at_load = unsqueeze_runs.load();

  Tensor x = Tensor::Zeros(DataType::kFloat32, {2, 3});
  for (size_t i = 0; i < xs.size(); ++i) x.data<float>()[i] = xs[i];
  for (bool then : {true, false, true}) {
    Tensor cond = Tensor::Zeros(DataType::kBool, {});
    cond.data<bool>()[0] = then;
    auto out = (*model)->Run({{"cond", cond}, {"X", x}});
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
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  onnx::ValueInfoProto* cond = g->add_input();
  cond->set_name("cond");
  cond->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::BOOL);
  onnx::ValueInfoProto* x = g->add_input();
  x->set_name("X");
  x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::ValueInfoProto* y = g->add_output();
  y->set_name("Y");
  y->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  AddInitializer(g, "W", std::vector<float>(2 * 3 * 1 * 1, 0.5f), {2, 3, 1, 1});
  onnx::TensorProto* shape = g->add_initializer();
  shape->set_name("shape");
  shape->set_data_type(onnx::TensorProto::INT64);
  shape->add_dims(1);
  shape->add_int64_data(7);  // W has 6 elements
  onnx::NodeProto* branch_node = g->add_node();
  branch_node->set_name("if");
  branch_node->set_op_type("If");
  branch_node->add_input("cond");
  branch_node->add_output("Y");
  for (const char* branch : {"then_branch", "else_branch"}) {
    onnx::AttributeProto* attr = branch_node->add_attribute();
    attr->set_name(branch);
    attr->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto* sub = attr->mutable_g();
    sub->set_name(branch);
    const std::string out = std::string(branch) + "_Y";
    onnx::NodeProto* node = sub->add_node();
    node->set_name(branch[0] == 't' ? "conv" : "bad_reshape");
    node->set_op_type(branch[0] == 't' ? "Conv" : "Reshape");
    node->add_input(branch[0] == 't' ? "X" : "W");
    node->add_input(branch[0] == 't' ? "W" : "shape");
    node->add_output(out);
    onnx::ValueInfoProto* o = sub->add_output();
    o->set_name(out);
    o->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  return m.SerializeAsString();
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
  const std::string bytes = IfWithConvAndBadReshape();
  auto model = Model::Load(ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                           {.num_threads = 1, .registry = &registry});
  ASSERT_TRUE(model.ok()) << model.error().message;

  Tensor x = Tensor::Zeros(DataType::kFloat32, {1, 3, 2, 2});
  for (int64_t i = 0; i < x.num_elements(); ++i) x.data<float>()[i] = static_cast<float>(i);
  Tensor yes = Tensor::Zeros(DataType::kBool, {}), no = Tensor::Zeros(DataType::kBool, {});
  yes.data<bool>()[0] = true;
  auto conv = (*model)->Run({{"cond", yes}, {"X", x}});
  ASSERT_TRUE(conv.ok()) << conv.error().message;
  const Tensor& y = (*conv)[0].second;
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 2}));
  for (int64_t p = 0; p < 4; ++p) {  // 0.5 * (x[c=0] + x[c=1] + x[c=2]) at each pixel
    const float want = 0.5f * static_cast<float>(p + (p + 4) + (p + 8));
    EXPECT_EQ(y.data<float>()[p], want);
    EXPECT_EQ(y.data<float>()[4 + p], want);
  }
  EXPECT_EQ(runs_with_graph_weights.load(), 0) << "the branch still held its copy of W";

  auto reshape = (*model)->Run({{"cond", no}, {"X", x}});
  ASSERT_FALSE(reshape.ok());
  EXPECT_NE(reshape.error().message.find("bad_reshape"), std::string::npos)
      << reshape.error().message;
}

}  // namespace
}  // namespace confide::engine
