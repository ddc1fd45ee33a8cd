// The oneDNN adapter's caches (onednn.h): ShapeCache's bound and PackedWeights' sharing, alone
// and through the Conv and MatMul kernels on more input shapes than a ShapeCache holds.
#include "confide/engine/kernels/onednn/onednn.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "confide/engine/internal/executor.h"
#include "confide/engine/internal/graph.h"
#include "confide/engine/kernels/testing/fast_vs_reference.h"

namespace confide::engine::kernels::onednn {
namespace {

using testing::OpCase;
using testing::RandomTensor;

TEST(ShapeCache, KeepsAtMostItsCapacityDroppingTheLeastRecentlyUsed) {
  ShapeCache<int> cache(2);
  int builds = 0;
  auto get = [&](int64_t key) {
    auto got = cache.Get({key}, [&]() -> Result<int> {
      ++builds;
      return static_cast<int>(key) * 10;
    });
    EXPECT_TRUE(got.ok());
    return **got;
  };
  EXPECT_EQ(get(1), 10);
  EXPECT_EQ(get(2), 20);
  EXPECT_EQ(get(1), 10);  // 1 is now more recent than 2
  EXPECT_EQ(builds, 2);
  EXPECT_EQ(get(3), 30);  // full: drops 2
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(get(1), 10);
  EXPECT_EQ(builds, 3);   // 1 was kept
  EXPECT_EQ(get(2), 20);  // 2 was dropped and is built again
  EXPECT_EQ(builds, 4);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ShapeCache, AnEntryInUseOutlivesItsEviction) {
  ShapeCache<std::vector<int>> cache(1);
  auto first = cache.Get({1}, []() -> Result<std::vector<int>> { return std::vector<int>{7, 8}; });
  ASSERT_TRUE(first.ok());
  auto second = cache.Get({2}, []() -> Result<std::vector<int>> { return std::vector<int>{9}; });
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(**first, (std::vector<int>{7, 8}));  // dropped from the cache, still held here
}

TEST(ShapeCache, ErrorsAreNotCached) {
  ShapeCache<int> cache;
  int builds = 0;
  auto failing = [&]() -> Result<int> {
    ++builds;
    return UnsupportedError("no");
  };
  EXPECT_FALSE(cache.Get({1}, failing).ok());
  EXPECT_FALSE(cache.Get({1}, failing).ok());
  EXPECT_EQ(builds, 2);
  EXPECT_EQ(cache.size(), 0u);
}

// The values of `m` (any layout of dims {32, 16, 3, 3}) in plain order.
std::vector<float> PlainValues(dnnl::memory m) {
  std::vector<float> back(32 * 16 * 3 * 3, -1.f);
  dnnl::memory out = Wrap(PlainDesc({32, 16, 3, 3}, dnnl::memory::data_type::f32), back.data());
  dnnl::stream stream(Engine());
  dnnl::reorder(m, out).execute(stream, m, out);
  stream.wait();
  return back;
}

std::vector<float> Values(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements());
}

// The weights layouts oneDNN picks here for convolutions and matrix products ("any"), padded
// ones included (40 and 20 channels against blocks of 16 or more), and some named ones.
std::vector<dnnl::memory::desc> WeightLayouts() {
  using dnnl::memory;
  using Tag = memory::format_tag;
  const auto f32 = memory::data_type::f32;
  std::vector<memory::desc> layouts;
  auto conv = [&](memory::dims src, memory::dims wei, memory::dims dst, memory::dims pad, Tag act) {
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                      dnnl::algorithm::convolution_direct,
                                      memory::desc(src, f32, act), memory::desc(wei, f32, Tag::any),
                                      memory::desc(dst, f32, act), {1, 1}, pad, pad);
    layouts.push_back(dnnl::convolution_forward::primitive_desc(d, Engine()).weights_desc());
  };
  conv({1, 20, 6, 5}, {40, 20, 1, 1}, {1, 40, 6, 5}, {0, 0}, Tag::nhwc);
  conv({1, 3, 6, 5}, {20, 3, 3, 3}, {1, 20, 6, 5}, {1, 1}, Tag::any);
  conv({1, 24, 6, 5}, {24, 1, 1, 3, 3}, {1, 24, 6, 5}, {1, 1}, Tag::nhwc);  // depthwise
  conv({1, 32, 6, 5}, {64, 32, 3, 3}, {1, 64, 6, 5}, {1, 1}, Tag::any);
  dnnl::matmul::desc mm(memory::desc({7, 24}, f32, Tag::ab), memory::desc({24, 40}, f32, Tag::any),
                        memory::desc({7, 40}, f32, Tag::ab));
  layouts.push_back(dnnl::matmul::primitive_desc(mm, Engine()).weights_desc());
  layouts.push_back(memory::desc({40, 20, 3, 3}, f32, Tag::OIhw16i16o));
  layouts.push_back(memory::desc({20, 24, 3, 3}, f32, Tag::Acdb16a));
  layouts.push_back(memory::desc({24, 40}, f32, Tag::ba));  // a transposed plain matrix
  return layouts;
}

