// The NSM request/response messages of /dev/nsm (../shared/notes/protocols.md §4;
// aws/aws-nitro-enclaves-nsm-api src/api/mod.rs): serde-CBOR externally tagged enums. A struct
// variant is a one-entry map {variant name: {field: value}}, a unit variant its name as a text
// string, an error {"Error": "<code>"}. Encoded and decoded with libcbor.
//
//   Bytes req = EncodeAttestationRequest({.user_data = report_data});
//   ... ioctl ...
//   CONFIDE_ASSIGN_OR_RETURN(Bytes document, ParseAttestationResponse(response));
#ifndef CONFIDE_TEE_NITRO_NSM_MESSAGE_H_
#define CONFIDE_TEE_NITRO_NSM_MESSAGE_H_

#include <optional>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::tee::nitro {

inline constexpr size_t kNsmMaxRequestSize = 0x1000;   // the driver refuses larger (EMSGSIZE)
inline constexpr size_t kNsmMaxResponseSize = 0x3000;  // the response buffer nsm-api allocates

// Each field is a byte string, or CBOR null when absent (as serde encodes Option<ByteBuf>).
struct AttestationRequest {
  std::optional<Bytes> user_data;   // ≤ 512 bytes in practice; confide sends the 64-byte report data
  std::optional<Bytes> nonce;
  std::optional<Bytes> public_key;
};

// {"Attestation": {"user_data": .., "nonce": .., "public_key": ..}}.
Bytes EncodeAttestationRequest(const AttestationRequest& request);

// The document out of {"Attestation": {"document": bstr}}. For {"Error": "<code>"}: kUnavailable
// naming the code. kMalformed for anything else (not CBOR, trailing bytes, another variant, a
// missing or non-bytes document, indefinite-length items). Untrusted input.
Result<Bytes> ParseAttestationResponse(ByteSpan response);

// The inverse of EncodeAttestationRequest, for fakes and tests: kMalformed unless `request` is an
// Attestation request with exactly those three fields, each bytes or null.
Result<AttestationRequest> ParseAttestationRequest(ByteSpan request);
// {"Attestation": {"document": document}}, for fakes and tests.
Bytes EncodeAttestationResponse(ByteSpan document);

}  // namespace confide::tee::nitro

#endif  // CONFIDE_TEE_NITRO_NSM_MESSAGE_H_
