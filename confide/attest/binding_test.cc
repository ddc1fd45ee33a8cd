#include "confide/attest/binding.h"

#include <gtest/gtest.h>

#include <string>

#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::attest {
namespace {

Bytes FromHex(std::string_view hex) { return *HexDecode(hex); }
std::string Repeat(std::string_view byte_hex, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += byte_hex;
  return out;
}

BindingClaims SampleClaims() {
  BindingClaims c;
  c.pubkey_hash = HashEntry{kHashAlgSha256, Bytes(32, 0x11)};
  c.hpke_pub = Bytes{0xaa, 0xbb};
  c.nonce = Bytes{0x01, 0x02, 0x03};
  std::array<uint8_t, 32> workload;
  workload.fill(0x22);
  c.workload = workload;
  return c;
}

// Derived by hand from RFC 8949 (§3.1 heads, §4.2.1 key order): keys sort by their encoded
// bytes, so the 5-byte "nonce" (65...) comes first, then the 8-byte "hpke-pub" and "workload"
// (68..., 'h' < 'w'), then the 11-byte "pubkey-hash" (6b...).
const std::string kSampleHex =
    "a4"  // map(4)
    "656e6f6e6365"
    "43010203"  // "nonce": h'010203'
    "6868706b652d707562"
    "42aabb"  // "hpke-pub": h'aabb'
    "68776f726b6c6f6164"
    "5820" +
    Repeat("22", 32) +  // "workload": bstr(32)
    "6b7075626b65792d68617368"
    "82"
    "01"
    "5820" +
    Repeat("11", 32);  // "pubkey-hash": [1, h'..']

TEST(BindingTest, EncodesKnownDeterministicBytes) {
  EXPECT_EQ(HexEncode(EncodeBindingClaims(SampleClaims())), kSampleHex);
  EXPECT_EQ(HexEncode(EncodeBindingClaims(BindingClaims{})), "a0");
}

TEST(BindingTest, DecodesKnownBytesAndRoundTrips) {
  Result<BindingClaims> c = DecodeBindingClaims(FromHex(kSampleHex));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(*c, SampleClaims());
}

TEST(BindingTest, ToleratesAndPreservesUnknownKeys) {
  // {"foo": [1, {"a": true}], "nonce": h'01'}: "foo" (63...) sorts before "nonce" (65...).
  const std::string hex =
      "a2"
      "63666f6f"
      "8201a16161f5"
      "656e6f6e6365"
      "4101";
  Result<BindingClaims> c = DecodeBindingClaims(FromHex(hex));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  ASSERT_EQ(c->unknown.size(), 1u);
  EXPECT_EQ(c->unknown[0].first, "foo");
  EXPECT_EQ(HexEncode(c->unknown[0].second), "8201a16161f5");
  EXPECT_EQ(HexEncode(EncodeBindingClaims(*c)), hex);
}

struct Rejection {
  const char* name;
  std::string hex;
  ErrorCode code;
};

TEST(BindingTest, RejectsNonDeterministicAndMalformedInput) {
  const Rejection cases[] = {
      {"empty", "", ErrorCode::kMalformed},
      {"not a map", "80", ErrorCode::kMalformed},
      {"non-shortest map count", "b80100", ErrorCode::kMalformed},
      {"non-shortest string length",
       "a1"
       "656e6f6e6365"
       "580101",
       ErrorCode::kMalformed},
      {"indefinite map", "bf656e6f6e63654101ff", ErrorCode::kMalformed},
      {"indefinite bytes", "a1656e6f6e63655f4101ff", ErrorCode::kMalformed},
      {"keys out of order",
       "a2"
       "6868706b652d70756241aa"
       "656e6f6e63654101",
       ErrorCode::kMalformed},
      {"duplicate key",
       "a2"
       "656e6f6e63654101"
       "656e6f6e63654102",
       ErrorCode::kMalformed},
      {"integer key",
       "a1"
       "01"
       "4101",
       ErrorCode::kMalformed},
      {"invalid UTF-8 key",
       "a1"
       "61ff"
       "01",
       ErrorCode::kMalformed},
      {"nonce not bytes",
       "a1"
       "656e6f6e6365"
       "6101",
       ErrorCode::kMalformed},
      {"workload 31 bytes",
       "a1"
       "68776f726b6c6f6164"
       "581f" +
           Repeat("00", 31),
       ErrorCode::kMalformed},
      {"pubkey-hash not array",
       "a1"
       "6b7075626b65792d68617368"
       "4100",
       ErrorCode::kMalformed},
      {"pubkey-hash unknown alg",
       "a1"
       "6b7075626b65792d68617368"
       "82025820" +
           Repeat("00", 32),
       ErrorCode::kUnsupported},
      {"pubkey-hash wrong size",
       "a1"
       "6b7075626b65792d68617368"
       "820741"
       "00",
       ErrorCode::kUnsupported},
      {"float in unknown",
       "a1"
       "63666f6f"
       "f93c00",
       ErrorCode::kUnsupported},
      {"unsorted nested map",
       "a1"
       "63666f6f"
       "a2616201616101",
       ErrorCode::kMalformed},
      {"too deep",
       "a1"
       "63666f6f" +
           Repeat("81", 20) + "00",
       ErrorCode::kMalformed},
      {"truncated",
       "a1"
       "656e6f6e6365"
       "4501",
       ErrorCode::kMalformed},
      {"trailing bytes", "a000", ErrorCode::kMalformed},
      {"huge count", "bb00000000ffffffff", ErrorCode::kMalformed},
  };
  for (const Rejection& c : cases) {
    Result<BindingClaims> r = DecodeBindingClaims(FromHex(c.hex));
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().ToString();
  }
}

TEST(BindingTest, ReportDataIsSha256ThenZeros) {
  Bytes claims = EncodeBindingClaims(SampleClaims());
  std::array<uint8_t, 64> rd = ReportDataFor(claims);
  crypto::Sha256Digest d = crypto::Sha256(claims);
  EXPECT_TRUE(std::equal(d.begin(), d.end(), rd.begin()));
  for (size_t i = 32; i < 64; ++i) EXPECT_EQ(rd[i], 0) << i;
}

const Check* Find(const std::vector<Check>& checks, std::string_view name) {
  for (const Check& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(BindingTest, CheckBindingPassesWhenEverythingMatches) {
  const Bytes spki = {0x30, 0x59, 0x01};
  BindingClaims c = SampleClaims();
  c.pubkey_hash = PubkeyHashOf(spki);
  Bytes claims = EncodeBindingClaims(c);
  auto rd = ReportDataFor(claims);
  std::vector<Check> checks = CheckBinding(claims, rd,
                                           {.tls_spki_der = spki,
                                            .nonce = Bytes{1, 2, 3},
                                            .hpke_pub = Bytes{0xaa, 0xbb},
                                            .workloads = {*c.workload}});
  ASSERT_EQ(checks.size(), 6u);
  for (const Check& check : checks) EXPECT_TRUE(check.passed) << check.name << ": " << check.detail;
}

TEST(BindingTest, CheckBindingNamesEachMismatch) {
  const Bytes spki = {0x30, 0x59, 0x01};
  BindingClaims c = SampleClaims();  // pubkey-hash of 0x11.., not of spki
  Bytes claims = EncodeBindingClaims(c);
  auto rd = ReportDataFor(claims);
  std::array<uint8_t, 32> other{};
  std::vector<Check> checks = CheckBinding(
      claims, rd,
      {.tls_spki_der = spki, .nonce = Bytes{9}, .hpke_pub = Bytes{0xaa}, .workloads = {other}});
  EXPECT_EQ(Find(checks, "binding_pubkey_hash")->reason, ReasonCode::kKeyBindingMismatch);
  EXPECT_NE(Find(checks, "binding_pubkey_hash")->detail.find(Repeat("11", 32)), std::string::npos);
  EXPECT_EQ(Find(checks, "binding_nonce")->reason, ReasonCode::kNonceMismatch);
  EXPECT_EQ(Find(checks, "binding_hpke_pub")->reason, ReasonCode::kKeyBindingMismatch);
  EXPECT_EQ(Find(checks, "binding_workload")->reason, ReasonCode::kKeyBindingMismatch);

  // Missing claims that are expected fail too.
  Bytes empty = EncodeBindingClaims({});
  checks = CheckBinding(empty, ReportDataFor(empty), {.tls_spki_der = spki, .nonce = Bytes{9}});
  EXPECT_FALSE(Find(checks, "binding_pubkey_hash")->passed);
  EXPECT_FALSE(Find(checks, "binding_nonce")->passed);
  EXPECT_TRUE(Find(checks, "binding_workload")->passed);
}

TEST(BindingTest, CheckBindingStopsWhenReportDataDoesNotMatch) {
  Bytes claims = EncodeBindingClaims(SampleClaims());
  auto rd = ReportDataFor(claims);
  rd[40] = 1;  // the second half must be zero
  std::vector<Check> checks = CheckBinding(claims, rd, {});
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].reason, ReasonCode::kKeyBindingMismatch);

  Bytes junk = {0xa1, 0x00};  // bound (hash matches) but not valid claims
  checks = CheckBinding(junk, ReportDataFor(junk), {});
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[1].name, "binding_claims");
  EXPECT_FALSE(checks[1].passed);
}

}  // namespace
}  // namespace confide::attest
