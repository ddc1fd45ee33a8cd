#include "confide/crypto/x509_issue.h"

#include <gtest/gtest.h>

namespace confide::crypto {
namespace {

using std::chrono::hours;

Time At(const char* text) { return *ParseRfc3339(text); }

Certificate IssueRoot(const PrivateKey& key) {
  CertificateTemplate t{.subject_cn = "test root", .subject_o = "confide tests",
                        .not_before = At("2025-01-01T00:00:00Z"),
                        .not_after = At("2030-01-01T00:00:00Z"), .is_ca = true};
  return *IssueCertificate(t, key.public_key(), key);
}

Certificate IssueLeaf(const PrivateKey& key, const PrivateKey& root_key, const Certificate& root,
                      Bytes serial) {
  CertificateTemplate t{.subject_cn = "test leaf", .serial = std::move(serial),
                        .not_before = At("2025-01-01T00:00:00Z"),
                        .not_after = At("2026-01-01T00:00:00Z")};
  t.extensions.push_back({"1.3.6.1.4.1.3704.1.3.1", Bytes{0x02, 0x01, 0x07}, false});
  return *IssueCertificate(t, key.public_key(), root_key, &root);
}

TEST(X509IssueTest, IssuedChainVerifiesAndCarriesExtensions) {
  PrivateKey root_key = *PrivateKey::Generate(KeyType::kP384);
  PrivateKey leaf_key = *PrivateKey::Generate(KeyType::kP256);
  Certificate root = IssueRoot(root_key);
  Certificate leaf = IssueLeaf(leaf_key, root_key, root, {0x01, 0x23});
  EXPECT_TRUE(root.IsSelfSigned());
  EXPECT_TRUE(leaf.IsSignedBy(root));
  EXPECT_FALSE(root.IsSignedBy(leaf));
  EXPECT_EQ(leaf.serial_number(), (Bytes{0x01, 0x23}));
  EXPECT_EQ(leaf.not_after(), At("2026-01-01T00:00:00Z"));
  EXPECT_EQ(*leaf.Extension("1.3.6.1.4.1.3704.1.3.1"), (Bytes{0x02, 0x01, 0x07}));
  EXPECT_FALSE(leaf.Extension("1.3.6.1.4.1.3704.1.3.2").has_value());
  EXPECT_EQ(leaf.public_key().ToDer(), leaf_key.public_key().ToDer());

  auto ok = VerifyChain(leaf, {}, {root}, {}, {.now = At("2025-06-01T00:00:00Z")});
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_TRUE(ok->ok()) << ok->detail;

  auto expired = VerifyChain(leaf, {}, {root}, {}, {.now = At("2026-06-01T00:00:00Z")});
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->failure, ChainFailure::kExpired);

  PrivateKey other_key = *PrivateKey::Generate(KeyType::kP384);
  auto untrusted = VerifyChain(leaf, {}, {IssueRoot(other_key)}, {},
                               {.now = At("2025-06-01T00:00:00Z")});
  ASSERT_TRUE(untrusted.ok());
  EXPECT_FALSE(untrusted->ok());
}

TEST(X509IssueTest, IssuedCrlRevokesBySerial) {
  PrivateKey root_key = *PrivateKey::Generate(KeyType::kP384);
  PrivateKey leaf_key = *PrivateKey::Generate(KeyType::kP256);
  Certificate root = IssueRoot(root_key);
  Certificate leaf = IssueLeaf(leaf_key, root_key, root, {0x05});
  CrlTemplate t{.this_update = At("2025-05-01T00:00:00Z"),
                .next_update = At("2025-07-01T00:00:00Z"), .revoked_serials = {{0x05}}};
  Crl crl = *IssueCrl(t, root, root_key);
  EXPECT_TRUE(crl.IsRevoked(leaf));
  auto revoked = VerifyChain(leaf, {}, {root}, {crl}, {.now = At("2025-06-01T00:00:00Z")});
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->failure, ChainFailure::kRevoked);

  t.revoked_serials = {{0x06}};
  Crl clean = *IssueCrl(t, root, root_key);
  auto fine = VerifyChain(leaf, {}, {root}, {clean}, {.now = At("2025-06-01T00:00:00Z")});
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE(fine->ok()) << fine->detail;
  auto stale = VerifyChain(leaf, {}, {root}, {clean}, {.now = At("2025-08-01T00:00:00Z")});
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->failure, ChainFailure::kCrlExpired);
}

TEST(X509IssueTest, RejectsBadTemplates) {
  PrivateKey key = *PrivateKey::Generate(KeyType::kP256);
  CertificateTemplate t{.subject_cn = "", .not_before = At("2025-01-01T00:00:00Z"),
                        .not_after = At("2026-01-01T00:00:00Z")};
  EXPECT_EQ(IssueCertificate(t, key.public_key(), key).error().code, ErrorCode::kInvalidArgument);
  t.subject_cn = "x";
  t.not_after = At("2024-01-01T00:00:00Z");
  EXPECT_EQ(IssueCertificate(t, key.public_key(), key).error().code, ErrorCode::kInvalidArgument);
  t.not_after = At("2026-01-01T00:00:00Z");
  t.extensions.push_back({"not.an.oid", {}, false});
  EXPECT_EQ(IssueCertificate(t, key.public_key(), key).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace confide::crypto
