// The persistent sim store keeps the simulated Intel PKI: it survives a reload byte for byte, its
// keys are owner-only, stores from before Intel simulation load without it (and the platform then
// asks for `confide sim init --force`), and evidence from two processes' worth of loads verifies
// under one pinned root.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "confide/attest/binding.h"
#include "confide/attest/evidence_bundle.h"
#include "confide/attest/intel/collateral.h"
#include "confide/attest/verifier.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"
#include "confide/tee/sim/sim_intel.h"
#include "confide/tee/sim/sim_store.h"

namespace confide::tee::sim {
namespace {

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");

class SimStoreIntelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_sim_intel_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(InitSimStore(dir_, kNow, false).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SimStore Load() {
    auto store = LoadSimStore(dir_);
    EXPECT_TRUE(store.ok()) << store.error().ToString();
    return *std::move(store);
  }

  std::string dir_;
  FixedClock clock_{kNow + std::chrono::hours(1)};
};

std::string RootDigest(const SimIntelPki& pki) {
  return HexEncode(crypto::Sha256(pki.root.public_key().ToDer()));
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// Appraises `ev` with the production entry point under a policy that lists `root_hex`. An Error
// (bad policy, or evidence that could not be appraised) is the caller's to ASSERT on.
Result<attest::Appraisal> Appraise(const Evidence& ev, const Bytes& claims,
                                   const std::string& root_hex, bool allow_simulated) {
  const std::string text = "tee_types = [\"sgx\", \"tdx\"]\n" +
                           std::string(allow_simulated ? "allow_simulated = true\n" : "") +
                           "sim_roots = [\"" + root_hex +
                           "\"]\n[sgx]\n"
                           "allow_any_measurement_insecure = true\n[tdx]\n"
                           "allow_any_measurement_insecure = true\n";
  auto policy = attest::ParsePolicy(text);
  if (!policy.ok()) return std::move(policy).error();
  attest::EvidenceBundle b{
      .tee = ev.tee, .evidence = ev.report, .claims = claims, .endorsements = ev.cert_table};
  attest::AppraiseOptions o;
  o.now = kNow + std::chrono::hours(2);
  o.expect.nonce = Bytes{9, 8, 7};
  return attest::AppraiseEvidence(b, *policy, o);
}

TEST_F(SimStoreIntelTest, PkiRoundTripsThroughTheStore) {
  SimStore first = Load();
  ASSERT_TRUE(first.intel.has_value());
  SimStore second = Load();
  ASSERT_TRUE(second.intel.has_value());
  const SimIntelPki& a = *first.intel;
  const SimIntelPki& b = *second.intel;
  EXPECT_EQ(a.root.ToDer(), b.root.ToDer());
  EXPECT_EQ(a.pck_ca.ToDer(), b.pck_ca.ToDer());
  EXPECT_EQ(a.pck.ToDer(), b.pck.ToDer());
  EXPECT_EQ(a.tcb_signing.ToDer(), b.tcb_signing.ToDer());
  EXPECT_EQ(a.attestation_key.public_key().ToDer(), b.attestation_key.public_key().ToDer());
  EXPECT_EQ(a.pck_ext.fmspc, b.pck_ext.fmspc);
  EXPECT_EQ(a.pck_ext.tcb.comp_svn, b.pck_ext.tcb.comp_svn);
  EXPECT_EQ(a.pck_ext.tcb.pce_svn, b.pck_ext.tcb.pce_svn);
  // The Intel root is its own, not the AMD or Nitro sim root.
  EXPECT_NE(a.root.ToDer(), first.ark.ToDer());
  EXPECT_TRUE(a.root.IsSelfSigned());
  for (const char* key : {"intel_root.key", "intel_pck_ca.key", "intel_pck.key",
                          "intel_tcb_signing.key", "intel_attestation.key"}) {
    EXPECT_EQ(ModeOf(dir_ + "/" + key), 0600u) << key;
  }
  EXPECT_EQ(ModeOf(dir_ + "/intel_root.pem"), 0644u);
}

TEST_F(SimStoreIntelTest, EvidenceFromTwoLoadsVerifiesUnderOnePinnedRoot) {
  const std::string root_hex = RootDigest(*Load().intel);
  attest::BindingClaims bc;
  bc.nonce = Bytes{9, 8, 7};
  const Bytes claims = attest::EncodeBindingClaims(bc);
  std::array<uint8_t, 48> measurement{};
  measurement.fill(0x5a);
  for (bool tdx : {false, true}) {
    SCOPED_TRACE(tdx ? "tdx" : "sgx");
    auto tee = SimIntelPlatform::Open(Load(), tdx, measurement, clock_);
    ASSERT_TRUE(tee.ok()) << tee.error().ToString();
    bool saw_root = false;
    for (const auto& [k, v] : (*tee)->Describe().details) {
      if (k == "sim_root_spki_sha256") saw_root = v == root_hex;
    }
    EXPECT_TRUE(saw_root);
    auto ev = (*tee)->GetEvidence(attest::ReportDataFor(claims));
    ASSERT_TRUE(ev.ok()) << ev.error().ToString();
    Result<attest::Appraisal> ok = Appraise(*ev, claims, root_hex, true);
    ASSERT_TRUE(ok.ok()) << ok.error().ToString();
    EXPECT_TRUE(ok->accepted) << attest::ExplainAppraisal(*ok);
    EXPECT_TRUE(ok->simulated);
    Result<attest::Appraisal> refused = Appraise(*ev, claims, root_hex, false);
    ASSERT_TRUE(refused.ok()) << refused.error().ToString();
    EXPECT_FALSE(refused->accepted);
    std::vector<attest::Check> failed = attest::FailedChecks(*refused);
    ASSERT_EQ(failed.size(), 1u) << attest::ExplainAppraisal(*refused);
    EXPECT_EQ(failed[0].reason, attest::ReasonCode::kSimulatedEvidenceNotAllowed);
  }
  // A store made afresh has another root, so an old pin does not cover it.
  ASSERT_TRUE(InitSimStore(dir_, kNow, true).ok());
  EXPECT_NE(RootDigest(*Load().intel), root_hex);
}

TEST_F(SimStoreIntelTest, OlderStoresLoadWithoutIntelAndThePlatformAsksForInit) {
  std::filesystem::remove(dir_ + "/intel_attestation.key");  // a store from before Intel sim
  SimStore store = Load();
  EXPECT_FALSE(store.intel.has_value());
  EXPECT_TRUE(store.nitro.has_value());
  auto tee = SimIntelPlatform::Open(std::move(store), true, {}, clock_);
  ASSERT_FALSE(tee.ok());
  EXPECT_EQ(tee.error().code, ErrorCode::kNotFound);
  EXPECT_NE(tee.error().message.find("confide sim init --force"), std::string::npos);
  ASSERT_TRUE(InitSimStore(dir_, kNow, true).ok());
  EXPECT_TRUE(Load().intel.has_value());
}

TEST_F(SimStoreIntelTest, OpenKeysAndDamagedFilesAreRefused) {
  ASSERT_EQ(::chmod((dir_ + "/intel_pck.key").c_str(), 0644), 0);
  auto open_key = LoadSimStore(dir_);
  ASSERT_FALSE(open_key.ok());
  EXPECT_EQ(open_key.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(::chmod((dir_ + "/intel_pck.key").c_str(), 0600), 0);
  ASSERT_TRUE(LoadSimStore(dir_).ok());
  {
    std::ofstream(dir_ + "/intel_pck.pem", std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nAA\n";
  }
  auto damaged = LoadSimStore(dir_);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code, ErrorCode::kMalformed);
  // A PCK certificate without the SGX extensions (here: the PCK CA's) is not a PCK.
  std::filesystem::copy_file(dir_ + "/intel_pck_ca.pem", dir_ + "/intel_pck.pem",
                             std::filesystem::copy_options::overwrite_existing);
  auto no_ext = LoadSimStore(dir_);
  ASSERT_FALSE(no_ext.ok());
  EXPECT_EQ(no_ext.error().code, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace confide::tee::sim
