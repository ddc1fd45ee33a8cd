// Attested TLS with Intel SGX and TDX evidence: the simulator's quotes and collateral
// (tee/sim/sim_intel.h) in the certificate extension, appraised by the production Intel verifier
// (AppraiseEvidence → AppraiseIntel) inside the handshake.
#include <gtest/gtest.h>

#include "confide/base/hex.h"
#include "confide/channel/attested_tls.h"
#include "confide/channel/testing/attested_tls_fixture.h"
#include "confide/crypto/hash.h"
#include "confide/tee/sim/sim_intel.h"

namespace confide::channel {
namespace {

namespace sim = tee::sim;
using testing::FailedReasons;
using testing::GetHello;
using testing::HelloServer;

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");
constexpr char kHello[] = "hello from the enclave";

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

TEST(AttestedTlsIntelTest, SgxAndTdxSimEvidenceConnect) {
  FixedClock enclave_clock(kNow - std::chrono::minutes(5));
  FixedClock clock(kNow);
  for (bool tdx : {false, true}) {
    SCOPED_TRACE(tdx ? "tdx" : "sgx");
    SimEnclave s = Make(tdx, enclave_clock);
    ASSERT_TRUE(s.identity);
    EXPECT_EQ(s.identity->bundle.tee, tdx ? attest::TeeType::kTdx : attest::TeeType::kSgx);
    HelloServer server(s.identity->certificate, s.identity->tls_key, kHello);
    AttestedTlsVerifier verifier(PolicyFor(s.platform->pki(), Measurement("image v1")), clock);
    EXPECT_EQ(GetHello(server.port(), verifier), kHello) << verifier.Explain();
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
  HelloServer server(s.identity->certificate, s.identity->tls_key, kHello);
  AttestedTlsVerifier wrong(PolicyFor(s.platform->pki(), Measurement("image v2")), clock);
  EXPECT_EQ(GetHello(server.port(), wrong), "");
  EXPECT_EQ(FailedReasons(wrong),
            std::vector<attest::ReasonCode>{attest::ReasonCode::kMeasurementMismatch})
      << wrong.Explain();
  AttestedTlsVerifier no_sim(PolicyFor(s.platform->pki(), Measurement("image v1"), false), clock);
  EXPECT_EQ(GetHello(server.port(), no_sim), "");
  EXPECT_EQ(FailedReasons(no_sim),
            std::vector<attest::ReasonCode>{attest::ReasonCode::kSimulatedEvidenceNotAllowed});
}

}  // namespace
}  // namespace confide::channel
