#include "confide/attest/evidence_bundle.h"

#include <gtest/gtest.h>

#include "confide/base/hex.h"

namespace confide::attest {
namespace {

Bytes H(const char* hex) { return *HexDecode(hex); }

TEST(EvidenceBundleTest, EncodesTheDocumentedBytes) {
  // tag 60100 = 0xEAC4 -> d9 eac4; array(2) 82; bstr "ab" 42 6162; bstr "" 40.
  EvidenceBundle b{.tee = TeeType::kSevSnp, .evidence = {'a', 'b'}, .claims = {}};
  EXPECT_EQ(HexEncode(EncodeEvidenceBundle(b)), "d9eac482426162" "40");
  // With endorsements: array(3) 83 and a third bstr.
  b.endorsements = {0x01};
  EXPECT_EQ(HexEncode(EncodeEvidenceBundle(b)), "d9eac483426162" "40" "4101");
}

TEST(EvidenceBundleTest, RoundTripsEveryFamily) {
  Bytes sgx_quote = H("03000200" "00000000" "0000");  // version 3, TEE type 0 (SGX)
  Bytes tdx_quote = H("04000200" "81000000" "0000");  // version 4, TEE type 0x81 (TDX)
  for (const EvidenceBundle& b :
       {EvidenceBundle{TeeType::kSevSnp, Bytes(1184, 7), Bytes(40, 1), Bytes(300, 2)},
        EvidenceBundle{TeeType::kSgx, sgx_quote, Bytes(10, 3), {}},
        EvidenceBundle{TeeType::kTdx, tdx_quote, Bytes(10, 3), {}},
        EvidenceBundle{TeeType::kNitro, Bytes(5000, 4), {}, {}}}) {
    Bytes cbor = EncodeEvidenceBundle(b);
    auto decoded = DecodeEvidenceBundle(cbor);
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    EXPECT_EQ(*decoded, b) << TeeTypeName(b.tee);
  }
}

TEST(EvidenceBundleTest, RejectsEveryTruncation) {
  EvidenceBundle b{TeeType::kSevSnp, Bytes(300, 7), Bytes(40, 1), Bytes(30, 2)};
  Bytes cbor = EncodeEvidenceBundle(b);
  for (size_t cut = 0; cut < cbor.size(); ++cut) {
    EXPECT_FALSE(DecodeEvidenceBundle(ByteSpan(cbor).first(cut)).ok()) << cut;
  }
}

TEST(EvidenceBundleTest, RejectsMalformedShapes) {
  struct Case {
    const char* hex;
    ErrorCode code;
    const char* why;
  };
  for (const Case& c : {
           Case{"82426162" "40", ErrorCode::kMalformed, "untagged"},
           Case{"d9ea6182426162" "40", ErrorCode::kUnsupported, "unknown tag 60001"},
           Case{"d9eac481426162", ErrorCode::kMalformed, "array of 1"},
           Case{"d9eac4844261624040" "40", ErrorCode::kMalformed, "array of 4"},
           Case{"d9eac48258026162" "40", ErrorCode::kMalformed, "non-shortest length"},
           Case{"d9eac482616162" "40", ErrorCode::kMalformed, "text instead of bytes"},
           Case{"d9eac482426162" "40" "00", ErrorCode::kMalformed, "trailing byte"},
           Case{"d9eac483426162" "40" "40", ErrorCode::kMalformed, "empty endorsements"},
       }) {
    auto r = DecodeEvidenceBundle(H(c.hex));
    ASSERT_FALSE(r.ok()) << c.why;
    EXPECT_EQ(r.error().code, c.code) << c.why << ": " << r.error().ToString();
  }
  // Tag 60000 = 0xEA60 with a quote too short to name its TEE type.
  auto short_quote = DecodeEvidenceBundle(H("d9ea6082" "43" "040000" "40"));
  ASSERT_FALSE(short_quote.ok());
  EXPECT_EQ(short_quote.error().code, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace confide::attest
