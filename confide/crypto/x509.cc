#include "confide/crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string>

#include "confide/base/check.h"
#include "confide/crypto/internal/openssl_handles.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto {
namespace {

struct StoreFree { void operator()(X509_STORE* p) const { X509_STORE_free(p); } };
struct StoreCtxFree { void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); } };
struct StackFree { void operator()(STACK_OF(X509)* p) const { sk_X509_free(p); } };
struct ObjFree { void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); } };

// Seconds since the epoch of an ASN.1 UTCTime/GeneralizedTime (both are UTC).
Time ToTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return Time{};
  return Time(std::chrono::seconds(timegm(&tm)));
}

std::string NameToString(const X509_NAME* name) {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  CONFIDE_CHECK(bio != nullptr);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return ToString(internal::BioContents(bio.get()));
}

Certificate Share(X509* x509) {  // takes ownership of one reference
  auto handle = std::make_shared<CertHandle>();
  handle->x509.reset(x509);
  return Certificate(std::move(handle));
}

// Certificates whose subject public key OpenSSL cannot decode (unknown algorithm, bad point) are
// refused at parse time, so public_key() always has a key to return.
Status CheckKeyDecodes(const Certificate& cert) {
  if (X509_get0_pubkey(cert.handle().x509.get()) == nullptr) {
    internal::DrainErrors();
    return UnsupportedError("certificate: subject public key cannot be decoded");
  }
  return OkStatus();
}

// i2d of any OpenSSL object into Bytes.
template <typename T, typename F>
Bytes EncodeDer(T* obj, F i2d) {
  uint8_t* der = nullptr;
  int len = i2d(obj, &der);
  CONFIDE_CHECK(len > 0);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

// ---- Certificate ----

Certificate::Certificate(std::shared_ptr<CertHandle> handle) : handle_(std::move(handle)) {
  CONFIDE_CHECK(handle_ != nullptr && handle_->x509 != nullptr);
}

Result<Certificate> Certificate::FromDer(ByteSpan der) {
  const uint8_t* p = der.data();
  X509* x509 = d2i_X509(nullptr, &p, static_cast<long>(der.size()));  // NOLINT(runtime/int)
  if (x509 == nullptr) {
    internal::DrainErrors();
    return MalformedError("certificate: not DER X.509");
  }
  Certificate cert = Share(x509);
  if (p != der.data() + der.size()) return MalformedError("certificate: trailing bytes after DER");
  // BER forms that OpenSSL tolerates would re-encode differently; accept canonical DER only.
  if (!Equal(cert.ToDer(), der)) return MalformedError("certificate: not canonical DER");
  CONFIDE_TRY(CheckKeyDecodes(cert));
  return cert;
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  internal::BioPtr bio = internal::MemBio(AsBytes(pem));
  X509* x509 = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (x509 == nullptr) {
    internal::DrainErrors();
    return MalformedError("certificate: no parsable CERTIFICATE PEM block");
  }
  Certificate cert = Share(x509);
  CONFIDE_TRY(CheckKeyDecodes(cert));
  return cert;
}

Result<std::vector<Certificate>> Certificate::ChainFromPem(std::string_view pem) {
  internal::BioPtr bio = internal::MemBio(AsBytes(pem));
  std::vector<Certificate> chain;
  ERR_clear_error();
  while (X509* x509 = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    chain.push_back(Share(x509));
  }
  // The loop ends at the end of input (PEM_R_NO_START_LINE) or at a damaged block.
  unsigned long err = ERR_peek_last_error();  // NOLINT(runtime/int)
  bool clean_end = ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
  internal::DrainErrors();
  if (!clean_end) {
    return MalformedError("certificate chain: damaged CERTIFICATE block after " +
                          std::to_string(chain.size()) + " certificates");
  }
  if (chain.empty()) return MalformedError("certificate chain: no CERTIFICATE block");
  for (const Certificate& cert : chain) CONFIDE_TRY(CheckKeyDecodes(cert));
  return chain;
}

Bytes Certificate::ToDer() const { return EncodeDer(handle_->x509.get(), i2d_X509); }

std::string Certificate::ToPem() const {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  CONFIDE_CHECK(bio != nullptr && PEM_write_bio_X509(bio.get(), handle_->x509.get()) == 1);
  return ToString(internal::BioContents(bio.get()));
}

std::string Certificate::subject() const {
  return NameToString(X509_get_subject_name(handle_->x509.get()));
}

std::string Certificate::issuer() const {
  return NameToString(X509_get_issuer_name(handle_->x509.get()));
}

Bytes Certificate::serial_number() const {
  internal::BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(handle_->x509.get()), nullptr));
  CONFIDE_CHECK(bn != nullptr);
  Bytes out(BN_num_bytes(bn.get()));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

