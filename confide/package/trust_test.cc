#include "confide/package/trust.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "confide/base/hex.h"

namespace confide::package {
namespace {

crypto::PublicKey NewKey() { return crypto::PrivateKey::Generate(crypto::KeyType::kP256)->public_key(); }

std::string Entry(const crypto::PublicKey& key, const std::string& extra) {
  return "[[signer]]\nname = \"owner\"\npublic_key = \"\"\"\n" + key.ToPem() + "\"\"\"\n" + extra + "\n";
}

Time At(const char* t) { return *ParseRfc3339(t); }

TEST(TrustList, FindsASignerInsideItsWindow) {
  crypto::PublicKey key = NewKey();
  Result<TrustList> list = TrustList::Parse(
      Entry(key, "not_before = 2025-01-01T00:00:00Z\nnot_after = \"2026-01-01T00:00:00Z\""), ".");
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  Result<const TrustedSigner*> s = list->FindSigner(SignerKeyId(key), At("2025-06-01T00:00:00Z"));
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ((*s)->name, "owner");
}

TEST(TrustList, GivesDistinctErrorsForUnknownRevokedExpiredAndNotYetValid) {
  crypto::PublicKey key = NewKey(), revoked = NewKey(), other = NewKey();
  std::string text = Entry(key, "not_before = 2025-01-01T00:00:00Z\nnot_after = 2026-01-01T00:00:00+01:00") +
                     Entry(revoked, "revoked = true");
  Result<TrustList> list = TrustList::Parse(text, ".");
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  struct Case { Digest id; const char* when; const char* message; };
  const Case cases[] = {
      {SignerKeyId(other), "2025-06-01T00:00:00Z", "unknown signer"},
      {SignerKeyId(revoked), "2025-06-01T00:00:00Z", "signer revoked"},
      {SignerKeyId(key), "2025-12-31T23:00:01Z", "signer expired"},
      {SignerKeyId(key), "2024-12-31T23:59:59Z", "signer not yet valid"},
  };
  for (const Case& c : cases) {
    Result<const TrustedSigner*> s = list->FindSigner(c.id, At(c.when));
    ASSERT_FALSE(s.ok()) << c.message;
    EXPECT_EQ(s.error().code, ErrorCode::kVerificationFailed);
    EXPECT_EQ(s.error().message.rfind(c.message, 0), 0u) << s.error().message;
  }
  EXPECT_TRUE(list->FindSigner(SignerKeyId(key), At("2025-12-31T23:00:00Z")).ok());
}

TEST(TrustList, RotationKeepsOldAndNewKeysValidInTheirWindows) {
  crypto::PublicKey old_key = NewKey(), new_key = NewKey();
  Result<TrustList> list = TrustList::Parse(
      Entry(old_key, "not_after = 2025-06-30T00:00:00Z") +
          Entry(new_key, "not_before = 2025-06-01T00:00:00Z"), ".");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->FindSigner(SignerKeyId(old_key), At("2025-06-15T00:00:00Z")).ok());
  EXPECT_TRUE(list->FindSigner(SignerKeyId(new_key), At("2025-06-15T00:00:00Z")).ok());
  EXPECT_FALSE(list->FindSigner(SignerKeyId(old_key), At("2025-07-01T00:00:00Z")).ok());
}

TEST(TrustList, ReadsKeyFilesRelativeToTheListsFolder) {
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("trust_test_dir_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  crypto::PublicKey key = NewKey();
  std::ofstream(dir / "owner.pub") << key.ToPem();
  std::ofstream(dir / "signers.toml") << "[[signer]]\nname = \"f\"\npublic_key_file = \"owner.pub\"\n";
  Result<TrustList> list = TrustList::Load((dir / "signers.toml").string());
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  EXPECT_EQ(list->signers().at(0).key_id, SignerKeyId(key));
  std::ofstream(dir / "missing.toml") << "[[signer]]\npublic_key_file = \"nope.pub\"\n";
  EXPECT_EQ(TrustList::Load((dir / "missing.toml").string()).error().code, ErrorCode::kNotFound);
}

TEST(TrustList, RejectsMalformedListsWithoutThrowing) {
  crypto::PublicKey key = NewKey();
  const std::string cases[] = {
      "[[signer]\n",                                       // TOML syntax
      "",                                                  // no entries
      "other = 1\n",                                       // unknown top-level key
      Entry(key, "colour = \"red\""),                      // unknown signer key
      Entry(key, "revoked = \"yes\""),                     // wrong type
      Entry(key, "not_after = 2025-01-01T00:00:00"),       // local time: no offset
      Entry(key, "not_before = 2026-01-01T00:00:00Z\nnot_after = 2025-01-01T00:00:00Z"),
      "[[signer]]\npublic_key = \"not a key\"\n",
      "[[signer]]\nname = \"x\"\n",                        // no key at all
      Entry(crypto::PrivateKey::Generate(crypto::KeyType::kP384)->public_key(), ""),
  };
  for (const std::string& text : cases) {
    Result<TrustList> list = TrustList::Parse(text, ".");
    ASSERT_FALSE(list.ok()) << text;
    EXPECT_EQ(list.error().code, ErrorCode::kMalformed) << text;
  }
}

}  // namespace
}  // namespace confide::package
