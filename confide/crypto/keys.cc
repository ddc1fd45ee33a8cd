#include "confide/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <string>

#include "confide/base/check.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/internal/openssl_handles.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto {
namespace {

using internal::BnPtr;

struct ParamBldFree { void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };

bool IsEc(KeyType type) {
  return type == KeyType::kP256 || type == KeyType::kP384 || type == KeyType::kP521;
}

int CurveNid(KeyType type) {
  switch (type) {
    case KeyType::kP256: return NID_X9_62_prime256v1;
    case KeyType::kP384: return NID_secp384r1;
    case KeyType::kP521: return NID_secp521r1;
    default: return NID_undef;
  }
}

KeyType TypeOf(const EVP_PKEY* pkey) {
  int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_X25519) return KeyType::kX25519;
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) return KeyType::kRsa;
  if (id != EVP_PKEY_EC) return KeyType::kOther;
  char name[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1) return KeyType::kOther;
  int nid = OBJ_sn2nid(name);
  if (nid == NID_undef) nid = EC_curve_nist2nid(name);
  for (KeyType t : {KeyType::kP256, KeyType::kP384, KeyType::kP521}) {
    if (nid == CurveNid(t)) return t;
  }
  return KeyType::kOther;
}

std::unique_ptr<KeyHandle> Wrap(EVP_PKEY* pkey) {
  auto handle = std::make_unique<KeyHandle>();
  handle->pkey.reset(pkey);
  return handle;
}

// EC public keys must be valid points of the right order (SP 800-56A §5.6.2.3.3).
bool PublicKeyValid(EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) return true;
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  return ctx != nullptr && EVP_PKEY_public_check(ctx.get()) == 1;
}

// EC keys must name their curve: explicit parameters (RFC 5480 §2.1.1 forbids them in PKIX)
// are how invalid-curve and bad-cofactor keys get in.
bool NamedCurveOnly(EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) return true;
  char encoding[32] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, encoding,
                                     sizeof(encoding), &len) != 1) {
    internal::DrainErrors();
    return false;
  }
  return std::string(encoding, len) == OSSL_PKEY_EC_ENCODING_GROUP;
}

// Builds an EVP_PKEY of `type` (EC) from `params` (selection: EVP_PKEY_PUBLIC_KEY / KEYPAIR).
EVP_PKEY* EcFromParams(const OSSL_PARAM* params, int selection) {
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, selection, const_cast<OSSL_PARAM*>(params)) != 1) {
    return nullptr;
  }
  return pkey;
}

// Answers -1: never prompt for a password (encrypted keys are rejected).
int NoPassword(char*, int, int, void*) { return -1; }

}  // namespace

const char* KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kP256: return "P-256";
    case KeyType::kP384: return "P-384";
    case KeyType::kP521: return "P-521";
    case KeyType::kX25519: return "X25519";
    case KeyType::kRsa: return "RSA";
    case KeyType::kOther: return "other";
  }
  return "other";
}

// ---- PublicKey ----

PublicKey::PublicKey(std::unique_ptr<KeyHandle> handle) : handle_(std::move(handle)) {
  CONFIDE_CHECK(handle_ != nullptr && handle_->pkey != nullptr);
}
PublicKey::~PublicKey() = default;
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;

PublicKey PublicKey::Clone() const {
  CONFIDE_CHECK(EVP_PKEY_up_ref(handle_->pkey.get()) == 1);
  return PublicKey(Wrap(handle_->pkey.get()));
}

Result<PublicKey> PublicKey::FromDer(ByteSpan spki_der) {
  const uint8_t* p = spki_der.data();
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size()));  // NOLINT
  if (pkey == nullptr) {
    internal::DrainErrors();
    return MalformedError("public key: not a DER SubjectPublicKeyInfo");
  }
  PublicKey key(Wrap(pkey));
  if (p != spki_der.data() + spki_der.size()) {
    return MalformedError("public key: trailing bytes after SubjectPublicKeyInfo");
  }
  // BER variants (long-form lengths, indefinite lengths) re-encode differently: DER only.
  if (!Equal(key.ToDer(), spki_der)) return MalformedError("public key: not canonical DER");
  if (!NamedCurveOnly(pkey)) return UnsupportedError("public key: explicit EC parameters");
  if (!PublicKeyValid(pkey)) {
    internal::DrainErrors();
    return MalformedError("public key: EC point not valid on its curve");
  }
  return key;
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  internal::BioPtr bio = internal::MemBio(AsBytes(pem));
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr);
  if (pkey == nullptr) {
    internal::DrainErrors();
    return MalformedError("public key: no parsable PUBLIC KEY PEM block");
  }
  PublicKey key(Wrap(pkey));
  if (!NamedCurveOnly(pkey)) return UnsupportedError("public key: explicit EC parameters");
  if (!PublicKeyValid(pkey)) {
    internal::DrainErrors();
    return MalformedError("public key: EC point not valid on its curve");
  }
  return key;
}

