// Intel DCAP collateral: what verifies a quote's TCB offline (TCB info, QE identity, their
// issuer chain, the PCK and root CRLs and the PCK CRL issuer chain), its loaders and encoding,
// and its verification at an injected time against the pinned Intel SGX Root CA.
//
//   CONFIDE_ASSIGN_OR_RETURN(IntelCollateral c, ParseDcapQvlCollateral(json_text));
//   CONFIDE_ASSIGN_OR_RETURN(VerifiedCollateral v, VerifyCollateral(c, intel_root, now));
//   if (!v.ok()) -> CollateralFailureReasonName(v.failure) ; else use v.tcb_info, v.crls ...
//
// The encoding in EvidenceBundle.endorsements (EncodeIntelCollateral) is UTF-8 JSON, one object
// with exactly the keys of dcap-qvl's collateral files (docs/formats/intel-collateral.md):
//   {"tcb_info_issuer_chain": PEM, "tcb_info": the exact signed text, "tcb_info_signature": hex
//    r||s, "qe_identity_issuer_chain": PEM, "qe_identity": text, "qe_identity_signature": hex,
//    "pck_crl_issuer_chain": PEM, "root_ca_crl": hex DER, "pck_crl": hex DER}
// Empty members (absent pieces) are omitted.
#ifndef CONFIDE_ATTEST_INTEL_COLLATERAL_H_
#define CONFIDE_ATTEST_INTEL_COLLATERAL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/attest/intel/qe_identity.h"
#include "confide/attest/intel/tcb_info.h"
#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::intel {

// Every member may be empty (not supplied); VerifyCollateral says what it requires.
struct IntelCollateral {
  std::string tcb_info_json;          // the exact bytes of the signed "tcbInfo" value
  Bytes tcb_info_signature;           // ECDSA-P256 r||s (64 B), over tcb_info_json
  std::string tcb_info_issuer_chain;  // PEM: Intel SGX TCB Signing, then the root (optional)
  std::string qe_identity_json;       // the exact bytes of the signed "enclaveIdentity" value
  Bytes qe_identity_signature;
  std::string qe_identity_issuer_chain;  // PEM, as tcb_info_issuer_chain
  Bytes pck_crl;                         // DER CRL of the PCK Platform or Processor CA
  std::string pck_crl_issuer_chain;      // PEM: that CA, then the root
  Bytes root_ca_crl;                     // DER CRL of the Intel SGX Root CA

  bool operator==(const IntelCollateral&) const = default;
};

// A signed PCS JSON body and its signature.
struct SignedJson {
  std::string json;  // exact bytes of the value of `key`
  Bytes signature;   // decoded from the "signature" hex
};

// A PCS response body `{"<key>":{…},"signature":"<hex>"}` (key "tcbInfo" or "enclaveIdentity"):
// returns the value's exact text, byte for byte as received, and the signature. kMalformed when
// the body is not one JSON object, `key` is missing or not an object, or the signature is not
// 64 bytes of hex.
Result<SignedJson> ParsePcsSignedJson(std::string_view body, std::string_view key);

// dcap-qvl's collateral JSON (the vectors' *.collateral.json) and our endorsements encoding
// (the same format): the keys listed above, every one optional; unknown keys are ignored.
// kMalformed on bad JSON, a non-string member, bad hex, or a signature that is not 64 bytes.
Result<IntelCollateral> ParseDcapQvlCollateral(std::string_view json_text);
Result<IntelCollateral> DecodeIntelCollateral(ByteSpan bytes);   // = the above, over bytes
Bytes EncodeIntelCollateral(const IntelCollateral& collateral);  // deterministic (sorted keys)

// Why collateral was rejected. Stable names; the Intel appraisal maps them to reason codes.
enum class CollateralFailure {
  kNone,
  kMissing,         // a required piece is absent (see VerifyCollateral)
  kChainUntrusted,  // an issuer chain does not end at the pinned root, or wrong CA
  kCertExpired,     // a certificate of an issuer chain is expired at `now`  -> CERT_EXPIRED
  kCertNotYetValid,
  kRevoked,            // a CA of an issuer chain is listed in the root CRL
  kSignatureInvalid,   // TCB info / QE identity signature does not verify
  kCrlInvalid,         // a CRL signature does not verify or no issuer for it
  kCollateralExpired,  // now outside issueDate..nextUpdate, or a CRL past nextUpdate
                       // (or before thisUpdate)                  -> COLLATERAL_EXPIRED
};

// "SIGNATURE_INVALID", "CERT_EXPIRED", "COLLATERAL_EXPIRED", "CHAIN_UNTRUSTED", "CRL_INVALID",
// "REVOKED", "CERT_NOT_YET_VALID", "MISSING", "OK": the attest ReasonName of the matching
// reason code where one exists. Static storage.
std::string_view CollateralFailureName(CollateralFailure f);

struct VerifiedCollateral {
  CollateralFailure failure = CollateralFailure::kNone;
  std::string detail;  // which piece and why, e.g. "tcb info: nextUpdate 2025-07-19T10:00:35Z"
  // Set when the piece was supplied, parsed and its signature verified (even if a later check,
  // e.g. the window, failed).
  std::optional<TcbInfo> tcb_info;
  std::optional<QeIdentity> qe_identity;
  // The CRLs whose signatures verified (root CRL first, then the PCK CRL): pass them to
  // crypto::VerifyChain for the quote's PCK chain with require_crls.
  std::vector<crypto::Crl> crls;

  bool ok() const { return failure == CollateralFailure::kNone; }
};

struct CollateralOptions {
  Time now{};
  bool require_qe_identity = true;
  bool require_crls = true;  // both the root CRL and the PCK CRL
  // Certificates that may issue the PCK CRL when pck_crl_issuer_chain is empty: the quote's PCK
  // chain (leaf, PCK CA, root) is the usual source.
  std::vector<crypto::Certificate> pck_crl_issuers;
};

// Verifies, at opts.now, in this order (the first failure is reported):
//  1. presence: tcb info always; QE identity and the two CRLs when required (kMissing);
//  2. each issuer chain (TCB Signing -> root; the 2018 and 2025 TCB Signing certificates share a
//     key, so whichever is supplied is checked at `now`) ends at `intel_root` (kChainUntrusted,
//     kCertExpired, kCertNotYetValid, and kRevoked against the root CRL when given);
//     an empty issuer chain is kMissing; the TCB info / QE identity chain must start with CN
//     "Intel SGX TCB Signing" and the PCK CRL chain with a PCK Platform/Processor CA
//     (kChainUntrusted otherwise: a PCK leaf also chains to the root);
//  3. ECDSA-P256/SHA-256 over the exact TCB info / QE identity text (kSignatureInvalid), then
//     parsing (Error kMalformed / kUnsupported);
//  4. the root CRL signed by the root, the PCK CRL signed by the PCK CRL issuer (kCrlInvalid);
//  5. windows: issueDate <= now <= nextUpdate for both JSONs, thisUpdate <= now <= nextUpdate
//     for both CRLs (kCollateralExpired).
// Error only for malformed input (undecodable PEM / DER / JSON); "no" is a failure.
Result<VerifiedCollateral> VerifyCollateral(const IntelCollateral& collateral,
                                            const crypto::Certificate& intel_root,
                                            const CollateralOptions& opts);

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_COLLATERAL_H_
