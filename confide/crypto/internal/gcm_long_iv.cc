#include "confide/crypto/internal/gcm_long_iv.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>

#include "confide/base/check.h"
#include "confide/base/secret.h"
#include "confide/crypto/internal/openssl_util.h"

namespace confide::crypto::internal {
namespace {

using Block = std::array<uint8_t, 16>;

struct CipherCtxFree { void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); } };

// AES in ECB mode, one block at a time (the block cipher CIPH_K of SP 800-38D).
class BlockCipher {
 public:
  Status Init(ByteSpan key) {
    const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_ecb()
                               : key.size() == 24 ? EVP_aes_192_ecb()
                                                  : EVP_aes_256_ecb();
    if (ctx_ == nullptr || EVP_EncryptInit_ex(ctx_.get(), cipher, nullptr, key.data(), nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx_.get(), 0) != 1) {
      return OpensslError("gcm: aes-ecb init");
    }
    return OkStatus();
  }
  Block Encrypt(const Block& in) {
    Block out;
    int len = 0;
    CONFIDE_CHECK(EVP_EncryptUpdate(ctx_.get(), out.data(), &len, in.data(), 16) == 1 && len == 16);
    return out;
  }

 private:
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx_{EVP_CIPHER_CTX_new()};
};

uint64_t LoadBe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void StoreBe64(uint64_t v, uint8_t* p) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

// X • Y in GF(2^128), SP 800-38D §6.3 Algorithm 1, with masks instead of branches.
Block GfMul(const Block& x, const Block& y) {
  uint64_t x_hi = LoadBe64(x.data()), x_lo = LoadBe64(x.data() + 8);
  uint64_t v_hi = LoadBe64(y.data()), v_lo = LoadBe64(y.data() + 8);
  uint64_t z_hi = 0, z_lo = 0;
  for (int i = 0; i < 128; ++i) {
    uint64_t bit = i < 64 ? (x_hi >> (63 - i)) & 1 : (x_lo >> (127 - i)) & 1;
    uint64_t mask = 0 - bit;
    z_hi ^= v_hi & mask;
    z_lo ^= v_lo & mask;
    uint64_t reduce = 0 - (v_lo & 1);
    v_lo = (v_lo >> 1) | (v_hi << 63);
    v_hi = (v_hi >> 1) ^ (0xe100000000000000ULL & reduce);
  }
  Block z;
  StoreBe64(z_hi, z.data());
  StoreBe64(z_lo, z.data() + 8);
  return z;
}

// Absorbs `data`, zero-padded to whole blocks, into the GHASH state `y`.
void GhashUpdate(const Block& h, ByteSpan data, Block* y) {
  for (size_t off = 0; off < data.size(); off += 16) {
    size_t n = std::min<size_t>(16, data.size() - off);
    for (size_t i = 0; i < n; ++i) (*y)[i] ^= data[off + i];
    *y = GfMul(*y, h);
  }
}

// Absorbs the final block [len(a)]64 || [len(b)]64 (lengths in bits).
void GhashLengths(const Block& h, uint64_t a_len, uint64_t b_len, Block* y) {
  Block lens;
  StoreBe64(a_len * 8, lens.data());
  StoreBe64(b_len * 8, lens.data() + 8);
  GhashUpdate(h, lens, y);
}

void Inc32(Block* cb) {
  for (int i = 15; i >= 12; --i) {
    if (++(*cb)[i] != 0) break;
  }
}

// GCTR from inc32(j0) over `in` into `out` (same size; may alias), §6.5.
void Gctr(BlockCipher& aes, Block j0, ByteSpan in, MutableByteSpan out) {
  Block cb = j0;
  for (size_t off = 0; off < in.size(); off += 16) {
    Inc32(&cb);
    Block ks = aes.Encrypt(cb);
    size_t n = std::min<size_t>(16, in.size() - off);
    for (size_t i = 0; i < n; ++i) out[off + i] = in[off + i] ^ ks[i];
  }
}

// H, J0 and E(J0) for `iv` (any length), §7.1 steps 1-2.
struct GcmSetup {
  Block h{}, j0{}, ej0{};
};

GcmSetup Setup(BlockCipher& aes, ByteSpan iv) {
  GcmSetup s;
  s.h = aes.Encrypt(Block{});
  GhashUpdate(s.h, iv, &s.j0);
  GhashLengths(s.h, 0, iv.size(), &s.j0);
  s.ej0 = aes.Encrypt(s.j0);
  return s;
}

Block Tag(const GcmSetup& s, ByteSpan aad, ByteSpan ciphertext) {
  Block y{};
  GhashUpdate(s.h, aad, &y);
  GhashUpdate(s.h, ciphertext, &y);
  GhashLengths(s.h, aad.size(), ciphertext.size(), &y);
  for (size_t i = 0; i < 16; ++i) y[i] ^= s.ej0[i];
  return y;
}

}  // namespace

Status GcmLongIvSeal(ByteSpan key, ByteSpan iv, ByteSpan aad, ByteSpan plaintext,
                     MutableByteSpan out) {
  CONFIDE_CHECK(out.size() == plaintext.size() + 16 && !iv.empty());
  BlockCipher aes;
  CONFIDE_TRY(aes.Init(key));
  GcmSetup s = Setup(aes, iv);
  MutableByteSpan ct = out.first(plaintext.size());
  Gctr(aes, s.j0, plaintext, ct);
  Block tag = Tag(s, aad, ct);
  std::copy(tag.begin(), tag.end(), out.begin() + plaintext.size());
  return OkStatus();
}

Status GcmLongIvOpen(ByteSpan key, ByteSpan iv, ByteSpan aad, ByteSpan sealed,
                     MutableByteSpan out) {
  CONFIDE_CHECK(sealed.size() >= 16 && out.size() == sealed.size() - 16 && !iv.empty());
  BlockCipher aes;
  CONFIDE_TRY(aes.Init(key));
  GcmSetup s = Setup(aes, iv);
  ByteSpan ct = sealed.first(out.size());
  Block tag = Tag(s, aad, ct);
  if (CRYPTO_memcmp(tag.data(), sealed.data() + ct.size(), 16) != 0) {
    SecureWipe(out);
    return VerificationFailedError("aead: tag mismatch");
  }
  Gctr(aes, s.j0, ct, out);
  return OkStatus();
}

}  // namespace confide::crypto::internal
