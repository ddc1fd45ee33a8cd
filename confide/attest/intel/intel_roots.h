// The Intel SGX Root CA (self-signed, ECDSA P-256, 2018-05-21..2049-12-31, SHA-256 fingerprint
// 44A0196B2B99F889B8E149E95B807A350E7424964399E885A7CBB8CCFAB674D3), embedded: the trust anchor
// of every PCK certificate, PCK CRL and TCB Signing chain.
//
//   CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate root, IntelSgxRootCa());
//   VerifyOptions opts{.now = now, .trusted_roots = {root}};
#ifndef CONFIDE_ATTEST_INTEL_INTEL_ROOTS_H_
#define CONFIDE_ATTEST_INTEL_INTEL_ROOTS_H_

#include <string_view>

#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::intel {

// The PEM text (static storage).
std::string_view IntelSgxRootCaPem();
// The parsed certificate; kMalformed only if the embedded text were damaged (a bug).
Result<crypto::Certificate> IntelSgxRootCa();

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_INTEL_ROOTS_H_
