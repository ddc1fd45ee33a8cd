// ECDSA over P-256 / P-384 (and P-521), with DER, raw big-endian (IEEE P1363, as SGX/TDX quotes
// and COSE use) and raw little-endian (as SEV-SNP reports use) signature encodings.
//
//   CONFIDE_ASSIGN_OR_RETURN(Bytes sig, EcdsaSign(key, HashAlg::kSha256, msg, SigFormat::kDer));
//   bool ok = EcdsaVerify(pub, HashAlg::kSha384, report_body, sig, SigFormat::kRawLittleEndian);
#ifndef CONFIDE_CRYPTO_ECDSA_H_
#define CONFIDE_CRYPTO_ECDSA_H_

#include "confide/base/bytes.h"
#include "confide/base/result.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/keys.h"

namespace confide::crypto {

enum class SigFormat {
  kDer,              // ECDSA-Sig-Value SEQUENCE { r INTEGER, s INTEGER }, strict DER
  kRawBigEndian,     // r || s, each the curve's field size, big-endian (IEEE P1363)
  kRawLittleEndian,  // r || s, each `component_size` bytes, little-endian (SEV-SNP: 72 bytes)
};

// Size in bytes of one coordinate / scalar of the key's curve (32, 48, 66), 0 if not EC.
size_t CurveFieldSize(KeyType type);

// Hashes `message` with `hash` and signs. For kRawLittleEndian, each component is zero-padded to
// `component_size` bytes (0 means the field size). kInvalidArgument if the key is not ECDSA-capable.
Result<Bytes> EcdsaSign(const PrivateKey& key, HashAlg hash, ByteSpan message, SigFormat format,
                        size_t component_size = 0);

// True iff `signature` is a valid signature of `message`. Any malformed encoding (non-strict DER,
// wrong length, r or s zero or >= n, trailing bytes) is simply false. For raw formats the signature
// is exactly 2 * component_size bytes (component_size 0 means the field size); for little-endian,
// the bytes beyond the field size must be zero.
bool EcdsaVerify(const PublicKey& key, HashAlg hash, ByteSpan message, ByteSpan signature,
                 SigFormat format, size_t component_size = 0);

// Verifies an RSA-PSS or ECDSA signature (DER) with whatever key `key` is, as X.509 would.
bool VerifySignature(const PublicKey& key, HashAlg hash, ByteSpan message, ByteSpan signature);

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_ECDSA_H_
