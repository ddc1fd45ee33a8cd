#include "confide/attest/snp_appraise.h"

#include <algorithm>
#include <string>
#include <vector>

#include "confide/attest/policy_checks.h"
#include "confide/attest/snp/amd_roots.h"
#include "confide/base/hex.h"

namespace confide::attest {
namespace {

// Guest policy bits (SNP ABI 1.58, Table 9 "GUEST_POLICY Structure").
constexpr uint64_t kPolicySmt = uint64_t{1} << 16;
constexpr uint64_t kPolicyMigrateMa = uint64_t{1} << 18;
constexpr uint64_t kPolicyDebug = uint64_t{1} << 19;

std::string PolicyHex(uint64_t policy) {
  std::string out = "0x";
  const char* digits = "0123456789abcdef";
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    const int d = static_cast<int>((policy >> shift) & 0xf);
    started = started || d != 0 || shift == 0;
    if (started) out += digits[d];
  }
  return out;
}

const snp::CheckOutcome* FindOutcome(const snp::Verification& v, snp::Check check) {
  for (const snp::CheckOutcome& c : v.checks) {
    if (c.check == check) return &c;
  }
  return nullptr;
}

bool ChainPassed(const snp::Verification& v) {
  const snp::CheckOutcome* chain = FindOutcome(v, snp::Check::kChain);
  return chain != nullptr && chain->passed;
}

void AddVerificationChecks(const snp::Verification& v, std::vector<Check>& checks) {
  for (const snp::CheckOutcome& c : v.checks) {
    const std::string name = std::string("snp_") + snp::CheckName(c.check);
    const std::string detail = c.skipped ? "skipped: " + c.detail : c.detail;
    checks.push_back(c.passed ? PassCheck(name, detail)
                              : FailCheck(name, ReasonForSnpFailure(c.failure), detail));
  }
}

Check CheckMeasurement(const snp::Report& r, const SnpPolicy& p) {
  const std::string m = HexEncode(r.measurement);
  if (std::find(p.measurements.begin(), p.measurements.end(), r.measurement) !=
      p.measurements.end()) {
    return PassCheck("measurement", m + " is listed");
  }
  if (p.allow_any_measurement_insecure) {
    return PassCheck("measurement", m + " accepted: allow_any_measurement_insecure (INSECURE)");
  }
  return FailCheck("measurement", ReasonCode::kMeasurementMismatch,
                   p.measurements.empty() ? m + ": the policy lists no measurements"
                                          : m + " is not in snp.measurements");
}

Check CheckHostData(const snp::Report& r, const SnpPolicy& p) {
  if (!p.host_data) return PassCheck("host_data", "not constrained by policy");
  if (*p.host_data == r.host_data) return PassCheck("host_data", "matches snp.host_data");
  return FailCheck(
      "host_data", ReasonCode::kHostDataMismatch,
      "HOST_DATA " + HexEncode(r.host_data) + " != snp.host_data " + HexEncode(*p.host_data));
}

Check CheckPolicyBits(const snp::Report& r, const SnpPolicy& p) {
  std::string bad;
  if ((r.policy & kPolicyMigrateMa) && !p.allow_migration_agent) {
    bad += "bit 18 (MIGRATE_MA) set but allow_migration_agent is false; ";
  }
  if ((r.policy & kPolicySmt) && !p.allow_smt) bad += "bit 16 (SMT) set but allow_smt is false; ";
  if (!bad.empty()) {
    bad.resize(bad.size() - 2);
    return FailCheck("policy_bits", ReasonCode::kPolicyBitsNotAllowed,
                     "guest policy " + PolicyHex(r.policy) + ": " + bad);
  }
  return PassCheck("policy_bits", "guest policy " + PolicyHex(r.policy) + " allowed");
}

Check CheckVmpl(const snp::Report& r, const SnpPolicy& p) {
  const std::string vmpl = "VMPL " + std::to_string(r.vmpl);
  if (std::find(p.vmpls.begin(), p.vmpls.end(), r.vmpl) != p.vmpls.end()) {
    return PassCheck("vmpl", vmpl + " is allowed");
  }
  return FailCheck("vmpl", ReasonCode::kVmplNotAllowed, vmpl + " is not in snp.vmpls");
}

Check CheckIdKeys(const snp::Report& r, const SnpPolicy& p) {
  auto listed = [](const std::vector<Digest48>& list, const Digest48& d) {
    return list.empty() || std::find(list.begin(), list.end(), d) != list.end();
  };
  if (!listed(p.id_key_digests, r.id_key_digest)) {
    return FailCheck(
        "id_key", ReasonCode::kIdKeyMismatch,
        "ID_KEY_DIGEST " + HexEncode(r.id_key_digest) + " is not in snp.id_key_digests");
  }
  // AUTHOR_KEY_DIGEST is meaningful only when AUTHOR_KEY_EN is set (SNP ABI, ATTESTATION_REPORT).
  if (!p.author_key_digests.empty() &&
      (!r.author_key_en || !listed(p.author_key_digests, r.author_key_digest))) {
    return FailCheck("id_key", ReasonCode::kIdKeyMismatch,
                     r.author_key_en
                         ? "AUTHOR_KEY_DIGEST " + HexEncode(r.author_key_digest) +
                               " is not in snp.author_key_digests"
                         : "no author key (AUTHOR_KEY_EN = 0) but the policy lists some");
  }
  if (p.id_key_digests.empty() && p.author_key_digests.empty()) {
    return PassCheck("id_key", "not constrained by policy");
  }
  return PassCheck("id_key", "ID/author key digests are listed");
}

Check CheckMinTcb(const snp::Verification& v, const SnpPolicy& p) {
  Result<snp::TcbLayout> layout = snp::TcbLayoutFor(v.generation);
  if (!layout.ok()) {
    return FailCheck("min_tcb", ReasonCode::kTcbTooLow, "unknown product: cannot decode the TCB");
  }
  const snp::Tcb tcb = snp::DecodeTcb(v.report.reported_tcb, *layout);
  const SnpMinTcb& min = p.min_tcb;
  const struct {
    const char* name;
    uint8_t have;
    uint8_t want;
  } parts[] = {{"bootloader", tcb.boot_loader, min.bootloader},
               {"tee", tcb.tee, min.tee},
               {"snp", tcb.snp, min.snp},
               {"microcode", tcb.microcode, min.microcode},
               {"fmc", tcb.fmc, min.fmc}};
  std::string low;
  for (const auto& part : parts) {
    if (part.have < part.want) {
      low += std::string(low.empty() ? "" : ", ") + part.name + " " + std::to_string(part.have) +
             " < " + std::to_string(part.want);
    }
  }
  if (!low.empty()) return FailCheck("min_tcb", ReasonCode::kTcbTooLow, "reported_tcb: " + low);
  return PassCheck("min_tcb", "reported_tcb meets snp.min_tcb");
}

}  // namespace

