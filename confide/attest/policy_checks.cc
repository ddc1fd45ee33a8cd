#include "confide/attest/policy_checks.h"

#include <algorithm>

#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::attest {

Check CheckTeeType(TeeType tee, const Policy& policy) {
  const std::string name(TeeTypeName(tee));
  if (std::find(policy.tee_types.begin(), policy.tee_types.end(), tee) != policy.tee_types.end()) {
    return PassCheck("tee_type", name + " is allowed");
  }
  return FailCheck("tee_type", ReasonCode::kTeeTypeNotAllowed, name + " is not in tee_types");
}

Check CheckSimulation(bool simulated, ByteSpan root_spki_der, const Policy& policy) {
  if (!simulated) return PassCheck("simulated", "chains to a vendor root (hardware evidence)");
  if (!policy.allow_simulated) {
    return FailCheck("simulated", ReasonCode::kSimulatedEvidenceNotAllowed,
                     "evidence is simulated and allow_simulated is false");
  }
  const crypto::Sha256Digest root = crypto::Sha256(root_spki_der);
  if (std::find(policy.sim_roots.begin(), policy.sim_roots.end(), root) == policy.sim_roots.end()) {
    return FailCheck("simulated", ReasonCode::kSimulatedEvidenceNotAllowed,
                     "simulator root " + HexEncode(root) + " is not in sim_roots");
  }
  return PassCheck("simulated", "SIMULATED evidence (no hardware protection) from listed root " +
                                    HexEncode(root));
}

Check CheckDebug(bool debug, const std::string& what, const Policy& policy) {
  if (!debug) return PassCheck("debug", what + " is clear");
  if (policy.allow_debug) {
    return PassCheck("debug", what + " is set; accepted because allow_debug is true (INSECURE)");
  }
  return FailCheck("debug", ReasonCode::kDebugNotAllowed, what + " is set");
}

Check CheckFreshness(std::optional<Time> produced_at, Time now, bool nonce_verified,
                     const Policy& policy) {
  if (!policy.max_evidence_age_seconds) return PassCheck("freshness", "age not checked by policy");
  if (nonce_verified) return PassCheck("freshness", "bound to this verifier's nonce");
  const std::string limit = std::to_string(*policy.max_evidence_age_seconds) + " s";
  if (!produced_at) {
    return FailCheck("freshness", ReasonCode::kEvidenceTooOld,
                     "evidence has no production time and no nonce; the limit is " + limit);
  }
  const int64_t age = (now - *produced_at).count();
  if (age < -300) {
    return FailCheck("freshness", ReasonCode::kEvidenceTooOld,
                     "evidence is dated " + std::to_string(-age) + " s in the future");
  }
  if (age > *policy.max_evidence_age_seconds) {
    return FailCheck("freshness", ReasonCode::kEvidenceTooOld,
                     "evidence is " + std::to_string(age) + " s old; the limit is " + limit);
  }
  return PassCheck("freshness", "evidence is " + std::to_string(std::max<int64_t>(age, 0)) +
                                    " s old (limit " + limit + ")");
}

std::vector<Check> CheckBindingUnderPolicy(const std::optional<Bytes>& claims_cbor,
                                           ByteSpan report_data, BindingExpectations expect,
                                           const Policy& policy) {
  std::vector<Check> checks;
  if (!claims_cbor) {
    if (policy.binding.required) {
      checks.push_back(FailCheck("binding", ReasonCode::kKeyBindingMismatch,
                                 "no claims buffer; the policy requires the binding"));
    } else {
      checks.push_back(PassCheck("binding",
                                 "not required by policy: evidence is not bound to "
                                 "any key, nonce or workload"));
    }
    return checks;
  }
  expect.workloads.insert(expect.workloads.end(), policy.binding.workloads.begin(),
                          policy.binding.workloads.end());
  checks = CheckBinding(*claims_cbor, report_data, expect);
  if (policy.binding.require_nonce && !expect.nonce) {
    Check missing = FailCheck("binding_nonce", ReasonCode::kNonceMismatch,
                              "the policy requires a nonce but none was sent");
    auto it = std::find_if(checks.begin(), checks.end(),
                           [](const Check& c) { return c.name == "binding_nonce"; });
    if (it != checks.end()) {
      *it = std::move(missing);
    } else {
      checks.push_back(std::move(missing));
    }
  }
  return checks;
}

void AddBindingAndFreshnessChecks(const std::optional<Bytes>& claims_cbor, ByteSpan report_data,
                                  const BindingExpectations& expect,
                                  std::optional<Time> produced_at, Time now, const Policy& policy,
                                  std::vector<Check>& checks) {
  std::vector<Check> binding = CheckBindingUnderPolicy(claims_cbor, report_data, expect, policy);
  const bool nonce_verified =
      expect.nonce && std::any_of(binding.begin(), binding.end(), [](const Check& c) {
        return c.name == "binding_nonce" && c.passed;
      });
  checks.insert(checks.end(), binding.begin(), binding.end());
  checks.push_back(CheckFreshness(produced_at, now, nonce_verified, policy));
}

}  // namespace confide::attest
