#include "confide/crypto/aead.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "confide/base/hex.h"
#include "confide/crypto/random.h"

namespace confide::crypto {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

constexpr std::string_view kGcmPt =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
    "b525b16aedf5aa0de657ba637b391aafd255";

// NIST GCM specification (McGrew-Viega), test case 3: AES-128, 96-bit IV, no AAD.
TEST(AeadTest, Aes128GcmNistCase3) {
  auto sealed = AeadSeal(AeadAlg::kAes128Gcm, H("feffe9928665731c6d6a8f9467308308"),
                         H("cafebabefacedbaddecaf888"), {}, H(kGcmPt));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexEncode(*sealed),
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a"
            "5aac84aa051ba30b396a0aac973d58e091473f5985"
            "4d5c2af327cd64a62cf35abd2ba6fab4");
}

// Test case 16: AES-256 with AAD and a truncated plaintext.
TEST(AeadTest, Aes256GcmNistCase16) {
  Bytes pt = H(kGcmPt);
  pt.resize(60);
  auto sealed = AeadSeal(AeadAlg::kAes256Gcm,
                         H("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
                         H("cafebabefacedbaddecaf888"),
                         H("feedfacedeadbeeffeedfacedeadbeefabaddad2"), pt);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexEncode(*sealed),
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b"
            "1056828838c5f61e6393ba7a0abcc9f662"
            "76fc6ece0f4e1768cddf8853bb2d551b");
}

// Test case 6: AES-128 with a 60-byte IV (GHASH-derived J0).
TEST(AeadTest, Aes128GcmNistCase6LongIv) {
  Bytes pt = H(kGcmPt);
  pt.resize(60);
  Bytes iv = H("9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2"
               "429a6b525416aedbf5a0de6a57a637b39b");
  Bytes key = H("feffe9928665731c6d6a8f9467308308");
  Bytes aad = H("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  auto sealed = AeadSeal(AeadAlg::kAes128Gcm, key, iv, aad, pt);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexEncode(*sealed),
            "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb2"
            "81d48c7c6fd62875d2aca417034c34aee5"
            "619cc5aefffe0bfa462af43c1699d050");
}

// RFC 8439 §2.8.2.
TEST(AeadTest, ChaCha20Poly1305Rfc8439) {
  Bytes key = H("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  std::string pt =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
      "sunscreen would be it.";
  auto sealed = AeadSeal(AeadAlg::kChaCha20Poly1305, key, H("070000004041424344454647"),
                         H("50515253c0c1c2c3c4c5c6c7"), AsBytes(pt));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexEncode(*sealed),
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb"
            "69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad6"
            "75945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
            "1ae10b594f09e26a7e902ecbd0600691");
}

TEST(AeadTest, RoundTripsManyMessagesWithOneKey) {
  for (AeadAlg alg : {AeadAlg::kAes128Gcm, AeadAlg::kAes256Gcm, AeadAlg::kChaCha20Poly1305}) {
    SecretBytes key = RandomSecret(AeadKeySize(alg));
    auto aead = Aead::Create(alg, key.Expose());
    ASSERT_TRUE(aead.ok());
    for (size_t len : {0, 1, 15, 16, 17, 4096}) {
      Bytes nonce = RandomBytes(12), pt = RandomBytes(len);
      auto sealed = aead->Seal(nonce, AsBytes("aad"), pt);
      ASSERT_TRUE(sealed.ok());
      EXPECT_EQ(sealed->size(), len + kAeadTagSize);
      auto opened = aead->Open(nonce, AsBytes("aad"), *sealed);
      ASSERT_TRUE(opened.ok());
      EXPECT_EQ(*opened, pt);
      EXPECT_FALSE(aead->Open(nonce, AsBytes("aaD"), *sealed).ok());
    }
  }
}

TEST(AeadTest, SealsInPlace) {
  Bytes key(32, 9), nonce(12, 1);
  auto aead = Aead::Create(AeadAlg::kAes256Gcm, key);
  ASSERT_TRUE(aead.ok());
  Bytes buf = {1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  Bytes expected = *aead->Seal(nonce, {}, ByteSpan(buf).first(5));
  ASSERT_TRUE(aead->SealInto(nonce, {}, ByteSpan(buf).first(5), buf).ok());
  EXPECT_EQ(buf, expected);
  ASSERT_TRUE(aead->OpenInto(nonce, {}, buf, MutableByteSpan(buf).first(5)).ok());
  EXPECT_EQ(Bytes(buf.begin(), buf.begin() + 5), (Bytes{1, 2, 3, 4, 5}));
}

TEST(AeadTest, BadTagLeavesOutputZeroed) {
  Bytes key(16, 3), nonce(12, 4), pt(100, 0x5a);
  auto aead = Aead::Create(AeadAlg::kAes128Gcm, key);
  ASSERT_TRUE(aead.ok());
  Bytes sealed = *aead->Seal(nonce, {}, pt);
  sealed.back() ^= 0x80;
  Bytes out(100, 0xff);
  Status s = aead->OpenInto(nonce, {}, sealed, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kVerificationFailed);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
}

TEST(AeadTest, RejectsWrongSizes) {
  EXPECT_EQ(Aead::Create(AeadAlg::kAes256Gcm, Bytes(16)).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Aead::Create(AeadAlg::kChaCha20Poly1305, Bytes(31)).error().code,
            ErrorCode::kInvalidArgument);
  auto gcm = Aead::Create(AeadAlg::kAes128Gcm, Bytes(16));
  auto chacha = Aead::Create(AeadAlg::kChaCha20Poly1305, Bytes(32));
  ASSERT_TRUE(gcm.ok() && chacha.ok());
  EXPECT_EQ(gcm->Seal({}, {}, Bytes(4)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(chacha->Seal(Bytes(8), {}, Bytes(4)).error().code, ErrorCode::kInvalidArgument);
  Bytes out(3);
  EXPECT_EQ(gcm->SealInto(Bytes(12), {}, Bytes(4), out).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(gcm->Open(Bytes(12), {}, Bytes(15)).error().code, ErrorCode::kVerificationFailed);
}

TEST(AeadTest, LongGcmIvPathMatchesOpenSslPathAtTheBoundary) {
  // 128-byte IVs go through OpenSSL, 129-byte ones through internal/gcm_long_iv; both must agree
  // with each other on round trips and reject tampering.
  Bytes key(32, 0x11);
  auto aead = Aead::Create(AeadAlg::kAes256Gcm, key);
  ASSERT_TRUE(aead.ok());
  for (size_t iv_len : {128, 129, 300}) {
    Bytes iv = RandomBytes(iv_len), pt = RandomBytes(77);
    auto sealed = aead->Seal(iv, AsBytes("x"), pt);
    ASSERT_TRUE(sealed.ok());
    auto opened = aead->Open(iv, AsBytes("x"), *sealed);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(*opened, pt);
    (*sealed)[0] ^= 1;
    EXPECT_FALSE(aead->Open(iv, AsBytes("x"), *sealed).ok());
  }
}

}  // namespace
}  // namespace confide::crypto
