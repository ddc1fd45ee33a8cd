// Appraisal of AWS Nitro Enclaves attestation documents: verifies the document (nitro/verify.h)
// against the pinned AWS Nitro root — or, for the simulator, its own root — maps each outcome to
// a ReasonCode, and compares the verified payload with the policy's [nitro] table and the shared
// checks (policy_checks.h). The binding (binding.h) travels in user_data: SHA-256(claims) || 0^32.
//
//   NitroEvidence ev{.document = bytes, .claims = claims};
//   CONFIDE_ASSIGN_OR_RETURN(Appraisal a, AppraiseNitro(ev, policy, {.now = clock.Now()}));
//   if (!a.accepted) std::cerr << ExplainAppraisal(a);
#ifndef CONFIDE_ATTEST_NITRO_APPRAISE_H_
#define CONFIDE_ATTEST_NITRO_APPRAISE_H_

#include <optional>

#include "confide/attest/appraisal.h"
#include "confide/attest/binding.h"
#include "confide/attest/nitro/document.h"
#include "confide/attest/nitro/verify.h"
#include "confide/attest/policy.h"
#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::attest {

// One Nitro document with what travelled with it. Nothing here is trusted.
struct NitroEvidence {
  Bytes document;  // the COSE_Sign1 attestation document, as the NSM returned it
  // The simulator's self-signed Nitro root, when the attester says it is simulated. Only
  // consulted if the chain does not reach the AWS root; the policy decides whether it is accepted.
  std::optional<crypto::Certificate> sim_root;
  std::optional<Bytes> claims;  // the binding claims buffer (binding.h), if any
};

struct NitroAppraiseOptions {
  Time now;                    // verification and appraisal time
  BindingExpectations expect;  // TLS key, nonce, HPKE key the verifier saw / sent
  VerifierId verifier;
};

// Appraises `evidence` against `policy`. Every check is listed, pass or fail, in this order:
// tee_type, nitro_signature, nitro_chain (verify.h outcomes), simulated, pcrs, debug (PCR0, PCR1
// and PCR2 all zero), binding checks (user_data), freshness (the document's signed timestamp).
// A rejected document is an Appraisal with accepted == false, not an Error. Errors ("could not
// decide"): the document does not parse (kMalformed / kUnsupported, document.h), or OpenSSL
// fails. Thread safe.
Result<Appraisal> AppraiseNitro(const NitroEvidence& evidence, const Policy& policy,
                                const NitroAppraiseOptions& opts);

// Maps a verification failure to its reason code (kNone → kOk).
ReasonCode ReasonForNitroFailure(nitro::FailureKind kind);

// The normalised claims of a (verified) document: measurements pcr0..pcr31 (those present),
// report_data = user_data zero-padded to 64 bytes (the first 64 bytes when longer), debug (PCR0,
// PCR1, PCR2 all zero), and display fields (module_id, timestamp, digest, nonce, public_key).
Claims NitroClaims(const nitro::Document& document);

// True iff PCR0, PCR1 and PCR2 are present and all zero: an enclave run with --debug-mode.
bool NitroDebugMode(const nitro::Payload& payload);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_NITRO_APPRAISE_H_
