// Issuing X.509 certificates and CRLs: for the simulator's PKIs (AMD-like, Intel-like, Nitro-like)
// and for attested TLS, whose self-signed certificate carries evidence in an extension.
//
//   CertificateTemplate t{.subject_cn = "confide attested TLS", .not_before = now,
//                         .not_after = now + 24h};
//   t.extensions.push_back({"2.23.133.5.4.9", evidence_der, /*critical=*/false});
//   CONFIDE_ASSIGN_OR_RETURN(Certificate cert, IssueCertificate(t, tls_key.public_key(), tls_key));
#ifndef CONFIDE_CRYPTO_X509_ISSUE_H_
#define CONFIDE_CRYPTO_X509_ISSUE_H_

#include <optional>
#include <string>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/x509.h"

namespace confide::crypto {

struct CertificateExtension {
  std::string oid;   // dotted, e.g. "1.3.6.1.4.1.3704.1.3.1"
  Bytes der_value;   // the DER that goes inside extnValue's OCTET STRING
  bool critical = false;
};

struct CertificateTemplate {
  std::string subject_cn;            // CN of the subject
  std::string subject_o;             // O of the subject (optional)
  Bytes serial;                      // big-endian; empty means 16 random bytes
  Time not_before;
  Time not_after;
  bool is_ca = false;                // basicConstraints CA:TRUE + keyCertSign/cRLSign usage
  std::vector<CertificateExtension> extensions;
  HashAlg signature_hash = HashAlg::kSha384;  // ECDSA with this hash
};

// Issues a certificate for `subject_key`, signed by `issuer_key` (ECDSA). Without `issuer`, the
// certificate is self-signed (issuer name = subject name; `issuer_key` must match `subject_key`).
// Adds subjectKeyIdentifier, and authorityKeyIdentifier when an issuer is given.
// kInvalidArgument for a bad OID, an empty CN or not_after < not_before; kInternal if OpenSSL fails.
Result<Certificate> IssueCertificate(const CertificateTemplate& tmpl, const PublicKey& subject_key,
                                     const PrivateKey& issuer_key,
                                     const Certificate* issuer = nullptr);

struct CrlTemplate {
  Time this_update;
  Time next_update;
  std::vector<Bytes> revoked_serials;  // big-endian
  HashAlg signature_hash = HashAlg::kSha384;
};

// Issues a CRL by `issuer`, signed with `issuer_key`.
Result<Crl> IssueCrl(const CrlTemplate& tmpl, const Certificate& issuer,
                     const PrivateKey& issuer_key);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_X509_ISSUE_H_
