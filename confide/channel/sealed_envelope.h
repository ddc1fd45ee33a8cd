// Sealed inference envelopes (docs/formats/sealed-request.md): an inference request HPKE-sealed to
// the TEE's attested HPKE key (the "hpke-pub" claim), carrying a fresh X25519 key to which the
// TEE seals the response, so untrusted proxies and load balancers see only ciphertext. Suite:
// DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM, base mode.
//
//   // Client (after appraising evidence whose claims bind `hpke_pub`):
//   CONFIDE_ASSIGN_OR_RETURN(SealedRequest req, SealRequest(hpke_pub, "mnist8", body));
//   ... POST req.wire to /v1/sealed/models/mnist8/infer, get `reply` ...
//   CONFIDE_ASSIGN_OR_RETURN(OpenedResponse res, OpenResponse(req, reply));
//   // Server:
//   CONFIDE_ASSIGN_OR_RETURN(OpenedRequest in, OpenRequest(hpke_key, "mnist8", wire));
//   CONFIDE_ASSIGN_OR_RETURN(Bytes out, SealResponse(in, 200, response_body));
#ifndef CONFIDE_CHANNEL_SEALED_ENVELOPE_H_
#define CONFIDE_CHANNEL_SEALED_ENVELOPE_H_

#include <optional>
#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/crypto/keys.h"

namespace confide::channel {

// An HTTP body and, for the binary-data extension, the length of its JSON head.
struct EnvelopeBody {
  std::string body;
  std::optional<size_t> json_len;
};

struct SealedRequest {
  Bytes wire;                       // POST body
  Bytes enc;                        // the request's HPKE enc (the response's AAD)
  crypto::PrivateKey response_key;  // X25519, opens the response; never leaves the client
};
// Seals `inner` for `model` to the raw X25519 `server_hpke_pub`. kInvalidArgument for a bad key;
// crypto errors pass through.
Result<SealedRequest> SealRequest(ByteSpan server_hpke_pub, std::string_view model,
                                  const EnvelopeBody& inner);

struct OpenedRequest {
  EnvelopeBody inner;
  Bytes enc;                       // to bind the response
  crypto::PublicKey response_pub;  // the client's X25519 key
};
// The server's side. kMalformed for a bad layout; kVerificationFailed when the HPKE open fails
// (wrong key, another model name in the path, tampering).
Result<OpenedRequest> OpenRequest(const crypto::PrivateKey& server_hpke_key, std::string_view model,
                                  ByteSpan wire);
// Seals an HTTP status and body back to the client of `request`.
Result<Bytes> SealResponse(const OpenedRequest& request, int status, const EnvelopeBody& body);

struct OpenedResponse {
  int status = 0;
  EnvelopeBody body;
};
// The client's side. kMalformed / kVerificationFailed as for OpenRequest.
Result<OpenedResponse> OpenResponse(const SealedRequest& request, ByteSpan wire);

}  // namespace confide::channel

#endif  // CONFIDE_CHANNEL_SEALED_ENVELOPE_H_
