// Owner key push (`confide provision`, docs/server.md "Provisioning a model key"): the owner, after
// appraising the server, HPKE-seals the model key to the server's attested HPKE key and signs the
// sealed key with the package signer's key, so the server accepts a key only from the package's
// owner and only a key sent to this attested instance. Shared by the server and the client.
//
//   // Owner (client), after appraising evidence that binds hpke_pub:
//   CONFIDE_ASSIGN_OR_RETURN(Bytes sealed, SealProvisionKey(hpke_pub, name, digest, key));
//   CONFIDE_ASSIGN_OR_RETURN(std::string body, MakeProvisionBody(signer, digest, hpke_pub,
//   sealed));
//   ... POST body to /v1/provision/{name} over attested TLS ...
//   // Server:
//   CONFIDE_ASSIGN_OR_RETURN(ProvisionRequest req, ParseProvisionRequest(body));
//   if (!VerifyProvisionSignature(signer_pub, digest, hpke_pub, req)) refuse;
//   CONFIDE_ASSIGN_OR_RETURN(SecretBytes key, OpenProvisionKey(hpke_key, name, digest, req));
#ifndef CONFIDE_SERVER_PROVISION_REQUEST_H_
#define CONFIDE_SERVER_PROVISION_REQUEST_H_

#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/crypto/keys.h"
#include "confide/package/manifest.h"

namespace confide::server {

inline constexpr char kProvisionInfo[] = "confide provision v1";  // HPKE info prefix
inline constexpr char kProvisionContext[] = "confide provision signature v1";
// HPKE enc (X25519, 32) || AES-256-GCM ciphertext of the 32-byte key (48).
inline constexpr size_t kProvisionSealedKeySize = 80;
// Bodies larger than this are refused before parsing (a valid body is ~250 bytes).
inline constexpr size_t kMaxProvisionBodySize = 4096;

struct ProvisionRequest {
  Bytes sealed_key;  // kProvisionSealedKeySize bytes: enc || ciphertext
  Bytes signature;   // DER ECDSA P-256 SHA-256, at most 72 bytes
};

// Body: JSON {"sealed_key": base64, "signature": base64}, nothing else. kMalformed for a body
// over kMaxProvisionBodySize, not a JSON object, missing/extra/non-string members, bad base64,
// a sealed key of the wrong size or a signature longer than 72 bytes (the message names the
// member, never quotes the input).
Result<ProvisionRequest> ParseProvisionRequest(std::string_view body);
std::string SerializeProvisionRequest(const ProvisionRequest& req);

// HPKE info: kProvisionInfo || u16 BE len(model_name) || model_name || manifest_digest. Binds
// the sealed key to one model of one package.
Bytes ProvisionHpkeInfo(std::string_view model_name, const package::Digest& manifest_digest);
// The signed message: kProvisionContext || manifest_digest || hpke_pub || sealed_key.
Bytes ProvisionSignedMessage(const package::Digest& manifest_digest, ByteSpan hpke_pub,
                             ByteSpan sealed_key);

// Seals the 32-byte `key` to `hpke_pub` (raw X25519, 32 bytes): DHKEM(X25519, HKDF-SHA256) /
// HKDF-SHA256 / AES-256-GCM, base mode, info ProvisionHpkeInfo, empty aad. kInvalidArgument for
// a key that is not 32 bytes or a bad public key.
Result<Bytes> SealProvisionKey(ByteSpan hpke_pub, std::string_view model_name,
                               const package::Digest& manifest_digest, const SecretBytes& key);
// The inverse with the server's HPKE private key. kVerificationFailed when it does not open
// (other recipient, other model or package, tampering); kMalformed when it opens to a wrong size.
Result<SecretBytes> OpenProvisionKey(const crypto::PrivateKey& hpke_key,
                                     std::string_view model_name,
                                     const package::Digest& manifest_digest, ByteSpan sealed_key);

// Signs / verifies ProvisionSignedMessage with the package signer's P-256 key (SHA-256, DER).
Result<Bytes> SignProvision(const crypto::PrivateKey& signer,
                            const package::Digest& manifest_digest, ByteSpan hpke_pub,
                            ByteSpan sealed_key);
bool VerifyProvisionSignature(const crypto::PublicKey& signer,
                              const package::Digest& manifest_digest, ByteSpan hpke_pub,
                              const ProvisionRequest& req);

}  // namespace confide::server

#endif  // CONFIDE_SERVER_PROVISION_REQUEST_H_
