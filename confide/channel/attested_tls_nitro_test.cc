// Attested TLS with AWS Nitro evidence: the simulator's Nitro documents (tee/sim/sim_nitro.h) in
// the certificate extension, appraised by the production Nitro verifier inside the handshake.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "confide/base/hex.h"
#include "confide/channel/attested_tls.h"
#include "confide/channel/testing/attested_tls_fixture.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/x509_issue.h"
#include "confide/tee/sim/sim_nitro.h"

namespace confide::channel {
namespace {

namespace sim = tee::sim;
using testing::FailedReasons;
using testing::GetHello;
using testing::HelloServer;
using testing::MakeFreshSimStore;

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");
constexpr char kHello[] = "hello from the enclave";

class AttestedTlsNitroTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_channel_nitro_" + std::to_string(::getpid());
    auto store = MakeFreshSimStore(dir_, kNow - std::chrono::hours(1));
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    sim_root_ = crypto::Sha256(store->nitro->root.public_key().ToDer());
    auto platform = sim::SimNitroPlatform::Open(*std::move(store),
                                                sim::SimNitroLaunchFor(kImage), enclave_clock_);
    ASSERT_TRUE(platform.ok()) << platform.error().ToString();
    platform_ = *std::move(platform);
    auto id = MakeAttestedIdentity(*platform_, {.now = kNow - std::chrono::minutes(5)});
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    identity_ = std::make_unique<AttestedIdentity>(*std::move(id));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  attest::Policy Policy(const crypto::Sha384Digest& pcr0, bool allow_simulated = true) const {
    std::string text = "tee_types = [\"nitro\"]\nmax_evidence_age_seconds = 3600\n";
    if (allow_simulated) text += "allow_simulated = true\n";
    text += "sim_roots = [\"" + HexEncode(sim_root_) + "\"]\n[nitro]\npcr0 = \"" +
            HexEncode(pcr0) + "\"\n";
    auto p = attest::ParsePolicy(text);
    EXPECT_TRUE(p.ok()) << p.error().ToString();
    return *p;
  }

  static inline const crypto::Sha384Digest kImage = crypto::Sha384(AsBytes("enclave image v1"));
  std::string dir_;
  crypto::Sha256Digest sim_root_{};
  FixedClock enclave_clock_{kNow - std::chrono::minutes(5)};
  std::unique_ptr<sim::SimNitroPlatform> platform_;
  std::unique_ptr<AttestedIdentity> identity_;
  FixedClock clock_{kNow};
};

TEST_F(AttestedTlsNitroTest, MatchingPolicyConnectsWithNitroEvidence) {
  ASSERT_EQ(identity_->bundle.tee, attest::TeeType::kNitro);
  HelloServer server(identity_->certificate, identity_->tls_key, kHello);
  AttestedTlsVerifier verifier(Policy(kImage), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), kHello) << verifier.Explain();
  auto result = verifier.last_result();
  ASSERT_TRUE(result && result->ok());
  EXPECT_TRUE((*result)->accepted);
  EXPECT_TRUE((*result)->simulated);
  EXPECT_EQ((*result)->tee, attest::TeeType::kNitro);
}

TEST_F(AttestedTlsNitroTest, WrongPcr0FailsTheHandshake) {
  HelloServer server(identity_->certificate, identity_->tls_key, kHello);
  AttestedTlsVerifier verifier(Policy(crypto::Sha384(AsBytes("enclave image v2"))), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), "");
  EXPECT_EQ(FailedReasons(verifier),
            std::vector<attest::ReasonCode>{attest::ReasonCode::kPcrMismatch})
      << verifier.Explain();
}

TEST_F(AttestedTlsNitroTest, SimulationNotAllowedFailsTheHandshake) {
  HelloServer server(identity_->certificate, identity_->tls_key, kHello);
  AttestedTlsVerifier verifier(Policy(kImage, /*allow_simulated=*/false), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), "");
  EXPECT_EQ(FailedReasons(verifier),
            std::vector<attest::ReasonCode>{attest::ReasonCode::kSimulatedEvidenceNotAllowed});
}

TEST_F(AttestedTlsNitroTest, NitroEvidenceUnderAnotherKeyFailsTheHandshake) {
  // The same bundle in a certificate for another key: user_data binds the original key.
  auto other_key = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  ASSERT_TRUE(other_key.ok());
  crypto::CertificateTemplate t{.subject_cn = "relay", .not_before = kNow - std::chrono::minutes(5),
                                .not_after = kNow + std::chrono::hours(1)};
  t.extensions.push_back({attest::kEvidenceExtensionOid,
                          attest::EncodeEvidenceBundle(identity_->bundle), false});
  auto cert = crypto::IssueCertificate(t, other_key->public_key(), *other_key);
  ASSERT_TRUE(cert.ok());
  HelloServer server(*cert, *other_key, kHello);
  AttestedTlsVerifier verifier(Policy(kImage), clock_);
  EXPECT_EQ(GetHello(server.port(), verifier), "");
  EXPECT_EQ(FailedReasons(verifier),
            std::vector<attest::ReasonCode>{attest::ReasonCode::kKeyBindingMismatch})
      << verifier.Explain();
}

}  // namespace
}  // namespace confide::channel
