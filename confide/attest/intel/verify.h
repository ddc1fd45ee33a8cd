// Cryptographic verification of an Intel DCAP quote (SGX v3, TDX v4/v5): the quote signature by
// the attestation key over header || body, the attestation key's binding in the QE report data,
// the QE report signature by the PCK key, and the PCK chain (leaf → PCK Platform/Processor CA →
// Intel SGX Root CA) at an injected time with the optional PCK and root CRLs. The embedded root
// must be byte-identical to a trusted root. The outcome is a list of per-check results that the
// appraisal layer maps to reason codes; an Error means "could not decide".
//
// Not here (collateral side, A2): QE identity, TCB info / TCB status, collateral signatures.
//
//   CONFIDE_ASSIGN_OR_RETURN(Quote q, ParseQuote(bytes));
//   CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate root, IntelSgxRootCa());
//   CONFIDE_ASSIGN_OR_RETURN(Verification v,
//       VerifyQuote(q, {.now = now, .trusted_roots = {root}, .crls = {pck_crl, root_crl}}));
//   if (!v.ok()) for (const CheckOutcome& c : v.checks) if (!c.passed) report(c.failure);
#ifndef CONFIDE_ATTEST_INTEL_VERIFY_H_
#define CONFIDE_ATTEST_INTEL_VERIFY_H_

#include <optional>
#include <string>
#include <vector>

#include "confide/attest/intel/quote.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::intel {

struct VerifyOptions {
  Time now;                                   // certificate and CRL validity are judged here
  std::vector<crypto::Certificate> trusted_roots;  // e.g. {IntelSgxRootCa()}; must not be empty
  std::vector<crypto::Crl> crls;              // PCK Platform/Processor CA CRL, Root CA CRL
  bool require_crls = false;                  // every CA in the path must have a CRL in `crls`
};

// Which check an outcome belongs to. Stable: the appraisal layer keys on it.
enum class Check {
  kQuoteSignature,     // ECDSA P-256/SHA-256 over signed_bytes with the attestation key
  kKeyBinding,         // QE REPORTDATA == SHA-256(attestation key || QE auth data) || 0^32
  kQeReportSignature,  // ECDSA P-256/SHA-256 over the 384-byte QE report with the PCK key
  kPckChain,           // PCK leaf → CA → trusted root at `now`, CRLs; embedded root == trusted
};
const char* CheckName(Check check);  // "quote_signature", "key_binding", ...

// Why a check failed. Stable; suggested reason codes in brackets.
enum class FailureKind {
  kNone,              // the check passed
  kSignatureInvalid,  // [SIGNATURE_INVALID] quote or QE report signature does not verify
  kKeyBindingInvalid, // [SIGNATURE_INVALID] the QE report does not commit to the attestation key
  kChainUntrusted,    // [CHAIN_UNTRUSTED] unparsable chain, no path to a trusted root, a bad
                      // link signature, a bad CRL, or an embedded root that is not trusted
  kCertExpired,       // [CERT_EXPIRED] a certificate in the path is past notAfter at `now`
  kCertNotYetValid,   // [CERT_NOT_YET_VALID] a certificate is before notBefore at `now`
  kRevoked,           // [REVOKED] a certificate in the path is listed in a CRL
  kCrlExpired,        // [COLLATERAL_EXPIRED] a CRL is outside thisUpdate..nextUpdate at `now`
  kCrlInvalid,        // [CRL_INVALID] a CRL's signature does not verify, or a required one lacks
};
const char* FailureKindName(FailureKind kind);  // "signature_invalid", "cert_expired", ...

struct CheckOutcome {
  Check check;
  bool passed = false;
  std::string detail;                         // which key / certificate and why
  FailureKind failure = FailureKind::kNone;   // kNone iff passed
};

// Every check that ran, in the order of the Check enum. Trust the quote only if ok().
struct Verification {
  Quote quote;
  // The PCK certificates as sent (leaf first), when they parse; the leaf carries the SGX
  // extensions (FMSPC, PCE id, TCB) that TCB info evaluation needs.
  std::vector<crypto::Certificate> pck_chain;
  std::vector<CheckOutcome> checks;

  bool ok() const;
  std::vector<FailureKind> failures() const;  // the failure of each failed check, in order
  const crypto::Certificate* pck_leaf() const {
    return pck_chain.empty() ? nullptr : &pck_chain.front();
  }
};

// Runs every check (it does not stop at the first failure). A PCK chain that does not parse is a
// kChainUntrusted outcome (and the QE report signature then fails: no PCK key), not an Error.
// Errors: kInvalidArgument if trusted_roots is empty; kInternal if OpenSSL fails. Thread safe.
// Does not look at the QE identity, the TCB, measurements, debug bits or report data.
Result<Verification> VerifyQuote(const Quote& quote, const VerifyOptions& opts);

// ParseQuote's errors, then VerifyQuote.
Result<Verification> VerifyQuoteBytes(ByteSpan bytes, const VerifyOptions& opts);

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_VERIFY_H_
