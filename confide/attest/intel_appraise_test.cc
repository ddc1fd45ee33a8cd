// Acceptance tests of the Intel appraisal against every vector in ../shared/vectors/sgx and
// ../shared/vectors/tdx: verdict and TCB status from expected.json at verify_at, every negative
// file rejected with its reason, the debug enclave rejected by a production policy, and every
// vector with collateral rejected at 2026-11-26 for expired certificates or collateral.
#include "confide/attest/intel_appraise.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "confide/attest/intel/collateral.h"
#include "confide/attest/verifier.h"
#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"

namespace confide::attest {
namespace {

using nlohmann::json;
using testing::ReadSharedFile;

std::string Text(const std::string& rel) { return ToString(ReadSharedFile("vectors/" + rel)); }

json Vector(const std::string& file) {
  for (const char* dir : {"sgx", "tdx"}) {
    json e = json::parse(Text(std::string(dir) + "/expected.json"));
    for (const json& v : e["vectors"]) {
      if (v["file"] == file) return v;
    }
  }
  ADD_FAILURE() << "no vector " << file;
  return json();
}

std::vector<json> AllVectors() {
  std::vector<json> out;
  for (const char* dir : {"sgx", "tdx"}) {
    json e = json::parse(Text(std::string(dir) + "/expected.json"));
    for (const json& v : e["vectors"]) out.push_back(v);
  }
  return out;
}

// The collateral that ships with a vector: a dcap-qvl JSON file, or separate PCS files.
std::optional<intel::IntelCollateral> CollateralFor(const json& v) {
  const json& c = v["collateral"];
  if (c.is_string()) {
    auto parsed = intel::ParseDcapQvlCollateral(Text(c.get<std::string>()));
    EXPECT_TRUE(parsed.ok());
    return *parsed;
  }
  if (!c.is_object()) return std::nullopt;
  intel::IntelCollateral out;
  auto tcb = intel::ParsePcsSignedJson(Text(c["tcb_info"]), "tcbInfo");
  EXPECT_TRUE(tcb.ok());
  out.tcb_info_json = tcb->json;
  out.tcb_info_signature = tcb->signature;
  out.tcb_info_issuer_chain = Text(c["signing_chain"]);
  if (c["qe_identity"].is_string()) {
    auto qe = intel::ParsePcsSignedJson(Text(c["qe_identity"]), "enclaveIdentity");
    EXPECT_TRUE(qe.ok());
    out.qe_identity_json = qe->json;
    out.qe_identity_signature = qe->signature;
    out.qe_identity_issuer_chain = out.tcb_info_issuer_chain;
  }
  if (c.contains("pck_crl")) {
    out.pck_crl = ReadSharedFile("vectors/" + c["pck_crl"].get<std::string>());
  }
  if (c.contains("root_crl")) {
    out.root_ca_crl = ReadSharedFile("vectors/" + c["root_crl"].get<std::string>());
  }
  return out;
}

IntelEvidence EvidenceFor(const json& v, const std::string& file = "") {
  const std::string path = file.empty() ? v["file"].get<std::string>() : file;
  return IntelEvidence{.quote = ReadSharedFile("vectors/" + path),
                       .collateral = CollateralFor(v),
                       .sim_root = std::nullopt,
                       .claims = std::nullopt,
                       .produced_at = std::nullopt};
}

// Require QE identity and CRLs exactly when the vector ships them.
IntelAppraiseOptions OptionsFor(const json& v, const std::string& when = "") {
  IntelAppraiseOptions o;
  o.now = *ParseRfc3339(when.empty() ? v["verify_at"].get<std::string>() : when);
  o.verifier = {"confide", "confide-test"};
  std::optional<intel::IntelCollateral> c = CollateralFor(v);
  o.require_qe_identity = c && !c->qe_identity_json.empty();
  o.require_crls = c && !c->pck_crl.empty() && !c->root_ca_crl.empty();
  return o;
}

// A production policy for the vector's own measurement: debug not allowed, no binding claims
// (the vectors were made by other software), the given TCB statuses and advisories.
Policy PolicyFor(const json& v, const std::string& statuses = "\"UpToDate\"",
                 const std::string& advisories = "", const std::string& root_extra = "") {
  bool tdx = v["header"]["tee_type"] == "0x81";
  std::string text = "tee_types = [\"sgx\", \"tdx\"]\n" + root_extra +
                     "[binding]\nrequired = false\n";
  if (tdx) {
    text += "[tdx]\nmrtds = [\"" + v["body"]["mrtd"].get<std::string>() + "\"]\n";
  } else {
    text += "[sgx]\nmrenclaves = [\"" + v["body"]["mrenclave"].get<std::string>() +
            "\"]\nmrsigners = [\"" + v["body"]["mrsigner"].get<std::string>() + "\"]\n";
  }
  text += "accepted_tcb_statuses = [" + statuses + "]\nallowed_advisories = [" + advisories +
          "]\n";
  Result<Policy> p = ParsePolicy(text);
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return *p;
}

const std::string kAllStatuses =
    "\"UpToDate\", \"SWHardeningNeeded\", \"ConfigurationNeeded\", "
    "\"ConfigurationAndSWHardeningNeeded\", \"OutOfDate\", \"OutOfDateConfigurationNeeded\"";

std::vector<std::string> FailedNames(const Appraisal& a) {
  std::vector<std::string> out;
  for (const Check& c : a.checks) {
    if (!c.passed) out.push_back(c.name + ":" + std::string(ReasonName(c.reason)));
  }
  return out;
}

std::string Field(const Appraisal& a, const std::string& name) {
  for (const auto& [k, val] : a.claims.fields) {
    if (k == name) return val;
  }
  return "<absent>";
}

// expected.json writes the status as prose; its first word is the PCS name, or "no matching".
std::string ExpectedStatus(const json& v) {
  std::string s = v["expected"]["tcb_status"];
  if (s.rfind("no matching", 0) == 0) return "NotSupported";
  return s.substr(0, s.find_first_of(" ("));
}

std::string ExpectedAdvisories(const json& v) {
  std::string out;
  if (v["expected"].contains("advisory_ids")) {
    for (const json& id : v["expected"]["advisory_ids"]) {
      out += (out.empty() ? "" : ", ") + id.get<std::string>();
    }
  }
  return out.empty() ? "none" : out;
}

TEST(IntelAppraiseTest, EveryVectorGivesItsTcbStatusAtVerifyAt) {
  int checked = 0;
  for (const json& v : AllVectors()) {
    if (v["collateral"].is_null()) continue;  // occlum: no collateral ships (see below)
    std::string file = v["file"];
    SCOPED_TRACE(file);
    // Every status accepted (and the vector's advisories allowed), so the crypto, collateral
    // and TCB checks decide; the status itself must be the expected one.
    std::string adv;
    if (v["expected"].contains("advisory_ids")) {
      for (const json& id : v["expected"]["advisory_ids"]) {
        adv += (adv.empty() ? "\"" : ", \"") + id.get<std::string>() + "\"";
      }
    }
    Result<Appraisal> a = AppraiseIntel(EvidenceFor(v), PolicyFor(v, kAllStatuses, adv),
                                        OptionsFor(v));
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_EQ(Field(*a, "tcb_status"), ExpectedStatus(v)) << ExplainAppraisal(*a);
    EXPECT_EQ(Field(*a, "advisory_ids"), ExpectedAdvisories(v)) << ExplainAppraisal(*a);
    // expected.json names the TDX module identity where one applies ("TDX module TDX_03
    // UpToDate", "module TDX_01 UpToDate").
    const std::string prose = v["expected"]["tcb_status"];
    const size_t at = prose.find("TDX_0");
    if (at != std::string::npos) {
      EXPECT_EQ(Field(*a, "tdx_module"), prose.substr(at, prose.find(' ', at + 7) - at))
          << prose;
    }
    if (ExpectedStatus(v) == "NotSupported") {
      EXPECT_FALSE(a->accepted);
      EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"tcb_status:TCB_STATUS_NOT_ALLOWED"})
          << ExplainAppraisal(*a);
    } else {
      EXPECT_TRUE(a->accepted) << ExplainAppraisal(*a);
    }
    EXPECT_EQ(a->tee, v["header"]["tee_type"] == "0x81" ? TeeType::kTdx : TeeType::kSgx);
    EXPECT_FALSE(a->simulated);
    EXPECT_FALSE(a->claims.debug);
    EXPECT_EQ(HexEncode(a->claims.report_data), v["body"]["report_data"]);
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

// The default policy accepts UpToDate without advisories only.
TEST(IntelAppraiseTest, DefaultTcbPolicyVerdicts) {
  struct Case {
    const char* file;
    std::vector<std::string> failed;
  };
  const Case cases[] = {
      {"sgx/dcapqvl-sgx-v3.bin",
       {"tcb_status:TCB_STATUS_NOT_ALLOWED", "advisories:ADVISORY_NOT_ALLOWED"}},
      {"tdx/dcapqvl-tdx-v4.bin", {}},
      {"tdx/gotdx-v5.bin", {}},
      {"tdx/trustee-tdx-v4.bin", {"tcb_status:TCB_STATUS_NOT_ALLOWED"}},
      {"tdx/gotdx-v4-spr.bin", {"tcb_status:TCB_STATUS_NOT_ALLOWED"}},
      {"tdx/dcapqvl-tdx-v5-nomatch.bin", {"tcb_status:TCB_STATUS_NOT_ALLOWED"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    json v = Vector(c.file);
    Result<Appraisal> a = AppraiseIntel(EvidenceFor(v), PolicyFor(v), OptionsFor(v));
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_EQ(FailedNames(*a), c.failed) << ExplainAppraisal(*a);
    EXPECT_EQ(a->accepted, c.failed.empty());
  }
}

// dcap-qvl's SGX quote: ConfigurationAndSWHardeningNeeded with INTEL-SA-00289 and 00615 passes
// only when both the status and both advisories are accepted.
TEST(IntelAppraiseTest, AdvisoriesMustAllBeAllowed) {
  json v = Vector("sgx/dcapqvl-sgx-v3.bin");
  Result<Appraisal> one = AppraiseIntel(
      EvidenceFor(v), PolicyFor(v, "\"ConfigurationAndSWHardeningNeeded\"", "\"INTEL-SA-00615\""),
      OptionsFor(v));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(FailedNames(*one), std::vector<std::string>{"advisories:ADVISORY_NOT_ALLOWED"});
  Result<Appraisal> both = AppraiseIntel(
      EvidenceFor(v),
      PolicyFor(v, "\"ConfigurationAndSWHardeningNeeded\"",
                "\"INTEL-SA-00289\", \"INTEL-SA-00615\""),
      OptionsFor(v));
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->accepted) << ExplainAppraisal(*both);
}

TEST(IntelAppraiseTest, NegativeFilesAreRejectedWithTheirReason) {
  struct Case {
    const char* file;
    const char* base;
    std::string failed;
  };
  const Case cases[] = {
      {"sgx/negative/dcapqvl-sgx-v3.bad-reportdata.bin", "sgx/dcapqvl-sgx-v3.bin",
       "intel_quote_signature:SIGNATURE_INVALID"},
      {"sgx/negative/dcapqvl-sgx-v3.bad-qereport.bin", "sgx/dcapqvl-sgx-v3.bin",
       "intel_qe_report_signature:SIGNATURE_INVALID"},
      {"tdx/negative/gotdx-v4-spr.bad-header.bin", "tdx/gotdx-v4-spr.bin",
       "intel_quote_signature:SIGNATURE_INVALID"},
      {"tdx/negative/gotdx-v4-spr.bad-body.bin", "tdx/gotdx-v4-spr.bin",
       "intel_quote_signature:SIGNATURE_INVALID"},
      {"tdx/negative/gotdx-v4-spr.bad-pckcert.bin", "tdx/gotdx-v4-spr.bin",
       "intel_pck_chain:CHAIN_UNTRUSTED"},
      {"tdx/negative/gotdx-v4-spr.bad-rootcert.bin", "tdx/gotdx-v4-spr.bin",
       "intel_pck_chain:CHAIN_UNTRUSTED"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    json v = Vector(c.base);
    Result<Appraisal> a = AppraiseIntel(EvidenceFor(v, c.file), PolicyFor(v, kAllStatuses,
                                        "\"INTEL-SA-00289\", \"INTEL-SA-00615\""),
                                        OptionsFor(v));
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_FALSE(a->accepted);
    std::vector<std::string> failed = FailedNames(*a);
    ASSERT_FALSE(failed.empty());
    EXPECT_EQ(failed[0], c.failed) << ExplainAppraisal(*a);
  }
}

// occlum-sgx-v3 is a debug enclave (ATTRIBUTES flags 0x07): a production policy rejects it. No
// collateral ships for it, so it is also rejected for that; with allow_debug only the
// collateral-dependent checks fail.
TEST(IntelAppraiseTest, OcclumDebugEnclaveRejectedByProductionPolicy) {
  json v = Vector("sgx/occlum-sgx-v3.bin");
  Result<Appraisal> a = AppraiseIntel(EvidenceFor(v), PolicyFor(v), OptionsFor(v));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_FALSE(a->accepted);
  EXPECT_TRUE(a->claims.debug);
  std::vector<std::string> failed = FailedNames(*a);
  EXPECT_NE(std::find(failed.begin(), failed.end(), "debug:DEBUG_NOT_ALLOWED"), failed.end())
      << ExplainAppraisal(*a);
  // The quote's own cryptography is sound.
  for (const Check& c : a->checks) {
    if (c.name.rfind("intel_", 0) == 0 && c.name != "intel_collateral" &&
        c.name != "intel_qe_identity" && c.name != "intel_tcb") {
      EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
    }
  }
  Result<Appraisal> debug_ok =
      AppraiseIntel(EvidenceFor(v), PolicyFor(v, "\"UpToDate\"", "", "allow_debug = true\n"),
                    OptionsFor(v));
  ASSERT_TRUE(debug_ok.ok());
  EXPECT_EQ(FailedNames(*debug_ok),
            (std::vector<std::string>{"intel_collateral:CHAIN_UNTRUSTED",
                                      "intel_tcb:TCB_MISMATCH",
                                      "tcb_status:TCB_STATUS_NOT_ALLOWED"}))
      << ExplainAppraisal(*debug_ok);
}

// At today's date (2026-11-26) every vector that ships collateral is rejected because a
// certificate or the collateral has expired.
TEST(IntelAppraiseTest, EveryVectorFailsAtTodayOnExpiry) {
  int checked = 0;
  for (const json& v : AllVectors()) {
    if (v["collateral"].is_null()) continue;
    std::string file = v["file"];
    SCOPED_TRACE(file);
    Result<Appraisal> a = AppraiseIntel(EvidenceFor(v), PolicyFor(v, kAllStatuses),
                                        OptionsFor(v, "2026-11-26T00:00:00Z"));
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_FALSE(a->accepted);
    bool expired = false;
    for (const Check& c : a->checks) {
      if (c.name == "intel_collateral") {
        expired = c.reason == ReasonCode::kCertExpired ||
                  c.reason == ReasonCode::kCollateralExpired;
      }
    }
    EXPECT_TRUE(expired) << ExplainAppraisal(*a);
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(IntelAppraiseTest, PolicyMeasurementAndTdChecks) {
  json v = Vector("tdx/dcapqvl-tdx-v4.bin");
  // Another MRTD, an RTMR1 and an MROWNER that differ.
  Result<Policy> p = ParsePolicy(
      "tee_types = [\"tdx\"]\n[binding]\nrequired = false\n[tdx]\nmrtds = [\"" +
      std::string(96, '0') + "\"]\nrtmr1 = \"" + std::string(96, '1') + "\"\nmrowner = \"" +
      std::string(96, '2') + "\"\nrtmr0 = \"" + v["body"]["rtmr0"].get<std::string>() + "\"\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  Result<Appraisal> a = AppraiseIntel(EvidenceFor(v), *p, OptionsFor(v));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), (std::vector<std::string>{"measurement:MEASUREMENT_MISMATCH",
                                                       "rtmrs:MEASUREMENT_MISMATCH",
                                                       "mrowner:MEASUREMENT_MISMATCH"}))
      << ExplainAppraisal(*a);
  // An SGX-only policy does not accept TDX.
  Result<Policy> sgx_only = ParsePolicy("tee_types = [\"sgx\"]\n[binding]\nrequired = false\n"
                                        "[tdx]\nallow_any_measurement_insecure = true\n");
  ASSERT_TRUE(sgx_only.ok());
  a = AppraiseIntel(EvidenceFor(v), *sgx_only, OptionsFor(v));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"tee_type:TEE_TYPE_NOT_ALLOWED"});
}

TEST(IntelAppraiseTest, SgxIsvChecks) {
  json v = Vector("sgx/dcapqvl-sgx-v3.bin");
  Result<Policy> p = ParsePolicy(
      "tee_types = [\"sgx\"]\n[binding]\nrequired = false\n[sgx]\nmrsigners = [\"" +
      v["body"]["mrsigner"].get<std::string>() +
      "\"]\nisv_prod_id = 1\nmin_isv_svn = 1\n"
      "accepted_tcb_statuses = [\"ConfigurationAndSWHardeningNeeded\"]\n"
      "allowed_advisories = [\"INTEL-SA-00289\", \"INTEL-SA-00615\"]\n");
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  Result<Appraisal> a = AppraiseIntel(EvidenceFor(v), *p, OptionsFor(v));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), (std::vector<std::string>{"isv_prod_id:MEASUREMENT_MISMATCH",
                                                       "isv_svn:TCB_TOO_LOW"}))
      << ExplainAppraisal(*a);
}

