// Model key files (docs/formats/package.md §7): the 256-bit key that decrypts one package, either
// in the clear for the owner (mode 0600), or HPKE-sealed to a key broker's X25519 public key so
// that only the broker (and, after attestation, the TEE) can read it.
//
//   SecretBytes file = SerializeModelKey(key);                   // write with mode 0600
//   CONFIDE_ASSIGN_OR_RETURN(SecretBytes key, ParseModelKey(file.Expose()));
//   CONFIDE_ASSIGN_OR_RETURN(Bytes sealed, SealModelKey(key, kbs_pub, manifest_digest));
#ifndef CONFIDE_PACKAGE_MODEL_KEY_H_
#define CONFIDE_PACKAGE_MODEL_KEY_H_

#include <array>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/crypto/keys.h"
#include "confide/package/manifest.h"

namespace confide::package {

inline constexpr std::array<uint8_t, 8> kModelKeyMagic = {'C', 'F', 'M', 'O', 'D', 'K', 'E', 'Y'};
inline constexpr std::array<uint8_t, 8> kSealedKeyMagic = {'C', 'F', 'M', 'K', 'S', 'E', 'A', 'L'};
inline constexpr size_t kModelKeyFileSize = 48;
inline constexpr size_t kSealedKeyFileSize = 128;

// magic || u16 LE version 1 || u16 LE aead 2 (AES-256-GCM, RFC 9180 numbering) || 4 zero bytes
// || key (32). Precondition: key.size() == 32 (CONFIDE_CHECK). The result holds the key, so it
// is SecretBytes.
SecretBytes SerializeModelKey(const SecretBytes& key);
// The inverse. kMalformed (magic, size, reserved bytes, trailing bytes; the message never quotes
// the input) or kUnsupported (version, aead).
Result<SecretBytes> ParseModelKey(ByteSpan file);

// A model key sealed with HPKE base mode, suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
// AES-256-GCM, info "confide-pkg-v1 model key", aad = the package's manifest digest (so a sealed
// key names the one package it opens).
struct SealedModelKey {
  Digest manifest_digest{};
  Bytes enc;         // 32 bytes
  Bytes ciphertext;  // 48 bytes: sealed key || tag
};

// Seals `key` to `recipient` (an X25519 public key). kInvalidArgument if the recipient is not
// X25519 or the key is not 32 bytes; HPKE errors pass through.
Result<SealedModelKey> SealModelKey(const SecretBytes& key, const crypto::PublicKey& recipient,
                                    const Digest& manifest_digest);
// magic || u16 LE version 1 || u16 LE kem 0x0020 || u16 LE kdf 0x0001 || u16 LE aead 0x0002
// || manifest_digest (32) || enc (32) || ciphertext (48): 128 bytes.
Bytes SerializeSealedModelKey(const SealedModelKey& sealed);
// kMalformed / kUnsupported as for ParseModelKey. Trusts nothing.
Result<SealedModelKey> ParseSealedModelKey(ByteSpan file);
// The broker's side: opens the key with its X25519 private key. kVerificationFailed if the key
// or the manifest digest does not match.
Result<SecretBytes> OpenSealedModelKey(const SealedModelKey& sealed,
                                       const crypto::PrivateKey& recipient);

}  // namespace confide::package

#endif  // CONFIDE_PACKAGE_MODEL_KEY_H_
