#include "confide/crypto/selftest.h"

#include <gtest/gtest.h>

namespace confide::crypto {
namespace {

TEST(SelfTestTest, AllKnownAnswerTestsPass) {
  std::vector<SelfTestResult> results = RunSelfTests();
  EXPECT_GE(results.size(), 9u);
  for (const SelfTestResult& r : results) {
    EXPECT_TRUE(r.passed) << r.name << ": " << r.detail;
    EXPECT_TRUE(r.detail.empty() || !r.passed);
    EXPECT_FALSE(r.name.empty());
  }
}

}  // namespace
}  // namespace confide::crypto
