// Test helpers: pack a payload in memory with a fresh simulated owner key, and a trust list that
// trusts it. Test-only (linked through confide_package_testing).
#ifndef CONFIDE_PACKAGE_TESTING_TEST_PACKAGE_H_
#define CONFIDE_PACKAGE_TESTING_TEST_PACKAGE_H_

#include "confide/base/secret.h"
#include "confide/crypto/keys.h"
#include "confide/package/reader.h"
#include "confide/package/trust.h"
#include "confide/package/writer.h"

namespace confide::package::testing {

// 2025-06-01T00:00:00Z: the creation time of test packages and the default verification time.
Time TestNow();

// An owner with a fresh P-256 key, trusted by `trust` (no window, not revoked).
struct TestOwner {
  crypto::PrivateKey key;
  TrustList trust;
};
TestOwner NewOwner();

// Packs `payload` with `owner_key` and `model_key` (fresh if empty). Aborts on error (tests).
Bytes PackBytes(ByteSpan payload, const crypto::PrivateKey& owner_key, const SecretBytes& model_key,
                uint32_t chunk_size, const std::string& name = "test-model");

// Opens, verifies at TestNow() and decrypts `package` into `sink`; returns the first error.
Status UnpackBytes(ByteSpan package, const TrustList& trust, const SecretBytes& model_key,
                   PlaintextSink& sink, Time now = TestNow());

}  // namespace confide::package::testing

#endif  // CONFIDE_PACKAGE_TESTING_TEST_PACKAGE_H_
