// The evidence each hardware backend returns, read from a fake device tree that replays a real
// vector, verifies with the production verifiers (AppraiseSnp is covered in tsm_platform_test;
// here AppraiseIntel for TDX through configfs-tsm and SGX through Gramine, AppraiseNitro for
// /dev/nsm) at the vector's pinned time. Captured evidence cannot carry confide's claims hash,
// so the binding checks are the only ones allowed to fail; everything else must pass.
#include <gtest/gtest.h>

#include "confide/attest/intel/collateral.h"
#include "confide/attest/intel_appraise.h"
#include "confide/attest/nitro_appraise.h"
#include "confide/base/clock.h"
#include "confide/tee/gramine/gramine_platform.h"
#include "confide/tee/nitro/nsm_platform.h"
#include "confide/tee/testing/fake_devices.h"
#include "confide/tee/testing/vectors.h"
#include "confide/tee/tsm/tsm_platform.h"

namespace confide::tee {
namespace {

using confide::testing::ReadSharedFile;
using nlohmann::json;
using testing::ExpectedEntry;
using testing::FakeDevices;
using testing::ReportDataFromHex;

std::string Text(const std::string& rel) {
  Bytes b = ReadSharedFile("vectors/" + rel);
  return std::string(b.begin(), b.end());
}

// Names of failed checks that are not binding checks.
std::vector<std::string> NonBindingFailures(const attest::Appraisal& a) {
  std::vector<std::string> out;
  for (const attest::Check& c : a.checks) {
    if (!c.passed && c.name.rfind("binding", 0) != 0) out.push_back(c.name);
  }
  return out;
}

bool Passed(const attest::Appraisal& a, const std::string& name) {
  for (const attest::Check& c : a.checks) {
    if (c.name == name) return c.passed;
  }
  return false;
}

attest::Appraisal AppraiseQuote(const Evidence& ev, const json& v, const std::string& policy_text,
                                const std::string& when) {
  auto collateral = attest::intel::ParseDcapQvlCollateral(Text(v["collateral"]));
  EXPECT_TRUE(collateral.ok());
  auto policy = attest::ParsePolicy(policy_text);
  EXPECT_TRUE(policy.ok()) << policy.error().ToString();
  auto a = attest::AppraiseIntel({.quote = ev.report, .collateral = *collateral}, *policy,
                                 {.now = *ParseRfc3339(when)});
  EXPECT_TRUE(a.ok()) << a.error().ToString();
  return a.ok() ? *a : attest::Appraisal{};
}

TEST(HardwareEvidenceTest, TdxQuoteFromFakeConfigfsVerifiesWithTheIntelVerifier) {
  const std::string file = "tdx/dcapqvl-tdx-v4.bin";
  json v = ExpectedEntry("tdx", file);
  ASSERT_FALSE(v.is_null());
  FakeDevices dev;
  dev.InstallTsm("tdx_guest", ReadSharedFile("vectors/" + file), {});
  auto tee = tsm::TsmPlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok()) << tee.error().ToString();
  auto ev = (*tee)->GetEvidence(ReportDataFromHex(v["body"]["report_data"]));
  ASSERT_TRUE(ev.ok()) << ev.error().ToString();
  const std::string policy = "tee_types = [\"tdx\"]\n[binding]\nrequired = false\n[tdx]\nmrtds = [\"" +
                             v["body"]["mrtd"].get<std::string>() + "\"]\n";
  attest::Appraisal a = AppraiseQuote(*ev, v, policy, v["verify_at"]);
  EXPECT_EQ(NonBindingFailures(a), std::vector<std::string>{}) << attest::ExplainAppraisal(a);
  for (const char* name : {"intel_quote_signature", "intel_pck_chain", "intel_collateral",
                           "tcb_status", "measurement"}) {
    EXPECT_TRUE(Passed(a, name)) << name << "\n" << attest::ExplainAppraisal(a);
  }
  // Not vacuous: at today's date the collateral has expired and the same quote is refused.
  attest::Appraisal today = AppraiseQuote(*ev, v, policy, "2026-11-26T00:00:00Z");
  EXPECT_FALSE(today.accepted);
  EXPECT_FALSE(NonBindingFailures(today).empty());
}

TEST(HardwareEvidenceTest, SgxQuoteFromFakeGramineVerifiesWithTheIntelVerifier) {
  const std::string file = "sgx/dcapqvl-sgx-v3.bin";
  json v = ExpectedEntry("sgx", file);
  ASSERT_FALSE(v.is_null());
  FakeDevices dev;
  dev.InstallGramine("dcap", ReadSharedFile("vectors/" + file), std::nullopt, std::nullopt);
  auto tee = gramine::GraminePlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok()) << tee.error().ToString();
  auto ev = (*tee)->GetEvidence(ReportDataFromHex(v["body"]["report_data"]));
  ASSERT_TRUE(ev.ok()) << ev.error().ToString();
  // expected.json: ConfigurationAndSWHardeningNeeded with two advisories; the policy accepts them.
  std::string advisories;
  for (const json& id : v["expected"]["advisory_ids"]) {
    advisories += (advisories.empty() ? "\"" : ", \"") + id.get<std::string>() + "\"";
  }
  const std::string policy =
      "tee_types = [\"sgx\"]\n[binding]\nrequired = false\n[sgx]\nmrenclaves = [\"" +
      v["body"]["mrenclave"].get<std::string>() + "\"]\nmrsigners = [\"" +
      v["body"]["mrsigner"].get<std::string>() + "\"]\naccepted_tcb_statuses = [\"" +
      v["expected"]["tcb_status"].get<std::string>() + "\"]\nallowed_advisories = [" + advisories +
      "]\n";
  attest::Appraisal a = AppraiseQuote(*ev, v, policy, v["verify_at"]);
  EXPECT_EQ(NonBindingFailures(a), std::vector<std::string>{}) << attest::ExplainAppraisal(a);
  for (const char* name : {"intel_quote_signature", "intel_pck_chain", "tcb_status", "measurement"}) {
    EXPECT_TRUE(Passed(a, name)) << name << "\n" << attest::ExplainAppraisal(a);
  }
}