// CopyBetweenLayouts packs and unpacks every such layout exactly as a oneDNN reorder does,
// padding included (its own destination starts as garbage, the reorder's as zeros).
TEST(CopyBetweenLayouts, MatchesOneDnnReorders) {
  using dnnl::memory;
  auto reorder = [](memory from, memory to) {
    dnnl::stream stream(Engine());
    dnnl::reorder(from, to).execute(stream, from, to);
    stream.wait();
  };
  auto bytes = [](const memory& m) {
    const auto* p = static_cast<const uint8_t*>(m.get_data_handle());
    return std::vector<uint8_t>(p, p + m.get_desc().get_size());
  };
  auto filled = [](const memory::desc& desc, uint8_t byte) {
    memory m(desc, Engine());
    std::memset(m.get_data_handle(), byte, desc.get_size());
    return m;
  };
  int checked = 0;
  for (const memory::desc& layout : WeightLayouts()) {
    SCOPED_TRACE(::testing::Message() << "layout " << checked);
    const memory::dims dims = layout.dims();
    const Tensor w = RandomTensor(Shape(dims.begin(), dims.end()), 7);
    const memory plain = Wrap(PlainDesc(dims, memory::data_type::f32), w.raw_data());
    memory ours = filled(layout, 0x7f), theirs = filled(layout, 0);
    ASSERT_TRUE(CopyBetweenLayouts(plain, ours));
    reorder(plain, theirs);
    EXPECT_EQ(bytes(ours), bytes(theirs));

    memory back = filled(plain.get_desc(), 0x7f);
    ASSERT_TRUE(CopyBetweenLayouts(theirs, back));
    EXPECT_EQ(bytes(back), bytes(plain));
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(CopyBetweenLayouts, DeclinesWhatItCannotAddress) {
  using dnnl::memory;
  const memory::dims dims = {4, 8};
  memory f32(PlainDesc(dims, memory::data_type::f32), Engine());
  memory s8(memory::desc(dims, memory::data_type::s8, memory::format_tag::ab), Engine());
  memory other_dims(PlainDesc({8, 4}, memory::data_type::f32), Engine());
  EXPECT_FALSE(CopyBetweenLayouts(f32, s8));
  EXPECT_FALSE(CopyBetweenLayouts(f32, other_dims));
}

// A plan that got the stored layout reads the stored tensor in place, so a later packed copy
// must not release it (ASan reports the read below if it does).
TEST(PackedWeights, StoredTensorLentInPlaceStaysWhenACopyIsMade) {
  using dnnl::memory;
  const memory::dims dims = {32, 16, 3, 3};
  const Tensor w = RandomTensor({32, 16, 3, 3}, 4);
  const memory::desc plain = PlainDesc(dims, memory::data_type::f32);
  PackedWeights packed(w.Clone());  // the only owner of its tensor

  memory in_place = packed.Get(plain, plain);
  EXPECT_EQ(packed.copies(), 0u);
  memory blocked =
      packed.Get(plain, memory::desc(dims, memory::data_type::f32, memory::format_tag::OIhw16i16o));
  EXPECT_EQ(packed.copies(), 1u);
  EXPECT_TRUE(packed.holds_stored());
  EXPECT_EQ(PlainValues(in_place), Values(w));
  EXPECT_EQ(PlainValues(blocked), Values(w));
}

TEST(PackedWeights, StoredTensorIsReleasedOncePackedAndLaterLayoutsComeFromTheCopy) {
  using dnnl::memory;
  const memory::dims dims = {32, 16, 3, 3};
  const Tensor w = RandomTensor({32, 16, 3, 3}, 4);
  const memory::desc plain = PlainDesc(dims, memory::data_type::f32);
  PackedWeights packed(w);
  EXPECT_EQ(packed.Stored().raw_data(), w.raw_data());  // held: no copy

  memory::desc blocked(dims, memory::data_type::f32, memory::format_tag::OIhw16i16o);
  memory a = packed.Get(plain, blocked);
  EXPECT_EQ(packed.Get(plain, blocked).get_data_handle(),
            a.get_data_handle());  // one copy per layout
  EXPECT_EQ(packed.copies(), 1u);
  EXPECT_FALSE(packed.holds_stored());

  // Later layouts, the stored one included, are copies of the packed one with the same values.
  memory::desc ohwi(dims, memory::data_type::f32, memory::format_tag::ohwi);
  for (const memory::desc& want : {ohwi, plain}) {
    memory m = packed.Get(plain, want);
    EXPECT_NE(m.get_data_handle(), w.raw_data());
    EXPECT_EQ(PlainValues(m), Values(w));
  }
  EXPECT_EQ(packed.copies(), 3u);

  Tensor stored = packed.Stored();  // unpacked for a reference kernel
  EXPECT_NE(stored.raw_data(), w.raw_data());
  EXPECT_EQ(stored.shape(), w.shape());
  EXPECT_EQ(Values(stored), Values(w));
}

// The stored bytes of a transposed B ([N, K] viewed as [K, N]) come back as stored.
TEST(PackedWeights, StoredComesBackInTheStoredLayout) {
  using dnnl::memory;
  Tensor b = RandomTensor({40, 24}, 5);  // [N, K]
  const memory::desc transposed({24, 40}, memory::data_type::f32, memory::format_tag::ba);
  PackedWeights packed(b);
  packed.Get(transposed, memory::desc({24, 40}, memory::data_type::f32, memory::format_tag::ab));
  ASSERT_FALSE(packed.holds_stored());
  Tensor stored = packed.Stored();
  EXPECT_EQ(stored.shape(), b.shape());
  EXPECT_EQ(0, std::memcmp(stored.raw_data(), b.raw_data(), b.byte_size()));
}

// Widths 5..74 give 70 shapes, more than ShapeCache's default capacity and the model's plan
// bound (Model::kMaxPlans, 16): the kernels and the model drop and rebuild plans on the second
// round, and the kernels' plans share one packed copy of the weights.
std::vector<Tensor> Widths(const Shape& base, uint32_t seed) {
  std::vector<Tensor> xs;
  for (int64_t w = 5; w < 75; ++w) {
    Shape s = base;
    s.back() = w;
    xs.push_back(RandomTensor(s, seed + static_cast<uint32_t>(w)));
  }
  return xs;
}

TEST(OneDnnCaches, ConvOnManyInputShapesMatchesReference) {
  static_assert(ShapeCache<int>::kDefaultCapacity < 70);
  OpCase c{.op = "Conv",
           .inputs = {{"X", RandomTensor({1, 16, 6, 5}, 1)}},
           .weights = {{"W", RandomTensor({32, 16, 3, 3}, 2)}, {"B", RandomTensor({32}, 3)}},
           .node_inputs = {"X", "W", "B"},
           .attrs = [](onnx::NodeProto& n) {
             testing::AddInts(n, "pads", {1, 1, 1, 1});
           }};
  testing::ExpectFastMatchesReferenceOnShapes(c, Widths({1, 16, 6, 5}, 10), 2,
                                              {.atol = 1e-4, .rtol = 1e-4});
}

TEST(OneDnnCaches, MatMulOnManyInputShapesMatchesReference) {
  // A is [rows, 24] with 40 row counts; B is a constant [24, 40].
  std::vector<Tensor> xs;
  for (int64_t rows = 1; rows <= 40; ++rows) {
    xs.push_back(RandomTensor({rows, 24}, 100 + static_cast<uint32_t>(rows)));
  }
  // A 1-D A is the reference kernel's (matmul.cc declines it), on B as PackedWeights::Stored()
  // gives it: unpacked from the packed copy where oneDNN blocked B (AVX-512 here), else in place.
  xs.push_back(RandomTensor({24}, 99));
  OpCase c{.op = "MatMul",
           .inputs = {{"A", xs[0]}},
           .weights = {{"B", RandomTensor({24, 40}, 2)}},
           .node_inputs = {"A", "B"}};
  testing::ExpectFastMatchesReferenceOnShapes(c, xs, 2, {.atol = 1e-4, .rtol = 1e-4});
}

// Builds a one-graph model: float inputs and outputs of unknown shape, initializers, nodes.
struct GraphBuilder {
  onnx::ModelProto m;
  onnx::GraphProto* g = m.mutable_graph();
  GraphBuilder() {
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
  }
  void Initializer(const char* name, const Tensor& t) {
    onnx::TensorProto* p = g->add_initializer();
    p->set_name(name);
    p->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : t.shape()) p->add_dims(d);
    p->set_raw_data(std::string(static_cast<const char*>(t.raw_data()), t.byte_size()));
  }
  onnx::NodeProto* Node(const char* op, std::vector<const char*> in, const char* out) {
    onnx::NodeProto* n = g->add_node();
    n->set_name(out);
    n->set_op_type(op);
    for (const char* i : in) n->add_input(i);
    n->add_output(out);
    return n;
  }
  static void Float(onnx::ValueInfoProto* v, const char* name) {
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  void Input(const char* name) { Float(g->add_input(), name); }
  void Output(const char* name) { Float(g->add_output(), name); }
  std::string Bytes() const { return m.SerializeAsString(); }
};

// DropAdoptedConstants: a constant goes when every reader's kernel keeps its own copy (oneDNN Conv
// weights, a MatMul's constant B), and stays when any reader takes it from the graph at run time.
TEST(DropAdoptedConstants, DropsOnlyConstantsEveryReaderKeepsItself) {
  GraphBuilder b;
  b.Input("X");
  b.Input("A");
  b.Initializer("W", RandomTensor({8, 4, 3, 3}, 1));  // Conv only: dropped
  b.Initializer("B", RandomTensor({8}, 2));           // the Conv's bias, read at run: kept
  b.Initializer("M", RandomTensor({6, 5}, 3));        // MatMul only: dropped
  b.Initializer("S", RandomTensor({6, 5}, 4));        // MatMul and Identity: kept
  b.Node("Conv", {"X", "W", "B"}, "C");
  b.Node("MatMul", {"A", "M"}, "D");
  b.Node("MatMul", {"A", "S"}, "E");
  b.Node("Identity", {"S"}, "F");
  for (const char* out : {"C", "D", "E", "F"}) b.Output(out);
  std::string bytes = b.Bytes();

  auto names = [](const internal::Graph& graph) {
    std::vector<std::string> kept;
    for (const auto& [id, t] : graph.constants) kept.push_back(graph.values[id].name);
    std::sort(kept.begin(), kept.end());
    return kept;
  };
  for (const KernelRegistry* registry :
       {&DefaultKernelRegistry(), &ReferenceKernelRegistry(), &KernelRegistryWithoutOneDnn()}) {
    internal::ModelMeta meta;
    auto graph = internal::ParseOnnxModel(
        ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
        internal::LoadLimits{}, &meta);
    ASSERT_TRUE(graph.ok()) << graph.error().message;
    auto compiled = internal::Compile(*graph, *registry);
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    size_t dropped = internal::DropAdoptedConstants(**graph, **compiled);
    if (registry == &DefaultKernelRegistry()) {
      EXPECT_EQ(names(**graph), (std::vector<std::string>{"B", "S"}));
      EXPECT_EQ(dropped, (8 * 4 * 3 * 3 + 6 * 5) * sizeof(float));
    } else {  // the reference and our own fast kernels read every input from the graph
      EXPECT_EQ(names(**graph), (std::vector<std::string>{"B", "M", "S", "W"}));
      EXPECT_EQ(dropped, 0u);
    }
  }
}

// A constant that a oneDNN Conv keeps itself stays in the graph when an If branch reads it too
// (through the If node's implicit inputs): the branch finds it at run time.
TEST(DropAdoptedConstants, KeepsAConstantAnIfBranchReads) {
  const Tensor w = RandomTensor({8, 4, 3, 3}, 1);
  GraphBuilder b;
  b.Input("X");
  onnx::ValueInfoProto* cond = b.g->add_input();
  cond->set_name("cond");
  cond->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::BOOL);
  b.Initializer("W", w);
  b.Node("Conv", {"X", "W"}, "C");
  onnx::NodeProto* branch_node = b.Node("If", {"cond"}, "D");
  for (const char* branch : {"then_branch", "else_branch"}) {
    onnx::AttributeProto* attr = branch_node->add_attribute();
    attr->set_name(branch);
    attr->set_type(onnx::AttributeProto::GRAPH);
    onnx::GraphProto* sub = attr->mutable_g();
    sub->set_name(branch);
    const std::string out = std::string(branch) + "_W";
    onnx::NodeProto* identity = sub->add_node();
    identity->set_op_type("Identity");
    identity->add_input("W");
    identity->add_output(out);
    GraphBuilder::Float(sub->add_output(), out.c_str());
  }
  b.Output("C");
  b.Output("D");
  const std::string bytes = b.Bytes();
  const ByteSpan span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());

  internal::ModelMeta meta;
  auto graph = internal::ParseOnnxModel(span, internal::LoadLimits{}, &meta);
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  auto compiled = internal::Compile(*graph, DefaultKernelRegistry());
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  EXPECT_EQ(internal::DropAdoptedConstants(**graph, **compiled), 0u);

  auto model = Model::Load(span, {.num_threads = 1});
  ASSERT_TRUE(model.ok()) << model.error().message;
  Tensor yes = Tensor::Zeros(DataType::kBool, {});
  yes.data<bool>()[0] = true;
  auto out = (*model)->Run({{"X", RandomTensor({1, 4, 5, 5}, 2)}, {"cond", yes}});
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->size(), 2u);
  const Tensor& d = (*out)[1].second;
  ASSERT_EQ(d.shape(), w.shape());
  EXPECT_EQ(std::memcmp(d.raw_data(), w.raw_data(), w.byte_size()), 0);
}

