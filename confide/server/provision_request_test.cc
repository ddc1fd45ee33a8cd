#include "confide/server/provision_request.h"

#include <gtest/gtest.h>

#include "confide/base/base64.h"
#include "confide/base/hex.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hpke.h"
#include "confide/crypto/random.h"

namespace confide::server {
namespace {

using crypto::KeyType;
using crypto::PrivateKey;

package::Digest DigestOf(uint8_t fill) {
  package::Digest d;
  d.fill(fill);
  return d;
}

std::string Body(const std::string& sealed_b64, const std::string& sig_b64) {
  return "{\"sealed_key\":\"" + sealed_b64 + "\",\"signature\":\"" + sig_b64 + "\"}";
}

class ProvisionTest : public ::testing::Test {
 protected:
  PrivateKey hpke_key_ = *PrivateKey::Generate(KeyType::kX25519);
  Bytes hpke_pub_ = *hpke_key_.public_key().ToRaw();
  PrivateKey signer_ = *PrivateKey::Generate(KeyType::kP256);
  SecretBytes key_ = SecretBytes::CopyFrom(crypto::RandomBytes(32));
};

// The HPKE info and signed message layouts, spelled out byte by byte.
TEST(ProvisionLayout, InfoAndMessageAreTheDocumentedConcatenations) {
  package::Digest d = DigestOf(0xab);
  Bytes info = ProvisionHpkeInfo("mnist8", d);
  EXPECT_EQ(HexEncode(info), HexEncode(AsBytes("confide provision v1")) + "0006" +
                                 HexEncode(AsBytes("mnist8")) + HexEncode(d));
  Bytes pub(32, 0x11), sealed(80, 0x22);
  Bytes msg = ProvisionSignedMessage(d, pub, sealed);
  EXPECT_EQ(msg.size(), std::string("confide provision signature v1").size() + 32 + 32 + 80);
  EXPECT_EQ(HexEncode(msg), HexEncode(AsBytes("confide provision signature v1")) + HexEncode(d) +
                                HexEncode(pub) + HexEncode(sealed));
}

TEST_F(ProvisionTest, SealedKeyOpensWithTheHandBuiltInfoAndRoundTrips) {
  package::Digest d = DigestOf(7);
  auto sealed = SealProvisionKey(hpke_pub_, "demo", d, key_);
  ASSERT_TRUE(sealed.ok()) << sealed.error().ToString();
  ASSERT_EQ(sealed->size(), kProvisionSealedKeySize);
  // Independent open: RFC 9180 base mode with the info written out here.
  Bytes info = Concat({AsBytes("confide provision v1"), Bytes{0x00, 0x04}, AsBytes("demo"), d});
  const crypto::hpke::Suite suite{crypto::hpke::KemId::kX25519HkdfSha256,
                                  crypto::hpke::KdfId::kHkdfSha256,
                                  crypto::hpke::AeadId::kAes256Gcm};
  auto plain = crypto::hpke::OpenBase(suite, ByteSpan(*sealed).first(32), hpke_key_, info, {},
                                      ByteSpan(*sealed).subspan(32));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(HexEncode(*plain), HexEncode(key_.Expose()));
  auto opened = OpenProvisionKey(hpke_key_, "demo", d, *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(HexEncode(opened->Expose()), HexEncode(key_.Expose()));
}

TEST_F(ProvisionTest, SealedKeyIsBoundToModelPackageAndRecipient) {
  package::Digest d = DigestOf(7);
  Bytes sealed = *SealProvisionKey(hpke_pub_, "demo", d, key_);
  EXPECT_EQ(OpenProvisionKey(hpke_key_, "other", d, sealed).error().code,
            ErrorCode::kVerificationFailed);
  EXPECT_EQ(OpenProvisionKey(hpke_key_, "demo", DigestOf(8), sealed).error().code,
            ErrorCode::kVerificationFailed);
  PrivateKey other = *PrivateKey::Generate(KeyType::kX25519);
  EXPECT_EQ(OpenProvisionKey(other, "demo", d, sealed).error().code,
            ErrorCode::kVerificationFailed);
  sealed[50] ^= 1;
  EXPECT_EQ(OpenProvisionKey(hpke_key_, "demo", d, sealed).error().code,
            ErrorCode::kVerificationFailed);
  EXPECT_EQ(OpenProvisionKey(hpke_key_, "demo", d, ByteSpan(sealed).first(79)).error().code,
            ErrorCode::kMalformed);
  EXPECT_FALSE(SealProvisionKey(hpke_pub_, "demo", d, SecretBytes::CopyFrom(Bytes(31, 1))).ok());
  EXPECT_FALSE(SealProvisionKey(Bytes(31, 1), "demo", d, key_).ok());
}

TEST_F(ProvisionTest, SignatureBindsDigestHpkeKeyAndSealedKey) {
  package::Digest d = DigestOf(3);
  Bytes sealed = *SealProvisionKey(hpke_pub_, "demo", d, key_);
  auto sig = SignProvision(signer_, d, hpke_pub_, sealed);
  ASSERT_TRUE(sig.ok());
  ProvisionRequest req{.sealed_key = sealed, .signature = *sig};
  // Independent check: plain ECDSA over the documented message.
  Bytes msg = Concat({AsBytes("confide provision signature v1"), d, hpke_pub_, sealed});
  EXPECT_TRUE(crypto::EcdsaVerify(signer_.public_key(), crypto::HashAlg::kSha256, msg, *sig,
                                  crypto::SigFormat::kDer));
  EXPECT_TRUE(VerifyProvisionSignature(signer_.public_key(), d, hpke_pub_, req));
  EXPECT_FALSE(VerifyProvisionSignature(signer_.public_key(), DigestOf(4), hpke_pub_, req));
  Bytes other_pub = *PrivateKey::Generate(KeyType::kX25519)->public_key().ToRaw();
  EXPECT_FALSE(VerifyProvisionSignature(signer_.public_key(), d, other_pub, req));
  PrivateKey stranger = *PrivateKey::Generate(KeyType::kP256);
  EXPECT_FALSE(VerifyProvisionSignature(stranger.public_key(), d, hpke_pub_, req));
  ProvisionRequest swapped = req;
  swapped.sealed_key[0] ^= 1;
  EXPECT_FALSE(VerifyProvisionSignature(signer_.public_key(), d, hpke_pub_, swapped));
}

TEST_F(ProvisionTest, BodyRoundTrips) {
  ProvisionRequest req{.sealed_key = Bytes(80, 9), .signature = Bytes(70, 5)};
  auto back = ParseProvisionRequest(SerializeProvisionRequest(req));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->sealed_key, req.sealed_key);
  EXPECT_EQ(back->signature, req.signature);
}

TEST(ProvisionParse, RefusesMalformedBodies) {
  const std::string sealed = Base64Encode(Bytes(80, 1)), sig = Base64Encode(Bytes(70, 2));
  ASSERT_TRUE(ParseProvisionRequest(Body(sealed, sig)).ok());
  const std::vector<std::string> bad = {
      "",
      "[]",
      "{",
      "null",
      "{\"sealed_key\":\"" + sealed + "\"}",               // no signature
      "{\"signature\":\"" + sig + "\"}",                   // no sealed key
      Body(Base64Encode(Bytes(79, 1)), sig),               // short sealed key
      Body(Base64Encode(Bytes(81, 1)), sig),               // long sealed key
      Body(sealed, Base64Encode(Bytes(73, 2))),            // long signature
      Body(sealed, ""),                                    // empty signature
      Body("***", sig),                                    // not base64
      "{\"sealed_key\":1,\"signature\":\"" + sig + "\"}",  // wrong type
      "{\"sealed_key\":\"" + sealed + "\",\"signature\":\"" + sig + "\",\"x\":1}",  // extra
      Body(sealed, sig) + std::string(kMaxProvisionBodySize, ' '),                  // oversize
  };
  for (const std::string& body : bad) {
    auto r = ParseProvisionRequest(body);
    ASSERT_FALSE(r.ok()) << body.substr(0, 80);
    EXPECT_EQ(r.error().code, ErrorCode::kMalformed) << body.substr(0, 80);
    EXPECT_EQ(r.error().message.find(sealed), std::string::npos);  // never quotes the input
  }
}

}  // namespace
}  // namespace confide::server
