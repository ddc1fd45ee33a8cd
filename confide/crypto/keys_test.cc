#include "confide/crypto/keys.h"

#include <gtest/gtest.h>

#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/x509.h"

namespace confide::crypto {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

// Wycheproof ecdh_secp256r1 tcId 1: a private scalar and its uncompressed public point (derived
// independently by Wycheproof; the point is the public key of another party there, so here we
// use the RFC 6979 A.2.5 P-256 key instead).
constexpr std::string_view kP256Scalar =
    "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
constexpr std::string_view kP256Point =
    "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc"
    "64f2f1b20c2d7e9f5177a3c294d4462299";

TEST(KeysTest, P256FromRawDerivesThePublicPoint) {
  auto key = PrivateKey::FromRaw(KeyType::kP256, H(kP256Scalar));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->type(), KeyType::kP256);
  auto raw_pub = key->public_key().ToRaw();
  ASSERT_TRUE(raw_pub.ok());
  EXPECT_EQ(HexEncode(*raw_pub), kP256Point);
  auto raw = key->ToRaw();
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(HexEncode(raw->Expose()), kP256Scalar);
}

TEST(KeysTest, RawRoundTripsForEveryType) {
  for (KeyType t : {KeyType::kP256, KeyType::kP384, KeyType::kP521, KeyType::kX25519}) {
    auto key = PrivateKey::Generate(t);
    ASSERT_TRUE(key.ok()) << KeyTypeName(t);
    auto raw = key->ToRaw();
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->size(), t == KeyType::kX25519 ? 32 : CurveFieldSize(t));
    auto again = PrivateKey::FromRaw(t, raw->Expose());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->public_key().ToDer(), key->public_key().ToDer());
    auto pub_raw = key->public_key().ToRaw();
    ASSERT_TRUE(pub_raw.ok());
    auto pub = PublicKey::FromRaw(t, *pub_raw);
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(pub->ToDer(), key->public_key().ToDer());
  }
}

TEST(KeysTest, PemAndDerRoundTrip) {
  auto key = PrivateKey::Generate(KeyType::kP384);
  ASSERT_TRUE(key.ok());
  SecretBytes pem = key->ToPem();
  EXPECT_EQ(ToString(pem.Expose().first(27)), "-----BEGIN PRIVATE KEY-----");
  auto again = PrivateKey::FromPem(pem.Expose());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key().ToDer(), key->public_key().ToDer());
  PublicKey pub = key->public_key();
  auto from_pem = PublicKey::FromPem(pub.ToPem());
  ASSERT_TRUE(from_pem.ok());
  EXPECT_EQ(from_pem->ToDer(), pub.ToDer());
  EXPECT_EQ(pub.Clone().ToDer(), pub.ToDer());
}

TEST(KeysTest, RejectsScalarsOutsideTheGroupOrder) {
  EXPECT_EQ(PrivateKey::FromRaw(KeyType::kP256, Bytes(32, 0)).error().code,
            ErrorCode::kInvalidArgument);
  // n itself (P-256 group order).
  EXPECT_EQ(PrivateKey::FromRaw(
                KeyType::kP256,
                H("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))
                .error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::FromRaw(KeyType::kP256, Bytes(31, 1)).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::FromRaw(KeyType::kX25519, Bytes(33, 1)).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(PrivateKey::Generate(KeyType::kRsa).error().code, ErrorCode::kInvalidArgument);
}

TEST(KeysTest, RejectsPointNotOnCurve) {
  Bytes point = H(kP256Point);
  point.back() ^= 1;
  auto pub = PublicKey::FromRaw(KeyType::kP256, point);
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.error().code, ErrorCode::kMalformed);
  // The same point inside an SPKI.
  auto good = PublicKey::FromRaw(KeyType::kP256, H(kP256Point));
  ASSERT_TRUE(good.ok());
  Bytes spki = good->ToDer();
  spki.back() ^= 1;
  EXPECT_FALSE(PublicKey::FromDer(spki).ok());
  EXPECT_FALSE(PublicKey::FromRaw(KeyType::kP256, ByteSpan(point).first(64)).ok());
}

TEST(KeysTest, RejectsTrailingBytesAndGarbage) {
  auto key = PrivateKey::Generate(KeyType::kP256);
  ASSERT_TRUE(key.ok());
  Bytes spki = key->public_key().ToDer();
  spki.push_back(0);
  EXPECT_EQ(PublicKey::FromDer(spki).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(PublicKey::FromDer(AsBytes("not der")).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                .error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(PrivateKey::FromPem(AsBytes("-----BEGIN PRIVATE KEY-----\nZm9v\n-----END PRIVATE "
                                        "KEY-----\n")).error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(PrivateKey::FromDer(Bytes(10, 0x30)).error().code, ErrorCode::kMalformed);
}

TEST(KeysTest, LoadsRsaKeysFromCertificates) {
  Bytes pem = testing::ReadSharedFile("vectors/snp/amd-milan-ark.pem");
  auto cert = Certificate::FromPem(ToString(pem));
  ASSERT_TRUE(cert.ok());
  PublicKey pub = cert->public_key();
  EXPECT_EQ(pub.type(), KeyType::kRsa);
  EXPECT_EQ(pub.ToRaw().error().code, ErrorCode::kInvalidArgument);
  auto again = PublicKey::FromDer(pub.ToDer());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->type(), KeyType::kRsa);
}

}  // namespace
}  // namespace confide::crypto
