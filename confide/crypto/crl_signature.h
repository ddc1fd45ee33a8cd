// The signature check of a CRL against a given issuer certificate, for callers that verify CRLs
// apart from a certificate path (Intel DCAP collateral: the PCK CRL travels with its own
// issuer chain).
//
//   if (!CrlIsSignedBy(pck_crl, pck_platform_ca)) -> CRL_INVALID
#ifndef CONFIDE_CRYPTO_CRL_SIGNATURE_H_
#define CONFIDE_CRYPTO_CRL_SIGNATURE_H_

#include "confide/crypto/x509.h"

namespace confide::crypto {

// True iff `issuer`'s public key verifies `crl`'s signature (any algorithm X.509 allows). Does
// not compare names or check dates. Thread safe.
bool CrlIsSignedBy(const Crl& crl, const Certificate& issuer);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_CRL_SIGNATURE_H_
