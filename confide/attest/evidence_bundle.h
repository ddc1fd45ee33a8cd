// The evidence bundle: evidence, its endorsements and its binding claims in one tagged CBOR item.
// It is the value of the attested-TLS certificate extension 2.23.133.5.4.9 (CCC "Interoperable
// RA-TLS": tagged CBOR whose tag names the evidence format) and the body of evidence in the
// attestation API. docs/formats/evidence-bundle.md specifies it:
//
//   bundle = #6.<tag>([ evidence: bstr, claims: bstr, ? endorsements: bstr ])
//   tag 60000: Intel SGX/TDX ECDSA quote (CCC); 60100: AMD SEV-SNP ATTESTATION_REPORT, with the
//   extended report's certificate table as endorsements; 60101: AWS Nitro attestation document.
//
//   Bytes cbor = EncodeEvidenceBundle(bundle);
//   CONFIDE_ASSIGN_OR_RETURN(EvidenceBundle b, DecodeEvidenceBundle(cbor));
#ifndef CONFIDE_ATTEST_EVIDENCE_BUNDLE_H_
#define CONFIDE_ATTEST_EVIDENCE_BUNDLE_H_

#include <cstdint>

#include "confide/attest/evidence.h"
#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::attest {

// The X.509 extension that carries a bundle (TCG DICE "conceptual message wrapper", formerly
// "tagged evidence"); non-critical, as OpenSSL rejects unknown critical extensions.
inline constexpr char kEvidenceExtensionOid[] = "2.23.133.5.4.9";

inline constexpr uint64_t kTagIntelQuote = 60000;  // CCC interoperable RA-TLS, SGX/TDX quotes
inline constexpr uint64_t kTagSnpReport = 60100;   // confide: SEV-SNP report + cert table
inline constexpr uint64_t kTagNitroDocument = 60101;  // confide: Nitro COSE_Sign1 document

struct EvidenceBundle {
  TeeType tee = TeeType::kSevSnp;
  Bytes evidence;      // the report, quote or document, as the TEE emitted it
  Bytes claims;        // the binding claims (binding.h); report data = ReportDataFor(claims)
  Bytes endorsements;  // SNP: the certificate table; empty when none travel with the evidence

  bool operator==(const EvidenceBundle&) const = default;
};

// Deterministic encoding; `endorsements` is omitted when empty. SGX and TDX both use tag 60000.
Bytes EncodeEvidenceBundle(const EvidenceBundle& bundle);

// Strict decoding of untrusted bytes: exactly one tagged array of 2 or 3 byte strings with
// shortest-form heads, nothing after it. kMalformed otherwise; kUnsupported for an unknown tag.
// For tag 60000 the TEE type is read from the quote header (TEE type 0x81 = TDX, else SGX), if
// the quote is too short to say, kMalformed. Trusts nothing: does not parse the evidence itself.
// For every accepted input, EncodeEvidenceBundle(*DecodeEvidenceBundle(b)) == b.
Result<EvidenceBundle> DecodeEvidenceBundle(ByteSpan cbor);

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_EVIDENCE_BUNDLE_H_
