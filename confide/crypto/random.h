// The CSPRNG (OpenSSL's RAND_bytes, seeded by the kernel).
//
//   Bytes nonce = RandomBytes(12);
//   SecretBytes key = RandomSecret(32);
#ifndef CONFIDE_CRYPTO_RANDOM_H_
#define CONFIDE_CRYPTO_RANDOM_H_

#include "confide/base/bytes.h"
#include "confide/base/secret.h"

namespace confide::crypto {

// Fills `out`. A failing CSPRNG is unrecoverable: it aborts rather than return weak bytes.
void RandomFill(MutableByteSpan out);
Bytes RandomBytes(size_t size);
SecretBytes RandomSecret(size_t size);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_RANDOM_H_
