#include "confide/tee/sim/internal/sim_certificate.h"

#include <chrono>
#include <utility>

namespace confide::tee::sim {

Result<crypto::Certificate> IssueSimCertificate(
    const std::string& cn, bool is_ca, Time now, const crypto::PrivateKey& subject,
    const crypto::PrivateKey& issuer_key, const crypto::Certificate* issuer,
    const char* organization, crypto::HashAlg signature_hash,
    std::vector<crypto::CertificateExtension> extensions) {
  crypto::CertificateTemplate t{.subject_cn = cn,
                                .subject_o = organization,
                                .serial = {},
                                .not_before = now - std::chrono::days(1),
                                .not_after = now + std::chrono::days(3650),
                                .is_ca = is_ca,
                                .extensions = std::move(extensions),
                                .signature_hash = signature_hash};
  return crypto::IssueCertificate(t, subject.public_key(), issuer_key, issuer);
}

}  // namespace confide::tee::sim
