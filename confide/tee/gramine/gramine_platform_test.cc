#include "confide/tee/gramine/gramine_platform.h"

#include <gtest/gtest.h>

#include "confide/attest/evidence_bundle.h"
#include "confide/tee/testing/fake_devices.h"
#include "confide/tee/testing/vectors.h"

namespace confide::tee::gramine {
namespace {

using confide::testing::ReadSharedFile;
using testing::ExpectedEntry;
using testing::FakeDevices;
using testing::ReportDataFromHex;

constexpr char kQuoteFile[] = "sgx/dcapqvl-sgx-v3.bin";

Bytes Key(uint8_t fill) { return Bytes(16, fill); }

TEST(GraminePlatformTest, QuoteRoundTripsExactlyAndTheReportDataIsWritten) {
  nlohmann::json expected = ExpectedEntry("sgx", kQuoteFile);
  ASSERT_FALSE(expected.is_null());
  Bytes quote = ReadSharedFile(std::string("vectors/") + kQuoteFile);
  FakeDevices dev;
  dev.InstallGramine("dcap", quote, Key(1), Key(2));
  auto tee = GraminePlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok()) << tee.error().ToString();
  PlatformInfo info = (*tee)->Describe();
  EXPECT_EQ(info.backend, "sgx");
  EXPECT_EQ(info.tee, attest::TeeType::kSgx);

  ReportData rd = ReportDataFromHex(expected["body"]["report_data"]);
  auto ev = (*tee)->GetEvidence(rd);
  ASSERT_TRUE(ev.ok()) << ev.error().ToString();
  EXPECT_EQ(ev->tee, attest::TeeType::kSgx);
  EXPECT_EQ(ev->report, quote);
  EXPECT_TRUE(ev->cert_table.empty());
  // What the backend wrote is what Gramine would put in REPORTDATA.
  auto written = dev.Read(dev.root() + "/dev/attestation/user_report_data", 1024);
  ASSERT_TRUE(written.ok());
  EXPECT_TRUE(Equal(*written, rd));
  // The bundle decoder classifies it as SGX from the quote header.
  auto decoded = attest::DecodeEvidenceBundle(
      attest::EncodeEvidenceBundle({.tee = ev->tee, .evidence = ev->report}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->tee, attest::TeeType::kSgx);
}

TEST(GraminePlatformTest, RefusesAQuoteOverOtherDataAndAttestationTypeNone) {
  FakeDevices dev;
  dev.InstallGramine("dcap", ReadSharedFile(std::string("vectors/") + kQuoteFile), Key(1), Key(2));
  auto tee = GraminePlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok());
  auto stale = (*tee)->GetEvidence(ReportData{});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kUnavailable);

  FakeDevices off;
  off.InstallGramine("none", {}, Key(1), Key(2));
  auto no_ra = GraminePlatform::Open(off, {.root = off.root()});
  ASSERT_TRUE(no_ra.ok());
  EXPECT_EQ((*no_ra)->GetEvidence(ReportData{}).error().code, ErrorCode::kUnsupported);
  // Sealing still works without remote attestation.
  EXPECT_TRUE((*no_ra)->SealingKey(SealBinding::kMeasurement, "x").ok());

  FakeDevices none;
  EXPECT_EQ(GraminePlatform::Open(none, {.root = none.root()}).error().code, ErrorCode::kNotFound);
}

TEST(GraminePlatformTest, SealingKeysFollowMrenclaveAndMrsigner) {
  FakeDevices v1, v2;  // two enclave versions from one signer
  v1.InstallGramine("dcap", {}, Key(0x11), Key(0x22));
  v2.InstallGramine("dcap", {}, Key(0x33), Key(0x22));
  auto t1 = GraminePlatform::Open(v1, {.root = v1.root()});
  auto t2 = GraminePlatform::Open(v2, {.root = v2.root()});
  ASSERT_TRUE(t1.ok() && t2.ok());
  auto m1 = (*t1)->SealingKey(SealBinding::kMeasurement, "state");
  auto m1b = (*t1)->SealingKey(SealBinding::kMeasurement, "state");
  auto m1_label = (*t1)->SealingKey(SealBinding::kMeasurement, "other");
  auto s1 = (*t1)->SealingKey(SealBinding::kSigner, "state");
  auto m2 = (*t2)->SealingKey(SealBinding::kMeasurement, "state");
  auto s2 = (*t2)->SealingKey(SealBinding::kSigner, "state");
  ASSERT_TRUE(m1.ok() && m1b.ok() && m1_label.ok() && s1.ok() && m2.ok() && s2.ok());
  EXPECT_EQ(m1->size(), 32u);
  EXPECT_TRUE(Equal(m1->Expose(), m1b->Expose()));
  EXPECT_FALSE(Equal(m1->Expose(), m1_label->Expose()));
  EXPECT_FALSE(Equal(m1->Expose(), s1->Expose()));
  EXPECT_FALSE(Equal(m1->Expose(), m2->Expose()));
  EXPECT_TRUE(Equal(s1->Expose(), s2->Expose()));
  // The raw 16-byte SGX key is never handed out as is.
  EXPECT_FALSE(Equal(ByteSpan(m1->Expose()).first(16), Key(0x11)));
}

TEST(GraminePlatformTest, MissingOrWrongSizeKeysAreUnavailable) {
  FakeDevices dev;
  dev.InstallGramine("dcap", {}, Bytes(32, 1), std::nullopt);
  auto tee = GraminePlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok());
  EXPECT_EQ((*tee)->SealingKey(SealBinding::kMeasurement, "x").error().code,
            ErrorCode::kUnavailable);
  EXPECT_EQ((*tee)->SealingKey(SealBinding::kSigner, "x").error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace confide::tee::gramine
