#include "confide/base/process.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace confide {
namespace {

TEST(ProcessTest, DisablesCoreDumpsAndDumpability) {
  ASSERT_TRUE(DisableCoreDumps().ok());
  struct rlimit limit;
  ASSERT_EQ(::getrlimit(RLIMIT_CORE, &limit), 0);
  EXPECT_EQ(limit.rlim_cur, 0u);
  EXPECT_EQ(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

}  // namespace
}  // namespace confide
