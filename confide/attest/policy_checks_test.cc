#include "confide/attest/policy_checks.h"

#include <gtest/gtest.h>

#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::attest {
namespace {

Policy Parse(const std::string& text) {
  Result<Policy> p = ParsePolicy("tee_types = [\"sev-snp\"]\n" + text);
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return *p;
}

TEST(PolicyChecksTest, SimulatedEvidenceNeedsPolicyAndListedRoot) {
  const Bytes root_spki = {0x30, 0x76, 0x01, 0x02};
  const std::string root_hex = HexEncode(crypto::Sha256(root_spki));
  EXPECT_TRUE(CheckSimulation(false, {}, Parse("")).passed);
  Check c = CheckSimulation(true, root_spki, Parse(""));
  EXPECT_EQ(c.reason, ReasonCode::kSimulatedEvidenceNotAllowed);
  c = CheckSimulation(
      true, root_spki,
      Parse("allow_simulated = true\nsim_roots = [\"" + std::string(64, '0') + "\"]\n"));
  EXPECT_EQ(c.reason, ReasonCode::kSimulatedEvidenceNotAllowed);
  EXPECT_NE(c.detail.find(root_hex), std::string::npos);
  c = CheckSimulation(true, root_spki,
                      Parse("allow_simulated = true\nsim_roots = [\"" + root_hex + "\"]\n"));
  EXPECT_TRUE(c.passed) << c.detail;
  EXPECT_NE(c.detail.find("SIMULATED"), std::string::npos);
}

TEST(PolicyChecksTest, FreshnessNeedsAgeOrNonce) {
  const Time now = *ParseRfc3339("2025-06-01T00:00:00Z");
  const Policy p = Parse("max_evidence_age_seconds = 60\n");
  EXPECT_TRUE(CheckFreshness(std::nullopt, now, false, Parse("")).passed);
  EXPECT_EQ(CheckFreshness(std::nullopt, now, false, p).reason, ReasonCode::kEvidenceTooOld);
  EXPECT_TRUE(CheckFreshness(std::nullopt, now, true, p).passed);
  EXPECT_TRUE(CheckFreshness(now - std::chrono::seconds(60), now, false, p).passed);
  EXPECT_EQ(CheckFreshness(now - std::chrono::seconds(61), now, false, p).reason,
            ReasonCode::kEvidenceTooOld);
  EXPECT_EQ(CheckFreshness(now + std::chrono::hours(1), now, false, p).reason,
            ReasonCode::kEvidenceTooOld);
}

TEST(PolicyChecksTest, DebugAndTeeType) {
  EXPECT_TRUE(CheckDebug(false, "bit", Parse("")).passed);
  EXPECT_EQ(CheckDebug(true, "bit", Parse("")).reason, ReasonCode::kDebugNotAllowed);
  EXPECT_TRUE(CheckDebug(true, "bit", Parse("allow_debug = true\n")).passed);
  EXPECT_TRUE(CheckTeeType(TeeType::kSevSnp, Parse("")).passed);
  EXPECT_EQ(CheckTeeType(TeeType::kNitro, Parse("")).reason, ReasonCode::kTeeTypeNotAllowed);
}

TEST(PolicyChecksTest, BindingPolicyRequirements) {
  Bytes claims = EncodeBindingClaims({});
  auto rd = ReportDataFor(claims);
  // require_nonce without a nonce sent replaces the "not checked" nonce check with a failure.
  std::vector<Check> checks =
      CheckBindingUnderPolicy(claims, rd, {}, Parse("[binding]\nrequire_nonce = true\n"));
  int nonce_checks = 0;
  for (const Check& c : checks) {
    if (c.name != "binding_nonce") continue;
    ++nonce_checks;
    EXPECT_EQ(c.reason, ReasonCode::kNonceMismatch);
  }
  EXPECT_EQ(nonce_checks, 1);
  // Policy workloads are enforced.
  checks = CheckBindingUnderPolicy(
      claims, rd, {}, Parse("[binding]\nworkloads = [\"" + std::string(64, 'a') + "\"]\n"));
  EXPECT_FALSE(checks.back().passed);
  EXPECT_EQ(checks.back().name, "binding_workload");
  // No claims: fails when required (the default), passes otherwise.
  EXPECT_FALSE(CheckBindingUnderPolicy(std::nullopt, rd, {}, Parse(""))[0].passed);
  EXPECT_TRUE(
      CheckBindingUnderPolicy(std::nullopt, rd, {}, Parse("[binding]\nrequired = false\n"))[0]
          .passed);
}

TEST(PolicyChecksTest, BoundNonceMakesEvidenceFreshWhateverItsAge) {
  const Time now = *ParseRfc3339("2025-06-01T00:00:00Z");
  const Policy p = Parse("max_evidence_age_seconds = 60\n");
  const Bytes nonce = {1, 2, 3};
  Bytes claims = EncodeBindingClaims({.nonce = nonce});
  auto rd = ReportDataFor(claims);
  auto freshness = [&](BindingExpectations expect) {
    std::vector<Check> checks;
    AddBindingAndFreshnessChecks(claims, rd, expect, std::nullopt, now, p, checks);
    EXPECT_EQ(checks.back().name, "freshness");
    return checks.back();
  };
  EXPECT_TRUE(freshness({.nonce = nonce}).passed);
  EXPECT_EQ(freshness({.nonce = Bytes{9}}).reason, ReasonCode::kEvidenceTooOld);
  EXPECT_EQ(freshness({}).reason, ReasonCode::kEvidenceTooOld);
}

}  // namespace
}  // namespace confide::attest
