#include "confide/channel/attested_tls.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <thread>

#include "confide/crypto/hash.h"
#include "confide/crypto/x509_issue.h"
#include "confide/tee/sim/sim_platform.h"

namespace confide::channel {
namespace {

namespace sim = tee::sim;

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");

// A TLS server on loopback that answers GET /hello, presenting `cert` with `key`.
class TestServer {
 public:
  TestServer(const crypto::Certificate& cert, const crypto::PrivateKey& key)
      : server_([&](SSL_CTX& ctx) { return crypto::ConfigureTlsServer(&ctx, cert, key).ok(); }) {
    server_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello from the TEE", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

class AttestedTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_channel_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(sim::InitSimStore(dir_, kNow - std::chrono::hours(1), false).ok());
    auto store = sim::LoadSimStore(dir_);
    ASSERT_TRUE(store.ok());
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

  // Connects with `policy`; returns the body, or "" if the request failed.
  std::string Get(int port, AttestedTlsVerifier& verifier) {
    httplib::SSLClient client("127.0.0.1", port);
    client.enable_server_certificate_verification(false);
    EXPECT_TRUE(crypto::ConfigureTlsClient(client.ssl_context(), &verifier).ok());
    auto res = client.Get("/hello");
    return res ? res->body : "";
  }

  static bool Failed(const AttestedTlsVerifier& v, attest::ReasonCode code) {
    auto r = v.last_result();
    if (!r || !r->ok()) return false;
    for (const auto& c : (*r)->checks) {
      if (!c.passed && c.reason == code) return true;
    }
    return false;
  }

  static inline const crypto::Sha384Digest kMeasurement = crypto::Sha384(AsBytes("server v1"));
  std::string dir_;
  crypto::Sha256Digest sim_root_{};
  std::unique_ptr<sim::SimPlatform> platform_;
  std::unique_ptr<AttestedIdentity> identity_;
  FixedClock clock_{kNow};
};

TEST_F(AttestedTlsTest, MatchingPolicyConnectsAndExchangesData) {
  TestServer server(identity_->certificate, identity_->tls_key);
  AttestedTlsVerifier verifier(Policy(), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "hello from the TEE") << verifier.Explain();
  auto result = verifier.last_result();
  ASSERT_TRUE(result && result->ok());
  EXPECT_TRUE((*result)->accepted);
  EXPECT_TRUE((*result)->simulated);
}

TEST_F(AttestedTlsTest, WrongMeasurementFailsTheHandshake) {
  TestServer server(identity_->certificate, identity_->tls_key);
  AttestedTlsVerifier verifier(Policy(true, crypto::Sha384(AsBytes("server v2"))), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "");
  EXPECT_TRUE(Failed(verifier, attest::ReasonCode::kMeasurementMismatch)) << verifier.Explain();
}

TEST_F(AttestedTlsTest, SimulationNotAllowedFailsTheHandshake) {
  TestServer server(identity_->certificate, identity_->tls_key);
  AttestedTlsVerifier verifier(Policy(false), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "");
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
  TestServer server(*cert, *other_key);
  AttestedTlsVerifier verifier(Policy(), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "");
  EXPECT_TRUE(Failed(verifier, attest::ReasonCode::kKeyBindingMismatch)) << verifier.Explain();
}

TEST_F(AttestedTlsTest, OldEvidenceFailsWhenThePolicyBoundsItsAge) {
  TestServer server(identity_->certificate, identity_->tls_key);
  FixedClock later(kNow + std::chrono::hours(2));
  AttestedTlsVerifier verifier(Policy(), later);
  EXPECT_EQ(Get(server.port(), verifier), "");
  EXPECT_TRUE(Failed(verifier, attest::ReasonCode::kEvidenceTooOld)) << verifier.Explain();
}

TEST_F(AttestedTlsTest, CertificateWithoutEvidenceIsRefused) {
  auto key = crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  crypto::CertificateTemplate t{.subject_cn = "plain", .not_before = kNow - std::chrono::hours(1),
                                .not_after = kNow + std::chrono::hours(1)};
  auto cert = crypto::IssueCertificate(t, key->public_key(), *key);
  TestServer server(*cert, *key);
  AttestedTlsVerifier verifier(Policy(), clock_);
  EXPECT_EQ(Get(server.port(), verifier), "");
  auto r = verifier.last_result();
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace confide::channel
