#include "confide/crypto/aead.h"

#include <openssl/evp.h>

#include <climits>
#include <memory>

#include "confide/base/check.h"
#include "confide/base/secret.h"
#include "confide/crypto/internal/gcm_long_iv.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto {
namespace {

// OpenSSL 3.0's GCM provider keeps at most this many IV bytes (GCM_IV_MAX_SIZE).
constexpr size_t kMaxOpensslGcmIvSize = 128;

struct CipherCtxFree { void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); } };
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

bool IsGcm(AeadAlg alg) { return alg != AeadAlg::kChaCha20Poly1305; }

// Explicitly fetched ciphers (fetched once; EVP_CIPHER objects are immutable and thread safe),
// which spares OpenSSL an implicit fetch on every EVP_CipherInit_ex.
const EVP_CIPHER* Cipher(AeadAlg alg) {
  static EVP_CIPHER* const aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  static EVP_CIPHER* const aes192 = EVP_CIPHER_fetch(nullptr, "AES-192-GCM", nullptr);
  static EVP_CIPHER* const aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  static EVP_CIPHER* const chacha = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  switch (alg) {
    case AeadAlg::kAes128Gcm: return aes128;
    case AeadAlg::kAes192Gcm: return aes192;
    case AeadAlg::kAes256Gcm: return aes256;
    case AeadAlg::kChaCha20Poly1305: return chacha;
  }
  return nullptr;
}

// True if `a` and `b` overlap without being the same range (in-place use must be exact).
bool PartiallyOverlap(ByteSpan a, ByteSpan b) {
  if (a.empty() || b.empty() || a.data() == b.data()) return false;
  auto a0 = reinterpret_cast<uintptr_t>(a.data()), b0 = reinterpret_cast<uintptr_t>(b.data());
  return a0 < b0 + b.size() && b0 < a0 + a.size();
}

// Runs `in` through `ctx` into `out` in chunks that fit OpenSSL's int lengths.
bool UpdateAll(EVP_CIPHER_CTX* ctx, ByteSpan in, uint8_t* out) {
  size_t off = 0;
  while (off < in.size()) {
    int chunk = static_cast<int>(std::min<size_t>(in.size() - off, INT_MAX / 2));
    int len = 0;
    if (EVP_CipherUpdate(ctx, out + off, &len, in.data() + off, chunk) != 1 || len != chunk) {
      return false;
    }
    off += static_cast<size_t>(chunk);
  }
  return true;
}

// Sets the nonce of `ctx` (whose current IV length is *iv_len) for the next message.
Status SetNonce(EVP_CIPHER_CTX* ctx, size_t* iv_len, ByteSpan nonce) {
  if (nonce.size() != *iv_len) {
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()),
                            nullptr) != 1) {
      return internal::OpensslError("aead: set iv length");
    }
    *iv_len = nonce.size();
  }
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), -1) != 1) {
    return internal::OpensslError("aead: set iv");
  }
  return OkStatus();
}

Status CheckNonce(AeadAlg alg, ByteSpan nonce) {
  if (IsGcm(alg) ? nonce.empty() : nonce.size() != 12) {
    return InvalidArgumentError(IsGcm(alg) ? "aead: GCM nonce must not be empty"
                                           : "aead: ChaCha20-Poly1305 nonce must be 12 bytes");
  }
  return OkStatus();
}

}  // namespace

size_t AeadKeySize(AeadAlg alg) {
  switch (alg) {
    case AeadAlg::kAes128Gcm: return 16;
    case AeadAlg::kAes192Gcm: return 24;
    case AeadAlg::kAes256Gcm: return 32;
    case AeadAlg::kChaCha20Poly1305: return 32;
  }
  return 0;
}

size_t AeadNonceSize(AeadAlg) { return 12; }

// One keyed context per direction, re-initialised per message with only a new IV, so the key
// schedule runs once (Create) however many messages follow.
struct Aead::State {
  CipherCtxPtr enc{EVP_CIPHER_CTX_new()};
  CipherCtxPtr dec{EVP_CIPHER_CTX_new()};
  size_t enc_iv_len = 12;
  size_t dec_iv_len = 12;
  SecretBytes key;  // kept only for GCM IVs OpenSSL cannot take (internal/gcm_long_iv.h)
};

Aead::Aead(AeadAlg alg, std::unique_ptr<State> state) : alg_(alg), state_(std::move(state)) {}
Aead::~Aead() = default;
Aead::Aead(Aead&&) noexcept = default;
Aead& Aead::operator=(Aead&&) noexcept = default;

