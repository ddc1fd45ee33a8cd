// SHA-2 digests, one-shot and incremental.
//
//   Sha256Digest d = Sha256(bytes);
//   Hasher h(HashAlg::kSha384); h.Update(a); h.Update(b); Bytes digest = h.Finish();
#ifndef CONFIDE_CRYPTO_HASH_H_
#define CONFIDE_CRYPTO_HASH_H_

#include <array>
#include <memory>

#include "confide/base/bytes.h"

namespace confide::crypto {

enum class HashAlg { kSha256, kSha384, kSha512 };

// 32, 48 or 64.
size_t DigestSize(HashAlg alg);
// "SHA-256", "SHA-384", "SHA-512".
const char* HashName(HashAlg alg);

using Sha256Digest = std::array<uint8_t, 32>;
using Sha384Digest = std::array<uint8_t, 48>;
using Sha512Digest = std::array<uint8_t, 64>;

Sha256Digest Sha256(ByteSpan data);
Sha384Digest Sha384(ByteSpan data);
Sha512Digest Sha512(ByteSpan data);
// DigestSize(alg) bytes.
Bytes Hash(HashAlg alg, ByteSpan data);

// Incremental hashing. Not thread safe. Finish() may be called once.
class Hasher {
 public:
  explicit Hasher(HashAlg alg);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;

  void Update(ByteSpan data);
  Bytes Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace confide::crypto

#endif  // CONFIDE_CRYPTO_HASH_H_
