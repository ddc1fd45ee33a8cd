// Attested TLS with Intel SGX and TDX evidence: the simulator's quotes and collateral
// (tee/sim/sim_intel.h) in the certificate extension, appraised by the production Intel verifier
// (AppraiseEvidence → AppraiseIntel) inside the handshake.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "confide/base/hex.h"
#include "confide/channel/attested_tls.h"
#include "confide/crypto/hash.h"
#include "confide/tee/sim/sim_intel.h"

namespace confide::channel {
namespace {

namespace sim = tee::sim;

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");

class IntelTestServer {
 public:
  IntelTestServer(const crypto::Certificate& cert, const crypto::PrivateKey& key)
      : server_([&](SSL_CTX& ctx) { return crypto::ConfigureTlsServer(&ctx, cert, key).ok(); }) {
    server_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello from the enclave", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~IntelTestServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

std::array<uint8_t, 48> Measurement(const char* what) {
  crypto::Sha384Digest d = crypto::Sha384(AsBytes(what));
  std::array<uint8_t, 48> out;
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

struct SimEnclave {
  std::unique_ptr<sim::SimIntelPlatform> platform;
  std::unique_ptr<AttestedIdentity> identity;
};

SimEnclave Make(bool tdx, const FixedClock& clock) {
  auto platform = sim::SimIntelPlatform::Open(tdx, Measurement("image v1"), clock);
  EXPECT_TRUE(platform.ok()) << platform.error().ToString();
  auto id = MakeAttestedIdentity(**platform, {.now = kNow - std::chrono::minutes(5)});
  EXPECT_TRUE(id.ok()) << id.error().ToString();
  return SimEnclave{*std::move(platform), std::make_unique<AttestedIdentity>(*std::move(id))};
}

attest::Policy PolicyFor(const sim::SimIntelPki& pki, const std::array<uint8_t, 48>& m,
                         bool allow_simulated = true) {
  std::string text = "tee_types = [\"sgx\", \"tdx\"]\n";
  if (allow_simulated) text += "allow_simulated = true\n";
  text += "sim_roots = [\"" + HexEncode(crypto::Sha256(pki.root.public_key().ToDer())) +
          "\"]\n[sgx]\nmrenclaves = [\"" + HexEncode(ByteSpan(m).first(32)) +
          "\"]\n[tdx]\nmrtds = [\"" + HexEncode(m) + "\"]\n";
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

std::vector<attest::ReasonCode> Reasons(const AttestedTlsVerifier& v) {
  std::vector<attest::ReasonCode> out;
  auto r = v.last_result();
  if (!r || !r->ok()) return out;
  for (const auto& c : (*r)->checks) {
    if (!c.passed) out.push_back(c.reason);
  }
  return out;
}

TEST(AttestedTlsIntelTest, SgxAndTdxSimEvidenceConnect) {
  FixedClock enclave_clock(kNow - std::chrono::minutes(5));
  FixedClock clock(kNow);
  for (bool tdx : {false, true}) {
    SCOPED_TRACE(tdx ? "tdx" : "sgx");
    SimEnclave s = Make(tdx, enclave_clock);
    ASSERT_TRUE(s.identity);
    EXPECT_EQ(s.identity->bundle.tee, tdx ? attest::TeeType::kTdx : attest::TeeType::kSgx);
    IntelTestServer server(s.identity->certificate, s.identity->tls_key);
    AttestedTlsVerifier verifier(PolicyFor(s.platform->pki(), Measurement("image v1")), clock);
    EXPECT_EQ(Get(server.port(), verifier), "hello from the enclave") << verifier.Explain();
    auto result = verifier.last_result();
    ASSERT_TRUE(result && result->ok());
    EXPECT_TRUE((*result)->accepted);
    EXPECT_TRUE((*result)->simulated);
  }
}

TEST(AttestedTlsIntelTest, WrongMeasurementOrNoSimulationFailsTheHandshake) {
  FixedClock enclave_clock(kNow - std::chrono::minutes(5));
  FixedClock clock(kNow);
  SimEnclave s = Make(true, enclave_clock);
  IntelTestServer server(s.identity->certificate, s.identity->tls_key);
  AttestedTlsVerifier wrong(PolicyFor(s.platform->pki(), Measurement("image v2")), clock);
  EXPECT_EQ(Get(server.port(), wrong), "");
  EXPECT_EQ(Reasons(wrong),
            std::vector<attest::ReasonCode>{attest::ReasonCode::kMeasurementMismatch})
      << wrong.Explain();
  AttestedTlsVerifier no_sim(PolicyFor(s.platform->pki(), Measurement("image v1"), false), clock);
  EXPECT_EQ(Get(server.port(), no_sim), "");
  EXPECT_EQ(Reasons(no_sim),
            std::vector<attest::ReasonCode>{attest::ReasonCode::kSimulatedEvidenceNotAllowed});
}

}  // namespace
}  // namespace confide::channel
