// The checks every evidence format shares: TEE type, simulation, debug, evidence age and the
// key binding, each judged against a Policy. A format's appraiser (snp_appraise.h; later SGX,
// TDX, Nitro) runs its own checks and appends these, so every format reports them alike.
//
//   appraisal.checks.push_back(CheckTeeType(TeeType::kSevSnp, policy));
//   appraisal.checks.push_back(CheckDebug(debug_bit_set, "guest policy bit 19 (DEBUG)", policy));
#ifndef CONFIDE_ATTEST_POLICY_CHECKS_H_
#define CONFIDE_ATTEST_POLICY_CHECKS_H_

#include <optional>
#include <string>
#include <vector>

#include "confide/attest/appraisal.h"
#include "confide/attest/binding.h"
#include "confide/attest/policy.h"
#include "confide/base/clock.h"

namespace confide::attest {

// "tee_type": passes iff `tee` is in policy.tee_types, else kTeeTypeNotAllowed.
Check CheckTeeType(TeeType tee, const Policy& policy);

// "simulated": for hardware evidence (`simulated` false) passes. For simulated evidence, passes
// only if policy.allow_simulated and SHA-256(root_spki_der) is in policy.sim_roots; else
// kSimulatedEvidenceNotAllowed. `root_spki_der` is the DER SubjectPublicKeyInfo of the root the
// evidence chained to (ignored when not simulated).
Check CheckSimulation(bool simulated, ByteSpan root_spki_der, const Policy& policy);

// "debug": passes when `debug` is false, or when policy.allow_debug (the detail then says
// INSECURE); else kDebugNotAllowed. `what` names the flag, e.g. "guest policy bit 19 (DEBUG)".
Check CheckDebug(bool debug, const std::string& what, const Policy& policy);

// "freshness": unchecked (passes) when policy.max_evidence_age_seconds is unset. Otherwise
// passes when `nonce_verified` (evidence bound to this verifier's fresh nonce), or when
// `produced_at` is known and now - produced_at <= the maximum; evidence dated more than 5
// minutes in the future also fails. Else kEvidenceTooOld, including when the age is unknown.
Check CheckFreshness(std::optional<Time> produced_at, Time now, bool nonce_verified,
                     const Policy& policy);

// The binding checks (binding.h CheckBinding) under policy.binding:
//   no claims buffer: one check "binding" — fails (kKeyBindingMismatch) if binding.required,
//     else passes saying the evidence is not bound to any key;
//   binding.require_nonce and no `expect.nonce`: adds a failing "binding_nonce"
//     (kNonceMismatch) — the policy demands a nonce this verifier did not send;
//   policy.binding.workloads are added to `expect.workloads`.
// `report_data` must come from verified evidence.
std::vector<Check> CheckBindingUnderPolicy(const std::optional<Bytes>& claims_cbor,
                                           ByteSpan report_data, BindingExpectations expect,
                                           const Policy& policy);

// Appends the binding checks (CheckBindingUnderPolicy) and then "freshness" (CheckFreshness) to
// `checks`, the tail every format's appraisal ends with. The evidence counts as fresh whatever
// its age when it carries the nonce this verifier sent: `expect.nonce` is set and
// "binding_nonce" passed. `report_data` must come from verified evidence.
void AddBindingAndFreshnessChecks(const std::optional<Bytes>& claims_cbor, ByteSpan report_data,
                                  const BindingExpectations& expect,
                                  std::optional<Time> produced_at, Time now, const Policy& policy,
                                  std::vector<Check>& checks);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_POLICY_CHECKS_H_
