// The oneDNN adapter's caches (onednn.h): ShapeCache's bound and PackedWeights' sharing, alone
// and through the Conv and MatMul kernels on more input shapes than a ShapeCache holds.
#include "confide/engine/kernels/onednn/onednn.h"

#include <gtest/gtest.h>

#include <vector>

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

TEST(PackedWeights, StoredLayoutIsUsedInPlaceAndEachOtherLayoutIsCopiedOnce) {
  using dnnl::memory;
  const memory::dims dims = {32, 16, 3, 3};
  std::vector<float> values(32 * 16 * 3 * 3);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
  PackedWeights packed(Wrap(PlainDesc(dims, memory::data_type::f32), values.data()));

  memory same = packed.Get(PlainDesc(dims, memory::data_type::f32));
  EXPECT_EQ(same.get_data_handle(), values.data());
  EXPECT_EQ(packed.copies(), 0u);

  memory::desc blocked(dims, memory::data_type::f32, memory::format_tag::OIhw16i16o);
  memory a = packed.Get(blocked);
  memory b = packed.Get(blocked);
  EXPECT_EQ(a.get_data_handle(), b.get_data_handle());
  EXPECT_NE(a.get_data_handle(), static_cast<void*>(values.data()));
  EXPECT_EQ(packed.copies(), 1u);

  // The copy holds the same values: reorder it back to plain and compare.
  std::vector<float> back(values.size(), -1.f);
  memory plain = Wrap(PlainDesc(dims, memory::data_type::f32), back.data());
  dnnl::stream stream(Engine());
  dnnl::reorder(a, plain).execute(stream, a, plain);
  stream.wait();
  EXPECT_EQ(back, values);

  packed.Get(memory::desc(dims, memory::data_type::f32, memory::format_tag::ohwi));
  EXPECT_EQ(packed.copies(), 2u);
}

// Widths 5..74 give 70 shapes, more than ShapeCache's default capacity and the model's plan
// bound (Model::kMaxPlans, 64): the kernels and the model drop and rebuild plans on the second
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
  OpCase c{.op = "MatMul",
           .inputs = {{"A", xs[0]}},
           .weights = {{"B", RandomTensor({24, 40}, 2)}},
           .node_inputs = {"A", "B"}};
  testing::ExpectFastMatchesReferenceOnShapes(c, xs, 2, {.atol = 1e-4, .rtol = 1e-4});
}

}  // namespace
}  // namespace confide::engine::kernels::onednn