// Equal layers (same shapes, layouts, post-op) share one oneDNN primitive, each with its own
// weights; a layer of another shape or layout gets its own; the entries go with the model.
TEST(SharedPrimitives, EqualLayersShareOnePrimitiveWithTheirOwnWeights) {
  GraphBuilder b;
  b.Input("X");
  b.Initializer("W1", RandomTensor({8, 8, 3, 3}, 1));
  b.Initializer("W2", RandomTensor({8, 8, 3, 3}, 2));
  b.Initializer("W3", RandomTensor({8, 8, 3, 3}, 3));
  b.Initializer("W4", RandomTensor({16, 8, 1, 1}, 4));
  // W1's layer reads the NCHW graph input; W2's and W3's read and write channels-last: equal.
  for (auto [w, in, out] :
       {std::tuple{"W1", "X", "A"}, {"W2", "A", "B"}, {"W3", "B", "C"}, {"W4", "C", "Y"}}) {
    onnx::NodeProto* conv = b.Node("Conv", {in, w}, out);
    if (w[1] != '4') testing::AddInts(*conv, "pads", {1, 1, 1, 1});
  }
  b.Output("Y");
  const std::string bytes = b.Bytes();
  const ByteSpan span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const Tensor x = RandomTensor({1, 8, 6, 7}, 4);

  const size_t before = SharedPrimitiveCount();
  Tensor fast, reference;
  {
    auto model = Model::Load(span, {.num_threads = 1});
    ASSERT_TRUE(model.ok()) << model.error().message;
    auto out = (*model)->Run({{"X", x}});
    ASSERT_TRUE(out.ok()) << out.error().message;
    fast = (*out)[0].second;
    EXPECT_EQ(SharedPrimitiveCount(), before + 3);  // W2's and W3's layers share one
  }
  EXPECT_EQ(SharedPrimitiveCount(), before);
  auto model = Model::Load(span, {.num_threads = 1, .registry = &ReferenceKernelRegistry()});
  ASSERT_TRUE(model.ok()) << model.error().message;
  auto out = (*model)->Run({{"X", x}});
  ASSERT_TRUE(out.ok()) << out.error().message;
  reference = (*out)[0].second;
  ASSERT_EQ(fast.shape(), reference.shape());
  for (int64_t i = 0; i < fast.num_elements(); ++i) {
    EXPECT_NEAR(fast.data<float>()[i], reference.data<float>()[i],
                1e-4 + 1e-4 * std::fabs(reference.data<float>()[i]))
        << i;
  }
}

