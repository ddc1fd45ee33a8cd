// AWS Nitro Enclaves attestation documents (notes/protocols.md §4; aws-nitro-enclaves-nsm-api
// docs/attestation_process.md): a COSE_Sign1 (RFC 9052 §4.2), CBOR tag 18 optional,
//
//   [protected: bstr .cbor {1: -35 (ES384)}, unprotected: {} , payload: bstr .cbor AttestationDoc,
//    signature: bstr (96 bytes, r || s)]
//
// whose payload is the map {module_id, digest "SHA384", timestamp (ms), pcrs {index: bstr48},
// certificate (DER), cabundle [DER, root first], public_key?, user_data?, nonce?}.
// docs/formats/nitro-document.md describes the format and the limits below.
//
//   CONFIDE_ASSIGN_OR_RETURN(Document doc, ParseDocument(bytes));
//   Bytes to_be_signed = SigStructure(doc.protected_header, doc.payload_bytes);
#ifndef CONFIDE_ATTEST_NITRO_DOCUMENT_H_
#define CONFIDE_ATTEST_NITRO_DOCUMENT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::attest::nitro {

inline constexpr int64_t kCoseAlgEs384 = -35;
inline constexpr uint64_t kCoseSign1Tag = 18;

// Limits enforced by ParseDocument (the NSM's own limits, with room to spare).
inline constexpr size_t kMaxDocumentSize = 32 * 1024;  // the NSM response buffer is 12 KiB
inline constexpr size_t kMaxPayloadSize = 16 * 1024;   // attestation_process.md §2.2
inline constexpr size_t kMaxProtectedSize = 64;
inline constexpr size_t kMaxModuleIdSize = 256;
inline constexpr size_t kPcrSize = 48;              // SHA-384, the only digest Nitro uses
inline constexpr uint64_t kMaxPcrIndex = 31;        // 32 PCRs at most
inline constexpr size_t kMaxCertificateSize = 1024; // DER, per certificate
inline constexpr size_t kMaxCabundleSize = 8;       // AWS sends 4 (root + 3 intermediates)
inline constexpr size_t kMaxOptionalFieldSize = 1024;  // public_key, user_data, nonce (CDDL)
inline constexpr size_t kSignatureSize = 96;        // ES384: r || s, 48 bytes each

// The attestation document payload. Nothing in it is trusted before VerifyDocument.
struct Payload {
  std::string module_id;                 // non-empty, e.g. "i-0a22...-enc0191..."
  std::string digest;                    // always "SHA384"
  uint64_t timestamp_ms = 0;             // UTC milliseconds since the epoch
  std::map<uint32_t, Bytes> pcrs;        // index 0..31 -> 48 bytes; 1..32 entries
  Bytes certificate;                     // the leaf (DER), signs the document
  std::vector<Bytes> cabundle;           // DER, root first then intermediates (as AWS sends)
  std::optional<Bytes> public_key;       // absent or null -> nullopt
  std::optional<Bytes> user_data;
  std::optional<Bytes> nonce;
  bool operator==(const Payload&) const = default;
};

struct Document {
  bool tagged = false;     // began with CBOR tag 18
  Bytes protected_header;  // the protected bstr's contents, exactly as signed
  int64_t alg = 0;         // from the protected header; always kCoseAlgEs384 after parsing
  Bytes payload_bytes;     // the payload bstr's contents, exactly as signed
  Payload payload;
  Bytes signature;         // 96 bytes r || s
};

// Strict parser of untrusted bytes. kMalformed (with what and where) when: not one COSE_Sign1
// array of 4 (tag 18 allowed, no other tag), trailing bytes, any size or count limit above
// exceeded, a field of the wrong CBOR type, a missing required field (module_id, digest,
// timestamp, pcrs, certificate, cabundle), a duplicate or unknown payload key, a PCR index > 31 or
// duplicated, a PCR value not 48 bytes, indefinite lengths. kUnsupported: a protected header
// whose alg is not ES384 (-35), or a digest other than "SHA384". Tolerated as AWS's own
// libraries and blocky/nitrite do: an unprotected header that is null instead of a map (its
// contents are ignored, never trusted), `cabundle` null (then empty: the chain check fails).
Result<Document> ParseDocument(ByteSpan bytes);

// The COSE Sig_structure (RFC 9052 §4.4) that ES384 signs:
// ["Signature1", protected, h'', payload], deterministic encoding.
Bytes SigStructure(ByteSpan protected_header, ByteSpan payload_bytes);

// Encoders, for the simulator (same byte layout as the NSM's serde_cbor output: definite lengths,
// shortest heads, payload keys in AWS's order).
Bytes EncodeProtectedHeader(int64_t alg = kCoseAlgEs384);  // {1: alg}
Bytes EncodePayload(const Payload& payload);               // the payload map
// Untagged [protected, {}, payload, signature], as the NSM returns it.
Bytes EncodeCoseSign1(ByteSpan protected_header, ByteSpan payload_bytes, ByteSpan signature);

}  // namespace confide::attest::nitro

#endif  // CONFIDE_ATTEST_NITRO_DOCUMENT_H_