Result<Aead> Aead::Create(AeadAlg alg, ByteSpan key) {
  if (key.size() != AeadKeySize(alg)) {
    return InvalidArgumentError("aead: key must be " + std::to_string(AeadKeySize(alg)) + " bytes");
  }
  auto state = std::make_unique<State>();
  const EVP_CIPHER* cipher = Cipher(alg);
  if (cipher == nullptr || state->enc == nullptr || state->dec == nullptr ||
      EVP_CipherInit_ex(state->enc.get(), cipher, nullptr, key.data(), nullptr, 1) != 1 ||
      EVP_CipherInit_ex(state->dec.get(), cipher, nullptr, key.data(), nullptr, 0) != 1) {
    return internal::OpensslError("aead: init");
  }
  if (IsGcm(alg)) state->key = SecretBytes::CopyFrom(key);
  return Aead(alg, std::move(state));
}

Status Aead::SealInto(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext, MutableByteSpan out) {
  CONFIDE_TRY(CheckNonce(alg_, nonce));
  if (out.size() != plaintext.size() + kAeadTagSize || PartiallyOverlap(plaintext, out)) {
    return InvalidArgumentError("aead seal: output must be plaintext size + 16, not overlapping");
  }
  if (nonce.size() > kMaxOpensslGcmIvSize) {
    return internal::GcmLongIvSeal(state_->key.Expose(), nonce, aad, plaintext, out);
  }
  EVP_CIPHER_CTX* ctx = state_->enc.get();
  CONFIDE_TRY(SetNonce(ctx, &state_->enc_iv_len, nonce));
  int len = 0;
  if ((!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      !UpdateAll(ctx, plaintext, out.data()) ||
      EVP_CipherFinal_ex(ctx, out.data() + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagSize,
                          out.data() + plaintext.size()) != 1) {
    SecureWipe(out);
    return internal::OpensslError("aead seal");
  }
  return OkStatus();
}

Status Aead::OpenInto(ByteSpan nonce, ByteSpan aad, ByteSpan sealed, MutableByteSpan out) {
  CONFIDE_TRY(CheckNonce(alg_, nonce));
  if (sealed.size() < kAeadTagSize) return VerificationFailedError("aead open: shorter than tag");
  ByteSpan ct = sealed.first(sealed.size() - kAeadTagSize);
  if (out.size() != ct.size() || PartiallyOverlap(ct, out)) {
    return InvalidArgumentError("aead open: output must be sealed size - 16, not overlapping");
  }
  if (nonce.size() > kMaxOpensslGcmIvSize) {
    return internal::GcmLongIvOpen(state_->key.Expose(), nonce, aad, sealed, out);
  }
  EVP_CIPHER_CTX* ctx = state_->dec.get();
  CONFIDE_TRY(SetNonce(ctx, &state_->dec_iv_len, nonce));
  // OpenSSL reads the expected tag from this buffer; it is not modified.
  uint8_t tag[kAeadTagSize];
  std::copy(sealed.end() - kAeadTagSize, sealed.end(), tag);
  int len = 0;
  bool ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagSize, tag) == 1 &&
            (aad.empty() || EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1) &&
            UpdateAll(ctx, ct, out.data()) &&
            EVP_CipherFinal_ex(ctx, out.data() + ct.size(), &len) == 1;
  if (!ok) {
    SecureWipe(out);
    internal::DrainErrors();
    return VerificationFailedError("aead open: tag mismatch");
  }
  return OkStatus();
}

Result<Bytes> Aead::Seal(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext) {
  Bytes out(plaintext.size() + kAeadTagSize);
  CONFIDE_TRY(SealInto(nonce, aad, plaintext, out));
  return out;
}

Result<Bytes> Aead::Open(ByteSpan nonce, ByteSpan aad, ByteSpan sealed) {
  if (sealed.size() < kAeadTagSize) return VerificationFailedError("aead open: shorter than tag");
  Bytes out(sealed.size() - kAeadTagSize);
  CONFIDE_TRY(OpenInto(nonce, aad, sealed, out));
  return out;
}

Result<Bytes> AeadSeal(AeadAlg alg, ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan plaintext) {
  CONFIDE_ASSIGN_OR_RETURN(Aead aead, Aead::Create(alg, key));
  return aead.Seal(nonce, aad, plaintext);
}

Result<Bytes> AeadOpen(AeadAlg alg, ByteSpan key, ByteSpan nonce, ByteSpan aad, ByteSpan sealed) {
  CONFIDE_ASSIGN_OR_RETURN(Aead aead, Aead::Create(alg, key));
  return aead.Open(nonce, aad, sealed);
}

}  // namespace confide::crypto
