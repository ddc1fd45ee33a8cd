// HMAC and HKDF (RFC 2104, RFC 5869) over SHA-2.
//
//   Bytes tag = Hmac(HashAlg::kSha256, key.Expose(), message);
//   SecretBytes prk = HkdfExtract(HashAlg::kSha256, salt, ikm.Expose());
//   CONFIDE_ASSIGN_OR_RETURN(SecretBytes okm, HkdfExpand(HashAlg::kSha256, prk.Expose(), info, 32));
#ifndef CONFIDE_CRYPTO_HMAC_H_
#define CONFIDE_CRYPTO_HMAC_H_

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/base/secret.h"
#include "confide/crypto/hash.h"

namespace confide::crypto {

// HMAC(key, data). Any key length, including empty. The result is DigestSize(alg) bytes.
Bytes Hmac(HashAlg alg, ByteSpan key, ByteSpan data);
// Recomputes the HMAC and compares it with `tag` in constant time. A `tag` shorter than the digest
// is compared as a truncated tag (RFC 2104 §5) if at least `min_tag_size` bytes; shorter is false.
bool HmacVerify(HashAlg alg, ByteSpan key, ByteSpan data, ByteSpan tag, size_t min_tag_size = 16);

// HKDF-Extract(salt, ikm). An empty salt means DigestSize(alg) zero bytes (RFC 5869 §2.2).
SecretBytes HkdfExtract(HashAlg alg, ByteSpan salt, ByteSpan ikm);
// HKDF-Expand(prk, info, length). kInvalidArgument if length > 255 * DigestSize(alg) or prk is
// shorter than the digest.
Result<SecretBytes> HkdfExpand(HashAlg alg, ByteSpan prk, ByteSpan info, size_t length);
// Extract then expand.
Result<SecretBytes> Hkdf(HashAlg alg, ByteSpan salt, ByteSpan ikm, ByteSpan info, size_t length);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_HMAC_H_
