// Appraisal of Intel SGX and TDX evidence (DCAP quotes v3/v4/v5): verifies the quote's
// cryptography (intel/verify.h) and its collateral (intel/collateral.h: TCB info, QE identity,
// CRLs, their signatures and windows) against the pinned Intel SGX Root CA — or, for the
// simulator, its own root — evaluates the TCB status and advisories (intel/tcb_info.h) and the
// QE identity, maps every outcome to a ReasonCode and checks the policy's [sgx] or [tdx] table
// and the shared checks (policy_checks.h). The result lists every check.
//
//   IntelEvidence ev{.quote = bytes, .collateral = collateral, .claims = claims};
//   CONFIDE_ASSIGN_OR_RETURN(Appraisal a, AppraiseIntel(ev, policy, {.now = clock.Now()}));
//   if (!a.accepted) std::cerr << ExplainAppraisal(a);
#ifndef CONFIDE_ATTEST_INTEL_APPRAISE_H_
#define CONFIDE_ATTEST_INTEL_APPRAISE_H_

#include <optional>

#include "confide/attest/appraisal.h"
#include "confide/attest/binding.h"
#include "confide/attest/intel/collateral.h"
#include "confide/attest/intel/verify.h"
#include "confide/attest/policy.h"
#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::attest {

// One quote with what travelled with it. Nothing here is trusted.
struct IntelEvidence {
  Bytes quote;  // SGX v3 or TDX v4/v5 quote (trailing bytes allowed)
  // TCB info, QE identity, CRLs and issuer chains (collateral.h). Absent: the TCB cannot be
  // appraised and the evidence is rejected.
  std::optional<intel::IntelCollateral> collateral;
  // The simulator's root, when the attester says it is simulated. Only consulted if the PCK
  // chain does not verify to the Intel root and the quote's embedded root is this certificate;
  // then the quote and collateral are verified against it, and the policy decides whether
  // simulated evidence is acceptable.
  std::optional<crypto::Certificate> sim_root;
  std::optional<Bytes> claims;      // the binding claims buffer (binding.h), if any
  std::optional<Time> produced_at;  // when the attester says it made the evidence, if known
};

struct IntelAppraiseOptions {
  Time now;                    // verification and appraisal time
  BindingExpectations expect;  // TLS key, nonce, HPKE key the verifier saw / sent
  VerifierId verifier;
  // Production defaults. Some public vectors ship without them; tests may relax these.
  bool require_qe_identity = true;
  bool require_crls = true;  // the root CA CRL and the PCK CA CRL
};

// Appraises `evidence` against `policy`. Checks, in this order: tee_type, intel_quote_signature,
// intel_key_binding, intel_qe_report_signature, intel_pck_chain (verify.h), intel_collateral,
// intel_qe_identity, intel_tcb (TCB info applies: FMSPC, PCE id, TDX module), tcb_status,
// advisories, simulated, measurement, then SGX: isv_prod_id, isv_svn; TDX: rtmrs, mrconfigid,
// mrowner, mrownerconfig; debug, binding checks, freshness. A rejected quote is an Appraisal
// with accepted == false, not an Error. Errors ("could not decide"): the quote does not parse
// (kMalformed / kUnsupported), or collateral JSON / PEM / DER is undecodable (kMalformed).
// Thread safe.
Result<Appraisal> AppraiseIntel(const IntelEvidence& evidence, const Policy& policy,
                                const IntelAppraiseOptions& opts);

// Maps a quote verification failure / a collateral failure to its reason code (kNone → kOk).
ReasonCode ReasonForIntelFailure(intel::FailureKind kind);
ReasonCode ReasonForCollateralFailure(intel::CollateralFailure failure);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_INTEL_APPRAISE_H_
