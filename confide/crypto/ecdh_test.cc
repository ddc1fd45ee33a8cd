#include "confide/crypto/ecdh.h"

#include <gtest/gtest.h>

#include "confide/base/hex.h"

namespace confide::crypto {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

// RFC 7748 §6.1.
TEST(EcdhTest, X25519Rfc7748) {
  auto alice = PrivateKey::FromRaw(
      KeyType::kX25519, H("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = PrivateKey::FromRaw(
      KeyType::kX25519, H("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_EQ(HexEncode(*alice->public_key().ToRaw()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(HexEncode(*bob->public_key().ToRaw()),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto ab = Ecdh(*alice, bob->public_key());
  auto ba = Ecdh(*bob, alice->public_key());
  ASSERT_TRUE(ab.ok() && ba.ok());
  EXPECT_EQ(HexEncode(ab->Expose()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(HexEncode(ba->Expose()), HexEncode(ab->Expose()));
}

TEST(EcdhTest, X25519RejectsLowOrderPoints) {
  auto own = PrivateKey::Generate(KeyType::kX25519);
  ASSERT_TRUE(own.ok());
  // u = 0 and u = 1 are low-order points: the output is all zero.
  for (uint8_t u : {0, 1}) {
    Bytes raw(32, 0);
    raw[0] = u;
    auto peer = PublicKey::FromRaw(KeyType::kX25519, raw);
    ASSERT_TRUE(peer.ok());
    auto shared = Ecdh(*own, *peer);
    ASSERT_FALSE(shared.ok());
    EXPECT_EQ(shared.error().code, ErrorCode::kVerificationFailed);
  }
}

TEST(EcdhTest, PCurvesAgree) {
  for (KeyType t : {KeyType::kP256, KeyType::kP384, KeyType::kP521}) {
    auto a = PrivateKey::Generate(t);
    auto b = PrivateKey::Generate(t);
    ASSERT_TRUE(a.ok() && b.ok());
    auto ab = Ecdh(*a, b->public_key());
    auto ba = Ecdh(*b, a->public_key());
    ASSERT_TRUE(ab.ok() && ba.ok());
    EXPECT_EQ(HexEncode(ab->Expose()), HexEncode(ba->Expose()));
    EXPECT_EQ(ab->size(), t == KeyType::kP256 ? 32u : t == KeyType::kP384 ? 48u : 66u);
  }
}

TEST(EcdhTest, RejectsMixedKeyTypes) {
  auto a = PrivateKey::Generate(KeyType::kP256);
  auto b = PrivateKey::Generate(KeyType::kP384);
  ASSERT_TRUE(a.ok() && b.ok());
  auto shared = Ecdh(*a, b->public_key());
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace confide::crypto
