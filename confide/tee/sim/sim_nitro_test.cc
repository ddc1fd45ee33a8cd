#include "confide/tee/sim/sim_nitro.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "confide/attest/binding.h"
#include "confide/attest/evidence_bundle.h"
#include "confide/attest/nitro/document.h"
#include "confide/attest/nitro/verify.h"
#include "confide/attest/verifier.h"
#include "confide/base/hex.h"

namespace confide::tee::sim {
namespace {

namespace nitro = attest::nitro;

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");

class SimNitroTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_sim_nitro_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(InitSimStore(dir_, kNow, false).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SimNitroPlatform> Open(SimNitroLaunch launch) {
    auto store = LoadSimStore(dir_);
    EXPECT_TRUE(store.ok()) << store.error().ToString();
    auto tee = SimNitroPlatform::Open(*std::move(store), std::move(launch), clock_);
    EXPECT_TRUE(tee.ok()) << tee.error().ToString();
    return *std::move(tee);
  }

  // Appraises through the one production entry point, as attested TLS does.
  attest::Appraisal Appraise(const Evidence& ev, const Bytes& claims, const std::string& extra) {
    attest::EvidenceBundle bundle{.tee = ev.tee, .evidence = ev.report, .claims = claims,
                                  .endorsements = ev.cert_table};
    auto policy = attest::ParsePolicy("tee_types = [\"nitro\"]\n" + extra + "[nitro]\npcr0 = \"" +
                                      HexEncode(measurement_) + "\"\n");
    EXPECT_TRUE(policy.ok()) << policy.error().ToString();
    auto a = attest::AppraiseEvidence(bundle, *policy, {.now = clock_.Now()});
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    return *a;
  }

  std::string SimRootLine(const SimNitroPlatform& tee) const {
    return "allow_simulated = true\nsim_roots = [\"" +
           HexEncode(crypto::Sha256(tee.store().nitro->root.public_key().ToDer())) + "\"]\n";
  }

  std::string dir_;
  FixedClock clock_{kNow + std::chrono::minutes(1)};
  crypto::Sha384Digest measurement_ = crypto::Sha384(AsBytes("the enclave image"));
};

TEST_F(SimNitroTest, DocumentHasTheAwsLayout) {
  auto tee = Open(SimNitroLaunchFor(measurement_));
  ReportData rd{};
  rd[0] = 0xab;
  Result<Evidence> ev = tee->GetEvidence(rd);
  ASSERT_TRUE(ev.ok()) << ev.error().ToString();
  EXPECT_EQ(ev->tee, attest::TeeType::kNitro);
  EXPECT_EQ(ev->report[0], 0x84);  // untagged array of 4, as the NSM returns
  Result<nitro::Document> doc = nitro::ParseDocument(ev->report);
  ASSERT_TRUE(doc.ok()) << doc.error().ToString();
  const nitro::Payload& p = doc->payload;
  EXPECT_FALSE(doc->tagged);
  EXPECT_EQ(p.pcrs.size(), 16u);
  EXPECT_EQ(HexEncode(p.pcrs.at(0)), HexEncode(measurement_));
  EXPECT_EQ(p.pcrs.at(3), Bytes(48, 0));
  EXPECT_EQ(p.user_data, Bytes(rd.begin(), rd.end()));
  EXPECT_FALSE(p.nonce);
  EXPECT_EQ(p.timestamp_ms, static_cast<uint64_t>(clock_.Now().time_since_epoch().count()) * 1000);
  ASSERT_EQ(p.cabundle.size(), 2u);
  EXPECT_EQ(p.cabundle[0], tee->store().nitro->root.ToDer());  // root first
  EXPECT_EQ(ev->cert_table, tee->store().nitro->root.ToDer());
  // Re-encoding the parsed document reproduces it (the encoder is AWS's layout, see
  // nitro/document_test.cc EncoderReproducesAwsBytes).
  EXPECT_EQ(nitro::EncodeCoseSign1(doc->protected_header, nitro::EncodePayload(p), doc->signature),
            ev->report);
  // The sim chain verifies with the production verifier, and not to the AWS root.
  auto v = nitro::VerifyDocument(*doc, {.now = clock_.Now(),
                                        .trusted_roots = {tee->store().nitro->root}});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok());
  v = nitro::VerifyDocument(*doc, {.now = clock_.Now(), .trusted_roots = {*nitro::AwsNitroRoot()}});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->failures(), std::vector<nitro::FailureKind>{nitro::FailureKind::kChainUntrusted});
}

