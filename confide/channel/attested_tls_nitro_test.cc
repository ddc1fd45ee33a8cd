// Attested TLS with AWS Nitro evidence: the simulator's Nitro documents (tee/sim/sim_nitro.h) in
// the certificate extension, appraised by the production Nitro verifier inside the handshake.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "confide/base/hex.h"
#include "confide/channel/attested_tls.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/x509_issue.h"
#include "confide/tee/sim/sim_nitro.h"

namespace confide::channel {
namespace {

namespace sim = tee::sim;

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");

// A TLS server on loopback that answers GET /hello, presenting `cert` with `key`.
class NitroTestServer {
 public:
  NitroTestServer(const crypto::Certificate& cert, const crypto::PrivateKey& key)
      : server_([&](SSL_CTX& ctx) { return crypto::ConfigureTlsServer(&ctx, cert, key).ok(); }) {
    server_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello from the enclave", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~NitroTestServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

class AttestedTlsNitroTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_channel_nitro_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(sim::InitSimStore(dir_, kNow - std::chrono::hours(1), false).ok());
    auto store = sim::LoadSimStore(dir_);
    ASSERT_TRUE(store.ok());
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

  std::string Get(int port, AttestedTlsVerifier& verifier) {
    httplib::SSLClient client("127.0.0.1", port);
    client.enable_server_certificate_verification(false);
    EXPECT_TRUE(crypto::ConfigureTlsClient(client.ssl_context(), &verifier).ok());
    auto res = client.Get("/hello");
    return res ? res->body : "";
  }

  static std::vector<attest::ReasonCode> Reasons(const AttestedTlsVerifier& v) {
    std::vector<attest::ReasonCode> out;
    auto r = v.last_result();
    if (!r || !r->ok()) return out;
    for (const auto& c : (*r)->checks) {
      if (!c.passed) out.push_back(c.reason);
    }
    return out;
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
  NitroTestServer server(identity_->certificate, identity_->tls_key);
  AttestedTlsVerifier verifier(Policy(kImage), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "hello from the enclave") << verifier.Explain();
  auto result = verifier.last_result();
  ASSERT_TRUE(result && result->ok());
  EXPECT_TRUE((*result)->accepted);
  EXPECT_TRUE((*result)->simulated);
  EXPECT_EQ((*result)->tee, attest::TeeType::kNitro);
}

TEST_F(AttestedTlsNitroTest, WrongPcr0FailsTheHandshake) {
  NitroTestServer server(identity_->certificate, identity_->tls_key);
  AttestedTlsVerifier verifier(Policy(crypto::Sha384(AsBytes("enclave image v2"))), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "");
  EXPECT_EQ(Reasons(verifier), std::vector<attest::ReasonCode>{attest::ReasonCode::kPcrMismatch})
      << verifier.Explain();
}

TEST_F(AttestedTlsNitroTest, SimulationNotAllowedFailsTheHandshake) {
  NitroTestServer server(identity_->certificate, identity_->tls_key);
  AttestedTlsVerifier verifier(Policy(kImage, /*allow_simulated=*/false), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "");
  EXPECT_EQ(Reasons(verifier),
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
  NitroTestServer server(*cert, *other_key);
  AttestedTlsVerifier verifier(Policy(kImage), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "");
  EXPECT_EQ(Reasons(verifier),
            std::vector<attest::ReasonCode>{attest::ReasonCode::kKeyBindingMismatch})
      << verifier.Explain();
}

}  // namespace
}  // namespace confide::channel