Time Certificate::not_before() const { return ToTime(X509_get0_notBefore(handle_->x509.get())); }
Time Certificate::not_after() const { return ToTime(X509_get0_notAfter(handle_->x509.get())); }

PublicKey Certificate::public_key() const {
  EVP_PKEY* pkey = X509_get_pubkey(handle_->x509.get());  // up-refs
  CONFIDE_CHECK(pkey != nullptr);
  auto handle = std::make_unique<KeyHandle>();
  handle->pkey.reset(pkey);
  return PublicKey(std::move(handle));
}

std::optional<Bytes> Certificate::Extension(std::string_view oid) const {
  std::unique_ptr<ASN1_OBJECT, ObjFree> obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
  if (obj == nullptr) {
    internal::DrainErrors();
    return std::nullopt;
  }
  int index = X509_get_ext_by_OBJ(handle_->x509.get(), obj.get(), -1);
  if (index < 0) return std::nullopt;
  const ASN1_OCTET_STRING* data =
      X509_EXTENSION_get_data(X509_get_ext(handle_->x509.get(), index));
  if (data == nullptr) return std::nullopt;
  const uint8_t* p = ASN1_STRING_get0_data(data);
  return Bytes(p, p + ASN1_STRING_length(data));
}

bool Certificate::IsSelfSigned() const {
  X509* x = handle_->x509.get();
  if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) != 0) return false;
  return IsSignedBy(*this);
}

bool Certificate::IsSignedBy(const Certificate& issuer) const {
  EVP_PKEY* key = X509_get0_pubkey(issuer.handle_->x509.get());
  bool ok = key != nullptr && X509_verify(handle_->x509.get(), key) == 1;
  internal::DrainErrors();
  return ok;
}

// ---- Crl ----

Crl::Crl(std::shared_ptr<CrlHandle> handle) : handle_(std::move(handle)) {
  CONFIDE_CHECK(handle_ != nullptr && handle_->crl != nullptr);
}

static Crl ShareCrl(X509_CRL* crl) {
  auto handle = std::make_shared<CrlHandle>();
  handle->crl.reset(crl);
  return Crl(std::move(handle));
}

Result<Crl> Crl::FromDer(ByteSpan der) {
  const uint8_t* p = der.data();
  X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));  // NOLINT
  if (crl == nullptr) {
    internal::DrainErrors();
    return MalformedError("crl: not DER X.509 CRL");
  }
  Crl out = ShareCrl(crl);
  if (p != der.data() + der.size()) return MalformedError("crl: trailing bytes after DER");
  return out;
}

Result<Crl> Crl::FromPem(std::string_view pem) {
  internal::BioPtr bio = internal::MemBio(AsBytes(pem));
  X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
  if (crl == nullptr) {
    internal::DrainErrors();
    return MalformedError("crl: no parsable X509 CRL PEM block");
  }
  return ShareCrl(crl);
}

std::string Crl::issuer() const { return NameToString(X509_CRL_get_issuer(handle_->crl.get())); }
Time Crl::this_update() const { return ToTime(X509_CRL_get0_lastUpdate(handle_->crl.get())); }

std::optional<Time> Crl::next_update() const {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(handle_->crl.get());
  if (t == nullptr) return std::nullopt;
  return ToTime(t);
}

bool Crl::IsRevoked(const Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  ASN1_INTEGER* serial = const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(cert.handle().x509.get()));
  return X509_CRL_get0_by_serial(handle_->crl.get(), &entry, serial) > 0;
}