TEST(HardwareEvidenceTest, NitroDocumentFromFakeNsmVerifiesWithTheNitroVerifier) {
  for (const char* file : {"nitro/evervault-2022-prod.bin", "nitro/blocky-2024-prod.bin"}) {
    SCOPED_TRACE(file);
    json v = ExpectedEntry("nitro", file);
    ASSERT_FALSE(v.is_null());
    FakeDevices dev;
    dev.InstallNsm(ReadSharedFile(std::string("vectors/") + file));
    auto tee = nitro::NsmPlatform::Open(dev, {.root = dev.root()});
    ASSERT_TRUE(tee.ok());
    auto ev = (*tee)->GetEvidence(ReportData{});
    ASSERT_TRUE(ev.ok()) << ev.error().ToString();
    std::string text = "tee_types = [\"nitro\"]\n[binding]\nrequired = false\n[nitro]\n";
    for (const auto& [index, hex] : v["pcrs_nonzero_or_0_1_2_3_4_8"].items()) {
      text += "pcr" + index + " = \"" + hex.get<std::string>() + "\"\n";
    }
    auto policy = attest::ParsePolicy(text);
    ASSERT_TRUE(policy.ok()) << policy.error().ToString();
    auto a = attest::AppraiseNitro({.document = ev->report}, *policy,
                                   {.now = *ParseRfc3339(v["verify_at"].get<std::string>())});
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_EQ(NonBindingFailures(*a), std::vector<std::string>{}) << attest::ExplainAppraisal(*a);
    EXPECT_TRUE(Passed(*a, "nitro_signature"));
    EXPECT_TRUE(Passed(*a, "nitro_chain"));
    EXPECT_TRUE(Passed(*a, "pcrs"));
    auto today = attest::AppraiseNitro({.document = ev->report}, *policy,
                                       {.now = *ParseRfc3339("2026-11-26T00:00:00Z")});
    ASSERT_TRUE(today.ok());
    EXPECT_FALSE(Passed(*today, "nitro_chain"));  // the 3-hour leaf expired long ago
  }
}

}  // namespace
}  // namespace confide::tee
