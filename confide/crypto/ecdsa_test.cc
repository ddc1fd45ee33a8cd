#include "confide/crypto/ecdsa.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "confide/base/hex.h"

namespace confide::crypto {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

// RFC 6979 A.2.5: P-256 key, message "sample", SHA-256 (deterministic signature r, s).
constexpr std::string_view kP256Point =
    "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc"
    "64f2f1b20c2d7e9f5177a3c294d4462299";
constexpr std::string_view kR = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716";
constexpr std::string_view kS = "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";

TEST(EcdsaTest, VerifiesRfc6979SignatureInAllEncodings) {
  auto pub = PublicKey::FromRaw(KeyType::kP256, H(kP256Point));
  ASSERT_TRUE(pub.ok());
  Bytes be = Concat({H(kR), H(kS)});
  EXPECT_TRUE(EcdsaVerify(*pub, HashAlg::kSha256, AsBytes("sample"), be, SigFormat::kRawBigEndian));
  Bytes r_le = H(kR), s_le = H(kS);
  std::reverse(r_le.begin(), r_le.end());
  std::reverse(s_le.begin(), s_le.end());
  EXPECT_TRUE(EcdsaVerify(*pub, HashAlg::kSha256, AsBytes("sample"), Concat({r_le, s_le}),
                          SigFormat::kRawLittleEndian));
  Bytes der = Concat({H("3046022100"), H(kR), H("022100"), H(kS)});
  EXPECT_TRUE(EcdsaVerify(*pub, HashAlg::kSha256, AsBytes("sample"), der, SigFormat::kDer));
  EXPECT_FALSE(EcdsaVerify(*pub, HashAlg::kSha256, AsBytes("samplE"), der, SigFormat::kDer));
  EXPECT_FALSE(EcdsaVerify(*pub, HashAlg::kSha384, AsBytes("sample"), der, SigFormat::kDer));
  der.push_back(0);
  EXPECT_FALSE(EcdsaVerify(*pub, HashAlg::kSha256, AsBytes("sample"), der, SigFormat::kDer));
}

TEST(EcdsaTest, SignVerifyRoundTripsPerFormat) {
  for (KeyType t : {KeyType::kP256, KeyType::kP384, KeyType::kP521}) {
    auto key = PrivateKey::Generate(t);
    ASSERT_TRUE(key.ok());
    PublicKey pub = key->public_key();
    for (SigFormat f : {SigFormat::kDer, SigFormat::kRawBigEndian, SigFormat::kRawLittleEndian}) {
      auto sig = EcdsaSign(*key, HashAlg::kSha384, AsBytes("msg"), f);
      ASSERT_TRUE(sig.ok());
      if (f != SigFormat::kDer) {
        EXPECT_EQ(sig->size(), 2 * CurveFieldSize(t));
      }
      EXPECT_TRUE(EcdsaVerify(pub, HashAlg::kSha384, AsBytes("msg"), *sig, f));
      (*sig)[sig->size() / 2] ^= 0x01;
      EXPECT_FALSE(EcdsaVerify(pub, HashAlg::kSha384, AsBytes("msg"), *sig, f));
    }
  }
}

// SEV-SNP: P-384 r and s little-endian in 72-byte fields (SNP ABI, Table 139 "ECDSA signature").
TEST(EcdsaTest, LittleEndianPaddedComponentsMustHaveZeroPadding) {
  auto key = PrivateKey::Generate(KeyType::kP384);
  ASSERT_TRUE(key.ok());
  auto sig = EcdsaSign(*key, HashAlg::kSha384, AsBytes("report"), SigFormat::kRawLittleEndian, 72);
  ASSERT_TRUE(sig.ok());
  ASSERT_EQ(sig->size(), 144u);
  PublicKey pub = key->public_key();
  EXPECT_TRUE(EcdsaVerify(pub, HashAlg::kSha384, AsBytes("report"), *sig,
                          SigFormat::kRawLittleEndian, 72));
  EXPECT_FALSE(EcdsaVerify(pub, HashAlg::kSha384, AsBytes("report"), *sig,
                           SigFormat::kRawLittleEndian));  // wrong component size
  Bytes padded = *sig;
  padded[60] = 1;  // inside r's padding (bytes 48..71)
  EXPECT_FALSE(EcdsaVerify(pub, HashAlg::kSha384, AsBytes("report"), padded,
                           SigFormat::kRawLittleEndian, 72));
  padded = *sig;
  padded[143] = 1;  // inside s's padding
  EXPECT_FALSE(EcdsaVerify(pub, HashAlg::kSha384, AsBytes("report"), padded,
                           SigFormat::kRawLittleEndian, 72));
}

TEST(EcdsaTest, RejectsZeroAndOutOfRangeComponents) {
  auto pub = PublicKey::FromRaw(KeyType::kP256, H(kP256Point));
  ASSERT_TRUE(pub.ok());
  EXPECT_FALSE(EcdsaVerify(*pub, HashAlg::kSha256, AsBytes("sample"), Bytes(64, 0),
                           SigFormat::kRawBigEndian));
  EXPECT_FALSE(EcdsaVerify(*pub, HashAlg::kSha256, AsBytes("sample"), Bytes(64, 0xff),
                           SigFormat::kRawBigEndian));
  EXPECT_FALSE(EcdsaVerify(*pub, HashAlg::kSha256, AsBytes("sample"), Bytes(63, 1),
                           SigFormat::kRawBigEndian));
}

TEST(EcdsaTest, RejectsNonEcKeys) {
  auto x = PrivateKey::Generate(KeyType::kX25519);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(EcdsaSign(*x, HashAlg::kSha256, {}, SigFormat::kDer).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(EcdsaVerify(x->public_key(), HashAlg::kSha256, {}, Bytes(64), SigFormat::kDer));
}

}  // namespace
}  // namespace confide::crypto
