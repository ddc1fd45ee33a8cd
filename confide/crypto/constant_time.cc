#include "confide/crypto/constant_time.h"

#include <openssl/crypto.h>

namespace confide::crypto {

bool ConstantTimeEqual(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace confide::crypto
