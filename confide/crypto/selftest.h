// Known-answer self-tests of the crypto layer, run by `confide selftest` and at server start.
//
//   for (const SelfTestResult& r : RunSelfTests()) std::cout << r.name << (r.passed ? " ok" : " FAIL");
#ifndef CONFIDE_CRYPTO_SELFTEST_H_
#define CONFIDE_CRYPTO_SELFTEST_H_

#include <string>
#include <vector>

namespace confide::crypto {

struct SelfTestResult {
  std::string name;    // e.g. "AES-256-GCM (NIST KAT)"
  bool passed = false;
  std::string detail;  // empty when passed; what differed otherwise (never key material)
};

// Runs every known-answer test (hashes, HMAC, HKDF, each AEAD, ECDSA sign/verify, X25519 and
// P-256 ECDH, HPKE) against fixed vectors embedded in the binary. Thread safe.
std::vector<SelfTestResult> RunSelfTests();

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_SELFTEST_H_
