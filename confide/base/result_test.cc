#include "confide/base/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace confide {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  CONFIDE_ASSIGN_OR_RETURN(int h, Half(x));
  CONFIDE_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  CONFIDE_TRY(Half(x));
  return OkStatus();
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> ok = Half(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 4);
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().ToString(), "invalid argument: odd: 3");
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "odd: 3");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_EQ(CheckEven(1).error().code, ErrorCode::kInvalidArgument);
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = *std::move(r);
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, EveryCodeHasAName) {
  for (ErrorCode c : {ErrorCode::kInvalidArgument, ErrorCode::kMalformed, ErrorCode::kUnsupported,
                      ErrorCode::kVerificationFailed, ErrorCode::kNotFound,
                      ErrorCode::kUnavailable, ErrorCode::kInternal}) {
    EXPECT_NE(ErrorCodeName(c), "unknown");
  }
}

TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  Result<int> r = MalformedError("x");
  EXPECT_DEATH((void)r.value(), "check failed");
}

}  // namespace
}  // namespace confide
