#include "confide/server/key_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "confide/crypto/hash.h"
#include "confide/crypto/random.h"
#include "confide/server/testing/sim_test_dir.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::server {
namespace {

namespace sim = tee::sim;

class KeyCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_.emplace("key_cache", SystemClock().Now());
  }
  void TearDown() override { sim_.reset(); }
  std::unique_ptr<sim::SimPlatform> Platform(std::string_view code) { return sim_->Platform(code); }
  std::optional<SimTestDir> sim_;
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
