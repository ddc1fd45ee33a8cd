#include "confide/crypto/crl_signature.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include "confide/crypto/internal/openssl_handles.h"

namespace confide::crypto {

bool CrlIsSignedBy(const Crl& crl, const Certificate& issuer) {
  EVP_PKEY* key = X509_get0_pubkey(issuer.handle().x509.get());
  if (key == nullptr) return false;
  const bool ok = X509_CRL_verify(crl.handle().crl.get(), key) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace confide::crypto
