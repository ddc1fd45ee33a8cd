// One sealing API over every Platform: data sealed to this code (kMeasurement) or to its signer
// (kSigner) under Platform::SealingKey, as a versioned AES-256-GCM blob whose header (version,
// binding, label) is in the associated data (docs/formats/sealed-blob.md). Works where the
// platform has a sealing key: the simulator, SGX (Gramine), SEV-SNP (derived key). On TDX and
// Nitro Seal and Unseal fail kUnsupported: those TEEs have no hardware sealing key and rely on
// the key broker.
//
//   CONFIDE_ASSIGN_OR_RETURN(Bytes blob, Seal(tee, SealBinding::kMeasurement, "state", data, aad));
//   CONFIDE_ASSIGN_OR_RETURN(SecretBytes data, Unseal(tee, SealBinding::kMeasurement, "state",
//                                                    blob, aad));
#ifndef CONFIDE_TEE_SEAL_SEALED_BLOB_H_
#define CONFIDE_TEE_SEAL_SEALED_BLOB_H_

#include <array>
#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/tee/platform.h"

namespace confide::tee {

inline constexpr uint16_t kSealedBlobVersion = 1;
inline constexpr size_t kSealedBlobMaxLabel = 255;
inline constexpr size_t kSealedBlobNonceSize = 12;

// The parsed, still encrypted blob. Nothing in it is trusted until Unseal's tag check passes.
struct SealedBlob {
  SealBinding binding = SealBinding::kMeasurement;
  std::string label;                                    // 1..255 bytes
  std::array<uint8_t, kSealedBlobNonceSize> nonce{};
  Bytes ciphertext;                                     // ciphertext || 16-byte tag

  bool operator==(const SealedBlob&) const = default;
};

// Structure only (no key, no tag check). kMalformed: short, bad magic, unknown binding or
// algorithm, empty label, ciphertext shorter than a tag; kUnsupported: another version.
// For every accepted input, SerializeSealedBlob(*ParseSealedBlob(b)) == b.
Result<SealedBlob> ParseSealedBlob(ByteSpan blob);
// Precondition: label 1..255 bytes, ciphertext ≥ 16 bytes (aborts otherwise).
Bytes SerializeSealedBlob(const SealedBlob& blob);
// The blob's header bytes (everything before the nonce): the first part of the AEAD's AAD.
Bytes SealedBlobHeader(SealBinding binding, std::string_view label);

// Encrypts `plaintext` under platform.SealingKey(binding, "confide sealed blob v1: " + label)
// with a fresh random nonce; AAD = header || `aad`. kInvalidArgument for an empty or > 255-byte
// label; the platform's error otherwise (kUnsupported on TDX and Nitro).
Result<Bytes> Seal(Platform& platform, SealBinding binding, std::string_view label,
                   ByteSpan plaintext, ByteSpan aad);
// The inverse. The caller names the binding and label it expects; a blob sealed with others is
// kVerificationFailed. kVerificationFailed too when the tag fails: sealed by other code (another
// measurement or signer), on another platform, with another aad, or tampered with. Never returns
// partial plaintext. Parse errors as ParseSealedBlob; the platform's errors as Seal.
Result<SecretBytes> Unseal(Platform& platform, SealBinding binding, std::string_view label,
                           ByteSpan blob, ByteSpan aad);

}  // namespace confide::tee

#endif  // CONFIDE_TEE_SEAL_SEALED_BLOB_H_
