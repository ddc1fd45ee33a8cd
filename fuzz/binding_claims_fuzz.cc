// Decodes arbitrary bytes as binding claims (confide/attest/binding.h). Invariants: no crash,
// and an accepted input re-encodes to exactly the same bytes (the decoder admits only
// deterministic CBOR and keeps unknown entries verbatim).
#include <algorithm>
#include <cstdint>

#include "confide/attest/binding.h"
#include "confide/base/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  confide::ByteSpan input(data, size);
  auto claims = confide::attest::DecodeBindingClaims(input);
  if (claims.ok()) {
    CONFIDE_CHECK(std::ranges::equal(confide::attest::EncodeBindingClaims(*claims), input));
  }
  return 0;
}
