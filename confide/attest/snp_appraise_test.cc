#include "confide/attest/snp_appraise.h"

#include <gtest/gtest.h>

#include <string>

#include "confide/attest/snp/amd_roots.h"
#include "confide/base/testing/shared_data.h"

namespace confide::attest {
namespace {

// gosev-milan-v2 (../shared/vectors/snp/expected.json): policy 0xb0000 (SMT, bit 17, DEBUG),
// VMPL 0, reported TCB bl=2 tee=0 snp=5 ucode=68, no binding claims (report_data 0102030405..).
constexpr char kGosevMeasurement[] =
    "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b"
    "01";

Policy ProductionPolicy(const std::string& extra_root = "", const std::string& extra_snp = "") {
  const std::string text = "tee_types = [\"sev-snp\"]\n" + extra_root +
                           "[binding]\nrequired = false\n"
                           "[snp]\nmeasurements = [\"" +
                           std::string(kGosevMeasurement) + "\"]\n" + extra_snp +
                           "[snp.min_tcb]\nbootloader = 2\nsnp = 5\nmicrocode = 68\n";
  Result<Policy> p = ParsePolicy(text);
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return *p;
}

SnpEvidence Gosev() {
  return SnpEvidence{
      .report = testing::ReadSharedFile("vectors/snp/gosev-milan-v2.bin"),
      .chain = {.vek = *crypto::Certificate::FromDer(
                    testing::ReadSharedFile("vectors/snp/gosev-milan-v2.vcek.der")),
                .ask = *snp::AmdRootCertificate(snp::Generation::kMilan, snp::AmdRootKind::kAsk)}};
}

SnpAppraiseOptions At(const char* when) {
  SnpAppraiseOptions o;
  o.now = *ParseRfc3339(when);
  o.verifier = {"confide", "confide-test"};
  return o;
}

std::vector<std::string> FailedNames(const Appraisal& a) {
  std::vector<std::string> out;
  for (const Check& c : a.checks) {
    if (!c.passed) out.push_back(c.name + ":" + std::string(ReasonName(c.reason)));
  }
  return out;
}

TEST(SnpAppraiseTest, ProductionPolicyRejectsDebugGuest) {
  Result<Appraisal> a = AppraiseSnp(Gosev(), ProductionPolicy(), At("2025-06-01T00:00:00Z"));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_FALSE(a->accepted) << ExplainAppraisal(*a);
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"debug:DEBUG_NOT_ALLOWED"})
      << ExplainAppraisal(*a);
  EXPECT_FALSE(a->simulated);
  EXPECT_TRUE(a->claims.debug);
  EXPECT_EQ(a->claims.measurements[0].second, kGosevMeasurement);
  EXPECT_EQ(a->claims.tcb, "bl=2 tee=0 snp=5 ucode=68");
  EXPECT_EQ(AppraisalToJson(*a)["ear_status"], "contraindicated");
}

TEST(SnpAppraiseTest, AllowDebugAcceptsDebugGuest) {
  Result<Appraisal> a =
      AppraiseSnp(Gosev(), ProductionPolicy("allow_debug = true\n"), At("2025-06-01T00:00:00Z"));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_TRUE(a->accepted) << ExplainAppraisal(*a);
  EXPECT_NE(ExplainAppraisal(*a).find("INSECURE"), std::string::npos);
  EXPECT_EQ(AppraisalToJson(*a)["ear_status"], "affirming");
}

struct Case {
  const char* name;
  std::string root;
  std::string snp;
  std::vector<std::string> failed;
};

TEST(SnpAppraiseTest, EachPolicyRuleHasItsReason) {
  const std::string dbg = "allow_debug = true\n";
  const Case cases[] = {
      {"baseline", dbg, "", {}},
      {"explicit defaults",
       dbg,
       "allow_any_measurement_insecure = false\nallow_migration_agent = false\n",
       {}},
      {"host data",
       dbg,
       "host_data = \"" + std::string(64, '1') + "\"\n",
       {"host_data:HOST_DATA_MISMATCH"}},
      {"smt", dbg, "allow_smt = false\n", {"policy_bits:POLICY_BITS_NOT_ALLOWED"}},
      {"vmpl", dbg, "vmpls = [1, 2]\n", {"vmpl:VMPL_NOT_ALLOWED"}},
      {"id key",
       dbg,
       "id_key_digests = [\"" + std::string(96, 'a') + "\"]\n",
       {"id_key:ID_KEY_MISMATCH"}},
      {"author key",
       dbg,
       "author_key_digests = [\"" + std::string(96, '0') + "\"]\n",
       {"id_key:ID_KEY_MISMATCH"}},
      {"age unknown", dbg + "max_evidence_age_seconds = 60\n", "", {"freshness:EVIDENCE_TOO_OLD"}},
  };
  for (const Case& c : cases) {
    Result<Appraisal> a =
        AppraiseSnp(Gosev(), ProductionPolicy(c.root, c.snp), At("2025-06-01T00:00:00Z"));
    ASSERT_TRUE(a.ok()) << c.name;
    EXPECT_EQ(FailedNames(*a), c.failed) << c.name << "\n" << ExplainAppraisal(*a);
  }
}

