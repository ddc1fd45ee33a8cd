#include "confide/base/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace confide {
namespace {

TEST(FileTest, WritesAtomicallyWithModeAndReadsBack) {
  std::string dir = ::testing::TempDir() + "/confide_file_test_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string path = dir + "/a.bin";
  ASSERT_TRUE(WriteFile(path, Bytes{1, 2, 3}, 0600).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadFile(path), (Bytes{1, 2, 3}));
  EXPECT_EQ(ReadFile(path, 2).error().code, ErrorCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

TEST(FileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadFile("/nonexistent/confide").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ReadFile("/").error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace confide
