// The DER encoding of a CRL (e.g. one the simulator issued with IssueCrl), to store or send it
// as the vendor would (Intel collateral carries CRLs as DER).
//
//   CONFIDE_ASSIGN_OR_RETURN(Bytes der, CrlToDer(crl));
#ifndef CONFIDE_CRYPTO_CRL_DER_H_
#define CONFIDE_CRYPTO_CRL_DER_H_

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::crypto {

// kInternal if OpenSSL cannot encode it. Crl::FromDer(*CrlToDer(c)) gives the same CRL.
Result<Bytes> CrlToDer(const Crl& crl);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_CRL_DER_H_
