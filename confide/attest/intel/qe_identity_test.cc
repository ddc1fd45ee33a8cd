#include "confide/attest/intel/qe_identity.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "confide/attest/intel/collateral_test_util.h"
#include "confide/base/hex.h"

namespace confide::attest::intel {
namespace {

using testing::LoadQuote;

std::string QeIdentityText(const std::string& rel) {
  if (rel.ends_with(".collateral.json")) return testing::DcapQvlCollateral(rel).qe_identity_json;
  return ParsePcsSignedJson(testing::SharedText(rel), "enclaveIdentity")->json;
}

// Parses `text` with its first `from` replaced by `to`.
Result<QeIdentity> ParseReplaced(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  CONFIDE_CHECK(at != std::string::npos);
  text.replace(at, from.size(), to);
  return ParseQeIdentity(text);
}

struct Case {
  const char* quote;
  const char* identity;
  QeIdentityId id;
};

constexpr Case kCases[] = {
    {"sgx/dcapqvl-sgx-v3.bin", "sgx/dcapqvl-sgx-v3.collateral.json", QeIdentityId::kQe},
    {"tdx/dcapqvl-tdx-v4.bin", "tdx/dcapqvl-tdx-v4.collateral.json", QeIdentityId::kTdQe},
    {"tdx/dcapqvl-tdx-v5-nomatch.bin", "tdx/dcapqvl-tdx-v5-nomatch.collateral.json",
     QeIdentityId::kTdQe},
    {"tdx/gotdx-v4-spr.bin", "tdx/gotdx-v4-spr.qeidentity.json", QeIdentityId::kTdQe},
    {"tdx/trustee-tdx-v4.bin", "tdx/trustee-tdx-v4.qeidentity.json", QeIdentityId::kTdQe},
};

TEST(IntelQeIdentity, EveryVectorQeMatchesAndIsUpToDate) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.quote);
    const std::string text = QeIdentityText(c.identity);
    Result<QeIdentity> id = ParseQeIdentity(text);
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    nlohmann::json j = nlohmann::json::parse(text);
    EXPECT_EQ(id->id, c.id);
    EXPECT_EQ(HexEncode(id->mrsigner), HexEncode(*HexDecode(j["mrsigner"].get<std::string>())));
    EXPECT_EQ(id->isvprodid, j["isvprodid"].get<int>());
    EXPECT_EQ(id->tcb_levels.size(), j["tcbLevels"].size());
    QeIdentityEvaluation e = EvaluateQeIdentity(*id, testing::QeFields(LoadQuote(c.quote)));
    EXPECT_TRUE(e.matched()) << (e.mismatches.empty() ? "" : e.mismatches[0]);
    EXPECT_EQ(e.status, TcbStatus::kUpToDate);
    EXPECT_TRUE(e.advisory_ids.empty());
  }
}

TEST(IntelQeIdentity, MismatchesAreNamed) {
  QeIdentity id = *ParseQeIdentity(QeIdentityText("tdx/gotdx-v4-spr.qeidentity.json"));
  QeReportFields good = testing::QeFields(LoadQuote("tdx/gotdx-v4-spr.bin"));
  ASSERT_TRUE(EvaluateQeIdentity(id, good).matched());

  QeReportFields r = good;
  r.mrsigner[31] ^= 1;
  EXPECT_EQ(EvaluateQeIdentity(id, r).mismatches, std::vector<std::string>{"mrsigner"});
  r = good;
  r.isvprodid = 1;  // the SGX QE's product id against the TD_QE identity
  EXPECT_EQ(EvaluateQeIdentity(id, r).mismatches, std::vector<std::string>{"isvprodid"});
  r = good;
  r.miscselect = 1;
  EXPECT_EQ(EvaluateQeIdentity(id, r).mismatches, std::vector<std::string>{"miscselect"});
  r = good;
  r.attributes[0] |= 0x02;  // DEBUG, under the mask
  EXPECT_EQ(EvaluateQeIdentity(id, r).mismatches, std::vector<std::string>{"attributes"});
  r = good;
  r.attributes[0] |= 0x04;  // bit 2 is outside attributesMask FB: ignored
  EXPECT_TRUE(EvaluateQeIdentity(id, r).matched());

  // The SGX QE identity does not accept the TD QE.
  QeIdentity sgx_qe = *ParseQeIdentity(QeIdentityText("sgx/dcapqvl-sgx-v3.collateral.json"));
  EXPECT_FALSE(EvaluateQeIdentity(sgx_qe, good).matched());
}

TEST(IntelQeIdentity, IsvSvnPicksTheLevel) {
  QeIdentity id = *ParseQeIdentity(QeIdentityText("sgx/dcapqvl-sgx-v3.collateral.json"));
  QeReportFields r = testing::QeFields(LoadQuote("sgx/dcapqvl-sgx-v3.bin"));
  ASSERT_EQ(r.isvsvn, 10);
  r.isvsvn = 7;  // between the levels 8 (UpToDate) and 6 (OutOfDate, INTEL-SA-00615)
  QeIdentityEvaluation e = EvaluateQeIdentity(id, r);
  EXPECT_TRUE(e.matched());
  EXPECT_EQ(e.status, TcbStatus::kOutOfDate);
  EXPECT_EQ(e.advisory_ids, std::vector<std::string>{"INTEL-SA-00615"});
  r.isvsvn = 0;  // below every level: Intel's ISVSVN_OUT_OF_DATE
  e = EvaluateQeIdentity(id, r);
  EXPECT_EQ(e.status, TcbStatus::kOutOfDate);
  EXPECT_FALSE(e.tcb_date.has_value());
}

TEST(IntelQeIdentity, MalformedTextIsRejected) {
  const std::string good = QeIdentityText("tdx/gotdx-v4-spr.qeidentity.json");
  ASSERT_TRUE(ParseQeIdentity(good).ok());
  auto replaced = [&](std::string_view from, std::string_view to) {
    return ParseReplaced(good, from, to);
  };
  EXPECT_EQ(replaced("\"version\":2", "\"version\":1").error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(replaced("\"id\":\"TD_QE\"", "\"id\":\"XX\"").error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(replaced("\"miscselect\":\"00000000\"", "\"miscselect\":\"000000\"").error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"isvprodid\":2", "\"isvprodid\":70000").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"isvsvn\":4", "\"isvsvn\":true").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"mrsigner\"", "\"mrsignerX\"").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":7").error().code,
            ErrorCode::kMalformed);
  EXPECT_FALSE(ParseQeIdentity(good.substr(1)).ok());
}

TEST(IntelQeIdentity, LevelsAreNonEmptyWithSixteenBitIsvSvn) {
  const std::string good = QeIdentityText("tdx/gotdx-v4-spr.qeidentity.json");
  auto replaced = [&](std::string_view from, std::string_view to) {
    return ParseReplaced(good, from, to);
  };
  Result<QeIdentity> max = replaced("\"isvsvn\":4", "\"isvsvn\":65535");
  ASSERT_TRUE(max.ok()) << max.error().ToString();
  EXPECT_EQ(max->tcb_levels[0].isvsvn, 65535);
  EXPECT_EQ(replaced("\"isvsvn\":4", "\"isvsvn\":65536").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"tcbLevels\":[", "\"tcbLevels\":[],\"x\":[").error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"tcbLevels\":[", "\"tcbLevels\":[7,").error().code, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace confide::attest::intel
