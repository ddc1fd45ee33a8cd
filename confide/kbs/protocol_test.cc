#include "confide/kbs/protocol.h"

#include <gtest/gtest.h>

#include "confide/kbs/admin_tokens.h"
#include "confide/kbs/nonce_store.h"

namespace confide::kbs {
namespace {

ReleaseRequest Sample() {
  return {"resnet-50", 3, Bytes(kNonceSize, 1), Bytes(32, 2), Bytes(100, 3)};
}

TEST(ProtocolTest, ReleaseRequestRoundTrips) {
  auto back = ParseReleaseRequest(SerializeReleaseRequest(Sample()));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->model_id, "resnet-50");
  EXPECT_EQ(back->key_version, 3u);
  EXPECT_EQ(back->evidence, Bytes(100, 3));
}

TEST(ProtocolTest, RejectsMalformedRequests) {
  for (const char* body : {"", "[]", "{}", "{\"model_id\": 1}",
                           "{\"model_id\":\"a/b\",\"nonce\":\"00\",\"hpke_pub\":\"00\",\"evidence\":\"00\"}",
                           "{\"model_id\":\"a\",\"nonce\":\"zz\",\"hpke_pub\":\"00\",\"evidence\":\"00\"}"}) {
    auto r = ParseReleaseRequest(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kMalformed) << body;
  }
  nlohmann::json j = nlohmann::json::parse(SerializeReleaseRequest(Sample()));
  j["extra"] = 1;
  EXPECT_FALSE(ParseReleaseRequest(j.dump()).ok());
  j.erase("extra");
  j["key_version"] = -1;
  EXPECT_FALSE(ParseReleaseRequest(j.dump()).ok());
}

TEST(ProtocolTest, ReleaseInfoSeparatesFields) {
  EXPECT_NE(ReleaseInfo("ab", 1, Bytes(32, 0)), ReleaseInfo("a", 1, Bytes(32, 0)));
  EXPECT_NE(ReleaseInfo("a", 1, Bytes(32, 0)), ReleaseInfo("a", 2, Bytes(32, 0)));
}

TEST(NonceStoreTest, NonceIsSingleUseAndExpires) {
  NonceStore store({.ttl = std::chrono::seconds(10)});
  Time t0(std::chrono::seconds(1000));
  auto n = store.Issue(t0);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(store.Consume(n->nonce, t0), NonceState::kFresh);
  EXPECT_EQ(store.Consume(n->nonce, t0), NonceState::kReplayed);
  auto m = store.Issue(t0);
  EXPECT_EQ(store.Consume(m->nonce, t0 + std::chrono::seconds(11)), NonceState::kExpired);
  EXPECT_EQ(store.Consume(Bytes(kNonceSize, 0), t0), NonceState::kUnknown);
  EXPECT_EQ(store.Consume(n->nonce, t0 + std::chrono::seconds(25)), NonceState::kUnknown);
}

TEST(NonceStoreTest, ExpiredIsNamedUntilOneTtlAfterExpiryThenForgotten) {
  NonceStore store({.ttl = std::chrono::seconds(10)});
  Time t0(std::chrono::seconds(1000));
  auto at_expiry = store.Issue(t0);
  auto just_after = store.Issue(t0);
  auto at_grace_end = store.Issue(t0);
  auto after_grace = store.Issue(t0);
  EXPECT_EQ(at_expiry->expires_at, t0 + std::chrono::seconds(10));
  EXPECT_EQ(store.Consume(at_expiry->nonce, t0 + std::chrono::seconds(10)), NonceState::kFresh);
  EXPECT_EQ(store.Consume(just_after->nonce, t0 + std::chrono::seconds(11)), NonceState::kExpired);
  EXPECT_EQ(store.Consume(at_grace_end->nonce, t0 + std::chrono::seconds(20)), NonceState::kExpired);
  EXPECT_EQ(store.Consume(after_grace->nonce, t0 + std::chrono::seconds(21)), NonceState::kUnknown);
}

TEST(AdminTokensTest, AuthenticatesWithScope) {
  auto tokens = ParseAdminTokens(AsBytes("# c\nowner aaaaaaaaaaaaaaaa1 resnet,bert\nroot bbbbbbbbbbbbbbbb2 *\n"));
  ASSERT_TRUE(tokens.ok()) << tokens.error().ToString();
  auto owner = tokens->Authenticate("Bearer aaaaaaaaaaaaaaaa1");
  ASSERT_TRUE(owner.has_value());
  EXPECT_TRUE(owner->Covers("bert"));
  EXPECT_FALSE(owner->Covers("gpt"));
  EXPECT_TRUE(tokens->Authenticate("Bearer bbbbbbbbbbbbbbbb2")->Covers("gpt"));
  EXPECT_FALSE(tokens->Authenticate("Bearer aaaaaaaaaaaaaaaa").has_value());
  EXPECT_FALSE(tokens->Authenticate("aaaaaaaaaaaaaaaa1").has_value());
  EXPECT_FALSE(ParseAdminTokens(AsBytes("x short *\n")).ok());
}

}  // namespace
}  // namespace confide::kbs
