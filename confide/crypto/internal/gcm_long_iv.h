// AES-GCM (NIST SP 800-38D) for IVs longer than the 128 bytes OpenSSL 3.0's provider accepts
// (GCM_IV_MAX_SIZE). Built on EVP AES-ECB plus a portable, branch-free GHASH; slow, and used only
// by Aead for such IVs (interop and Wycheproof). Nothing outside crypto/ includes this.
#ifndef CONFIDE_CRYPTO_INTERNAL_GCM_LONG_IV_H_
#define CONFIDE_CRYPTO_INTERNAL_GCM_LONG_IV_H_

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::crypto::internal {

// Encrypts `plaintext` into `out` (ciphertext || 16-byte tag; exactly plaintext.size() + 16).
// `key` is 16, 24 or 32 bytes; `iv` any non-zero length. kInternal if OpenSSL fails.
Status GcmLongIvSeal(ByteSpan key, ByteSpan iv, ByteSpan aad, ByteSpan plaintext,
                     MutableByteSpan out);
// Decrypts `sealed` (ciphertext || tag) into `out` (exactly sealed.size() - 16).
// kVerificationFailed if the tag does not match; `out` is then zeroed.
Status GcmLongIvOpen(ByteSpan key, ByteSpan iv, ByteSpan aad, ByteSpan sealed,
                     MutableByteSpan out);

}  // namespace confide::crypto::internal

#endif  // CONFIDE_CRYPTO_INTERNAL_GCM_LONG_IV_H_
