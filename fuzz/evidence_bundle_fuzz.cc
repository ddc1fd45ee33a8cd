// The attested-TLS certificate extension parser: DecodeEvidenceBundle over arbitrary bytes, and
// the same bytes as a DER certificate whose extension is then extracted. Invariant: an accepted
// bundle re-encodes to exactly the input.
#include <algorithm>
#include <cstdint>

#include "confide/attest/evidence_bundle.h"
#include "confide/base/check.h"
#include "confide/channel/attested_tls.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::ByteSpan input(data, size);
  auto bundle = confide::attest::DecodeEvidenceBundle(input);
  if (bundle.ok()) {
    CONFIDE_CHECK(std::ranges::equal(confide::attest::EncodeEvidenceBundle(*bundle), input));
  }
  auto cert = confide::crypto::Certificate::FromDer(input);
  if (cert.ok()) (void)confide::channel::ExtractEvidenceBundle(*cert);
  return 0;
}
