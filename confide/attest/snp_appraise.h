// Appraisal of AMD SEV-SNP evidence: verifies the report (snp/verify.h) against the AMD roots —
// or, for the simulator, its own root — maps each verification outcome to a ReasonCode, and
// compares the verified report with the policy's [snp] table and the shared checks
// (policy_checks.h). The result is an Appraisal listing every check.
//
//   SnpEvidence ev{.report = bytes, .chain = {.vek = vcek, .ask = ask}, .claims = claims};
//   CONFIDE_ASSIGN_OR_RETURN(Appraisal a, AppraiseSnp(ev, policy, {.now = clock.Now()}));
//   if (!a.accepted) std::cerr << ExplainAppraisal(a);
#ifndef CONFIDE_ATTEST_SNP_APPRAISE_H_
#define CONFIDE_ATTEST_SNP_APPRAISE_H_

#include <optional>

#include "confide/attest/appraisal.h"
#include "confide/attest/binding.h"
#include "confide/attest/policy.h"
#include "confide/attest/snp/verify.h"
#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::attest {

// One SNP report with what travelled with it. Nothing here is trusted.
struct SnpEvidence {
  Bytes report;         // the 1184-byte ATTESTATION_REPORT
  snp::VekChain chain;  // VEK and ASK/ASVK (and CRLs) from the attester or a KDS cache
  // The simulator's self-signed ARK, when the attester says it is simulated. Only consulted if
  // the chain does not verify to a real AMD ARK; the policy decides whether it is acceptable.
  std::optional<crypto::Certificate> sim_ark;
  std::optional<Bytes> claims;      // the binding claims buffer (binding.h), if any
  std::optional<Time> produced_at;  // when the attester says it made the evidence, if known
};

// The verifier's side of the exchange.
struct SnpAppraiseOptions {
  Time now;                    // verification and appraisal time
  BindingExpectations expect;  // TLS key, nonce, HPKE key the verifier saw / sent
  VerifierId verifier;         // for the attestation result
  snp::Generation generation = snp::Generation::kUnknown;  // hint for v2 reports (verify.h)
  bool require_crls = false;                               // passed to VerifyReport
};

// Appraises `evidence` against `policy`. Every check is listed, pass or fail, in this order:
// tee_type, snp_signature, snp_chain, snp_vek_kind, snp_tcb, snp_chip_id (verify.h outcomes),
// simulated, measurement, host_data, debug (policy bit 19), policy_bits (18 MIGRATE_MA, 16
// SMT), vmpl, id_key, min_tcb, binding checks, freshness. A rejected report is an Appraisal
// with accepted == false, not an Error. Errors ("could not decide"): the report does not parse
// (kMalformed/kUnsupported), or VerifyReport cannot run (missing ASK/ASVK, unknown generation,
// unsigned report, malformed VEK extensions). Thread safe.
Result<Appraisal> AppraiseSnp(const SnpEvidence& evidence, const Policy& policy,
                              const SnpAppraiseOptions& opts);

// Maps a verification failure to its reason code (kNone → kOk). Exposed for tests and for
// callers that verify separately.
ReasonCode ReasonForSnpFailure(snp::FailureKind kind);

// The normalised claims of a (verified) report: measurement, report_data, debug (bit 19), a TCB
// summary and display fields (policy, vmpl, host_data, chip_id, ...).
Claims SnpClaims(const snp::Verification& verification);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_SNP_APPRAISE_H_
