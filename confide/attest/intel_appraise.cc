#include "confide/attest/intel_appraise.h"

#include <algorithm>
#include <string>
#include <vector>

#include "confide/attest/intel/intel_roots.h"
#include "confide/attest/intel/pck_extensions.h"
#include "confide/attest/intel/qe_identity.h"
#include "confide/attest/intel/tcb_info.h"
#include "confide/attest/policy_checks.h"
#include "confide/base/hex.h"

namespace confide::attest {
namespace {

using intel::Quote;

struct TcbOutcome {
  std::optional<intel::TcbEvaluation> platform;        // from the verified TCB info
  std::optional<intel::QeIdentityEvaluation> qe;       // from the verified QE identity
  std::optional<intel::TcbStatus> status;              // merged, when the platform evaluated
  std::vector<std::string> advisories;                 // platform, module, QE; no duplicates
};

void AddUnique(std::vector<std::string>& out, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

bool PckChainPassed(const intel::Verification& v) {
  return std::any_of(v.checks.begin(), v.checks.end(), [](const intel::CheckOutcome& c) {
    return c.check == intel::Check::kPckChain && c.passed;
  });
}

void AddQuoteChecks(const intel::Verification& v, std::vector<Check>& checks) {
  for (const intel::CheckOutcome& c : v.checks) {
    const std::string name = std::string("intel_") + intel::CheckName(c.check);
    checks.push_back(c.passed ? PassCheck(name, c.detail)
                              : FailCheck(name, ReasonForIntelFailure(c.failure), c.detail));
  }
}

Check CheckCollateral(const std::optional<intel::VerifiedCollateral>& vc) {
  if (!vc) {
    return FailCheck("intel_collateral", ReasonCode::kChainUntrusted,
                     "no collateral (TCB info, QE identity, CRLs) came with the quote");
  }
  if (!vc->ok()) {
    return FailCheck("intel_collateral", ReasonForCollateralFailure(vc->failure),
                     std::string(intel::CollateralFailureName(vc->failure)) + ": " + vc->detail);
  }
  return PassCheck("intel_collateral", "TCB info" +
                                           std::string(vc->qe_identity ? ", QE identity" : "") +
                                           " and CRLs verified to the root, within their windows");
}

Check CheckQeIdentity(const Quote& q, const TcbOutcome& t,
                      const std::optional<intel::VerifiedCollateral>& vc, bool required) {
  const char* name = "intel_qe_identity";
  if (!vc || !vc->qe_identity) {
    if (required) {
      return FailCheck(name, ReasonCode::kQeIdentityMismatch, "no verified QE identity");
    }
    return PassCheck(name, "no QE identity supplied (not required by the verifier)");
  }
  const intel::QeIdentityId want = q.is_tdx() ? intel::QeIdentityId::kTdQe
                                              : intel::QeIdentityId::kQe;
  if (vc->qe_identity->id != want) {
    return FailCheck(name, ReasonCode::kQeIdentityMismatch,
                     std::string("the QE identity is not the ") +
                         (q.is_tdx() ? "TD_QE" : "QE") + " identity");
  }
  if (!t.qe->matched()) {
    return FailCheck(name, ReasonCode::kQeIdentityMismatch,
                     "QE report differs from the identity in: " + JoinList(t.qe->mismatches));
  }
  return PassCheck(name, "QE ISVSVN " + std::to_string(q.qe_report.isv_svn) + ": " +
                             std::string(intel::TcbStatusName(t.qe->status)));
}

Check CheckTcbApplies(const TcbOutcome& t) {
  if (!t.platform) {
    return FailCheck("intel_tcb", ReasonCode::kTcbMismatch, "no verified TCB info to apply");
  }
  if (t.platform->mismatch != intel::TcbMismatch::kNone) {
    return FailCheck("intel_tcb", ReasonCode::kTcbMismatch,
                     "the TCB info does not apply to this platform: " +
                         std::string(intel::TcbMismatchName(t.platform->mismatch)));
  }
  return PassCheck("intel_tcb", "TCB info applies (FMSPC, PCE id" +
                                    std::string(t.platform->tdx_module ? ", TDX module" : "") +
                                    ")");
}

Check CheckTcbStatus(const TcbOutcome& t, const IntelTcbPolicy& p, const char* table) {
  if (!t.status) {
    return FailCheck("tcb_status", ReasonCode::kTcbStatusNotAllowed, "no TCB status evaluated");
  }
  const std::string name(intel::TcbStatusName(*t.status));
  std::string detail = name;
  if (*t.status == intel::TcbStatus::kNotSupported) {
    return FailCheck("tcb_status", ReasonCode::kTcbStatusNotAllowed,
                     "no TCB level matches the platform (TCB not supported)");
  }
  if (t.platform->platform_status != *t.status) {
    detail += " (platform " + std::string(intel::TcbStatusName(t.platform->platform_status)) + ")";
  }
  if (std::find(p.accepted_tcb_statuses.begin(), p.accepted_tcb_statuses.end(), name) ==
      p.accepted_tcb_statuses.end()) {
    return FailCheck("tcb_status", ReasonCode::kTcbStatusNotAllowed,
                     detail + " is not in " + table + ".accepted_tcb_statuses");
  }
  return PassCheck("tcb_status", detail + " is accepted");
}

Check CheckAdvisories(const TcbOutcome& t, const IntelTcbPolicy& p, const char* table) {
  std::vector<std::string> bad;
  for (const std::string& id : t.advisories) {
    if (std::find(p.allowed_advisories.begin(), p.allowed_advisories.end(), id) ==
        p.allowed_advisories.end()) {
      bad.push_back(id);
    }
  }
  if (!bad.empty()) {
    return FailCheck("advisories", ReasonCode::kAdvisoryNotAllowed,
                     JoinList(bad) + " not in " + table + ".allowed_advisories");
  }
  return PassCheck("advisories", t.advisories.empty() ? "no advisories"
                                                      : JoinList(t.advisories) + " allowed");
}

template <typename Digest>
bool Listed(const std::vector<Digest>& list, const Digest& d) {
  return std::find(list.begin(), list.end(), d) != list.end();
}

Check CheckSgxMeasurement(const intel::SgxReportBody& b, const SgxPolicy& p) {
  if (p.mrenclaves.empty() && p.mrsigners.empty()) {
    if (p.allow_any_measurement_insecure) {
      return PassCheck("measurement", "any enclave accepted: allow_any_measurement_insecure "
                                      "(INSECURE)");
    }
    return FailCheck("measurement", ReasonCode::kMeasurementMismatch,
                     "the policy lists no mrenclaves and no mrsigners");
  }
  if (!p.mrenclaves.empty() && !Listed(p.mrenclaves, b.mrenclave)) {
    return FailCheck("measurement", ReasonCode::kMeasurementMismatch,
                     "MRENCLAVE " + HexEncode(b.mrenclave) + " is not in sgx.mrenclaves");
  }
  if (!p.mrsigners.empty() && !Listed(p.mrsigners, b.mrsigner)) {
    return FailCheck("measurement", ReasonCode::kMeasurementMismatch,
                     "MRSIGNER " + HexEncode(b.mrsigner) + " is not in sgx.mrsigners");
  }
  return PassCheck("measurement", "MRENCLAVE " + HexEncode(b.mrenclave) + " / MRSIGNER " +
                                      HexEncode(b.mrsigner) + " accepted");
}

void AddSgxChecks(const intel::SgxReportBody& b, const SgxPolicy& p, std::vector<Check>& checks) {
  checks.push_back(CheckSgxMeasurement(b, p));
  if (p.isv_prod_id && *p.isv_prod_id != b.isv_prod_id) {
    checks.push_back(FailCheck("isv_prod_id", ReasonCode::kMeasurementMismatch,
                               "ISVPRODID " + std::to_string(b.isv_prod_id) +
                                   " != sgx.isv_prod_id " + std::to_string(*p.isv_prod_id)));
  } else {
    checks.push_back(PassCheck("isv_prod_id", p.isv_prod_id ? "matches sgx.isv_prod_id"
                                                            : "not constrained by policy"));
  }
  if (b.isv_svn < p.min_isv_svn) {
    checks.push_back(FailCheck("isv_svn", ReasonCode::kTcbTooLow,
                               "ISVSVN " + std::to_string(b.isv_svn) + " < sgx.min_isv_svn " +
                                   std::to_string(p.min_isv_svn)));
  } else {
    checks.push_back(PassCheck("isv_svn", "ISVSVN " + std::to_string(b.isv_svn) + " >= " +
                                              std::to_string(p.min_isv_svn)));
  }
}

Check CheckDigest48(const char* name, const std::array<uint8_t, 48>& have,
                    const std::optional<Digest48>& want) {
  if (!want) return PassCheck(name, "not constrained by policy");
  if (*want == have) return PassCheck(name, "matches tdx." + std::string(name));
  return FailCheck(name, ReasonCode::kMeasurementMismatch,
                   HexEncode(have) + " != tdx." + name + " " + HexEncode(*want));
}

void AddTdxChecks(const intel::TdReportBody& b, const TdxPolicy& p, std::vector<Check>& checks) {
  if (Listed(p.mrtds, b.mrtd)) {
    checks.push_back(PassCheck("measurement", "MRTD " + HexEncode(b.mrtd) + " is listed"));
  } else if (p.allow_any_measurement_insecure) {
    checks.push_back(PassCheck("measurement", "MRTD " + HexEncode(b.mrtd) +
                                                  " accepted: allow_any_measurement_insecure "
                                                  "(INSECURE)"));
  } else {
    checks.push_back(FailCheck("measurement", ReasonCode::kMeasurementMismatch,
                               p.mrtds.empty()
                                   ? "MRTD " + HexEncode(b.mrtd) + ": the policy lists no mrtds"
                                   : "MRTD " + HexEncode(b.mrtd) + " is not in tdx.mrtds"));
  }
  std::string bad;
  for (size_t i = 0; i < 4; ++i) {
    if (p.rtmrs[i] && *p.rtmrs[i] != b.rtmr[i]) {
      bad += (bad.empty() ? "RTMR" : ", RTMR") + std::to_string(i) + " " + HexEncode(b.rtmr[i]);
    }
  }
  checks.push_back(bad.empty() ? PassCheck("rtmrs", "the RTMRs the policy sets match")
                               : FailCheck("rtmrs", ReasonCode::kMeasurementMismatch,
                                           bad + " differ from the policy"));
  checks.push_back(CheckDigest48("mrconfigid", b.mrconfigid, p.mrconfigid));
  checks.push_back(CheckDigest48("mrowner", b.mrowner, p.mrowner));
  checks.push_back(CheckDigest48("mrownerconfig", b.mrownerconfig, p.mrownerconfig));
}

TcbOutcome EvaluateTcbFor(const intel::Verification& v,
                          const std::optional<intel::VerifiedCollateral>& vc) {
  TcbOutcome t;
  if (!vc) return t;
  const Quote& q = v.quote;
  if (vc->qe_identity) {
    t.qe = intel::EvaluateQeIdentity(
        *vc->qe_identity,
        intel::QeReportFields{q.qe_report.miscselect, q.qe_report.attributes,
                              q.qe_report.mrsigner, q.qe_report.isv_prod_id,
                              q.qe_report.isv_svn});
  }
  if (!vc->tcb_info || v.pck_leaf() == nullptr) return t;
  Result<intel::PckExtensions> ext = intel::ParsePckExtensions(*v.pck_leaf());
  if (!ext.ok()) return t;
  std::optional<intel::TdxTcbInput> tdx;
  if (q.td) tdx = intel::TdxTcbInput{q.td->tee_tcb_svn, q.td->mrsignerseam, q.td->seam_attributes};
  t.platform = intel::EvaluateTcb(*vc->tcb_info, *ext, tdx);
  if (t.platform->mismatch != intel::TcbMismatch::kNone) return t;
  t.status = t.platform->status;
  AddUnique(t.advisories, t.platform->advisory_ids);
  if (t.qe && t.qe->matched()) {
    t.status = intel::MergeTcbStatus(*t.status, t.qe->status);
    AddUnique(t.advisories, t.qe->advisory_ids);
  }
  return t;
}

Claims IntelClaims(const intel::Verification& v, const TcbOutcome& t) {
  const Quote& q = v.quote;
  Claims c;
  c.tee = q.is_tdx() ? TeeType::kTdx : TeeType::kSgx;
  c.report_data = q.report_data();
  const std::string status = t.status ? std::string(intel::TcbStatusName(*t.status)) : "unknown";
  c.tcb = "status=" + status + " advisories=" + JoinList(t.advisories);
  c.fields = {{"quote_version", std::to_string(q.header.version)},
              {"body_type", intel::BodyTypeName(q.body_type)},
              {"tcb_status", status},
              {"advisory_ids", JoinList(t.advisories)},
              {"qe_svn", std::to_string(q.qe_report.isv_svn)},
              {"pce_svn", std::to_string(q.header.pce_svn)}};
  if (t.platform && t.platform->tdx_module) {
    c.fields.push_back({"tdx_module", t.platform->tdx_module->id + " " +
                                          std::string(intel::TcbStatusName(
                                              t.platform->tdx_module->status))});
  }
  if (q.td) {
    const intel::TdReportBody& b = *q.td;
    c.measurements = {{"mr_td", HexEncode(b.mrtd)},       {"rtmr0", HexEncode(b.rtmr[0])},
                      {"rtmr1", HexEncode(b.rtmr[1])},    {"rtmr2", HexEncode(b.rtmr[2])},
                      {"rtmr3", HexEncode(b.rtmr[3])}};
    c.debug = b.debug();
    c.fields.push_back({"td_attributes", HexEncode(b.td_attributes)});
    c.fields.push_back({"xfam", HexEncode(b.xfam)});
    c.fields.push_back({"tee_tcb_svn", HexEncode(b.tee_tcb_svn)});
    c.fields.push_back({"mr_seam", HexEncode(b.mrseam)});
    c.fields.push_back({"mr_config_id", HexEncode(b.mrconfigid)});
    c.fields.push_back({"mr_owner", HexEncode(b.mrowner)});
    c.fields.push_back({"mr_owner_config", HexEncode(b.mrownerconfig)});
  } else {
    const intel::SgxReportBody& b = *q.sgx;
    c.measurements = {{"mr_enclave", HexEncode(b.mrenclave)},
                      {"mr_signer", HexEncode(b.mrsigner)}};
    c.debug = b.debug();
    c.fields.push_back({"attributes", HexEncode(b.attributes)});
    c.fields.push_back({"isv_prod_id", std::to_string(b.isv_prod_id)});
    c.fields.push_back({"isv_svn", std::to_string(b.isv_svn)});
    c.fields.push_back({"cpu_svn", HexEncode(b.cpusvn)});
  }
  return c;
}

// Verifies the quote and collateral to `root`.
struct Verified {
  intel::Verification quote;
  std::optional<intel::VerifiedCollateral> collateral;
};

Result<Verified> VerifyTo(const Quote& q, const IntelEvidence& ev, const crypto::Certificate& root,
                          const IntelAppraiseOptions& opts) {
  Verified out;
  std::vector<crypto::Crl> crls;
  if (ev.collateral) {
    // The quote's PCK chain (leaf, CA, root) may issue the PCK CRL; unparsable: none.
    auto pck = crypto::Certificate::ChainFromPem(q.pck_chain_pem);
    intel::CollateralOptions co{.now = opts.now,
                                .require_qe_identity = opts.require_qe_identity,
                                .require_crls = opts.require_crls,
                                .pck_crl_issuers = {}};
    if (pck.ok()) co.pck_crl_issuers = *pck;
    CONFIDE_ASSIGN_OR_RETURN(out.collateral, intel::VerifyCollateral(*ev.collateral, root, co));
    crls = out.collateral->crls;
  }
  // Revocation needs the CRLs from verified collateral; when the collateral did not yield them
  // the intel_collateral check fails and says why, so the chain is not failed a second time.
  const bool require_crls = opts.require_crls && !crls.empty();
  CONFIDE_ASSIGN_OR_RETURN(out.quote,
                           intel::VerifyQuote(q, {.now = opts.now, .trusted_roots = {root},
                                                  .crls = crls, .require_crls = require_crls}));
  return out;
}

}  // namespace

ReasonCode ReasonForIntelFailure(intel::FailureKind kind) {
  switch (kind) {
    case intel::FailureKind::kNone: return ReasonCode::kOk;
    case intel::FailureKind::kSignatureInvalid:
    case intel::FailureKind::kKeyBindingInvalid: return ReasonCode::kSignatureInvalid;
    case intel::FailureKind::kChainUntrusted: return ReasonCode::kChainUntrusted;
    case intel::FailureKind::kCertExpired: return ReasonCode::kCertExpired;
    case intel::FailureKind::kCertNotYetValid: return ReasonCode::kCertNotYetValid;
    case intel::FailureKind::kRevoked: return ReasonCode::kRevoked;
    case intel::FailureKind::kCrlExpired: return ReasonCode::kCollateralExpired;
    case intel::FailureKind::kCrlInvalid: return ReasonCode::kCrlInvalid;
  }
  return ReasonCode::kChainUntrusted;  // unreachable for valid enum values; fail closed
}

ReasonCode ReasonForCollateralFailure(intel::CollateralFailure failure) {
  switch (failure) {
    case intel::CollateralFailure::kNone: return ReasonCode::kOk;
    case intel::CollateralFailure::kMissing:
    case intel::CollateralFailure::kChainUntrusted: return ReasonCode::kChainUntrusted;
    case intel::CollateralFailure::kCertExpired: return ReasonCode::kCertExpired;
    case intel::CollateralFailure::kCertNotYetValid: return ReasonCode::kCertNotYetValid;
    case intel::CollateralFailure::kRevoked: return ReasonCode::kRevoked;
    case intel::CollateralFailure::kSignatureInvalid: return ReasonCode::kSignatureInvalid;
    case intel::CollateralFailure::kCrlInvalid: return ReasonCode::kCrlInvalid;
    case intel::CollateralFailure::kCollateralExpired: return ReasonCode::kCollateralExpired;
  }
  return ReasonCode::kChainUntrusted;
}

Result<Appraisal> AppraiseIntel(const IntelEvidence& evidence, const Policy& policy,
                                const IntelAppraiseOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(Quote quote, intel::ParseQuote(evidence.quote));
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate intel_root, intel::IntelSgxRootCa());
  CONFIDE_ASSIGN_OR_RETURN(Verified v, VerifyTo(quote, evidence, intel_root, opts));
  // Simulated: the PCK chain does not reach the Intel root, and the quote's embedded root is the
  // offered sim root (and not Intel's). Then every outcome (a revoked or expired PCK too) is
  // judged against the sim root; whether simulated evidence is acceptable at all is the
  // policy's "simulated" check.
  bool simulated = false;
  const Bytes embedded_root =
      v.quote.pck_chain.empty() ? Bytes{} : v.quote.pck_chain.back().ToDer();
  if (!PckChainPassed(v.quote) && evidence.sim_root && !embedded_root.empty() &&
      Equal(embedded_root, evidence.sim_root->ToDer()) &&
      !Equal(embedded_root, intel_root.ToDer())) {
    CONFIDE_ASSIGN_OR_RETURN(v, VerifyTo(quote, evidence, *evidence.sim_root, opts));
    simulated = true;
  }
  const TcbOutcome tcb = EvaluateTcbFor(v.quote, v.collateral);

