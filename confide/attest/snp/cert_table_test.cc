#include "confide/attest/snp/cert_table.h"

#include <gtest/gtest.h>

#include "confide/base/testing/shared_data.h"

namespace confide::attest::snp {
namespace {

CertTable RealTable() {
  CertTable t;
  t.entries.push_back({kVcekGuid, testing::ReadSharedFile("vectors/snp/gosev-milan-v2.vcek.der")});
  t.entries.push_back({kAskGuid, testing::ReadSharedFile("vectors/snp/amd-milan-ask.pem")});
  t.entries.push_back({kArkGuid, testing::ReadSharedFile("vectors/snp/amd-milan-ark.pem")});
  return t;
}

// Overwrites the little-endian u32 at `at` (test-only editing of a serialized table).
void PutU32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

TEST(SnpCertTable, GuidsFormatAndParseAsTheGhcbSpecWritesThem) {
  EXPECT_EQ(FormatGuid(kVcekGuid), "63da758d-e664-4564-adc5-f4b93be8accd");
  EXPECT_EQ(FormatGuid(kVlekGuid), "a8074bc2-a25a-483e-aae6-39c045a0b8a1");
  EXPECT_EQ(FormatGuid(kAskGuid), "4ab7b379-bbac-4fe4-a02f-05aef327c782");
  EXPECT_EQ(FormatGuid(kArkGuid), "c0b406a4-a803-4952-9743-3fb6014cd0ae");
  EXPECT_EQ(*ParseGuid("C0B406A4-A803-4952-9743-3FB6014CD0AE"), kArkGuid);
  EXPECT_FALSE(ParseGuid("c0b406a4a80349529743-3fb6014cd0ae").ok());
  EXPECT_FALSE(ParseGuid("c0b406a4-a803-4952-9743-3fb6014cd0ag").ok());
}

TEST(SnpCertTable, RoundTripsAndFindsEntries) {
  CertTable t = RealTable();
  Bytes blob = SerializeCertTable(t);
  Result<CertTable> parsed = ParseCertTable(blob);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, t);
  EXPECT_EQ(SerializeCertTable(*parsed), blob);
  ASSERT_NE(parsed->Find(kVcekGuid), nullptr);
  EXPECT_EQ(parsed->Find(kVcekGuid)->data, t.entries[0].data);
  EXPECT_EQ(parsed->Find(kVlekGuid), nullptr);
}

TEST(SnpCertTable, IgnoresPagePaddingAfterTheCertificates) {
  Bytes blob = SerializeCertTable(RealTable());
  blob.resize(16384, 0);
  Result<CertTable> parsed = ParseCertTable(blob);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, RealTable());
}

TEST(SnpCertTable, EmptyBlobIsAnEmptyTableAndTerminatorOnlyToo) {
  EXPECT_TRUE(ParseCertTable({})->entries.empty());
  EXPECT_TRUE(ParseCertTable(SerializeCertTable({}))->entries.empty());
}

TEST(SnpCertTable, RejectsMissingTerminator) {
  Bytes blob = SerializeCertTable(RealTable());
  // Cut inside the terminator, and inside each entry.
  for (size_t len : {size_t{1}, size_t{23}, size_t{24}, size_t{48}, size_t{95}}) {
    Result<CertTable> r = ParseCertTable(ByteSpan(blob).first(len));
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  }
}

TEST(SnpCertTable, RejectsOutOfBoundsEntries) {
  Bytes good = SerializeCertTable(RealTable());
  struct Case {
    const char* name;
    size_t field;  // byte offset of the u32 to overwrite
    uint32_t value;
  };
  const uint32_t size = static_cast<uint32_t>(good.size());
  const uint32_t len0 = static_cast<uint32_t>(RealTable().entries[0].data.size());
  const Case cases[] = {
      {"offset past the end", 16, size},
      {"offset + length one past the end", 16, size - len0 + 1},
      {"offset inside the entry list", 16, 24},
      {"offset zero", 16, 0},
      {"length one too long at the end", 24 * 2 + 20, 0x10000},
      {"length zero", 20, 0},
      {"length wraps uint32", 20, 0xFFFFFFFF},
      {"offset wraps uint32", 16, 0xFFFFFFF0},
  };
  for (const Case& c : cases) {
    Bytes blob = good;
    PutU32(blob, c.field, c.value);
    Result<CertTable> r = ParseCertTable(blob);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, ErrorCode::kMalformed) << c.name;
  }
}

TEST(SnpCertTable, AcceptsLengthPlusOffsetExactlyAtTheEnd) {
  Bytes blob = SerializeCertTable(RealTable());
  Result<CertTable> r = ParseCertTable(blob);
  ASSERT_TRUE(r.ok());
  // Shrinking the blob by one byte makes the last entry run past the end.
  blob.pop_back();
  EXPECT_FALSE(ParseCertTable(blob).ok());
}

TEST(SnpCertTable, RejectsDuplicateGuidAndZeroGuidWithData) {
  CertTable t = RealTable();
  t.entries[1].guid = kVcekGuid;
  EXPECT_FALSE(ParseCertTable(SerializeCertTable(t)).ok());

  Bytes blob = SerializeCertTable(RealTable());
  PutU32(blob, 3 * 24 + 16, 5);  // the terminator's offset
  EXPECT_FALSE(ParseCertTable(blob).ok());
}

}  // namespace
}  // namespace confide::attest::snp
