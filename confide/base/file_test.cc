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

// Someone who can write the folder plants symlinks at the temporary names a writer of `path`
// might pick (the old scheme was PATH.tmp.PID) towards a file they can read. Nothing may be
// written through them, and the write leaves only `path` behind.
TEST(FileTest, WriteFollowsNoPlantedTemporaryNameAndLeavesNoneBehind) {
  namespace fs = std::filesystem;
  fs::path dir =
      fs::path(::testing::TempDir()) / ("confide_file_plant_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path bait = dir / "readable_by_attacker";
  ASSERT_TRUE(WriteFile(bait.string(), Bytes{'o', 'l', 'd'}, 0644).ok());
  std::string path = (dir / "master.key").string();
  fs::create_symlink(bait, path + ".tmp." + std::to_string(getpid()));
  ASSERT_TRUE(WriteFile(path, Bytes{'s', 'e', 'c', 'r', 'e', 't'}, 0600).ok());
  EXPECT_EQ(*ReadFile(path), (Bytes{'s', 'e', 'c', 'r', 'e', 't'}));
  EXPECT_EQ(*ReadFile(bait.string()), (Bytes{'o', 'l', 'd'}));
  EXPECT_EQ(fs::status(bait).permissions() & fs::perms::others_read, fs::perms::others_read);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 3u);  // the bait, the planted symlink and master.key: no temporary file
  fs::remove_all(dir);
}

TEST(FileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadFile("/nonexistent/confide").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ReadFile("/").error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace confide
