#include "confide/crypto/x509_issue.h"

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "confide/crypto/internal/openssl_handles.h"
#include "confide/crypto/internal/openssl_util.h"
#include "confide/crypto/random.h"

namespace confide::crypto {

namespace {

using internal::OpensslError;

struct Asn1OctetFree { void operator()(ASN1_OCTET_STRING* p) const { ASN1_OCTET_STRING_free(p); } };
struct Asn1ObjectFree { void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); } };
struct ExtFree { void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); } };
struct Asn1IntFree { void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); } };

Status SetSerial(X509* x, ByteSpan serial) {
  Bytes value(serial.begin(), serial.end());
  if (value.empty()) {
    value = RandomBytes(16);
    value[0] &= 0x7f;  // keep it positive and of fixed length
    value[0] |= 0x40;
  }
  internal::BnPtr bn(BN_bin2bn(value.data(), static_cast<int>(value.size()), nullptr));
  if (!bn) return OpensslError("serial");
  std::unique_ptr<ASN1_INTEGER, Asn1IntFree> integer(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!integer || X509_set_serialNumber(x, integer.get()) != 1) return OpensslError("serial");
  return OkStatus();
}

Status SetName(X509_NAME* name, const CertificateTemplate& t) {
  auto add = [name](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                      -1, 0) == 1;
  };
  if (!t.subject_o.empty() && !add("O", t.subject_o)) return OpensslError("subject O");
  if (!add("CN", t.subject_cn)) return OpensslError("subject CN");
  return OkStatus();
}

Status AddRawExtension(X509* x, const CertificateExtension& ext) {
  std::unique_ptr<ASN1_OBJECT, Asn1ObjectFree> obj(OBJ_txt2obj(ext.oid.c_str(), /*no_name=*/1));
  if (!obj) {
    internal::DrainErrors();
    return InvalidArgumentError("certificate extension: bad OID " + ext.oid);
  }
  std::unique_ptr<ASN1_OCTET_STRING, Asn1OctetFree> value(ASN1_OCTET_STRING_new());
  if (!value || ASN1_OCTET_STRING_set(value.get(), ext.der_value.data(),
                                      static_cast<int>(ext.der_value.size())) != 1) {
    return OpensslError("extension value");
  }
  std::unique_ptr<X509_EXTENSION, ExtFree> e(
      X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), ext.critical ? 1 : 0, value.get()));
  if (!e || X509_add_ext(x, e.get(), -1) != 1) return OpensslError("add extension");
  return OkStatus();
}

// Adds an extension from OpenSSL's configuration syntax, e.g. ("basicConstraints", "CA:TRUE").
Status AddConfExtension(X509* x, X509V3_CTX* ctx, const char* name, const char* value) {
  std::unique_ptr<X509_EXTENSION, ExtFree> e(X509V3_EXT_conf(nullptr, ctx, name, value));
  if (!e || X509_add_ext(x, e.get(), -1) != 1) return OpensslError(name);
  return OkStatus();
}

ASN1_TIME* ToAsn1(Time t, ASN1_TIME* out) {
  return ASN1_TIME_set(out, static_cast<time_t>(t.time_since_epoch().count()));
}

}  // namespace

Result<Certificate> IssueCertificate(const CertificateTemplate& t, const PublicKey& subject_key,
                                     const PrivateKey& issuer_key, const Certificate* issuer) {
  if (t.subject_cn.empty()) return InvalidArgumentError("certificate: empty subject CN");
  if (t.not_after < t.not_before) return InvalidArgumentError("certificate: not_after < not_before");
  std::unique_ptr<X509, X509Deleter> x(X509_new());
  if (!x || X509_set_version(x.get(), 2) != 1) return OpensslError("X509_new");
  CONFIDE_TRY(SetSerial(x.get(), t.serial));
  CONFIDE_TRY(SetName(X509_get_subject_name(x.get()), t));
  X509* issuer_x509 = issuer ? issuer->handle().x509.get() : x.get();
  if (X509_set_issuer_name(x.get(), X509_get_subject_name(issuer_x509)) != 1 ||
      !ToAsn1(t.not_before, X509_getm_notBefore(x.get())) ||
      !ToAsn1(t.not_after, X509_getm_notAfter(x.get())) ||
      X509_set_pubkey(x.get(), subject_key.handle().pkey.get()) != 1) {
    return OpensslError("certificate fields");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer_x509, x.get(), nullptr, nullptr, 0);
  CONFIDE_TRY(AddConfExtension(x.get(), &ctx, "basicConstraints",
                               t.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  CONFIDE_TRY(AddConfExtension(x.get(), &ctx, "keyUsage",
                               t.is_ca ? "critical,keyCertSign,cRLSign"
                                       : "critical,digitalSignature,keyAgreement"));
  CONFIDE_TRY(AddConfExtension(x.get(), &ctx, "subjectKeyIdentifier", "hash"));
  if (issuer) {
    CONFIDE_TRY(AddConfExtension(x.get(), &ctx, "authorityKeyIdentifier", "keyid:always"));
  }
  for (const CertificateExtension& ext : t.extensions) {
    CONFIDE_TRY(AddRawExtension(x.get(), ext));
  }
  if (X509_sign(x.get(), issuer_key.handle().pkey.get(), internal::Md(t.signature_hash)) <= 0) {
    return OpensslError("certificate signature");
  }
  return Certificate(std::make_shared<CertHandle>(CertHandle{std::move(x)}));
}

Result<Crl> IssueCrl(const CrlTemplate& t, const Certificate& issuer, const PrivateKey& issuer_key) {
  std::unique_ptr<X509_CRL, X509CrlDeleter> crl(X509_CRL_new());
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> this_update(ASN1_TIME_new(),
                                                                    &ASN1_TIME_free);
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> next_update(ASN1_TIME_new(),
                                                                    &ASN1_TIME_free);
  if (!crl || !this_update || !next_update || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.handle().x509.get())) !=
          1 ||
      !ToAsn1(t.this_update, this_update.get()) || !ToAsn1(t.next_update, next_update.get()) ||
      X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return OpensslError("CRL fields");
  }
  for (const Bytes& serial : t.revoked_serials) {
    internal::BnPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    std::unique_ptr<ASN1_INTEGER, Asn1IntFree> integer(
        bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    X509_REVOKED* revoked = X509_REVOKED_new();
    if (!integer || !revoked || X509_REVOKED_set_serialNumber(revoked, integer.get()) != 1 ||
        X509_REVOKED_set_revocationDate(revoked, this_update.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), revoked) != 1) {
      X509_REVOKED_free(revoked);
      return OpensslError("CRL entry");
    }
  }
  if (X509_CRL_sort(crl.get()) != 1 ||
      X509_CRL_sign(crl.get(), issuer_key.handle().pkey.get(), internal::Md(t.signature_hash)) <=
          0) {
    return OpensslError("CRL signature");
  }
  return Crl(std::make_shared<CrlHandle>(CrlHandle{std::move(crl)}));
}

}  // namespace confide::crypto
