#include "confide/crypto/crl_der.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include "confide/crypto/internal/openssl_handles.h"

namespace confide::crypto {

Result<Bytes> CrlToDer(const Crl& crl) {
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl.handle().crl.get(), &der);
  if (len <= 0 || der == nullptr) {
    ERR_clear_error();
    return InternalError("crl: i2d_X509_CRL failed");
  }
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace confide::crypto
