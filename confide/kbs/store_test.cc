#include "confide/kbs/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "confide/base/file.h"
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

// The bytes of the database and its write-ahead log, together.
Bytes DatabaseFiles(const std::string& path) {
  Bytes all;
  for (const std::string& p : {path, path + "-wal"}) {
    auto b = ReadFile(p);
    if (b.ok()) all.insert(all.end(), b->begin(), b->end());
  }
  return all;
}

bool Contains(const Bytes& haystack, const Bytes& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

// A retired key "can never be released again": its wrapped bytes must be gone from the files, or
// a backup taken after retirement plus the master key would recover it.
TEST_F(KeyStoreTest, RetiredKeysLeaveNoWrappedBytesInTheFiles) {
  auto store = Open();
  ASSERT_TRUE(store->AddModel("m", "p", crypto::RandomSecret(32), {}, now_).ok());
  ASSERT_EQ(*store->RotateKey("m", crypto::RandomSecret(32), {}, now_), 2u);
  std::vector<Bytes> wrapped;
  {
    auto db = audit::Db::Open(path_);
    auto s = db->Prepare("SELECT wrapped FROM model_keys ORDER BY version");
    while (*s->Step()) wrapped.push_back(s->ColumnBlob(0));
  }
  ASSERT_EQ(wrapped.size(), 2u);
  ASSERT_TRUE(Contains(DatabaseFiles(path_), wrapped[0]));
  ASSERT_TRUE(store->Retire("m", 1, now_).ok());
  EXPECT_FALSE(Contains(DatabaseFiles(path_), wrapped[0]));
  EXPECT_TRUE(Contains(DatabaseFiles(path_), wrapped[1]));  // version 2 stays releasable
  ASSERT_TRUE(store->Retire("m", 0, now_).ok());
  EXPECT_FALSE(Contains(DatabaseFiles(path_), wrapped[1]));
  store.reset();
  EXPECT_FALSE(Contains(DatabaseFiles(path_), wrapped[0]));
  EXPECT_FALSE(Contains(DatabaseFiles(path_), wrapped[1]));
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
