#include "confide/audit/record.h"

#include <gtest/gtest.h>

namespace confide::audit {
namespace {

AuditEvent Sample() {
  AuditEvent e;
  e.seq = 7;
  e.time = Time(std::chrono::seconds(1780000000));
  e.kind = "refusal";
  e.model_id = "resnet";
  e.key_version = 2;
  e.evidence_digest = Bytes(32, 0xab);
  e.tee_type = "sev-snp";
  e.claims_summary = "measurement=00 debug=0";
  e.policy_digest = "sha256:00";
  e.collateral = "tcb=bl=3";
  e.result = "refused";
  e.reasons = {"MEASUREMENT_MISMATCH", "DEBUG_NOT_ALLOWED"};
  e.requester = "127.0.0.1";
  e.prev_hash.fill(0x11);
  return e;
}

TEST(AuditRecordTest, RoundTripsEveryField) {
  Bytes record = SerializeAuditRecord(Sample());
  auto back = ParseAuditRecord(record);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, Sample());
  EXPECT_EQ(SerializeAuditRecord(*back), record);
}

TEST(AuditRecordTest, RejectsEveryTruncation) {
  Bytes record = SerializeAuditRecord(Sample());
  for (size_t n = 0; n < record.size(); ++n) {
    auto r = ParseAuditRecord(ByteSpan(record).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, ErrorCode::kMalformed) << n;
  }
}

TEST(AuditRecordTest, RejectsTrailingBytesAndUnknownVersion) {
  Bytes record = SerializeAuditRecord(Sample());
  Bytes longer = record;
  longer.push_back(0);
  EXPECT_EQ(ParseAuditRecord(longer).error().code, ErrorCode::kMalformed);
  record[0] = 2;
  EXPECT_EQ(ParseAuditRecord(record).error().code, ErrorCode::kUnsupported);
}

TEST(AuditRecordTest, RejectsDigestOfWrongSize) {
  AuditEvent e = Sample();
  e.evidence_digest.clear();
  Bytes record = SerializeAuditRecord(e);
  // The digest prefix follows version(1) seq(8) time(8) kind model_id key_version(4).
  size_t offset = 1 + 8 + 8 + 2 + e.kind.size() + 2 + e.model_id.size() + 4;
  ASSERT_EQ(record[offset + 1], 0);
  record[offset + 1] = 1;
  record.insert(record.begin() + static_cast<long>(offset) + 2, 0x00);
  EXPECT_EQ(ParseAuditRecord(record).error().code, ErrorCode::kMalformed);
}

TEST(AuditRecordTest, HashDependsOnEveryByte) {
  Bytes record = SerializeAuditRecord(Sample());
  ChainHash h = RecordHash(record);
  record.back() ^= 1;
  EXPECT_NE(RecordHash(record), h);
}

TEST(AuditRecordTest, ClampsLongText) {
  EXPECT_EQ(ClampAuditText(std::string(kMaxAuditText + 10, 'x')).size(), kMaxAuditText);
  EXPECT_EQ(ClampAuditText("short"), "short");
}

}  // namespace
}  // namespace confide::audit