// Heap bytes in use (malloc's own mappings included); 0 where malloc does not say (ASan's).
size_t HeapInUse() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// The plans of five input widths of one Conv share one packed copy of its 2.4 MB of weights; a
// copy per plan, as before PackedWeights, would add 9.4 MB.
TEST(OneDnnCaches, PlansOfEveryShapeShareOnePackedCopyOfTheWeights) {
  if (HeapInUse() == 0) GTEST_SKIP() << "malloc does not report the heap in use here";
  const Tensor w = RandomTensor({256, 256, 3, 3}, 1);
  GraphBuilder b;
  b.Input("X");
  b.Initializer("W", w);
  testing::AddInts(*b.Node("Conv", {"X", "W"}, "Y"), "pads", {1, 1, 1, 1});
  b.Output("Y");
  const std::string bytes = b.Bytes();
  auto model = Model::Load(ByteSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
                           {.num_threads = 1});
  ASSERT_TRUE(model.ok()) << model.error().message;
  size_t after_first = 0;
  for (int64_t width = 8; width <= 12; ++width) {
    auto out = (*model)->Run({{"X", RandomTensor({1, 256, 4, width}, 2)}});
    ASSERT_TRUE(out.ok()) << out.error().message;
    if (width == 8) after_first = HeapInUse();
  }
  EXPECT_LT(HeapInUse(), after_first + w.byte_size());
}

}  // namespace
}  // namespace confide::engine::kernels::onednn
