// The one certificate issuer of the simulated AMD, AWS Nitro and Intel PKIs (sim_store.cc,
// sim_intel.cc). Not for use outside confide/tee/sim.
//
//   CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate root,
//                            IssueSimCertificate("ARK-Milan", true, now, key, key, nullptr,
//                                                kSimOrganization));
#ifndef CONFIDE_TEE_SIM_INTERNAL_SIM_CERTIFICATE_H_
#define CONFIDE_TEE_SIM_INTERNAL_SIM_CERTIFICATE_H_

#include <string>
#include <vector>

#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/x509.h"
#include "confide/crypto/x509_issue.h"

namespace confide::tee::sim {

// A CA (`is_ca`) or leaf certificate for `subject`'s public key, CN = `cn`, O = `organization`
// (one of the kSim*Organization names), a random serial, valid from `now` - 1 day for 3650
// days, signed by `issuer_key` with ECDSA over `signature_hash`; self-signed when `issuer` is
// null. Errors as crypto::IssueCertificate.
Result<crypto::Certificate> IssueSimCertificate(
    const std::string& cn, bool is_ca, Time now, const crypto::PrivateKey& subject,
    const crypto::PrivateKey& issuer_key, const crypto::Certificate* issuer,
    const char* organization, crypto::HashAlg signature_hash = crypto::HashAlg::kSha384,
    std::vector<crypto::CertificateExtension> extensions = {});

}  // namespace confide::tee::sim

#endif  // CONFIDE_TEE_SIM_INTERNAL_SIM_CERTIFICATE_H_
