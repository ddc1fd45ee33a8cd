#include "confide/crypto/hmac.h"

#include <gtest/gtest.h>

#include "confide/base/hex.h"
#include "confide/crypto/constant_time.h"

namespace confide::crypto {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

TEST(HmacTest, Rfc4231Case1) {
  Bytes key(20, 0x0b);
  ByteSpan data = AsBytes("Hi There");
  EXPECT_EQ(HexEncode(Hmac(HashAlg::kSha256, key, data)),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexEncode(Hmac(HashAlg::kSha384, key, data)),
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152"
            "e8b2fa9cb6");
  EXPECT_EQ(HexEncode(Hmac(HashAlg::kSha512, key, data)),
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b27"
            "4eaea3f4e4be9d914eeb61f1702e696c203a126854");
}

TEST(HmacTest, Rfc4231Case2ShortKey) {
  EXPECT_EQ(HexEncode(Hmac(HashAlg::kSha256, AsBytes("Jefe"),
                           AsBytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacTest, Rfc4231Case6KeyLongerThanBlock) {
  Bytes key(131, 0xaa);
  EXPECT_EQ(HexEncode(Hmac(HashAlg::kSha256, key,
                           AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacTest, EmptyKeyIsAllowed) {
  // Python: hmac.new(b"", b"", hashlib.sha256).hexdigest()
  EXPECT_EQ(HexEncode(Hmac(HashAlg::kSha256, {}, {})),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacTest, VerifyAcceptsFullAndTruncatedTagsOnly) {
  Bytes key(32, 7);
  Bytes tag = Hmac(HashAlg::kSha256, key, AsBytes("m"));
  EXPECT_TRUE(HmacVerify(HashAlg::kSha256, key, AsBytes("m"), tag));
  EXPECT_TRUE(HmacVerify(HashAlg::kSha256, key, AsBytes("m"), ByteSpan(tag).first(16)));
  EXPECT_FALSE(HmacVerify(HashAlg::kSha256, key, AsBytes("m"), ByteSpan(tag).first(15)));
  EXPECT_FALSE(HmacVerify(HashAlg::kSha256, key, AsBytes("n"), tag));
  tag[31] ^= 1;
  EXPECT_FALSE(HmacVerify(HashAlg::kSha256, key, AsBytes("m"), tag));
  EXPECT_FALSE(HmacVerify(HashAlg::kSha256, key, AsBytes("m"), Bytes(33, 0)));
}

struct HkdfCase {
  std::string ikm, salt, info;
  size_t length;
  std::string prk, okm;
};

// RFC 5869 Appendix A.1-A.3 (SHA-256).
TEST(HkdfTest, Rfc5869Vectors) {
  const HkdfCase cases[] = {
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
       "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
       "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c"
       "2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
       "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c"
       "8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
       "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdc"
       "dddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
       82, "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e"
       "590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (const HkdfCase& c : cases) {
    SecretBytes prk = HkdfExtract(HashAlg::kSha256, H(c.salt), H(c.ikm));
    EXPECT_EQ(HexEncode(prk.Expose()), c.prk);
    auto okm = HkdfExpand(HashAlg::kSha256, prk.Expose(), H(c.info), c.length);
    ASSERT_TRUE(okm.ok());
    EXPECT_EQ(HexEncode(okm->Expose()), c.okm);
    auto both = Hkdf(HashAlg::kSha256, H(c.salt), H(c.ikm), H(c.info), c.length);
    ASSERT_TRUE(both.ok());
    EXPECT_TRUE(ConstantTimeEqual(both->Expose(), okm->Expose()));
  }
}

TEST(HkdfTest, RejectsTooLongOutputAndShortPrk) {
  Bytes prk(32, 1);
  EXPECT_TRUE(HkdfExpand(HashAlg::kSha256, prk, {}, 255 * 32).ok());
  auto too_long = HkdfExpand(HashAlg::kSha256, prk, {}, 255 * 32 + 1);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);
  auto short_prk = HkdfExpand(HashAlg::kSha256, ByteSpan(prk).first(31), {}, 16);
  ASSERT_FALSE(short_prk.ok());
  EXPECT_EQ(short_prk.error().code, ErrorCode::kInvalidArgument);
}

TEST(ConstantTimeTest, ComparesSizeAndContent) {
  EXPECT_TRUE(ConstantTimeEqual({}, {}));
  EXPECT_TRUE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abc")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("abd")));
  EXPECT_FALSE(ConstantTimeEqual(AsBytes("abc"), AsBytes("ab")));
}

}  // namespace
}  // namespace confide::crypto