// Collateral of the wrong TEE, tampered collateral, missing collateral.
TEST(IntelAppraiseTest, CollateralProblems) {
  json sgx = Vector("sgx/dcapqvl-sgx-v3.bin");
  json tdx = Vector("tdx/dcapqvl-tdx-v4.bin");
  IntelEvidence ev = EvidenceFor(sgx);
  ev.collateral = CollateralFor(tdx);  // TDX TCB info and TD_QE identity for an SGX quote
  Result<Appraisal> a = AppraiseIntel(
      ev, PolicyFor(sgx, kAllStatuses, "\"INTEL-SA-00289\", \"INTEL-SA-00615\""),
      OptionsFor(sgx));
  ASSERT_TRUE(a.ok());
  std::vector<std::string> failed = FailedNames(*a);
  EXPECT_NE(std::find(failed.begin(), failed.end(), "intel_qe_identity:QE_IDENTITY_MISMATCH"),
            failed.end()) << ExplainAppraisal(*a);
  EXPECT_NE(std::find(failed.begin(), failed.end(), "intel_tcb:TCB_MISMATCH"), failed.end());

  ev = EvidenceFor(tdx);
  ev.collateral->tcb_info_signature[5] ^= 1;
  a = AppraiseIntel(ev, PolicyFor(tdx), OptionsFor(tdx));
  ASSERT_TRUE(a.ok());
  failed = FailedNames(*a);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed[0], "intel_collateral:SIGNATURE_INVALID") << ExplainAppraisal(*a);

  ev = EvidenceFor(tdx);
  ev.collateral.reset();
  a = AppraiseIntel(ev, PolicyFor(tdx), OptionsFor(tdx));
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->accepted);
  EXPECT_EQ(FailedNames(*a)[0], "intel_collateral:CHAIN_UNTRUSTED");
}

