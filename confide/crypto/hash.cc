#include "confide/crypto/hash.h"

#include <openssl/evp.h>

#include "confide/base/check.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto {
namespace {

// One-shot digest into `out`, which is exactly DigestSize(alg) bytes. EVP_Digest only fails on
// allocation failure, which is a broken invariant here.
void DigestInto(HashAlg alg, ByteSpan data, MutableByteSpan out) {
  unsigned int len = 0;
  CONFIDE_CHECK(EVP_Digest(data.data(), data.size(), out.data(), &len, internal::Md(alg),
                           nullptr) == 1);
  CONFIDE_CHECK(len == out.size());
}

}  // namespace

size_t DigestSize(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return 32;
    case HashAlg::kSha384: return 48;
    case HashAlg::kSha512: return 64;
  }
  CONFIDE_CHECK(false);
  return 0;
}

const char* HashName(HashAlg alg) {
  switch (alg) {
    case HashAlg::kSha256: return "SHA-256";
    case HashAlg::kSha384: return "SHA-384";
    case HashAlg::kSha512: return "SHA-512";
  }
  return "unknown";
}

Sha256Digest Sha256(ByteSpan data) {
  Sha256Digest d;
  DigestInto(HashAlg::kSha256, data, d);
  return d;
}

Sha384Digest Sha384(ByteSpan data) {
  Sha384Digest d;
  DigestInto(HashAlg::kSha384, data, d);
  return d;
}

Sha512Digest Sha512(ByteSpan data) {
  Sha512Digest d;
  DigestInto(HashAlg::kSha512, data, d);
  return d;
}

Bytes Hash(HashAlg alg, ByteSpan data) {
  Bytes d(DigestSize(alg));
  DigestInto(alg, data, d);
  return d;
}

struct Hasher::State {
  HashAlg alg;
  internal::MdCtxPtr ctx;
  bool finished = false;
};

Hasher::Hasher(HashAlg alg) : state_(std::make_unique<State>()) {
  state_->alg = alg;
  state_->ctx.reset(EVP_MD_CTX_new());
  CONFIDE_CHECK(state_->ctx != nullptr);
  CONFIDE_CHECK(EVP_DigestInit_ex(state_->ctx.get(), internal::Md(alg), nullptr) == 1);
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::Update(ByteSpan data) {
  CONFIDE_CHECK(state_ != nullptr && !state_->finished);
  CONFIDE_CHECK(EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()) == 1);
}

Bytes Hasher::Finish() {
  CONFIDE_CHECK(state_ != nullptr && !state_->finished);
  state_->finished = true;
  Bytes d(DigestSize(state_->alg));
  unsigned int len = 0;
  CONFIDE_CHECK(EVP_DigestFinal_ex(state_->ctx.get(), d.data(), &len) == 1);
  return d;
}

}  // namespace confide::crypto
