// Test-only PKI builder: makes keys and issues root, intermediate and leaf certificates and CRLs
// with chosen validity, serials and extensions, on top of x509_issue.h. For crypto's X.509 tests
// and the simulated-PKI tests of attest/tee. Never linked into a shipped binary (TESTONLY).
//
//   auto root = IssueTestCa({.cn = "Test Root", .not_before = t0, .not_after = t1});
//   auto leaf = IssueTestCert({.cn = "leaf", .not_before = t0, .not_after = t1}, *root);
//   auto crl = IssueTestCrl(*root, t0, t1, {leaf->cert.serial_number()});
#ifndef CONFIDE_CRYPTO_TESTING_CERT_BUILDER_H_
#define CONFIDE_CRYPTO_TESTING_CERT_BUILDER_H_

#include <string>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/x509.h"
#include "confide/crypto/x509_issue.h"

namespace confide::testing {

// A certificate and the private key of its subject.
struct TestCert {
  crypto::PrivateKey key;
  crypto::Certificate cert;
};

struct TestCertSpec {
  std::string cn;
  Time not_before;
  Time not_after;
  bool is_ca = false;
  Bytes serial;  // big-endian; empty means random
  std::vector<crypto::CertificateExtension> extensions;
  crypto::KeyType key_type = crypto::KeyType::kP256;  // kP256, kP384 or kP521
};

// A self-signed CA certificate (is_ca forced on) with a fresh key.
Result<TestCert> IssueTestCa(TestCertSpec spec);
// A certificate with a fresh key, signed by `issuer` (ECDSA-SHA384).
Result<TestCert> IssueTestCert(const TestCertSpec& spec, const TestCert& issuer);
// A CRL by `issuer` listing `revoked_serials`.
Result<crypto::Crl> IssueTestCrl(const TestCert& issuer, Time this_update, Time next_update,
                                 std::vector<Bytes> revoked_serials = {});

}  // namespace confide::testing

#endif  // CONFIDE_CRYPTO_TESTING_CERT_BUILDER_H_
