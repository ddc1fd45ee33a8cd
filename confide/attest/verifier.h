// The one entry point for appraising evidence of any TEE family: dispatches an EvidenceBundle to
// its format's appraiser and returns the Appraisal. Callers (attested TLS, the key broker, the
// client) use this and never name a format.
//
//   CONFIDE_ASSIGN_OR_RETURN(EvidenceBundle b, DecodeEvidenceBundle(extension_value));
//   CONFIDE_ASSIGN_OR_RETURN(Appraisal a,
//       AppraiseEvidence(b, policy, {.now = clock.Now(), .expect = {.tls_spki_der = spki}}));
#ifndef CONFIDE_ATTEST_VERIFIER_H_
#define CONFIDE_ATTEST_VERIFIER_H_

#include <optional>

#include "confide/attest/appraisal.h"
#include "confide/attest/binding.h"
#include "confide/attest/evidence_bundle.h"
#include "confide/attest/policy.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::attest {

struct AppraiseOptions {
  Time now;                          // verification and appraisal time
  BindingExpectations expect;        // what this verifier saw (TLS key) or sent (nonce)
  VerifierId verifier;
  std::optional<Time> produced_at;   // when the attester says it made the evidence, if known
};

// Verifies and appraises `bundle` against `policy`. SEV-SNP: the VEK, ASK/ASVK and (simulator)
// ARK come from the bundle's certificate table; when the table has no ASK, AMD's built-in one for
// the report's generation is used. Nitro: the bundle's evidence is the COSE_Sign1 document, its
// endorsements empty or the simulator's Nitro root (DER); the document's own timestamp dates it.
// SGX/TDX: the evidence is the DCAP quote, the endorsements its collateral as
// intel::EncodeIntelCollateral JSON (empty: no collateral, so rejected); a simulator root is
// the quote's embedded PCK root, trusted only through policy.sim_roots.
// A rejection is an Appraisal with reasons. Errors ("could not
// decide"): kUnsupported for TEE families not yet implemented here; kMalformed when the evidence
// or the certificate table (or the Intel collateral) does not parse; kNotFound when no VEK
// certificate travels with SNP evidence. Thread safe.
Result<Appraisal> AppraiseEvidence(const EvidenceBundle& bundle, const Policy& policy,
                                   const AppraiseOptions& opts);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_VERIFIER_H_
