#include "confide/crypto/random.h"

#include <openssl/rand.h>

#include <climits>

#include "confide/base/check.h"

namespace confide::crypto {

void RandomFill(MutableByteSpan out) {
  while (!out.empty()) {
    size_t chunk = std::min<size_t>(out.size(), INT_MAX);
    // A failing CSPRNG is unrecoverable; returning weak bytes would be worse than aborting.
    CONFIDE_CHECK(RAND_bytes(out.data(), static_cast<int>(chunk)) == 1);
    out = out.subspan(chunk);
  }
}

Bytes RandomBytes(size_t size) {
  Bytes out(size);
  RandomFill(out);
  return out;
}

SecretBytes RandomSecret(size_t size) {
  SecretBytes out(size);
  RandomFill(out.MutableExpose());
  return out;
}

}  // namespace confide::crypto
