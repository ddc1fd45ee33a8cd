#include "confide/crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

#include "confide/base/hex.h"

namespace confide::crypto {
namespace {

// FIPS 180-4 / NIST CSRC example values.
TEST(HashTest, Sha256KnownAnswers) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(HashTest, Sha384AndSha512KnownAnswers) {
  EXPECT_EQ(HexEncode(Sha384(AsBytes("abc"))),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baec"
            "a134c825a7");
  EXPECT_EQ(HexEncode(Sha512(AsBytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c"
            "23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(HashTest, MillionAs) {
  std::string a(1000000, 'a');
  EXPECT_EQ(HexEncode(Sha256(AsBytes(a))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(HashTest, IncrementalEqualsOneShot) {
  std::string text = "the quick brown fox jumps over the lazy dog";
  for (HashAlg alg : {HashAlg::kSha256, HashAlg::kSha384, HashAlg::kSha512}) {
    Hasher h(alg);
    h.Update(AsBytes(text.substr(0, 7)));
    h.Update({});
    h.Update(AsBytes(text.substr(7)));
    Bytes digest = h.Finish();
    EXPECT_EQ(digest, Hash(alg, AsBytes(text))) << HashName(alg);
    EXPECT_EQ(digest.size(), DigestSize(alg));
  }
}

TEST(HashTest, HasherSurvivesMove) {
  Hasher a(HashAlg::kSha256);
  a.Update(AsBytes("ab"));
  Hasher b = std::move(a);
  b.Update(AsBytes("c"));
  EXPECT_EQ(HexEncode(b.Finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace confide::crypto
