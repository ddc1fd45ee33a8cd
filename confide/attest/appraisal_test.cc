#include "confide/attest/appraisal.h"

#include <gtest/gtest.h>

namespace confide::attest {
namespace {

Appraisal Sample(bool debug_ok) {
  Appraisal a;
  a.tee = TeeType::kSevSnp;
  a.appraised_at = *ParseRfc3339("2025-06-01T00:00:00Z");
  a.verifier = {"confide", "confide 0.1.0"};
  a.policy_id = "sha256:abcd";
  a.claims.tee = TeeType::kSevSnp;
  a.claims.measurements = {{"measurement", "b07a"}};
  a.claims.tcb = "bl=2 tee=0 snp=5 ucode=68";
  a.claims.fields = {{"vmpl", "0"}};
  a.checks.push_back(PassCheck("measurement", "b07a is listed"));
  a.checks.push_back(debug_ok ? PassCheck("debug", "debug allowed by policy (INSECURE)")
                              : FailCheck("debug", ReasonCode::kDebugNotAllowed,
                                          "guest policy bit 19 (DEBUG) is set"));
  FinishAppraisal(a);
  return a;
}

TEST(AppraisalTest, AcceptedIffEveryCheckPassed) {
  EXPECT_TRUE(Sample(true).accepted);
  EXPECT_FALSE(Sample(false).accepted);
  Appraisal empty;
  empty.accepted = true;
  EXPECT_FALSE(FinishAppraisal(empty)) << "no checks means nothing was shown";
  EXPECT_EQ(FailedChecks(Sample(false)).size(), 1u);
  EXPECT_EQ(FailedChecks(Sample(false))[0].reason, ReasonCode::kDebugNotAllowed);
}

TEST(AppraisalTest, JsonIsEarShaped) {
  nlohmann::json j = AppraisalToJson(Sample(false));
  EXPECT_EQ(j["eat_profile"], kEarProfile);
  EXPECT_EQ(j["iat"], 1748736000);
  EXPECT_EQ(j["ear_verifier_id"]["developer"], "confide");
  EXPECT_EQ(j["ear_verifier_id"]["build"], "confide 0.1.0");
  EXPECT_EQ(j["ear_status"], "contraindicated");
  const nlohmann::json& sub = j["submods"]["sev-snp"];
  EXPECT_EQ(sub["ear_status"], "contraindicated");
  EXPECT_EQ(sub["ear_appraisal_policy_ids"], nlohmann::json::array({"sha256:abcd"}));
  EXPECT_EQ(sub["confide_simulated"], false);
  ASSERT_EQ(sub["confide_checks"].size(), 2u);
  EXPECT_EQ(sub["confide_checks"][0]["status"], "affirming");
  EXPECT_EQ(sub["confide_checks"][0]["reason"], "OK");
  const nlohmann::json& failed = sub["confide_checks"][1];
  EXPECT_EQ(failed["name"], "debug");
  EXPECT_EQ(failed["status"], "contraindicated");
  EXPECT_EQ(failed["reason"], "DEBUG_NOT_ALLOWED");
  EXPECT_EQ(failed["sentence"], ReasonSentence(ReasonCode::kDebugNotAllowed));
  EXPECT_EQ(failed["detail"], "guest policy bit 19 (DEBUG) is set");
  EXPECT_EQ(sub["confide_claims"]["measurements"]["measurement"], "b07a");
  EXPECT_EQ(sub["confide_claims"]["report_data"], std::string(128, '0'));
  EXPECT_EQ(sub["confide_claims"]["fields"]["vmpl"], "0");
  EXPECT_EQ(AppraisalToJson(Sample(true))["ear_status"], "affirming");
}

TEST(AppraisalTest, ExplainListsEveryCheck) {
  std::string text = ExplainAppraisal(Sample(false));
  EXPECT_EQ(text,
            "REJECTED: sev-snp evidence appraised at 2025-06-01T00:00:00Z against policy "
            "sha256:abcd\n"
            "  [ok]   measurement: b07a is listed\n"
            "  [FAIL] debug: DEBUG_NOT_ALLOWED - " +
                std::string(ReasonSentence(ReasonCode::kDebugNotAllowed)) +
                " (guest policy bit 19 (DEBUG) is set)\n");
  Appraisal sim = Sample(true);
  sim.simulated = true;
  EXPECT_NE(ExplainAppraisal(sim).find("ACCEPTED: sev-snp (SIMULATED"), std::string::npos);
}

}  // namespace
}  // namespace confide::attest