ReasonCode ReasonForSnpFailure(snp::FailureKind kind) {
  switch (kind) {
    case snp::FailureKind::kNone:
      return ReasonCode::kOk;
    case snp::FailureKind::kSignatureInvalid:
      return ReasonCode::kSignatureInvalid;
    case snp::FailureKind::kChainUntrusted:
      return ReasonCode::kChainUntrusted;
    case snp::FailureKind::kCertExpired:
      return ReasonCode::kCertExpired;
    case snp::FailureKind::kCertNotYetValid:
      return ReasonCode::kCertNotYetValid;
    case snp::FailureKind::kRevoked:
      return ReasonCode::kRevoked;
    case snp::FailureKind::kCrlExpired:
      return ReasonCode::kCrlInvalid;
    case snp::FailureKind::kTcbMismatch:
      return ReasonCode::kTcbMismatch;
    case snp::FailureKind::kChipIdMismatch:
      return ReasonCode::kChipIdMismatch;
  }
  return ReasonCode::kChainUntrusted;  // unreachable for valid enum values; fail closed
}

Claims SnpClaims(const snp::Verification& v) {
  const snp::Report& r = v.report;
  Claims c;
  c.tee = TeeType::kSevSnp;
  c.measurements = {{"measurement", HexEncode(r.measurement)}};
  c.report_data = r.report_data;
  c.debug = (r.policy & kPolicyDebug) != 0;
  Result<snp::TcbLayout> layout = snp::TcbLayoutFor(v.generation);
  if (layout.ok()) {
    snp::Tcb t = snp::DecodeTcb(r.reported_tcb, *layout);
    c.tcb = "bl=" + std::to_string(t.boot_loader) + " tee=" + std::to_string(t.tee) +
            " snp=" + std::to_string(t.snp) + " ucode=" + std::to_string(t.microcode);
    if (*layout == snp::TcbLayout::kTurin) c.tcb += " fmc=" + std::to_string(t.fmc);
  }
  c.fields = {{"product", snp::GenerationName(v.generation)},
              {"version", std::to_string(r.version)},
              {"policy", PolicyHex(r.policy)},
              {"vmpl", std::to_string(r.vmpl)},
              {"host_data", HexEncode(r.host_data)},
              {"id_key_digest", HexEncode(r.id_key_digest)},
              {"author_key_digest", HexEncode(r.author_key_digest)},
              {"guest_svn", std::to_string(r.guest_svn)},
              {"chip_id", HexEncode(r.chip_id)},
              {"signing_key", r.signing_key == snp::SigningKey::kVlek ? "vlek" : "vcek"}};
  return c;
}

