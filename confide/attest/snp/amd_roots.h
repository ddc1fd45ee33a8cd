// The AMD SEV-SNP vendor certificates, embedded: the ARK (self-signed root), the ASK (signs VCEKs)
// and the ASVK (signs VLEKs) of Milan, Genoa and Turin, as AMD KDS publishes them.
//
//   CONFIDE_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> arks, AmdArks());
//   CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate ask,
//                            AmdRootCertificate(Generation::kGenoa, AmdRootKind::kAsk));
#ifndef CONFIDE_ATTEST_SNP_AMD_ROOTS_H_
#define CONFIDE_ATTEST_SNP_AMD_ROOTS_H_

#include <string_view>
#include <vector>

#include "confide/attest/snp/report.h"
#include "confide/base/result.h"
#include "confide/crypto/x509.h"

namespace confide::attest::snp {

enum class AmdRootKind { kArk, kAsk, kAsvk };

// The PEM text (static storage). Empty for Generation::kUnknown.
std::string_view AmdRootPem(Generation gen, AmdRootKind kind);
// The parsed certificate. kInvalidArgument for kUnknown; kMalformed only if the embedded text
// were damaged (a bug). Trusting these is the caller's choice: pin them as VerifyOptions roots.
Result<crypto::Certificate> AmdRootCertificate(Generation gen, AmdRootKind kind);
// The three ARKs (Milan, Genoa, Turin), for VerifyOptions::trusted_arks.
Result<std::vector<crypto::Certificate>> AmdArks();

}  // namespace confide::attest::snp

#endif  // CONFIDE_ATTEST_SNP_AMD_ROOTS_H_
