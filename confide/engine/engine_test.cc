// Loader validation (malformed models give clear errors), memory budget, input checks,
// concurrent runs, and .npy round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <thread>

#include "confide/base/file.h"
#include "confide/engine/engine.h"
#include "confide/engine/npy.h"
#include "onnx.pb.h"

namespace confide::engine {
namespace {

Bytes ReadModel(const std::string& name) {
  auto b = ReadFile(std::string(CONFIDE_SHARED_DIR) + "/models/" + name);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

// A one-Relu model: X -> Relu -> Y, float [2,2], opset 13; `edit` mutates it.
Bytes TinyModel(const std::function<void(onnx::ModelProto&)>& edit) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto* g = m.mutable_graph();
  for (const char* name : {"X", "Y"}) {
    onnx::ValueInfoProto* v = name[0] == 'X' ? g->add_input() : g->add_output();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(1);
    tt->mutable_shape()->add_dim()->set_dim_value(2);
    tt->mutable_shape()->add_dim()->set_dim_value(2);
  }
  onnx::NodeProto* n = g->add_node();
  n->set_name("relu0");
  n->set_op_type("Relu");
  n->add_input("X");
  n->add_output("Y");
  edit(m);
  std::string s = m.SerializeAsString();
  return Bytes(s.begin(), s.end());
}

Error LoadError(const Bytes& b) {
  auto m = Model::Load(b, {.num_threads = 1});
  EXPECT_FALSE(m.ok());
  return m.ok() ? Error{ErrorCode::kInternal, "loaded"} : m.error();
}

TEST(EngineLoad, TinyModelRuns) {
  auto m = Model::Load(TinyModel([](onnx::ModelProto&) {}), {.num_threads = 1});
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  Tensor x = Tensor::Zeros(DataType::kFloat32, {2, 2});
  x.data<float>()[0] = -1, x.data<float>()[1] = 2;
  auto out = (*m)->Run({{"X", x}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].second.data<float>()[0], 0.f);
  EXPECT_EQ((*out)[0].second.data<float>()[1], 2.f);
}

TEST(EngineLoad, RejectsEveryTruncation) {
  Bytes b = ReadModel("mnist8.onnx");
  for (size_t len = 0; len < b.size(); len += 97) {
    auto m = Model::Load(ByteSpan(b.data(), len), {.num_threads = 1});
    EXPECT_FALSE(m.ok()) << len;
  }
}

TEST(EngineLoad, RejectsUnknownOpNamingTheNode) {
  Error e = LoadError(TinyModel([](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(0)->set_op_type("Frobnicate"); }));
  EXPECT_EQ(e.code, ErrorCode::kUnsupported);
  EXPECT_NE(e.message.find("relu0"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("Frobnicate"), std::string::npos) << e.message;
}

TEST(EngineLoad, RejectsUnimportedDomainAndNewOpset) {
  EXPECT_EQ(LoadError(TinyModel([](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(0)->set_domain("com.example"); })).code,
            ErrorCode::kUnsupported);
  EXPECT_EQ(LoadError(TinyModel([](onnx::ModelProto& m) { m.mutable_opset_import(0)->set_version(99); })).code,
            ErrorCode::kUnsupported);
}

TEST(EngineLoad, RejectsCycles) {
  Error e = LoadError(TinyModel([](onnx::ModelProto& m) {
    auto* g = m.mutable_graph();
    g->mutable_node(0)->set_input(0, "Z");
    onnx::NodeProto* n = g->add_node();
    n->set_name("relu1");
    n->set_op_type("Relu");
    n->add_input("Y");
    n->add_output("Z");
  }));
  EXPECT_EQ(e.code, ErrorCode::kMalformed);
  EXPECT_NE(e.message.find("cycle"), std::string::npos) << e.message;
}

TEST(EngineLoad, RejectsDanglingInputAndDoubleProducer) {
  Error e = LoadError(TinyModel([](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(0)->set_input(0, "nowhere"); }));
  EXPECT_NE(e.message.find("nowhere"), std::string::npos) << e.message;
  e = LoadError(TinyModel([](onnx::ModelProto& m) { *m.mutable_graph()->add_node() = m.graph().node(0); }));
  EXPECT_NE(e.message.find("already defined"), std::string::npos) << e.message;
}

TEST(EngineLoad, RejectsInitializerSizeMismatchAndAbsurdDims) {
  Error e = LoadError(TinyModel([](onnx::ModelProto& m) {
    onnx::TensorProto* t = m.mutable_graph()->add_initializer();
    t->set_name("W");
    t->set_data_type(1);
    t->add_dims(2);
    t->add_dims(2);
    t->add_float_data(1.f);
  }));
  EXPECT_EQ(e.code, ErrorCode::kMalformed);
  EXPECT_NE(e.message.find("'W'"), std::string::npos) << e.message;
  e = LoadError(TinyModel([](onnx::ModelProto& m) {
    onnx::TensorProto* t = m.mutable_graph()->add_initializer();
    t->set_name("Huge");
    t->set_data_type(1);
    t->add_dims(int64_t{1} << 40);
    t->add_dims(int64_t{1} << 40);
  }));
  EXPECT_EQ(e.code, ErrorCode::kMalformed);
  e = LoadError(TinyModel([](onnx::ModelProto& m) {
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(-3);
  }));
  EXPECT_EQ(e.code, ErrorCode::kMalformed);
}

TEST(EngineLoad, RejectsExternalData) {
  Error e = LoadError(TinyModel([](onnx::ModelProto& m) {
    onnx::TensorProto* t = m.mutable_graph()->add_initializer();
    t->set_name("W");
    t->set_data_type(1);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* kv = t->add_external_data();
    kv->set_key("location");
    kv->set_value("/etc/passwd");
  }));
  EXPECT_EQ(e.code, ErrorCode::kUnsupported);
  EXPECT_NE(e.message.find("external"), std::string::npos);
}

TEST(EngineLoad, MemoryBudgetGivesNeededAndAllowedBytes) {
  Bytes b = ReadModel("mnist8.onnx");
  auto m = Model::Load(b, {.num_threads = 1, .memory_budget_bytes = 4096});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("4096"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("needs"), std::string::npos) << m.error().message;
  auto ok = Model::Load(b, {.num_threads = 1, .memory_budget_bytes = 1 << 20});
  ASSERT_TRUE(ok.ok());
  EXPECT_GT((*ok)->info().planned_peak_bytes, 4096u);
}

// Static input dims of 32 GiB load, with the plan left to the first run's inputs, instead of
// being allocated as zeros to plan with (onnx_model_fuzz found that; its input is the corpus
// seed regression-static-input-22gib). A buffer over memory_budget_bytes fails the planning run
// before it is allocated, and the load with the budget error: here Expand's 64 MiB output
// ([2^22, 2, 2] floats) under a 1 MiB budget.
TEST(EngineLoad, HugeBuffersAreRefusedNotAllocated) {
  auto huge = Model::Load(TinyModel([](onnx::ModelProto& mp) {
    for (auto* v : {mp.mutable_graph()->mutable_input(0), mp.mutable_graph()->mutable_output(0)}) {
      auto* shape = v->mutable_type()->mutable_tensor_type()->mutable_shape();
      shape->mutable_dim(0)->set_dim_value(int64_t{1} << 16);
      shape->mutable_dim(1)->set_dim_value(int64_t{1} << 17);
    }
  }), {.num_threads = 1, .memory_budget_bytes = 64 << 20});
  ASSERT_TRUE(huge.ok()) << huge.error().ToString();
  EXPECT_EQ((*huge)->info().planned_peak_bytes, 0u);

  auto expand = Model::Load(TinyModel([](onnx::ModelProto& mp) {
    onnx::GraphProto* g = mp.mutable_graph();
    onnx::NodeProto* n = g->mutable_node(0);
    n->set_op_type("Expand");
    n->add_input("shape");
    onnx::TensorProto* t = g->add_initializer();
    t->set_name("shape");
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(3);
    auto* y = g->mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
    y->clear_dim();
    for (int64_t d : {int64_t{1} << 22, int64_t{2}, int64_t{2}}) {
      t->add_int64_data(d);
      y->add_dim()->set_dim_value(d);
    }
  }), {.num_threads = 1, .memory_budget_bytes = 1 << 20});
  ASSERT_FALSE(expand.ok());  // its plan is made at load, with zero inputs
  const char* want = "needs at least 67108864 bytes; memory_budget_bytes allows 1048576";
  EXPECT_NE(expand.error().message.find(want), std::string::npos)
      << expand.error().ToString();
}

// A MatMul with one input is an error, not a read past the node's input list (onnx_model_fuzz,
// corpus seed regression-matmul-one-input).
TEST(EngineRun, MatMulWithOneInputIsAnError) {
  auto m = Model::Load(TinyModel([](onnx::ModelProto& mp) {
    mp.mutable_graph()->mutable_node(0)->set_op_type("MatMul");
  }), {.num_threads = 1});
  if (!m.ok()) {
    EXPECT_FALSE(m.error().message.empty());
    return;
  }
  auto out = (*m)->Run({{"X", Tensor::Zeros(DataType::kFloat32, {2, 2})}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("MatMul"), std::string::npos) << out.error().ToString();
}

// A Reshape target whose known dims overflow int64 is an error, not undefined behaviour (found
// by onnx_model_fuzz: 792633534417207297 * 256 overflowed in the product of known dims).
TEST(EngineRun, ReshapeToAnOverflowingShapeIsAnError) {
  auto bytes = TinyModel([](onnx::ModelProto& mp) {
    onnx::GraphProto* g = mp.mutable_graph();
    g->mutable_node(0)->set_op_type("Reshape");
    g->mutable_node(0)->add_input("shape");
    onnx::TensorProto* shape = g->add_initializer();
    shape->set_name("shape");
    shape->set_data_type(7);  // int64
    shape->add_dims(3);
    for (int64_t d : {int64_t{792633534417207297}, int64_t{256}, int64_t{-1}}) {
      shape->add_int64_data(d);
    }
    g->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  });
  auto m = Model::Load(bytes, {.num_threads = 1});
  if (!m.ok()) {  // refused while planning: also fine, with a message
    EXPECT_NE(m.error().message.find("Reshape"), std::string::npos) << m.error().ToString();
    return;
  }
  auto out = (*m)->Run({{"X", Tensor::Zeros(DataType::kFloat32, {2, 2})}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("Reshape"), std::string::npos) << out.error().ToString();
}

// Float parameters given as another dtype are refused with an error, not read as float past
// their buffers (LSTM's W was found so by onnx_model_fuzz; the norms had the same gap).
TEST(EngineRun, NormsAndLstmRefuseNonFloatParameters) {
  auto int8_param = [](onnx::GraphProto* g, const char* name, int n) {
    onnx::TensorProto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT8);
    t->add_dims(n);
    for (int i = 0; i < n; ++i) t->add_int32_data(1);
  };
  for (const char* op : {"LayerNormalization", "InstanceNormalization"}) {
    auto m = Model::Load(TinyModel([&](onnx::ModelProto& mp) {
      mp.mutable_opset_import(0)->set_version(17);
      onnx::NodeProto* n = mp.mutable_graph()->mutable_node(0);
      n->set_op_type(op);
      n->add_input("S");
      n->add_input("B");
      int8_param(mp.mutable_graph(), "S", 2);
      int8_param(mp.mutable_graph(), "B", 2);
    }), {.num_threads = 1, .optimize = false});
    ASSERT_TRUE(m.ok()) << m.error().ToString();
    auto out = (*m)->Run({{"X", Tensor::Zeros(DataType::kFloat32, {2, 2})}});
    ASSERT_FALSE(out.ok()) << op;
    EXPECT_NE(out.error().message.find("float32"), std::string::npos) << out.error().message;
  }
  auto crash = ReadFile(std::string(CONFIDE_SOURCE_DIR) + "/fuzz/corpus/onnx_model_fuzz/regression-lstm-int16-weights");
  ASSERT_TRUE(crash.ok());
  auto lstm = Model::Load(*crash, {.num_threads = 1});
  ASSERT_TRUE(lstm.ok()) << lstm.error().ToString();
  // Its graph declares W (an input) as int16, as the fuzz target fed it.
  auto out = (*lstm)->Run({{"X", Tensor::Zeros(DataType::kFloat32, {1, 2, 2})},
                           {"W", Tensor::Zeros(DataType::kInt16, {1, 12, 2})},
                           {"R", Tensor::Zeros(DataType::kFloat32, {1, 12, 3})}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("must be float32"), std::string::npos) << out.error().message;
}

TEST(EngineRun, ChecksInputNamesDtypesAndShapes) {
  auto m = Model::Load(ReadModel("mnist8.onnx"), {.num_threads = 1});
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE((*m)->Run({}).ok());
  EXPECT_FALSE((*m)->Run({{"nope", Tensor::Zeros(DataType::kFloat32, {1, 1, 28, 28})}}).ok());
  EXPECT_FALSE((*m)->Run({{"Input3", Tensor::Zeros(DataType::kInt64, {1, 1, 28, 28})}}).ok());
  auto bad = (*m)->Run({{"Input3", Tensor::Zeros(DataType::kFloat32, {1, 1, 28, 27})}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("[1,1,28,28]"), std::string::npos) << bad.error().message;
}

TEST(EngineRun, ConcurrentRunsAgree) {
  auto m = Model::Load(ReadModel("ppocr_cls_mobilev2.onnx"), {.num_threads = 2});
  ASSERT_TRUE(m.ok());
  auto input = ParseNpy(ReadModel("ppocr_cls_mobilev2.input_0.npy"));
  ASSERT_TRUE(input.ok());
  auto first = (*m)->Run({{"x", *input}});
  ASSERT_TRUE(first.ok());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 3; ++k) {
        auto out = (*m)->Run({{"x", *input}});
        if (!out.ok() || std::memcmp((*out)[0].second.raw_data(), (*first)[0].second.raw_data(), 8) != 0) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Small buffers come from the heap, large ones (256 KiB and up) from their own mapping: both
// start zeroed, are 64-byte aligned, hold what is written, and copies share them.
TEST(Tensor, SmallAndLargeBuffersAreZeroedAlignedAndShared) {
  // 65519 floats round up to 262080 bytes, the largest heap buffer; 65536 floats are 256 KiB.
  for (int64_t n : {int64_t{1}, int64_t{1000}, int64_t{65519}, int64_t{65536}, int64_t{1} << 20}) {
    Tensor t = Tensor::Zeros(DataType::kFloat32, {n});
    ASSERT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u) << n;
    const float* p = t.data<float>();
    EXPECT_TRUE(std::all_of(p, p + n, [](float v) { return v == 0.f; })) << n;
    t.data<float>()[n - 1] = 5.f;
    Tensor copy = t;
    Tensor clone = t.Clone();
    t = Tensor();
    EXPECT_EQ(copy.data<float>()[n - 1], 5.f) << n;
    EXPECT_EQ(clone.data<float>()[n - 1], 5.f) << n;
    EXPECT_NE(clone.raw_data(), copy.raw_data()) << n;
  }
}

TEST(Npy, RoundTripsAndRejectsTruncation) {
  Tensor t = Tensor::Zeros(DataType::kInt64, {3, 2});
  for (int i = 0; i < 6; ++i) t.data<int64_t>()[i] = i * 7 - 3;
  Bytes b = SerializeNpy(t);
  auto back = ParseNpy(b);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->shape(), t.shape());
  EXPECT_EQ(back->data<int64_t>()[5], 32);
  for (size_t len = 0; len < b.size(); ++len) EXPECT_FALSE(ParseNpy(ByteSpan(b.data(), len)).ok());
}

}  // namespace
}  // namespace confide::engine
