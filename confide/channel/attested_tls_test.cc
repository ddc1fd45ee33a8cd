#include "confide/channel/attested_tls.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "confide/channel/testing/attested_tls_fixture.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/x509_issue.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::channel {
namespace {

namespace sim = tee::sim;
using testing::FailedReasons;
using testing::GetHello;
using testing::HelloServer;
using testing::MakeFreshSimStore;

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");
constexpr char kHello[] = "hello from the TEE";

class AttestedTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_channel_" + std::to_string(::getpid());
    auto store = MakeFreshSimStore(dir_, kNow - std::chrono::hours(1));
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    sim_root_ = crypto::Sha256(store->ark.public_key().ToDer());
    platform_ = std::make_unique<sim::SimPlatform>(*std::move(store),
                                                   sim::SimLaunch{.measurement = kMeasurement});
    auto id = MakeAttestedIdentity(*platform_, {.now = kNow - std::chrono::minutes(5)});
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    identity_ = std::make_unique<AttestedIdentity>(*std::move(id));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  attest::Policy Policy(bool allow_simulated = true,
                        crypto::Sha384Digest measurement = kMeasurement) const {
    attest::Policy p;
    p.tee_types = {attest::TeeType::kSevSnp};
    p.allow_simulated = allow_simulated;
    p.sim_roots = {sim_root_};
    p.snp.measurements = {measurement};
    p.max_evidence_age_seconds = 3600;
    return p;
  }

  // Whether a check of `v`'s latest appraisal failed with `code`.
  static bool Failed(const AttestedTlsVerifier& v, attest::ReasonCode code) {
    return std::ranges::count(FailedReasons(v), code) > 0;
  }

  static inline const crypto::Sha384Digest kMeasurement = crypto::Sha384(AsBytes("server v1"));
  std::string dir_;
  crypto::Sha256Digest sim_root_{};
  std::unique_ptr<sim::SimPlatform> platform_;
  std::unique_ptr<AttestedIdentity> identity_;
  FixedClock clock_{kNow};
};

TEST_F(AttestedTlsTest, MatchingPolicyConnectsAndExchangesData) {
  HelloServer server(identity_->certificate, identity_->tls_key, kHello);
  AttestedTlsVerifier verifier(Policy(), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), kHello) << verifier.Explain();
  auto result = verifier.last_result();
  ASSERT_TRUE(result && result->ok());
  EXPECT_TRUE((*result)->accepted);
  EXPECT_TRUE((*result)->simulated);
}

TEST_F(AttestedTlsTest, WrongMeasurementFailsTheHandshake) {
  HelloServer server(identity_->certificate, identity_->tls_key, kHello);
  AttestedTlsVerifier verifier(Policy(true, crypto::Sha384(AsBytes("server v2"))), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), "");
  EXPECT_TRUE(Failed(verifier, attest::ReasonCode::kMeasurementMismatch)) << verifier.Explain();
}

TEST_F(AttestedTlsTest, SimulationNotAllowedFailsTheHandshake) {
  HelloServer server(identity_->certificate, identity_->tls_key, kHello);
  AttestedTlsVerifier verifier(Policy(false), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), "");
  EXPECT_TRUE(Failed(verifier, attest::ReasonCode::kSimulatedEvidenceNotAllowed))
      << verifier.Explain();
}

TEST_F(AttestedTlsTest, EvidenceBoundToAnotherKeyFailsTheHandshake) {
  // A relay copies the genuine evidence into a certificate for its own key.
  auto other_key = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(other_key.ok());
  crypto::CertificateTemplate t{.subject_cn = "relay", .not_before = kNow - std::chrono::hours(1),
                                .not_after = kNow + std::chrono::hours(1)};
  t.extensions.push_back({attest::kEvidenceExtensionOid,
                          attest::EncodeEvidenceBundle(identity_->bundle), false});
  auto cert = crypto::IssueCertificate(t, other_key->public_key(), *other_key);
  ASSERT_TRUE(cert.ok());
  HelloServer server(*cert, *other_key, kHello);
  AttestedTlsVerifier verifier(Policy(), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), "");
  EXPECT_TRUE(Failed(verifier, attest::ReasonCode::kKeyBindingMismatch)) << verifier.Explain();
}

TEST_F(AttestedTlsTest, OldEvidenceFailsWhenThePolicyBoundsItsAge) {
  HelloServer server(identity_->certificate, identity_->tls_key, kHello);
  FixedClock later(kNow + std::chrono::hours(2));
  AttestedTlsVerifier verifier(Policy(), later);
  EXPECT_EQ(GetHello(server.port(), verifier), "");
  EXPECT_TRUE(Failed(verifier, attest::ReasonCode::kEvidenceTooOld)) << verifier.Explain();
}

TEST_F(AttestedTlsTest, CertificateWithoutEvidenceIsRefused) {
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  crypto::CertificateTemplate t{.subject_cn = "plain", .not_before = kNow - std::chrono::hours(1),
                                .not_after = kNow + std::chrono::hours(1)};
  auto cert = crypto::IssueCertificate(t, key->public_key(), *key);
  HelloServer server(*cert, *key, kHello);
  AttestedTlsVerifier verifier(Policy(), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), "");
  auto r = verifier.last_result();
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace confide::channel