Result<PublicKey> PublicKey::FromRaw(KeyType type, ByteSpan raw) {
  if (type == KeyType::kX25519) {
    if (raw.size() != 32) return MalformedError("X25519 public key must be 32 bytes");
    EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, raw.data(), 32);
    if (pkey == nullptr) return internal::OpensslError("X25519 public key");
    return PublicKey(Wrap(pkey));
  }
  if (!IsEc(type)) return InvalidArgumentError("public key FromRaw: unsupported key type");
  size_t field = CurveFieldSize(type);
  if (raw.size() != 1 + 2 * field || raw[0] != 0x04) {
    return MalformedError(std::string(KeyTypeName(type)) + " public key: not an uncompressed point");
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                       const_cast<char*>(KeyTypeName(type)), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(raw.data()),
                                        raw.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* pkey = EcFromParams(params, EVP_PKEY_PUBLIC_KEY);
  if (pkey == nullptr || !PublicKeyValid(pkey)) {
    EVP_PKEY_free(pkey);
    internal::DrainErrors();
    return MalformedError(std::string(KeyTypeName(type)) + " public key: point not on the curve");
  }
  return PublicKey(Wrap(pkey));
}

KeyType PublicKey::type() const { return TypeOf(handle_->pkey.get()); }

Bytes PublicKey::ToDer() const {
  uint8_t* der = nullptr;
  int len = i2d_PUBKEY(handle_->pkey.get(), &der);
  CONFIDE_CHECK(len > 0);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::string PublicKey::ToPem() const {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  CONFIDE_CHECK(bio != nullptr && PEM_write_bio_PUBKEY(bio.get(), handle_->pkey.get()) == 1);
  return ToString(internal::BioContents(bio.get()));
}

Result<Bytes> PublicKey::ToRaw() const {
  EVP_PKEY* pkey = handle_->pkey.get();
  KeyType t = type();
  if (t == KeyType::kX25519) {
    Bytes out(32);
    size_t len = out.size();
    CONFIDE_CHECK(EVP_PKEY_get_raw_public_key(pkey, out.data(), &len) == 1 && len == 32);
    return out;
  }
  if (!IsEc(t)) return InvalidArgumentError("public key ToRaw: not an EC or X25519 key");
  size_t field = CurveFieldSize(t);
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  bool ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
            EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1;
  BnPtr xp(x), yp(y);
  if (!ok) return internal::OpensslError("public key ToRaw");
  Bytes out(1 + 2 * field);
  out[0] = 0x04;
  CONFIDE_CHECK(BN_bn2binpad(x, out.data() + 1, static_cast<int>(field)) > 0);
  CONFIDE_CHECK(BN_bn2binpad(y, out.data() + 1 + field, static_cast<int>(field)) > 0);
  return out;
}

// ---- PrivateKey ----

PrivateKey::PrivateKey(std::unique_ptr<KeyHandle> handle) : handle_(std::move(handle)) {
  CONFIDE_CHECK(handle_ != nullptr && handle_->pkey != nullptr);
}
PrivateKey::~PrivateKey() = default;
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;

Result<PrivateKey> PrivateKey::Generate(KeyType type) {
  EVP_PKEY* pkey = nullptr;
  if (type == KeyType::kX25519) {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  } else if (IsEc(type)) {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", KeyTypeName(type));
  } else {
    return InvalidArgumentError("private key Generate: unsupported key type");
  }
  if (pkey == nullptr) return internal::OpensslError("key generation");
  return PrivateKey(Wrap(pkey));
}

// Rejects EC keys whose embedded public point does not match the scalar.
static Result<PrivateKey> CheckedPrivate(EVP_PKEY* pkey, const char* what) {
  PrivateKey key(Wrap(pkey));
  if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC) {
    internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (ctx == nullptr || EVP_PKEY_pairwise_check(ctx.get()) != 1) {
      internal::DrainErrors();
      return MalformedError(std::string(what) + ": EC key pair inconsistent");
    }
  }
  return key;
}

Result<PrivateKey> PrivateKey::FromPem(ByteSpan pem) {
  internal::BioPtr bio = internal::MemBio(pem);
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr);
  if (pkey == nullptr) {
    internal::DrainErrors();
    return MalformedError("private key: no parsable unencrypted private key PEM block");
  }
  return CheckedPrivate(pkey, "private key PEM");
}

