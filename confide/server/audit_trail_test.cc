#include "confide/server/audit_trail.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "confide/audit/verify.h"
#include "confide/base/file.h"
#include "confide/crypto/hash.h"
#include "confide/server/testing/sim_test_dir.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::server {
namespace {

namespace sim = tee::sim;

class AuditTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_.emplace("audit_trail", SystemClock().Now());
    dir_ = sim_->path();
    std::filesystem::create_directories(dir_ + "/state");
  }
  void TearDown() override { sim_.reset(); }
  std::unique_ptr<sim::SimPlatform> Platform(std::string_view code) { return sim_->Platform(code); }
  std::string state() const { return dir_ + "/state"; }
  std::optional<SimTestDir> sim_;
  std::string dir_;
  FixedClock clock_{Time{} + std::chrono::seconds(1800000000)};
};

TEST_F(AuditTrailTest, KeyIsMadeOnceSealedAndItsPublicKeyWritten) {
  auto v1 = Platform("server v1");
  auto key = LoadOrCreateAuditKey(*v1, state());
  ASSERT_TRUE(key.ok()) << key.error().ToString();
  EXPECT_EQ(key->type(), crypto::KeyType::kP256);
  auto pem = ReadFile(AuditPublicKeyPath(state()));
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(ToString(*pem), key->public_key().ToPem());
  // The sealed file does not contain the raw scalar.
  auto sealed = ReadFile(SealedAuditKeyPath(state()));
  ASSERT_TRUE(sealed.ok());
  auto raw = key->ToRaw();
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(std::search(sealed->begin(), sealed->end(), raw->Expose().begin(),
                        raw->Expose().end()),
            sealed->end());

  auto again = LoadOrCreateAuditKey(*Platform("server v1"), state());
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->public_key().ToDer(), key->public_key().ToDer());
}

TEST_F(AuditTrailTest, OtherCodeCannotUnsealTheKey) {
  ASSERT_TRUE(LoadOrCreateAuditKey(*Platform("server v1"), state()).ok());
  auto other = LoadOrCreateAuditKey(*Platform("server v2"), state());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kVerificationFailed);
}

TEST_F(AuditTrailTest, EventsGoToAVerifiableLog) {
  auto platform = Platform("server v1");
  auto key = LoadOrCreateAuditKey(*platform, state());
  ASSERT_TRUE(key.ok());
  crypto::PublicKey pub = key->public_key();
  const std::string db = dir_ + "/audit.db";
  auto log = audit::AuditLog::Open(db, *std::move(key), {.clock = &clock_});
  ASSERT_TRUE(log.ok()) << log.error().ToString();
  AuditTrail trail(log->get(), clock_, attest::TeeType::kSevSnp);
  EXPECT_TRUE(trail.durable());
  auto s1 = trail.Record({.kind = kAuditKeyUse, .model_id = "mnist8",
                          .claims_summary = "key_origin=kbs", .result = "ok"});
  auto s2 = trail.Record({.kind = kAuditAttestation, .evidence_digest = Bytes(32, 7),
                          .claims_summary = "kind=fresh", .result = "ok",
                          .requester = "127.0.0.1:5000"});
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_EQ(*s1, 1u);
  EXPECT_EQ(*s2, 2u);
  ASSERT_TRUE((*log)->Close().ok());
  // Fail closed: a closed log refuses, and the trail says so.
  EXPECT_FALSE(trail.Record({.kind = kAuditAttestation, .result = "ok"}).ok());

  auto verdict = audit::VerifyAuditLog(db, &pub);
  ASSERT_TRUE(verdict.ok()) << verdict.error().ToString();
  EXPECT_TRUE(verdict->ok) << verdict->problem;
  EXPECT_EQ(verdict->num_events, 2u);
  EXPECT_EQ(verdict->last_checkpoint_seq, 2u);
  auto events = audit::ReadAuditEvents(db);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, "model_key_use");
  EXPECT_EQ((*events)[0].model_id, "mnist8");
  EXPECT_EQ((*events)[0].tee_type, "sev-snp");  // stamped by the trail
  EXPECT_EQ((*events)[0].time, clock_.Now());
  EXPECT_EQ((*events)[1].requester, "127.0.0.1:5000");
  EXPECT_EQ((*events)[1].evidence_digest, Bytes(32, 7));
}

TEST_F(AuditTrailTest, WithoutALogOnlyLogLines) {
  AuditTrail trail(nullptr, clock_, attest::TeeType::kSevSnp);
  EXPECT_FALSE(trail.durable());
  auto seq = trail.Record({.kind = kAuditAttestation, .result = "ok"});
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 0u);
}

}  // namespace
}  // namespace confide::server
