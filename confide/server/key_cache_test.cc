#include "confide/server/key_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "confide/crypto/hash.h"
#include "confide/crypto/random.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::server {
namespace {

namespace sim = tee::sim;

class KeyCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_key_cache_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(sim::InitSimStore(dir_, SystemClock().Now(), false).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<sim::SimPlatform> Platform(std::string_view code) {
    auto store = sim::LoadSimStore(dir_);
    EXPECT_TRUE(store.ok());
    return std::make_unique<sim::SimPlatform>(
        *std::move(store), sim::SimLaunch{.measurement = crypto::Sha384(AsBytes(code))});
  }
  std::string dir_;
  package::Digest digest_ = crypto::Sha256(AsBytes("manifest"));
};

TEST_F(KeyCacheTest, SameCodeUnsealsTheKey) {
  SecretBytes key = crypto::RandomSecret(32);
  auto v1 = Platform("server v1");
  auto file = SealCachedKey(*v1, key, digest_);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size(), kCachedKeyFileSize);
  auto again = Platform("server v1");
  auto opened = OpenCachedKey(*again, *file, digest_);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_TRUE(Equal(opened->Expose(), key.Expose()));
}

TEST_F(KeyCacheTest, OtherCodeOrOtherPackageCannotUnseal) {
  SecretBytes key = crypto::RandomSecret(32);
  auto v1 = Platform("server v1");
  auto file = SealCachedKey(*v1, key, digest_);
  ASSERT_TRUE(file.ok());
  auto v2 = Platform("server v2");
  EXPECT_EQ(OpenCachedKey(*v2, *file, digest_).error().code, ErrorCode::kVerificationFailed);
  EXPECT_EQ(OpenCachedKey(*v1, *file, crypto::Sha256(AsBytes("other"))).error().code,
            ErrorCode::kVerificationFailed);
  Bytes bad = *file;
  bad[8] = 9;  // version
  EXPECT_EQ(OpenCachedKey(*v1, bad, digest_).error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace confide::server