  Appraisal a;
  a.tee = quote.is_tdx() ? TeeType::kTdx : TeeType::kSgx;
  a.simulated = simulated;
  a.appraised_at = opts.now;
  a.verifier = opts.verifier;
  a.policy_id = "sha256:" + PolicyDigest(policy);
  a.claims = IntelClaims(v.quote, tcb);
  const IntelTcbPolicy& tcb_policy = quote.is_tdx() ? policy.tdx.tcb : policy.sgx.tcb;
  const char* table = quote.is_tdx() ? "tdx" : "sgx";
  std::vector<Check>& checks = a.checks;
  checks.push_back(CheckTeeType(a.tee, policy));
  AddQuoteChecks(v.quote, checks);
  checks.push_back(CheckCollateral(v.collateral));
  checks.push_back(CheckQeIdentity(quote, tcb, v.collateral, opts.require_qe_identity));
  checks.push_back(CheckTcbApplies(tcb));
  checks.push_back(CheckTcbStatus(tcb, tcb_policy, table));
  checks.push_back(CheckAdvisories(tcb, tcb_policy, table));
  checks.push_back(CheckSimulation(
      simulated, simulated ? evidence.sim_root->public_key().ToDer() : Bytes{}, policy));
  if (quote.td) {
    AddTdxChecks(*quote.td, policy.tdx, checks);
  } else {
    AddSgxChecks(*quote.sgx, policy.sgx, checks);
  }
  checks.push_back(CheckDebug(a.claims.debug,
                              quote.is_tdx() ? "TDATTRIBUTES bit 0 (DEBUG)"
                                             : "ATTRIBUTES bit 1 (DEBUG)",
                              policy));
  AddBindingAndFreshnessChecks(evidence.claims, quote.report_data(), opts.expect,
                               evidence.produced_at, opts.now, policy, checks);
  FinishAppraisal(a);
  return a;
}

}  // namespace confide::attest
