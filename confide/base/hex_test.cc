#include "confide/base/hex.h"

#include <gtest/gtest.h>

namespace confide {
namespace {

TEST(HexTest, EncodesLowercase) {
  EXPECT_EQ(HexEncode(Bytes{0x00, 0xab, 0xff, 0x10}), "00abff10");
  EXPECT_EQ(HexEncode(Bytes{}), "");
}

TEST(HexTest, DecodesBothCases) {
  EXPECT_EQ(*HexDecode("00AbfF10"), (Bytes{0x00, 0xab, 0xff, 0x10}));
  EXPECT_TRUE(HexDecode("")->empty());
}

TEST(HexTest, RejectsOddLengthAndBadDigits) {
  EXPECT_EQ(HexDecode("abc").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(HexDecode("zz").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(HexDecode("0g").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(HexDecode(" 0").error().code, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace confide