TEST(SnpAppraiseTest, WrongMeasurementTeeTypeAndLowTcb) {
  Result<Policy> p = ParsePolicy(
      "tee_types = [\"tdx\"]\nallow_debug = true\n[binding]\nrequired = false\n"
      "[snp]\nmeasurements = [\"" +
      std::string(96, 'c') + "\"]\n[snp.min_tcb]\nsnp = 6\n");
  ASSERT_TRUE(p.ok());
  Result<Appraisal> a = AppraiseSnp(Gosev(), *p, At("2025-06-01T00:00:00Z"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a),
            (std::vector<std::string>{"tee_type:TEE_TYPE_NOT_ALLOWED",
                                      "measurement:MEASUREMENT_MISMATCH", "min_tcb:TCB_TOO_LOW"}))
      << ExplainAppraisal(*a);
}

TEST(SnpAppraiseTest, BindingRequiredByDefault) {
  Result<Policy> p = ParsePolicy(
      "tee_types = [\"sev-snp\"]\nallow_debug = true\n[snp]\n"
      "measurements = [\"" +
      std::string(kGosevMeasurement) + "\"]\n");
  ASSERT_TRUE(p.ok());
  Result<Appraisal> a = AppraiseSnp(Gosev(), *p, At("2025-06-01T00:00:00Z"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"binding:KEY_BINDING_MISMATCH"});

  // A claims buffer that does not hash to the report's report_data is not bound.
  SnpEvidence ev = Gosev();
  ev.claims = EncodeBindingClaims({});
  a = AppraiseSnp(ev, *p, At("2025-06-01T00:00:00Z"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"binding_report_data:KEY_BINDING_MISMATCH"});
}

TEST(SnpAppraiseTest, ExpiredVcekAtLaterTime) {
  Result<Appraisal> a =
      AppraiseSnp(Gosev(), ProductionPolicy("allow_debug = true\n"), At("2030-01-01T00:00:00Z"));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_FALSE(a->accepted);
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"snp_chain:CERT_EXPIRED"})
      << ExplainAppraisal(*a);
}

TEST(SnpAppraiseTest, TamperedReportFailsSignature) {
  SnpEvidence ev = Gosev();
  ev.report[0x90] ^= 1;  // MEASUREMENT, inside the signed region
  Result<Appraisal> a =
      AppraiseSnp(ev, ProductionPolicy("allow_debug = true\n"), At("2025-06-01T00:00:00Z"));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(FailedNames(*a), (std::vector<std::string>{"snp_signature:SIGNATURE_INVALID",
                                                       "measurement:MEASUREMENT_MISMATCH"}))
      << ExplainAppraisal(*a);
}

TEST(SnpAppraiseTest, MalformedReportIsAnError) {
  SnpEvidence ev = Gosev();
  ev.report.resize(100);
  EXPECT_FALSE(AppraiseSnp(ev, ProductionPolicy(), At("2025-06-01T00:00:00Z")).ok());
}

TEST(SnpAppraiseTest, ReasonMappingCoversEveryFailureKind) {
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kNone), ReasonCode::kOk);
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kSignatureInvalid),
            ReasonCode::kSignatureInvalid);
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kChainUntrusted), ReasonCode::kChainUntrusted);
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kCertExpired), ReasonCode::kCertExpired);
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kCertNotYetValid), ReasonCode::kCertNotYetValid);
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kRevoked), ReasonCode::kRevoked);
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kCrlExpired), ReasonCode::kCrlInvalid);
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kTcbMismatch), ReasonCode::kTcbMismatch);
  EXPECT_EQ(ReasonForSnpFailure(snp::FailureKind::kChipIdMismatch), ReasonCode::kChipIdMismatch);
}

}  // namespace
}  // namespace confide::attest
