#include "confide/crypto/ecdh.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "confide/crypto/internal/openssl_handles.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto {

Result<SecretBytes> Ecdh(const PrivateKey& own, const PublicKey& peer) {
  KeyType type = own.type();
  if (type != peer.type()) return InvalidArgumentError("ecdh: key types differ");
  if (type == KeyType::kRsa || type == KeyType::kOther) {
    return InvalidArgumentError("ecdh: key type is not DH-capable");
  }
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.handle().pkey.get(), nullptr));
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1) {
    return internal::OpensslError("ecdh: init");
  }
  // validate_peer = 1: OpenSSL checks the peer point (on the curve, right group) before use.
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.handle().pkey.get(), 1) != 1) {
    internal::DrainErrors();
    return VerificationFailedError("ecdh: peer public key rejected");
  }
  size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) return internal::OpensslError("ecdh: size");
  SecretBytes shared(len);
  if (EVP_PKEY_derive(ctx.get(), shared.MutableExpose().data(), &len) != 1) {
    // OpenSSL's X25519 itself fails on an all-zero result (low-order peer point).
    internal::DrainErrors();
    return VerificationFailedError("ecdh: derivation failed for this peer key");
  }
  shared.Truncate(len);
  if (type == KeyType::kX25519) {
    // RFC 7748 §6.1 / RFC 9180 §7.1.4: reject the all-zero output of a low-order point. Checked
    // here too so the rule does not depend on the OpenSSL version.
    static const uint8_t kZeros[32] = {};
    if (len != 32 || CRYPTO_memcmp(shared.Expose().data(), kZeros, 32) == 0) {
      return VerificationFailedError("ecdh: X25519 output is all zero (low-order peer point)");
    }
  }
  return shared;
}

}  // namespace confide::crypto