TEST(IntelAppraiseTest, MalformedQuoteIsAnError) {
  IntelEvidence ev;
  ev.quote = Bytes{3, 0, 2, 0};
  Result<Appraisal> a = AppraiseIntel(ev, PolicyFor(Vector("sgx/dcapqvl-sgx-v3.bin")),
                                      IntelAppraiseOptions{});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kMalformed);
}

// AppraiseEvidence dispatches SGX/TDX bundles: the quote as evidence, the collateral (its JSON
// encoding) as endorsements.
TEST(IntelAppraiseTest, EvidenceBundleDispatch) {
  json v = Vector("tdx/dcapqvl-tdx-v4.bin");
  EvidenceBundle b{.tee = TeeType::kTdx,
                   .evidence = ReadSharedFile("vectors/tdx/dcapqvl-tdx-v4.bin"),
                   .claims = {},
                   .endorsements = intel::EncodeIntelCollateral(*CollateralFor(v))};
  AppraiseOptions o{.now = *ParseRfc3339("2025-07-01T00:00:00Z"), .expect = {}, .verifier = {},
                    .produced_at = std::nullopt};
  Result<Appraisal> a = AppraiseEvidence(b, PolicyFor(v), o);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  // A bundle always carries binding claims (here empty), which this foreign quote cannot match:
  // everything else, collateral included, passes.
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"binding_report_data:KEY_BINDING_MISMATCH"})
      << ExplainAppraisal(*a);
  EXPECT_EQ(a->tee, TeeType::kTdx);
  EXPECT_EQ(Field(*a, "tcb_status"), "UpToDate");

  EvidenceBundle no_collateral = b;
  no_collateral.endorsements.clear();
  a = AppraiseEvidence(no_collateral, PolicyFor(v), o);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a)[0], "intel_collateral:CHAIN_UNTRUSTED");

  EvidenceBundle bad = b;
  const std::string junk = "not json";
  bad.endorsements.assign(junk.begin(), junk.end());
  EXPECT_EQ(AppraiseEvidence(bad, PolicyFor(v), o).error().code, ErrorCode::kMalformed);

  // The quote's own embedded root is not a simulator root the policy lists.
  o.now = *ParseRfc3339("2026-11-26T00:00:00Z");
  a = AppraiseEvidence(b, PolicyFor(v), o);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->accepted);
  EXPECT_FALSE(a->simulated);
}

}  // namespace
}  // namespace confide::attest
