#include "confide/crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <memory>
#include <string>

#include "confide/base/check.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto {
namespace {

struct MacCtxFree { void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); } };
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// The "HMAC" implementation, fetched once. Thread safe (EVP_MAC is immutable after fetch).
EVP_MAC* HmacMac() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  CONFIDE_CHECK(mac != nullptr);
  return mac;
}

// A context keyed with `key` for `alg`. OpenSSL needs a non-null key pointer even when empty.
MacCtxPtr NewHmacCtx(HashAlg alg, ByteSpan key) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(HmacMac()));
  CONFIDE_CHECK(ctx != nullptr);
  std::string digest = EVP_MD_get0_name(internal::Md(alg));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
      OSSL_PARAM_construct_end()};
  static const uint8_t kEmpty = 0;
  const uint8_t* key_ptr = key.empty() ? &kEmpty : key.data();
  CONFIDE_CHECK(EVP_MAC_init(ctx.get(), key_ptr, key.size(), params) == 1);
  return ctx;
}

// Finishes `ctx` into `out` (exactly the digest size).
void FinishInto(EVP_MAC_CTX* ctx, MutableByteSpan out) {
  size_t len = 0;
  CONFIDE_CHECK(EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1);
  CONFIDE_CHECK(len == out.size());
}

}  // namespace

Bytes Hmac(HashAlg alg, ByteSpan key, ByteSpan data) {
  MacCtxPtr ctx = NewHmacCtx(alg, key);
  CONFIDE_CHECK(EVP_MAC_update(ctx.get(), data.data(), data.size()) == 1);
  Bytes tag(DigestSize(alg));
  FinishInto(ctx.get(), tag);
  return tag;
}

bool HmacVerify(HashAlg alg, ByteSpan key, ByteSpan data, ByteSpan tag, size_t min_tag_size) {
  Bytes expected = Hmac(alg, key, data);
  if (tag.size() > expected.size() || tag.size() < min_tag_size || tag.empty()) return false;
  return CRYPTO_memcmp(expected.data(), tag.data(), tag.size()) == 0;
}

SecretBytes HkdfExtract(HashAlg alg, ByteSpan salt, ByteSpan ikm) {
  // RFC 5869 §2.2: an absent salt is HashLen zero bytes, which HMAC pads to the same block as an
  // empty key, so the empty salt needs no special case.
  MacCtxPtr ctx = NewHmacCtx(alg, salt);
  CONFIDE_CHECK(EVP_MAC_update(ctx.get(), ikm.data(), ikm.size()) == 1);
  SecretBytes prk(DigestSize(alg));
  FinishInto(ctx.get(), prk.MutableExpose());
  return prk;
}

Result<SecretBytes> HkdfExpand(HashAlg alg, ByteSpan prk, ByteSpan info, size_t length) {
  const size_t hash_len = DigestSize(alg);
  if (length > 255 * hash_len) {
    return InvalidArgumentError("hkdf expand: length exceeds 255 * digest size");
  }
  if (prk.size() < hash_len) return InvalidArgumentError("hkdf expand: prk shorter than digest");
  SecretBytes okm(length);
  SecretBytes block(hash_len);  // T(i), RFC 5869 §2.3
  size_t done = 0;
  for (uint8_t i = 1; done < length; ++i) {
    MacCtxPtr ctx = NewHmacCtx(alg, prk);
    if (i > 1) CONFIDE_CHECK(EVP_MAC_update(ctx.get(), block.Expose().data(), hash_len) == 1);
    CONFIDE_CHECK(EVP_MAC_update(ctx.get(), info.data(), info.size()) == 1);
    CONFIDE_CHECK(EVP_MAC_update(ctx.get(), &i, 1) == 1);
    FinishInto(ctx.get(), block.MutableExpose());
    size_t take = std::min(hash_len, length - done);
    std::copy_n(block.Expose().begin(), take, okm.MutableExpose().begin() + done);
    done += take;
  }
  return okm;
}

Result<SecretBytes> Hkdf(HashAlg alg, ByteSpan salt, ByteSpan ikm, ByteSpan info, size_t length) {
  SecretBytes prk = HkdfExtract(alg, salt, ikm);
  return HkdfExpand(alg, prk.Expose(), info, length);
}

}  // namespace confide::crypto
