#include "confide/tee/nitro/nsm_platform.h"

#include <gtest/gtest.h>

#include "confide/tee/nitro/nsm_message.h"
#include "confide/tee/testing/fake_devices.h"
#include "confide/tee/testing/vectors.h"

namespace confide::tee::nitro {
namespace {

using confide::testing::ReadSharedFile;
using testing::FakeDevices;

TEST(NsmPlatformTest, AttestationRequestCarriesTheReportDataAndTheDocumentRoundTrips) {
  for (const char* file : {"nitro/evervault-2022-prod.bin", "nitro/blocky-2024-prod.bin"}) {
    SCOPED_TRACE(file);
    Bytes document = ReadSharedFile(std::string("vectors/") + file);
    ASSERT_FALSE(document.empty());
    FakeDevices dev;
    dev.InstallNsm(document);
    auto tee = NsmPlatform::Open(dev, {.root = dev.root()});
    ASSERT_TRUE(tee.ok()) << tee.error().ToString();
    EXPECT_EQ((*tee)->Describe().tee, attest::TeeType::kNitro);
    ReportData rd{};
    for (size_t i = 0; i < rd.size(); ++i) rd[i] = static_cast<uint8_t>(i);
    auto ev = (*tee)->GetEvidence(rd);
    ASSERT_TRUE(ev.ok()) << ev.error().ToString();
    EXPECT_EQ(ev->tee, attest::TeeType::kNitro);
    EXPECT_EQ(ev->report, document);
    ASSERT_TRUE(dev.last_nsm_request.has_value());
    EXPECT_EQ(dev.last_nsm_request->user_data, Bytes(rd.begin(), rd.end()));
    EXPECT_FALSE(dev.last_nsm_request->nonce.has_value());
    EXPECT_FALSE(dev.last_nsm_request->public_key.has_value());
    // The COSE_Sign1 array head of real, untagged NSM output.
    EXPECT_EQ(ev->report[0], 0x84);
  }
}

TEST(NsmPlatformTest, NsmErrorsAndSealingAreClearErrors) {
  FakeDevices dev;
  dev.InstallNsm(ReadSharedFile("vectors/nitro/evervault-2022-prod.bin"));
  dev.nsm_error = Bytes{'I', 'n', 't', 'e', 'r', 'n', 'a', 'l', 'E', 'r', 'r', 'o', 'r'};
  auto tee = NsmPlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok());
  auto ev = (*tee)->GetEvidence(ReportData{});
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(ev.error().message.find("InternalError"), std::string::npos);
  auto key = (*tee)->SealingKey(SealBinding::kMeasurement, "x");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(key.error().message.find("key broker"), std::string::npos);

  FakeDevices none;
  EXPECT_EQ(NsmPlatform::Open(none, {.root = none.root()}).error().code, ErrorCode::kNotFound);
}

TEST(NsmMessageTest, RequestEncodingIsTheSerdeExternallyTaggedForm) {
  // {"Attestation": {"user_data": h'0102', "nonce": null, "public_key": null}}
  Bytes expected = {0xA1, 0x6B, 'A', 't', 't', 'e', 's', 't', 'a', 't', 'i', 'o', 'n', 0xA3,
                    0x69, 'u', 's', 'e', 'r', '_', 'd', 'a', 't', 'a', 0x42, 0x01, 0x02,
                    0x65, 'n', 'o', 'n', 'c', 'e', 0xF6,
                    0x6A, 'p', 'u', 'b', 'l', 'i', 'c', '_', 'k', 'e', 'y', 0xF6};
  EXPECT_EQ(EncodeAttestationRequest({.user_data = Bytes{1, 2}}), expected);
  auto back = ParseAttestationRequest(expected);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->user_data, (Bytes{1, 2}));
}

TEST(NsmMessageTest, ResponseParserRejectsEverythingButOneDocument) {
  const Bytes good = EncodeAttestationResponse(Bytes{0x84, 0x01});
  auto doc = ParseAttestationResponse(good);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc, (Bytes{0x84, 0x01}));

  Bytes trailing = good;
  trailing.push_back(0x00);
  Bytes truncated(good.begin(), good.end() - 1);
  // {"Attestation": {"document": "xy"}} (text, not bytes)
  Bytes text_doc = {0xA1, 0x6B, 'A', 't', 't', 'e', 's', 't', 'a', 't', 'i', 'o', 'n', 0xA1,
                    0x68, 'd', 'o', 'c', 'u', 'm', 'e', 'n', 't', 0x62, 'x', 'y'};
  // {"Attestation": {"document": (_ h'01')}} (indefinite-length bytes)
  Bytes indefinite = {0xA1, 0x6B, 'A', 't', 't', 'e', 's', 't', 'a', 't', 'i', 'o', 'n', 0xA1,
                      0x68, 'd', 'o', 'c', 'u', 'm', 'e', 'n', 't', 0x5F, 0x41, 0x01, 0xFF};
  // {"GetRandom": {"random": h'01'}}
  Bytes other = {0xA1, 0x69, 'G', 'e', 't', 'R', 'a', 'n', 'd', 'o', 'm', 0xA1,
                 0x66, 'r', 'a', 'n', 'd', 'o', 'm', 0x41, 0x01};
  // {"Attestation": [2^40 items...]} with no items: must not allocate the declared count.
  Bytes huge = {0xA1, 0x6B, 'A', 't', 't', 'e', 's', 't', 'a', 't', 'i', 'o', 'n',
                0x9B, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
  Bytes huge_map = huge;
  huge_map[13] = 0xBB;
  struct Case {
    const char* name;
    Bytes bytes;
    ErrorCode code;
  } cases[] = {
      {"empty", {}, ErrorCode::kMalformed},
      {"huge declared array", huge, ErrorCode::kMalformed},
      {"huge declared map", huge_map, ErrorCode::kMalformed},
      {"trailing", trailing, ErrorCode::kMalformed},
      {"truncated", truncated, ErrorCode::kMalformed},
      {"array", {0x81, 0x01}, ErrorCode::kMalformed},
      {"text document", text_doc, ErrorCode::kMalformed},
      {"indefinite document", indefinite, ErrorCode::kMalformed},
      {"other variant", other, ErrorCode::kMalformed},
      {"error", {0xA1, 0x65, 'E', 'r', 'r', 'o', 'r', 0x62, 'n', 'o'}, ErrorCode::kUnavailable},
  };
  for (const Case& c : cases) {
    auto r = ParseAttestationResponse(c.bytes);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().ToString();
  }
}

}  // namespace
}  // namespace confide::tee::nitro
