#include "confide/crypto/testing/cert_builder.h"

#include <utility>

namespace confide::testing {
namespace {

crypto::CertificateTemplate Template(const TestCertSpec& spec) {
  crypto::CertificateTemplate t;
  t.subject_cn = spec.cn;
  t.serial = spec.serial;
  t.not_before = spec.not_before;
  t.not_after = spec.not_after;
  t.is_ca = spec.is_ca;
  t.extensions = spec.extensions;
  return t;
}

}  // namespace

Result<TestCert> IssueTestCa(TestCertSpec spec) {
  spec.is_ca = true;
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(spec.key_type));
  CONFIDE_ASSIGN_OR_RETURN(crypto::Certificate cert,
                           crypto::IssueCertificate(Template(spec), key.public_key(), key));
  return TestCert{std::move(key), std::move(cert)};
}

Result<TestCert> IssueTestCert(const TestCertSpec& spec, const TestCert& issuer) {
  CONFIDE_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(spec.key_type));
  CONFIDE_ASSIGN_OR_RETURN(
      crypto::Certificate cert,
      crypto::IssueCertificate(Template(spec), key.public_key(), issuer.key, &issuer.cert));
  return TestCert{std::move(key), std::move(cert)};
}

Result<crypto::Crl> IssueTestCrl(const TestCert& issuer, Time this_update, Time next_update,
                                 std::vector<Bytes> revoked_serials) {
  crypto::CrlTemplate t;
  t.this_update = this_update;
  t.next_update = next_update;
  t.revoked_serials = std::move(revoked_serials);
  return crypto::IssueCrl(t, issuer.cert, issuer.key);
}

}  // namespace confide::testing