Result<Appraisal> AppraiseSnp(const SnpEvidence& evidence, const Policy& policy,
                              const SnpAppraiseOptions& opts) {
  CONFIDE_ASSIGN_OR_RETURN(snp::Report report, snp::ParseReport(evidence.report));
  CONFIDE_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> arks, snp::AmdArks());
  snp::VerifyOptions vo{.now = opts.now,
                        .trusted_arks = std::move(arks),
                        .generation = opts.generation,
                        .require_crls = opts.require_crls};
  CONFIDE_ASSIGN_OR_RETURN(snp::Verification v, snp::VerifyReport(report, evidence.chain, vo));
  // Simulated: the chain does not reach an AMD ARK but does reach the offered simulator root.
  bool simulated = false;
  if (!ChainPassed(v) && evidence.sim_ark) {
    vo.trusted_arks = {*evidence.sim_ark};
    Result<snp::Verification> sim = snp::VerifyReport(report, evidence.chain, vo);
    if (sim.ok() && ChainPassed(*sim)) {
      v = std::move(sim).value();
      simulated = true;
    }
  }

  Appraisal a;
  a.tee = TeeType::kSevSnp;
  a.simulated = simulated;
  a.appraised_at = opts.now;
  a.verifier = opts.verifier;
  a.policy_id = "sha256:" + PolicyDigest(policy);
  a.claims = SnpClaims(v);
  std::vector<Check>& checks = a.checks;
  checks.push_back(CheckTeeType(TeeType::kSevSnp, policy));
  AddVerificationChecks(v, checks);
  checks.push_back(CheckSimulation(
      simulated, simulated ? evidence.sim_ark->public_key().ToDer() : Bytes{}, policy));
  checks.push_back(CheckMeasurement(report, policy.snp));
  checks.push_back(CheckHostData(report, policy.snp));
  checks.push_back(CheckDebug(a.claims.debug, "guest policy bit 19 (DEBUG)", policy));
  checks.push_back(CheckPolicyBits(report, policy.snp));
  checks.push_back(CheckVmpl(report, policy.snp));
  checks.push_back(CheckIdKeys(report, policy.snp));
  checks.push_back(CheckMinTcb(v, policy.snp));
  AddBindingAndFreshnessChecks(evidence.claims, report.report_data, opts.expect,
                               evidence.produced_at, opts.now, policy, checks);
  FinishAppraisal(a);
  return a;
}

}  // namespace confide::attest
