#include "confide/crypto/ecdsa.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <memory>

#include "confide/base/check.h"
#include "confide/crypto/internal/openssl_handles.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto {
namespace {

struct EcdsaSigFree { void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); } };
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

Bytes ToDer(const ECDSA_SIG* sig) {
  uint8_t* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// Strict DER: parses, consumes everything, and re-encodes to the same bytes (rejects BER forms,
// non-minimal integers and trailing bytes). Empty on failure.
Bytes StrictDer(ByteSpan sig) {
  const uint8_t* p = sig.data();
  EcdsaSigPtr parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));  // NOLINT
  if (parsed == nullptr || p != sig.data() + sig.size()) return {};
  Bytes der = ToDer(parsed.get());
  if (!Equal(der, sig)) return {};
  return der;
}

// r || s raw form (each `component` bytes) to DER. The bytes beyond `field` in each component
// (leading for big-endian, trailing for little-endian) must be zero. Empty on failure.
Bytes RawToDer(ByteSpan sig, size_t field, size_t component, bool little_endian) {
  if (component < field || sig.size() != 2 * component) return {};
  EcdsaSigPtr out(ECDSA_SIG_new());
  BIGNUM* rs[2] = {nullptr, nullptr};
  for (int i = 0; i < 2; ++i) {
    ByteSpan c = sig.subspan(i * component, component);
    ByteSpan extra = little_endian ? c.subspan(field) : c.first(component - field);
    if (std::any_of(extra.begin(), extra.end(), [](uint8_t b) { return b != 0; })) {
      BN_free(rs[0]);
      return {};
    }
    ByteSpan value = little_endian ? c.first(field) : c.subspan(component - field);
    rs[i] = little_endian ? BN_lebin2bn(value.data(), static_cast<int>(field), nullptr)
                          : BN_bin2bn(value.data(), static_cast<int>(field), nullptr);
  }
  if (out == nullptr || rs[0] == nullptr || rs[1] == nullptr ||
      ECDSA_SIG_set0(out.get(), rs[0], rs[1]) != 1) {
    BN_free(rs[0]);
    BN_free(rs[1]);
    return {};
  }
  return ToDer(out.get());
}

// DER to r || s with each component `component` bytes (>= field), in the given byte order.
Result<Bytes> DerToRaw(ByteSpan der, size_t component, bool little_endian) {
  const uint8_t* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));  // NOLINT
  if (sig == nullptr) return internal::OpensslError("ecdsa: re-encode signature");
  Bytes out(2 * component);
  const BIGNUM* rs[2] = {ECDSA_SIG_get0_r(sig.get()), ECDSA_SIG_get0_s(sig.get())};
  for (int i = 0; i < 2; ++i) {
    uint8_t* dst = out.data() + i * component;
    int n = little_endian ? BN_bn2lebinpad(rs[i], dst, static_cast<int>(component))
                          : BN_bn2binpad(rs[i], dst, static_cast<int>(component));
    if (n < 0) return InternalError("ecdsa: signature component too large");
  }
  return out;
}

bool DigestVerify(EVP_PKEY* pkey, HashAlg hash, ByteSpan message, ByteSpan der, bool rsa_pss) {
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx.get(), &pctx, internal::Md(hash), nullptr, pkey) == 1;
  if (ok && rsa_pss) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, internal::Md(hash)) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx.get(), der.data(), der.size(), message.data(),
                              message.size()) == 1;
  internal::DrainErrors();
  return ok;
}

bool IsEcdsaKey(KeyType t) { return t == KeyType::kP256 || t == KeyType::kP384 || t == KeyType::kP521; }

}  // namespace

size_t CurveFieldSize(KeyType type) {
  switch (type) {
    case KeyType::kP256: return 32;
    case KeyType::kP384: return 48;
    case KeyType::kP521: return 66;
    default: return 0;
  }
}

Result<Bytes> EcdsaSign(const PrivateKey& key, HashAlg hash, ByteSpan message, SigFormat format,
                        size_t component_size) {
  size_t field = CurveFieldSize(key.type());
  if (!IsEcdsaKey(key.type())) return InvalidArgumentError("ecdsa sign: not a P-curve key");
  size_t component = component_size == 0 ? field : component_size;
  if (component < field) return InvalidArgumentError("ecdsa sign: component_size below field size");
  internal::MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, internal::Md(hash), nullptr,
                         key.handle().pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return internal::OpensslError("ecdsa sign");
  }
  Bytes der(len);
  if (EVP_DigestSign(ctx.get(), der.data(), &len, message.data(), message.size()) != 1) {
    return internal::OpensslError("ecdsa sign");
  }
  der.resize(len);
  switch (format) {
    case SigFormat::kDer: return der;
    case SigFormat::kRawBigEndian: return DerToRaw(der, component, /*little_endian=*/false);
    case SigFormat::kRawLittleEndian: return DerToRaw(der, component, /*little_endian=*/true);
  }
  return InvalidArgumentError("ecdsa sign: unknown format");
}

bool EcdsaVerify(const PublicKey& key, HashAlg hash, ByteSpan message, ByteSpan signature,
                 SigFormat format, size_t component_size) {
  KeyType type = key.type();
  if (!IsEcdsaKey(type)) return false;
  size_t field = CurveFieldSize(type);
  size_t component = component_size == 0 ? field : component_size;
  Bytes der;
  switch (format) {
    case SigFormat::kDer: der = StrictDer(signature); break;
    case SigFormat::kRawBigEndian: der = RawToDer(signature, field, component, false); break;
    case SigFormat::kRawLittleEndian: der = RawToDer(signature, field, component, true); break;
  }
  if (der.empty()) return false;
  return DigestVerify(key.handle().pkey.get(), hash, message, der, /*rsa_pss=*/false);
}

bool VerifySignature(const PublicKey& key, HashAlg hash, ByteSpan message, ByteSpan signature) {
  EVP_PKEY* pkey = key.handle().pkey.get();
  int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
    return DigestVerify(pkey, hash, message, signature, /*rsa_pss=*/true);
  }
  if (!IsEcdsaKey(key.type())) return false;
  return EcdsaVerify(key, hash, message, signature, SigFormat::kDer);
}

}  // namespace confide::crypto
