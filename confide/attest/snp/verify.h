// Verification of an SEV-SNP report against its VEK (VCEK or VLEK) and the AMD chain: the report
// signature, VEK → ASK (VCEK) or ASVK (VLEK) → pinned ARK at an injected time, reported_tcb ==
// the VEK's SPLs, and chip_id == hwID. The outcome is a list of per-check results that the
// appraisal layer maps to stable reason codes; an Error means "could not decide".
//
//   CONFIDE_ASSIGN_OR_RETURN(Report report, ParseReport(bytes));
//   VekChain chain{.vek = vcek, .ask = ask, .asvk = std::nullopt, .crls = {}};
//   CONFIDE_ASSIGN_OR_RETURN(auto arks, AmdArks());
//   CONFIDE_ASSIGN_OR_RETURN(Verification v, VerifyReport(report, chain, {.now = now,
//                                                                         .trusted_arks = arks}));
//   if (!v.ok()) for (const CheckOutcome& c : v.checks) if (!c.passed) report(c.failure, c.detail);
#ifndef CONFIDE_ATTEST_SNP_VERIFY_H_
#define CONFIDE_ATTEST_SNP_VERIFY_H_

#include <optional>
#include <string>
#include <vector>

#include "confide/attest/snp/report.h"
#include "confide/attest/snp/vek_extensions.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::snp {

// The certificates that endorse one report. `ask` is needed for VCEK-signed reports and `asvk`
// for VLEK-signed ones; the other may be absent. Only the one matching the report's SIGNING_KEY
// is offered to the chain builder, so a VLEK never chains through an ASK (or a VCEK via an ASVK).
struct VekChain {
  crypto::Certificate vek;
  std::optional<crypto::Certificate> ask;
  std::optional<crypto::Certificate> asvk;
  std::vector<crypto::Crl> crls;  // ARK-issued CRLs (of ASKs/ASVKs) and ASK-issued (of VCEKs)
};

struct VerifyOptions {
  Time now;                                       // certificate (and CRL) validity is judged here
  std::vector<crypto::Certificate> trusted_arks;  // pinned roots, e.g. AmdArks(); must not be empty
  // The product when the report cannot say (version 2 has no CPUID bytes). Used only if the
  // report's CPUID is unknown; then the VEK's productName is the last resort.
  Generation generation = Generation::kUnknown;
  bool require_crls = false;  // every CA in the path must have a CRL in VekChain::crls
};

// Which check an outcome belongs to. Stable: the appraisal layer keys on it.
enum class Check {
  kSignature,  // ECDSA P-384/SHA-384 over bytes 0x000..0x29F with the VEK key
  kChain,      // VEK → ASK/ASVK → trusted ARK at `now`, with CRLs
  kVekKind,    // the VEK certificate's kind (CN SEV-VCEK / SEV-VLEK) matches SIGNING_KEY
  kTcb,        // REPORTED_TCB == the VEK's SPL extensions (in the generation's layout)
  kChipId,     // CHIP_ID == the VCEK's hwID (Turin: first 8 bytes). VCEK-signed reports only.
};
const char* CheckName(Check check);  // "signature", "chain", "vek_kind", "tcb", "chip_id"

// Why a check failed. Stable; suggested reason codes in brackets.
enum class FailureKind {
  kNone,              // the check passed (or was skipped)
  kSignatureInvalid,  // [SIGNATURE_INVALID] the report signature does not verify
  kChainUntrusted,    // [CHAIN_UNTRUSTED] no path to a trusted ARK, a bad link signature, a bad
                      // or missing CRL, or a VEK whose kind contradicts SIGNING_KEY
  kCertExpired,       // [CERT_EXPIRED] a certificate in the path is past notAfter at `now`
  kCertNotYetValid,   // [CERT_EXPIRED, or its own code] a certificate is before notBefore
  kRevoked,           // [REVOKED] a certificate in the path is listed in a CRL
  kCrlExpired,        // [CHAIN_UNTRUSTED] a CRL is outside thisUpdate..nextUpdate at `now`
  kTcbMismatch,       // [TCB_MISMATCH] REPORTED_TCB differs from the VEK's SPLs
  kChipIdMismatch,    // [CHIP_ID_MISMATCH] CHIP_ID differs from the VCEK's hwID
};
const char* FailureKindName(FailureKind kind);  // "signature_invalid", "cert_expired", ...

struct CheckOutcome {
  Check check;
  bool passed = false;   // true also when skipped
  bool skipped = false;  // not applicable (e.g. chip_id with MASK_CHIP_KEY=1); `detail` says why
  std::string detail;    // human-readable: which certificate / field and why
  FailureKind failure = FailureKind::kNone;  // kNone iff passed
};

// Every check that ran, in the order of the Check enum. Trust the report only if ok().
struct Verification {
  Report report;
  Generation generation = Generation::kUnknown;  // the one the TCB was decoded with
  VekExtensions vek;
  std::vector<CheckOutcome> checks;

  bool ok() const;                            // every check passed
  std::vector<FailureKind> failures() const;  // the failure of each failed check, in order
};

// Runs every check (it does not stop at the first failure) and reports each one. The VEK kind
// comes from report.signing_key. Errors ("could not decide"): kInvalidArgument if trusted_arks is
// empty, if the ASK (VCEK) or ASVK (VLEK) is missing, or if no generation can be determined
// (CPUID, options, productName); kUnsupported if SIGNING_KEY is 7 (the report is unsigned);
// kMalformed if the VEK's AMD extensions do not parse (or a Turin VEK lacks fmcSPL, or a VCEK
// lacks hwID); kInternal if OpenSSL fails. Thread safe. Does not look at policy, measurement,
// report_data or the TCB's freshness: that is appraisal.
Result<Verification> VerifyReport(const Report& report, const VekChain& chain,
                                  const VerifyOptions& opts);

// Parses `report_bytes` (ParseReport's errors) and verifies them as above.
Result<Verification> VerifyReportBytes(ByteSpan report_bytes, const VekChain& chain,
                                       const VerifyOptions& opts);

}  // namespace confide::attest::snp

#endif  // CONFIDE_ATTEST_SNP_VERIFY_H_