TEST_F(SimNitroTest, ProductionVerifierAcceptsOnlyWithTheSimRootListed) {
  auto tee = Open(SimNitroLaunchFor(measurement_));
  const Bytes claims = attest::EncodeBindingClaims({.nonce = Bytes{9, 9}});
  Result<Evidence> ev = tee->GetEvidence(attest::ReportDataFor(claims));
  ASSERT_TRUE(ev.ok());
  attest::Appraisal a = Appraise(*ev, claims, SimRootLine(*tee));
  EXPECT_TRUE(a.accepted) << attest::ExplainAppraisal(a);
  EXPECT_TRUE(a.simulated);
  a = Appraise(*ev, claims, "");
  EXPECT_FALSE(a.accepted);
  ASSERT_EQ(attest::FailedChecks(a).size(), 1u) << attest::ExplainAppraisal(a);
  EXPECT_EQ(attest::FailedChecks(a)[0].reason, attest::ReasonCode::kSimulatedEvidenceNotAllowed);
  // Other claims than the ones in user_data.
  a = Appraise(*ev, attest::EncodeBindingClaims({.nonce = Bytes{9, 8}}), SimRootLine(*tee));
  ASSERT_EQ(attest::FailedChecks(a).size(), 1u) << attest::ExplainAppraisal(a);
  EXPECT_EQ(attest::FailedChecks(a)[0].reason, attest::ReasonCode::kKeyBindingMismatch);
}

TEST_F(SimNitroTest, DebugLaunchIsRejected) {
  SimNitroLaunch launch;  // PCR0..2 all zero: what --debug-mode gives
  auto tee = Open(launch);
  const Bytes claims = attest::EncodeBindingClaims({.nonce = Bytes{1}});
  Result<Evidence> ev = tee->GetEvidence(attest::ReportDataFor(claims));
  ASSERT_TRUE(ev.ok());
  attest::Appraisal a = Appraise(*ev, claims, SimRootLine(*tee));
  std::vector<attest::ReasonCode> reasons;
  for (const attest::Check& c : attest::FailedChecks(a)) reasons.push_back(c.reason);
  EXPECT_EQ(reasons, (std::vector<attest::ReasonCode>{attest::ReasonCode::kPcrMismatch,
                                                       attest::ReasonCode::kDebugNotAllowed}))
      << attest::ExplainAppraisal(a);
}

TEST_F(SimNitroTest, NoSealingKeyAndOldStoresAreRefused) {
  auto tee = Open(SimNitroLaunchFor(measurement_));
  EXPECT_EQ(tee->SealingKey(SealBinding::kMeasurement, "x").error().code,
            ErrorCode::kUnsupported);
  EXPECT_EQ(tee->Describe().tee, attest::TeeType::kNitro);
  EXPECT_TRUE(tee->Describe().simulated);
  std::filesystem::remove(dir_ + "/nitro_leaf.pem");  // a store from before Nitro simulation
  auto store = LoadSimStore(dir_);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  EXPECT_FALSE(store->nitro);
  EXPECT_EQ(SimNitroPlatform::Open(*std::move(store), {}, clock_).error().code,
            ErrorCode::kNotFound);
  auto again = LoadSimStore(dir_);
  SimNitroLaunch bad;
  bad.pcrs[16] = {};
  ASSERT_TRUE(InitSimStore(dir_, kNow, true).ok());
  again = LoadSimStore(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(SimNitroPlatform::Open(*std::move(again), bad, clock_).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace confide::tee::sim
