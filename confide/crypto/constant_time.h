// Constant-time comparison for digests, MACs, tokens and secrets (CRYPTO_memcmp).
//
//   if (!ConstantTimeEqual(expected_tag, tag)) return VerificationFailedError("bad tag");
#ifndef CONFIDE_CRYPTO_CONSTANT_TIME_H_
#define CONFIDE_CRYPTO_CONSTANT_TIME_H_

#include "confide/base/bytes.h"

namespace confide::crypto {

// True iff sizes and contents are equal. Time depends only on the sizes, not the contents.
bool ConstantTimeEqual(ByteSpan a, ByteSpan b);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_CONSTANT_TIME_H_
