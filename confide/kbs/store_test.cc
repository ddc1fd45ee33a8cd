#include "confide/kbs/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "confide/crypto/random.h"

namespace confide::kbs {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/confide_kbs_store_" + std::to_string(getpid()) + ".db";
    std::filesystem::remove(path_);
    master_ = crypto::RandomBytes(32);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::unique_ptr<KeyStore> Open() {
    auto s = KeyStore::Open(path_, SecretBytes::CopyFrom(master_));
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? *std::move(s) : nullptr;
  }
  std::string path_;
  Bytes master_;
  Time now_{std::chrono::seconds(1780000000)};
};

TEST_F(KeyStoreTest, KeysRoundTripAndRotate) {
  auto store = Open();
  SecretBytes k1 = crypto::RandomSecret(32), k2 = crypto::RandomSecret(32);
  ASSERT_TRUE(store->AddModel("m", "tee_types = [\"sev-snp\"]", k1, {}, now_).ok());
  EXPECT_FALSE(store->AddModel("m", "x", k1, {}, now_).ok());
  ASSERT_EQ(*store->RotateKey("m", k2, {}, now_), 2u);
  EXPECT_TRUE(Equal(store->GetKey("m", 0)->key.Expose(), k2.Expose()));
  EXPECT_TRUE(Equal(store->GetKey("m", 1)->key.Expose(), k1.Expose()));
  ASSERT_TRUE(store->Retire("m", 1, now_).ok());
  EXPECT_EQ(store->GetKey("m", 1).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store->Retire("m", 0, now_).ok());
  EXPECT_TRUE(store->GetModel("m")->retired);
  EXPECT_EQ(store->GetKey("m", 0).error().code, ErrorCode::kNotFound);
}

TEST_F(KeyStoreTest, KeysAreNotStoredInTheClear) {
  SecretBytes k = crypto::RandomSecret(32);
  {
    auto store = Open();
    ASSERT_TRUE(store->AddModel("m", "p", k, {}, now_).ok());
  }
  auto db = audit::Db::Open(path_);
  auto s = db->Prepare("SELECT wrapped FROM model_keys");
  ASSERT_TRUE(*s->Step());
  Bytes wrapped = s->ColumnBlob(0);
  auto hit = std::search(wrapped.begin(), wrapped.end(), k.Expose().begin(), k.Expose().end());
  EXPECT_EQ(hit, wrapped.end());
}

TEST_F(KeyStoreTest, WrongMasterKeyIsRefusedAtOpen) {
  Open();
  auto s = KeyStore::Open(path_, crypto::RandomSecret(32));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kVerificationFailed);
}

TEST_F(KeyStoreTest, MigratesAndRefusesNewerSchemas) {
  Open();
  auto db = audit::Db::Open(path_);
  EXPECT_EQ(*db->UserVersion(), kStoreSchemaVersion);
  ASSERT_TRUE(db->Exec("PRAGMA user_version = 99").ok());
  auto s = KeyStore::Open(path_, SecretBytes::CopyFrom(master_));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace confide::kbs
