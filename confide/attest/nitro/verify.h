// Verification of an AWS Nitro attestation document: the COSE_Sign1 ES384 signature by the leaf
// `certificate`, and the chain leaf ← cabundle (root first, so used in reverse) → a pinned root
// (AwsNitroRoot(), or the simulator's) at an injected time. The outcome lists every check with a
// failure kind that the appraisal layer maps to reason codes; an Error means "could not decide".
//
//   CONFIDE_ASSIGN_OR_RETURN(Document doc, ParseDocument(bytes));
//   CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate root, AwsNitroRoot());
//   CONFIDE_ASSIGN_OR_RETURN(Verification v, VerifyDocument(doc, {.now = now,
//                                                                 .trusted_roots = {root}}));
//   if (!v.ok()) for (const CheckOutcome& c : v.checks) if (!c.passed) report(c.failure, c.detail);
#ifndef CONFIDE_ATTEST_NITRO_VERIFY_H_
#define CONFIDE_ATTEST_NITRO_VERIFY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/attest/nitro/document.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::nitro {

// The AWS Nitro Enclaves Root-G1 (CN=aws.nitro-enclaves, P-384, 2019-10-28..2049-10-28), embedded.
std::string_view AwsNitroRootPem();
// Parsed; kMalformed only if the embedded text were damaged (a bug).
Result<crypto::Certificate> AwsNitroRoot();

struct VerifyOptions {
  Time now;  // validity of every certificate in the path is judged here
  std::vector<crypto::Certificate> trusted_roots;  // e.g. {AwsNitroRoot()}; must not be empty
};

// Which check an outcome belongs to. Stable: the appraisal layer keys on it.
enum class Check {
  kSignature,  // ES384 over Sig_structure with the leaf certificate's P-384 key
  kChain,      // leaf → cabundle → a trusted root at `now`
};
const char* CheckName(Check check);  // "signature", "chain"

// Why a check failed. Stable; suggested reason codes in brackets.
enum class FailureKind {
  kNone,              // passed
  kSignatureInvalid,  // [SIGNATURE_INVALID] the COSE signature does not verify (or the leaf key
                      // is not P-384)
  kChainUntrusted,    // [CHAIN_UNTRUSTED] no path to a trusted root (empty cabundle, unknown
                      // issuer, bad link signature, CA constraints), or undecodable certificates
  kCertExpired,       // [CERT_EXPIRED] a certificate in the path is past notAfter at `now`
  kCertNotYetValid,   // [CERT_NOT_YET_VALID] a certificate is before notBefore at `now`
};
const char* FailureKindName(FailureKind kind);  // "signature_invalid", "cert_expired", ...

struct CheckOutcome {
  Check check;
  bool passed = false;
  std::string detail;
  FailureKind failure = FailureKind::kNone;  // kNone iff passed
};

struct Verification {
  std::vector<CheckOutcome> checks;                 // in the order of the Check enum
  std::optional<crypto::Certificate> reached_root;  // the trusted root of the path, when it passed

  bool ok() const;                            // every check passed
  std::vector<FailureKind> failures() const;  // the failure of each failed check, in order
};

// Runs both checks (it does not stop at the first failure). A leaf or cabundle certificate that
// is not DER fails the chain check (and, for the leaf, the signature check) rather than erroring.
// kInvalidArgument if trusted_roots is empty; kInternal if OpenSSL fails. Thread safe. Does not
// look at PCRs, user_data, nonce or the timestamp: that is appraisal.
Result<Verification> VerifyDocument(const Document& doc, const VerifyOptions& opts);

}  // namespace confide::attest::nitro

#endif  // CONFIDE_ATTEST_NITRO_VERIFY_H_
