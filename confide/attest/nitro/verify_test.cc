#include "confide/attest/nitro/verify.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "confide/base/testing/shared_data.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::attest::nitro {
namespace {

using nlohmann::json;

Time At(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

json Expected() {
  return json::parse(ToString(testing::ReadSharedFile("vectors/nitro/expected.json")));
}

Verification VerifyFile(const std::string& rel, Time now) {
  Result<Document> doc = ParseDocument(testing::ReadSharedFile("vectors/" + rel));
  CONFIDE_CHECK(doc.ok());
  Result<Verification> v = VerifyDocument(*doc, {.now = now, .trusted_roots = {*AwsNitroRoot()}});
  CONFIDE_CHECK(v.ok());
  return *v;
}

std::string Describe(const Verification& v) {
  std::string out;
  for (const CheckOutcome& c : v.checks) {
    out += std::string(CheckName(c.check)) + "=" + (c.passed ? "ok" : "FAIL") + " (" + c.detail +
           ")\n";
  }
  return out;
}

TEST(NitroVerifyTest, EmbeddedRootIsTheSharedOne) {
  Result<crypto::Certificate> root = AwsNitroRoot();
  ASSERT_TRUE(root.ok());
  Result<crypto::Certificate> shared = crypto::Certificate::FromPem(
      ToString(testing::ReadSharedFile("vectors/nitro/aws-nitro-root-g1.pem")));
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(root->ToDer(), shared->ToDer());
  EXPECT_EQ(HexEncode(crypto::Sha256(root->ToDer())),
            "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b");
  EXPECT_TRUE(root->IsSelfSigned());
}

TEST(NitroVerifyTest, EveryDocumentVerifiesAtItsVerifyAt) {
  const json expected = Expected();
  ASSERT_EQ(expected["vectors"].size(), 3u);  // the loop below must not be vacuous
  for (const json& v : expected["vectors"]) {
    SCOPED_TRACE(v["file"].get<std::string>());
    Verification r = VerifyFile(v["file"], At(v["verify_at"]));
    EXPECT_TRUE(r.ok()) << Describe(r);
    ASSERT_TRUE(r.reached_root);
    EXPECT_EQ(r.reached_root->ToDer(), AwsNitroRoot()->ToDer());
  }
}

TEST(NitroVerifyTest, EveryDocumentIsExpiredToday) {
  const json expected = Expected();
  ASSERT_EQ(expected["vectors"].size(), 3u);  // the loop below must not be vacuous
  for (const json& v : expected["vectors"]) {
    SCOPED_TRACE(v["file"].get<std::string>());
    Verification r = VerifyFile(v["file"], At("2026-11-26T00:00:00Z"));
    EXPECT_EQ(r.failures(), std::vector<FailureKind>{FailureKind::kCertExpired}) << Describe(r);
  }
}

TEST(NitroVerifyTest, LeafNotYetValidBeforeIssue) {
  Verification r = VerifyFile("nitro/blocky-2024-prod.bin", At("2024-09-07T14:00:00Z"));
  EXPECT_EQ(r.failures(), std::vector<FailureKind>{FailureKind::kCertNotYetValid}) << Describe(r);
}

TEST(NitroVerifyTest, FlippedPcrByteBreaksTheSignature) {
  Verification r =
      VerifyFile("nitro/negative/blocky-2024-prod.bad-pcr0.bin", At("2024-09-07T14:40:00Z"));
  EXPECT_EQ(r.failures(), std::vector<FailureKind>{FailureKind::kSignatureInvalid}) << Describe(r);
}

TEST(NitroVerifyTest, SelfSignedSyntheticIsUntrusted) {
  // Inside the synthetic leaf's own validity; it has no cabundle and no path to the AWS root.
  Result<Document> doc = ParseDocument(
      testing::ReadSharedFile("vectors/nitro/negative/blocky-selfsigned-synthetic.bin"));
  ASSERT_TRUE(doc.ok());
  Result<crypto::Certificate> leaf = crypto::Certificate::FromDer(doc->payload.certificate);
  ASSERT_TRUE(leaf.ok());
  Result<Verification> r =
      VerifyDocument(*doc, {.now = leaf->not_before() + std::chrono::hours(1),
                            .trusted_roots = {*AwsNitroRoot()}});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->checks[1].failure, FailureKind::kChainUntrusted) << Describe(*r);
  EXPECT_FALSE(r->reached_root);
}

TEST(NitroVerifyTest, WrongRootIsUntrusted) {
  Result<Document> doc = ParseDocument(testing::ReadSharedFile("vectors/nitro/blocky-2024-prod.bin"));
  ASSERT_TRUE(doc.ok());
  Result<crypto::Certificate> other = crypto::Certificate::FromDer(
      testing::ReadSharedFile("vectors/nitro/negative/blocky-selfsigned-synthetic.root.der"));
  ASSERT_TRUE(other.ok());
  Result<Verification> r =
      VerifyDocument(*doc, {.now = At("2024-09-07T14:40:00Z"), .trusted_roots = {*other}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kChainUntrusted})
      << Describe(*r);
  // Dropping the cabundle loses the path too; a garbled intermediate is untrusted.
  Document no_bundle = *doc;
  no_bundle.payload.cabundle.clear();
  r = VerifyDocument(no_bundle, {.now = At("2024-09-07T14:40:00Z"),
                                 .trusted_roots = {*AwsNitroRoot()}});
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kChainUntrusted});
  Document garbled = *doc;
  garbled.payload.cabundle[1][5] ^= 0xff;
  r = VerifyDocument(garbled, {.now = At("2024-09-07T14:40:00Z"),
                               .trusted_roots = {*AwsNitroRoot()}});
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kChainUntrusted});
  EXPECT_EQ(VerifyDocument(*doc, {.now = At("2024-09-07T14:40:00Z")}).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace confide::attest::nitro
