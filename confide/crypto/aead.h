// Authenticated encryption: AES-128/192/256-GCM, ChaCha20-Poly1305.
// Ciphertexts are ciphertext || 16-byte tag.
//
//   CONFIDE_ASSIGN_OR_RETURN(Aead aead, Aead::Create(AeadAlg::kAes256Gcm, key.Expose()));
//   CONFIDE_ASSIGN_OR_RETURN(Bytes sealed, aead.Seal(nonce, aad, plaintext));
//   CONFIDE_ASSIGN_OR_RETURN(Bytes opened, aead.Open(nonce, aad, sealed));
#ifndef CONFIDE_CRYPTO_AEAD_H_
#define CONFIDE_CRYPTO_AEAD_H_

#include <memory>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::crypto {

// kAes192Gcm exists for completeness (Wycheproof, interop); new formats should use 128 or 256.
enum class AeadAlg { kAes128Gcm, kAes256Gcm, kChaCha20Poly1305, kAes192Gcm };

size_t AeadKeySize(AeadAlg alg);    // 16, 24 or 32
size_t AeadNonceSize(AeadAlg alg);  // 12 (the standard size; GCM also accepts others, see Seal)
constexpr size_t kAeadTagSize = 16;

// A key scheduled once and reused for many messages (package chunks, HPKE contexts). Holds its
// own copy of the key inside OpenSSL's context, wiped on destruction. Not thread safe: use one
// Aead per thread.
class Aead {
 public:
  // kInvalidArgument if the key size is wrong for `alg`.
  static Result<Aead> Create(AeadAlg alg, ByteSpan key);
  ~Aead();
  Aead(Aead&&) noexcept;
  Aead& operator=(Aead&&) noexcept;

  AeadAlg alg() const { return alg_; }

  // Encrypts into `out`, which must be exactly plaintext.size() + kAeadTagSize bytes (it may alias
  // `plaintext` exactly for in-place use). Nonce: 12 bytes for ChaCha20-Poly1305; any non-zero
  // length for GCM (NIST SP 800-38D), though only 12 is recommended. GCM nonces longer than
  // 128 bytes (beyond OpenSSL 3.0's limit) take a slower path built on AES-ECB.
  // kInvalidArgument on bad sizes, or if `out` partially overlaps `plaintext`.
  Status SealInto(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext, MutableByteSpan out);
  // Decrypts `sealed` (ciphertext || tag) into `out` of exactly sealed.size() - kAeadTagSize bytes.
  // kVerificationFailed if the tag does not match; `out` is then zeroed, never partial plaintext.
  // Nonce rules and aliasing as for SealInto (`out` may alias the ciphertext part of `sealed`).
  Status OpenInto(ByteSpan nonce, ByteSpan aad, ByteSpan sealed, MutableByteSpan out);

  Result<Bytes> Seal(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext);
  Result<Bytes> Open(ByteSpan nonce, ByteSpan aad, ByteSpan sealed);

 private:
  struct State;
  Aead(AeadAlg alg, std::unique_ptr<State> state);
  AeadAlg alg_;
  std::unique_ptr<State> state_;
};

// One-shot forms of the above.
Result<Bytes> AeadSeal(AeadAlg alg, ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan plaintext);
Result<Bytes> AeadOpen(AeadAlg alg, ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan sealed);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_AEAD_H_