Result<PrivateKey> PrivateKey::FromDer(ByteSpan der) {
  const uint8_t* p = der.data();
  EVP_PKEY* pkey = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));  // NOLINT
  if (pkey == nullptr) {
    internal::DrainErrors();
    return MalformedError("private key: not a DER private key");
  }
  if (p != der.data() + der.size()) {
    EVP_PKEY_free(pkey);
    return MalformedError("private key: trailing bytes after DER");
  }
  return CheckedPrivate(pkey, "private key DER");
}

// Builds a P-curve key pair from its scalar: the public point is computed here, since
// EVP_PKEY_fromdata does not derive it (HPKE DeriveKeyPair relies on this).
static Result<PrivateKey> EcFromScalar(KeyType type, ByteSpan raw) {
  BnPtr priv(BN_secure_new());
  CONFIDE_CHECK(priv != nullptr);
  BN_set_flags(priv.get(), BN_FLG_CONSTTIME);
  internal::EcGroupPtr group(EC_GROUP_new_by_curve_name(CurveNid(type)));
  CONFIDE_CHECK(group != nullptr);
  if (BN_bin2bn(raw.data(), static_cast<int>(raw.size()), priv.get()) == nullptr) {
    return internal::OpensslError("private key FromRaw");
  }
  if (BN_is_zero(priv.get()) || BN_cmp(priv.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return InvalidArgumentError("private key FromRaw: scalar outside [1, n-1]");
  }
  internal::EcPointPtr pub(EC_POINT_new(group.get()));
  Bytes pub_oct(1 + 2 * CurveFieldSize(type));
  if (pub == nullptr ||
      EC_POINT_mul(group.get(), pub.get(), priv.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, pub_oct.data(),
                         pub_oct.size(), nullptr) != pub_oct.size()) {
    return internal::OpensslError("private key FromRaw: public point");
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, KeyTypeName(type),
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub_oct.data(),
                                       pub_oct.size()) != 1) {
    return internal::OpensslError("private key FromRaw: params");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  EVP_PKEY* pkey = params == nullptr ? nullptr : EcFromParams(params.get(), EVP_PKEY_KEYPAIR);
  if (pkey == nullptr) return internal::OpensslError("private key FromRaw");
  return PrivateKey(Wrap(pkey));
}

Result<PrivateKey> PrivateKey::FromRaw(KeyType type, ByteSpan raw) {
  if (type == KeyType::kX25519) {
    if (raw.size() != 32) return InvalidArgumentError("X25519 private key must be 32 bytes");
    EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, raw.data(), 32);
    if (pkey == nullptr) return internal::OpensslError("X25519 private key");
    return PrivateKey(Wrap(pkey));
  }
  if (!IsEc(type)) return InvalidArgumentError("private key FromRaw: unsupported key type");
  if (raw.size() != CurveFieldSize(type)) {
    return InvalidArgumentError(std::string(KeyTypeName(type)) + " private key: wrong size");
  }
  return EcFromScalar(type, raw);
}

KeyType PrivateKey::type() const { return TypeOf(handle_->pkey.get()); }

PublicKey PrivateKey::public_key() const {
  uint8_t* der = nullptr;
  int len = i2d_PUBKEY(handle_->pkey.get(), &der);
  CONFIDE_CHECK(len > 0);
  const uint8_t* p = der;
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
  OPENSSL_free(der);
  CONFIDE_CHECK(pub != nullptr);
  return PublicKey(Wrap(pub));
}

SecretBytes PrivateKey::ToPem() const {
  // A secure-heap memory BIO: its buffer is cleansed when freed.
  internal::BioPtr bio(BIO_new(BIO_s_secmem()));
  CONFIDE_CHECK(bio != nullptr);
  CONFIDE_CHECK(PEM_write_bio_PrivateKey(bio.get(), handle_->pkey.get(), nullptr, nullptr, 0,
                                         nullptr, nullptr) == 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  CONFIDE_CHECK(len > 0 && data != nullptr);
  return SecretBytes::CopyFrom(ByteSpan(reinterpret_cast<const uint8_t*>(data),
                                        static_cast<size_t>(len)));
}

Result<SecretBytes> PrivateKey::ToRaw() const {
  EVP_PKEY* pkey = handle_->pkey.get();
  KeyType t = type();
  if (t == KeyType::kX25519) {
    SecretBytes out(32);
    size_t len = 32;
    CONFIDE_CHECK(EVP_PKEY_get_raw_private_key(pkey, out.MutableExpose().data(), &len) == 1);
    return out;
  }
  if (!IsEc(t)) return InvalidArgumentError("private key ToRaw: not an EC or X25519 key");
  BIGNUM* d = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) {
    return internal::OpensslError("private key ToRaw");
  }
  BnPtr dp(d);
  SecretBytes out(CurveFieldSize(t));
  CONFIDE_CHECK(BN_bn2binpad(d, out.MutableExpose().data(), static_cast<int>(out.size())) > 0);
  return out;
}

}  // namespace confide::crypto
