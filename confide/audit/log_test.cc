#include "confide/audit/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "confide/audit/sqlite.h"
#include "confide/audit/verify.h"

namespace confide::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_audit_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "/audit.db";
    auto key = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
    ASSERT_TRUE(key.ok());
    key_pem_ = SecretBytes::CopyFrom(key->ToPem().Expose());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  crypto::PrivateKey Key() const { return *crypto::PrivateKey::FromPem(key_pem_.Expose()); }

  // Writes `n` events and closes the log (final checkpoint).
  void Fill(int n, uint64_t checkpoint_every = 4) {
    auto log = AuditLog::Open(path_, Key(), {.checkpoint_every = checkpoint_every,
                                             .sync_full = false});
    ASSERT_TRUE(log.ok()) << log.error().ToString();
    uint64_t first = (*log)->head_seq() + 1;
    for (int i = 0; i < n; ++i) {
      auto seq = (*log)->Append({.kind = "release", .model_id = "m" + std::to_string(i),
                                 .result = "released", .requester = "127.0.0.1"});
      ASSERT_TRUE(seq.ok());
      EXPECT_EQ(*seq, first + static_cast<uint64_t>(i));
    }
    ASSERT_TRUE((*log)->Close().ok());
  }

  void Sql(const std::string& sql) {
    auto db = Db::Open(path_);
    ASSERT_TRUE(db.ok());
    Status s = db->Exec(sql);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }

  AuditVerdict Verify() {
    auto v = VerifyAuditLog(path_, nullptr);
    EXPECT_TRUE(v.ok()) << v.error().ToString();
    return v.ok() ? *v : AuditVerdict{};
  }

  std::string dir_, path_;
  SecretBytes key_pem_;
};

TEST_F(AuditLogTest, IntactLogVerifies) {
  Fill(10);
  AuditVerdict v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.num_events, 10u);
  EXPECT_EQ(v.last_checkpoint_seq, 10u);
  EXPECT_GE(v.num_checkpoints, 3u);
}

TEST_F(AuditLogTest, ReopeningContinuesTheChain) {
  Fill(3);
  Fill(3);
  AuditVerdict v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.num_events, 6u);
}

TEST_F(AuditLogTest, ReopeningWithAnotherKeyIsRefused) {
  Fill(1);
  auto other = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  auto log = AuditLog::Open(path_, *std::move(other), {});
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(AuditLogTest, ChangedRecordIsNamed) {
  Fill(10);
  Sql("UPDATE events SET record = CAST(REPLACE(CAST(record AS TEXT), 'm4', 'm9') AS BLOB) "
      "WHERE seq = 5");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_seq, 5u) << v.problem;
}

TEST_F(AuditLogTest, DeletedRowIsNamed) {
  Fill(10);
  Sql("DELETE FROM events WHERE seq = 6");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_seq, 6u) << v.problem;
}

TEST_F(AuditLogTest, DeletedTailCoveredByACheckpointIsNamed) {
  Fill(10);
  Sql("DELETE FROM events WHERE seq >= 9");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_seq, 9u) << v.problem;
}

TEST_F(AuditLogTest, ReorderedRowsAreNamed) {
  Fill(10);
  Sql("UPDATE events SET seq = -1 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 4;"
      "UPDATE events SET seq = 4 WHERE seq = -1;");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_seq, 3u) << v.problem;
}

TEST_F(AuditLogTest, ForgedCheckpointIsDetected) {
  Fill(10);
  Sql("UPDATE checkpoints SET time = time + 1 WHERE seq = (SELECT MAX(seq) FROM checkpoints)");
  AuditVerdict v = Verify();
  EXPECT_FALSE(v.ok);
}

TEST_F(AuditLogTest, ConcurrentAppendsFormOneChain) {
  {
    auto log = AuditLog::Open(path_, Key(), {.checkpoint_every = 50, .sync_full = false});
    ASSERT_TRUE(log.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) EXPECT_TRUE((*log)->Append({.kind = "release"}).ok());
      });
    }
    for (auto& t : threads) t.join();
  }  // the destructor writes the final checkpoint
  AuditVerdict v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.num_events, 400u);
  EXPECT_EQ(v.last_checkpoint_seq, 400u);
}

TEST_F(AuditLogTest, PinnedKeyMustMatch) {
  Fill(2);
  auto other = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  crypto::PublicKey pub = other->public_key();
  auto v = VerifyAuditLog(path_, &pub);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  crypto::PublicKey mine = Key().public_key();
  EXPECT_TRUE(VerifyAuditLog(path_, &mine)->ok);
}

}  // namespace
}  // namespace confide::audit
