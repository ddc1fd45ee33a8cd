#include "confide/base/secret.h"

#include <gtest/gtest.h>

#include <type_traits>

namespace confide {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

TEST(SecretBytesTest, StartsZeroedAndCopies) {
  SecretBytes s(4);
  for (uint8_t b : s.Expose()) EXPECT_EQ(b, 0);
  SecretBytes c = SecretBytes::CopyFrom(Bytes{1, 2, 3});
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.Expose()[2], 3);
}

TEST(SecretBytesTest, MovedFromIsEmpty) {
  SecretBytes a = SecretBytes::CopyFrom(Bytes{9, 9});
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(b.size(), 2u);
  SecretBytes c;
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c.Expose()[0], 9);
}

TEST(SecretBytesTest, TruncateWipesTheTail) {
  SecretBytes s = SecretBytes::CopyFrom(Bytes{1, 2, 3, 4});
  uint8_t* tail = s.MutableExpose().data() + 2;
  s.Truncate(2);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(tail[0], 0);  // still owned by s: reading it is defined
  EXPECT_EQ(tail[1], 0);
}

TEST(SecureWipeTest, Zeroes) {
  Bytes b{1, 2, 3};
  SecureWipe(b);
  EXPECT_EQ(b, (Bytes{0, 0, 0}));
}

}  // namespace
}  // namespace confide