// ---- Chains ----

const char* ChainFailureName(ChainFailure f) {
  switch (f) {
    case ChainFailure::kNone: return "none";
    case ChainFailure::kUntrusted: return "untrusted";
    case ChainFailure::kBadSignature: return "bad_signature";
    case ChainFailure::kExpired: return "expired";
    case ChainFailure::kNotYetValid: return "not_yet_valid";
    case ChainFailure::kRevoked: return "revoked";
    case ChainFailure::kCrlInvalid: return "crl_invalid";
    case ChainFailure::kCrlExpired: return "crl_expired";
  }
  return "unknown";
}

namespace {

ChainFailure MapVerifyError(int err) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED: return ChainFailure::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return ChainFailure::kNotYetValid;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return ChainFailure::kBadSignature;
    case X509_V_ERR_CERT_REVOKED: return ChainFailure::kRevoked;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
      return ChainFailure::kCrlInvalid;
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return ChainFailure::kCrlExpired;
    default: return ChainFailure::kUntrusted;
  }
}

// Without require_crls, a CA with no CRL among `crls` is accepted; every other error stands.
int SkipMissingCrl(int ok, X509_STORE_CTX* ctx) {
  if (ok == 0 && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNABLE_TO_GET_CRL) {
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
  }
  return ok;
}

// Adds the roots and CRLs to a fresh store (which up-refs each object).
std::unique_ptr<X509_STORE, StoreFree> MakeStore(const std::vector<Certificate>& roots,
                                                 const std::vector<Crl>& crls) {
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  if (store == nullptr) return nullptr;
  for (const Certificate& root : roots) {
    if (X509_STORE_add_cert(store.get(), root.handle().x509.get()) != 1) return nullptr;
  }
  for (const Crl& crl : crls) {
    if (X509_STORE_add_crl(store.get(), crl.handle().crl.get()) != 1) return nullptr;
  }
  return store;
}

ChainResult Failure(X509_STORE_CTX* ctx) {
  int err = X509_STORE_CTX_get_error(ctx);
  ChainResult r;
  r.failure = MapVerifyError(err);
  X509* current = X509_STORE_CTX_get_current_cert(ctx);
  r.detail = "depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx));
  if (current != nullptr) r.detail += " (" + NameToString(X509_get_subject_name(current)) + ")";
  r.detail += ": " + std::string(X509_verify_cert_error_string(err));
  return r;
}

}  // namespace

Result<ChainResult> VerifyChain(const Certificate& leaf,
                                const std::vector<Certificate>& intermediates,
                                const std::vector<Certificate>& roots,
                                const std::vector<Crl>& crls, const ChainOptions& opts) {
  auto store = MakeStore(roots, crls);
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (store == nullptr || untrusted == nullptr || ctx == nullptr) {
    return internal::OpensslError("verify chain: setup");
  }
  for (const Certificate& c : intermediates) {
    if (sk_X509_push(untrusted.get(), c.handle().x509.get()) <= 0) {
      return internal::OpensslError("verify chain: intermediates");
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.handle().x509.get(), untrusted.get()) != 1) {
    return internal::OpensslError("verify chain: init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(opts.now.time_since_epoch().count()));
  unsigned long flags = X509_V_FLAG_CHECK_SS_SIGNATURE;  // NOLINT(runtime/int)
  if (opts.allow_partial_chain) flags |= X509_V_FLAG_PARTIAL_CHAIN;
  if (opts.require_crls || !crls.empty()) flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  X509_VERIFY_PARAM_set_flags(param, flags);
  if (!opts.require_crls) X509_STORE_CTX_set_verify_cb(ctx.get(), SkipMissingCrl);

  int rc = X509_verify_cert(ctx.get());
  internal::DrainErrors();
  if (rc < 0) return InternalError("verify chain: X509_verify_cert failed internally");
  if (rc == 0) return Failure(ctx.get());
  ChainResult result;
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* x = sk_X509_value(chain, i);
    CONFIDE_CHECK(X509_up_ref(x) == 1);
    result.path.push_back(Share(x));
  }
  return result;
}

}  // namespace confide::crypto
