// The OpenSSL objects behind the public key and certificate types, for code inside crypto/
// (and channel/, which hands them to the TLS stack). Nothing else includes this header.
#ifndef CONFIDE_CRYPTO_INTERNAL_OPENSSL_HANDLES_H_
#define CONFIDE_CRYPTO_INTERNAL_OPENSSL_HANDLES_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace confide::crypto {

struct EvpPkeyDeleter { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct X509Deleter { void operator()(X509* p) const { X509_free(p); } };
struct X509CrlDeleter { void operator()(X509_CRL* p) const { X509_CRL_free(p); } };

struct KeyHandle {
  std::unique_ptr<EVP_PKEY, EvpPkeyDeleter> pkey;
};
struct CertHandle {
  std::unique_ptr<X509, X509Deleter> x509;
};
struct CrlHandle {
  std::unique_ptr<X509_CRL, X509CrlDeleter> crl;
};

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_INTERNAL_OPENSSL_HANDLES_H_
