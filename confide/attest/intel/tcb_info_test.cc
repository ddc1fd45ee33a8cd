#include "confide/attest/intel/tcb_info.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "confide/attest/intel/collateral_test_util.h"
#include "confide/base/hex.h"

namespace confide::attest::intel {
namespace {

using nlohmann::json;
using testing::LoadQuote;

// The signed tcbInfo text of a vector: from a dcap-qvl collateral file or a PCS response file.
std::string TcbInfoText(const std::string& rel) {
  if (rel.ends_with(".collateral.json")) return testing::DcapQvlCollateral(rel).tcb_info_json;
  return ParsePcsSignedJson(testing::SharedText(rel), "tcbInfo")->json;
}

TcbEvaluation Evaluate(const std::string& quote, const std::string& tcbinfo) {
  Result<TcbInfo> info = ParseTcbInfo(TcbInfoText(tcbinfo));
  CONFIDE_CHECK(info.ok());
  Quote q = LoadQuote(quote);
  return EvaluateTcb(*info, testing::PckExt(q), testing::TdxInput(q));
}

TEST(IntelTcbStatus, NamesRoundTrip) {
  for (TcbStatus s :
       {TcbStatus::kUpToDate, TcbStatus::kSwHardeningNeeded, TcbStatus::kConfigurationNeeded,
        TcbStatus::kConfigurationAndSwHardeningNeeded, TcbStatus::kOutOfDate,
        TcbStatus::kOutOfDateConfigurationNeeded, TcbStatus::kRevoked}) {
    EXPECT_EQ(*ParseTcbStatus(TcbStatusName(s)), s);
  }
  EXPECT_EQ(TcbStatusName(TcbStatus::kConfigurationAndSwHardeningNeeded),
            "ConfigurationAndSWHardeningNeeded");
  EXPECT_EQ(TcbStatusName(TcbStatus::kNotSupported), "NotSupported");
  EXPECT_FALSE(ParseTcbStatus("NotSupported").ok());
  EXPECT_FALSE(ParseTcbStatus("uptodate").ok());
}

TEST(IntelTcbStatus, MergeFollowsIntelConvergence) {
  EXPECT_EQ(MergeTcbStatus(TcbStatus::kUpToDate, TcbStatus::kUpToDate), TcbStatus::kUpToDate);
  EXPECT_EQ(MergeTcbStatus(TcbStatus::kSwHardeningNeeded, TcbStatus::kOutOfDate),
            TcbStatus::kOutOfDate);
  EXPECT_EQ(MergeTcbStatus(TcbStatus::kConfigurationNeeded, TcbStatus::kOutOfDate),
            TcbStatus::kOutOfDateConfigurationNeeded);
  EXPECT_EQ(MergeTcbStatus(TcbStatus::kUpToDate, TcbStatus::kRevoked), TcbStatus::kRevoked);
  EXPECT_EQ(MergeTcbStatus(TcbStatus::kOutOfDate, TcbStatus::kUpToDate), TcbStatus::kOutOfDate);
  EXPECT_EQ(MergeTcbStatus(TcbStatus::kUpToDate, TcbStatus::kNotSupported),
            TcbStatus::kNotSupported);
  EXPECT_EQ(MergeTcbStatus(TcbStatus::kUpToDate, TcbStatus::kSwHardeningNeeded),
            TcbStatus::kUpToDate);
}

TEST(IntelTcbInfo, ParsesEveryVectorTcbInfo) {
  struct Case {
    const char* file;
    TcbInfoId id;
    const char* fmspc;
    uint32_t eval;
    size_t module_identities;
  };
  for (const Case& c :
       {Case{"sgx/dcapqvl-sgx-v3.collateral.json", TcbInfoId::kSgx, "00a067110000", 17, 0},
        Case{"tdx/dcapqvl-tdx-v4.collateral.json", TcbInfoId::kTdx, "b0c06f000000", 17, 2},
        Case{"tdx/dcapqvl-tdx-v5-nomatch.collateral.json", TcbInfoId::kTdx, "90c06f000000", 18, 2},
        Case{"tdx/gotdx-v4-spr.tcbinfo.json", TcbInfoId::kTdx, "50806f000000", 15, 0},
        Case{"tdx/gotdx-v5.tcbinfo.json", TcbInfoId::kTdx, "90c06f000000", 18, 2},
        Case{"tdx/trustee-tdx-v4.tcbinfo.json", TcbInfoId::kTdx, "00a06d080000", 17, 2}}) {
    SCOPED_TRACE(c.file);
    const std::string text = TcbInfoText(c.file);
    Result<TcbInfo> info = ParseTcbInfo(text);
    ASSERT_TRUE(info.ok()) << info.error().ToString();
    json j = json::parse(text);  // independent reading of the same text
    EXPECT_EQ(info->id, c.id);
    EXPECT_EQ(info->version, j["version"].get<int>());
    EXPECT_EQ(HexEncode(info->fmspc), c.fmspc);
    EXPECT_EQ(info->tcb_evaluation_data_number, c.eval);
    EXPECT_EQ(info->tcb_evaluation_data_number, j["tcbEvaluationDataNumber"].get<uint32_t>());
    EXPECT_EQ(FormatRfc3339(info->issue_date), j["issueDate"].get<std::string>());
    EXPECT_EQ(FormatRfc3339(info->next_update), j["nextUpdate"].get<std::string>());
    ASSERT_EQ(info->tcb_levels.size(), j["tcbLevels"].size());
    for (size_t l = 0; l < info->tcb_levels.size(); ++l) {
      const json& jl = j["tcbLevels"][l];
      EXPECT_EQ(TcbStatusName(info->tcb_levels[l].status), jl["tcbStatus"].get<std::string>());
      EXPECT_EQ(info->tcb_levels[l].pce_svn, jl["tcb"]["pcesvn"].get<int>());
      for (size_t i = 0; i < 16; ++i) {
        EXPECT_EQ(info->tcb_levels[l].sgx_svn[i],
                  jl["tcb"]["sgxtcbcomponents"][i]["svn"].get<int>());
      }
      EXPECT_EQ(info->tcb_levels[l].advisory_ids.size(),
                jl.contains("advisoryIDs") ? jl["advisoryIDs"].size() : 0u);
    }
    EXPECT_EQ(info->tdx_module.has_value(), c.id == TcbInfoId::kTdx);
    EXPECT_EQ(info->tdx_module_identities.size(), c.module_identities);
  }
}

TEST(IntelTcbInfo, SgxV3IsConfigurationAndSwHardeningNeeded) {
  TcbEvaluation e = Evaluate("sgx/dcapqvl-sgx-v3.bin", "sgx/dcapqvl-sgx-v3.collateral.json");
  EXPECT_EQ(e.mismatch, TcbMismatch::kNone);
  EXPECT_EQ(e.status, TcbStatus::kConfigurationAndSwHardeningNeeded);
  EXPECT_EQ(e.advisory_ids, (std::vector<std::string>{"INTEL-SA-00289", "INTEL-SA-00615"}));
  EXPECT_FALSE(e.tdx_module.has_value());
}

TEST(IntelTcbInfo, DcapQvlTdxV4IsUpToDate) {
  TcbEvaluation e = Evaluate("tdx/dcapqvl-tdx-v4.bin", "tdx/dcapqvl-tdx-v4.collateral.json");
  EXPECT_EQ(e.mismatch, TcbMismatch::kNone);
  EXPECT_EQ(e.status, TcbStatus::kUpToDate);
  EXPECT_TRUE(e.advisory_ids.empty());
}

TEST(IntelTcbInfo, GotdxV5IsUpToDateWithModuleTdx01) {
  TcbEvaluation e = Evaluate("tdx/gotdx-v5.bin", "tdx/gotdx-v5.tcbinfo.json");
  EXPECT_EQ(e.mismatch, TcbMismatch::kNone);
  EXPECT_EQ(e.status, TcbStatus::kUpToDate);
  EXPECT_EQ(e.platform_status, TcbStatus::kUpToDate);
  ASSERT_TRUE(e.tcb_date.has_value());
  EXPECT_EQ(FormatRfc3339(*e.tcb_date), "2024-11-13T00:00:00Z");
  ASSERT_TRUE(e.tdx_module.has_value());
  EXPECT_EQ(e.tdx_module->id, "TDX_01");
  EXPECT_EQ(e.tdx_module->status, TcbStatus::kUpToDate);
}

TEST(IntelTcbInfo, TrusteeTdxV4IsOutOfDateWithModuleTdx03UpToDate) {
  TcbEvaluation e = Evaluate("tdx/trustee-tdx-v4.bin", "tdx/trustee-tdx-v4.tcbinfo.json");
  EXPECT_EQ(e.mismatch, TcbMismatch::kNone);
  EXPECT_EQ(e.status, TcbStatus::kOutOfDate);
  ASSERT_TRUE(e.tcb_date.has_value());
  EXPECT_EQ(FormatRfc3339(*e.tcb_date), "2018-01-04T00:00:00Z");
  ASSERT_TRUE(e.tdx_module.has_value());
  EXPECT_EQ(e.tdx_module->id, "TDX_03");
  EXPECT_EQ(e.tdx_module->status, TcbStatus::kUpToDate);
}

TEST(IntelTcbInfo, NoMatchingLevelIsNotSupported) {
  for (auto [quote, tcbinfo] : {std::pair{"tdx/gotdx-v4-spr.bin", "tdx/gotdx-v4-spr.tcbinfo.json"},
                                std::pair{"tdx/dcapqvl-tdx-v5-nomatch.bin",
                                          "tdx/dcapqvl-tdx-v5-nomatch.collateral.json"}}) {
    SCOPED_TRACE(quote);
    TcbEvaluation e = Evaluate(quote, tcbinfo);
    EXPECT_EQ(e.mismatch, TcbMismatch::kNone);
    EXPECT_EQ(e.platform_status, TcbStatus::kNotSupported);
    EXPECT_EQ(e.status, TcbStatus::kNotSupported);
    EXPECT_FALSE(e.tcb_date.has_value());
  }
}

TEST(IntelTcbInfo, GotdxSprMatchesOnceLevelSvnsAreZeroed) {
  // go-tdx-guest's TestVerifyUsingTcbInfoV4 zeroes the level SVNs to get a match; so do we.
  TcbInfo info = *ParseTcbInfo(TcbInfoText("tdx/gotdx-v4-spr.tcbinfo.json"));
  info.tcb_levels[0].sgx_svn.fill(0);
  info.tcb_levels[0].tdx_svn->fill(0);
  info.tcb_levels[0].pce_svn = 0;
  Quote q = LoadQuote("tdx/gotdx-v4-spr.bin");
  TcbEvaluation e = EvaluateTcb(info, testing::PckExt(q), testing::TdxInput(q));
  EXPECT_EQ(e.status, info.tcb_levels[0].status);
}

TEST(IntelTcbInfo, MismatchesAreNamed) {
  TcbInfo info = *ParseTcbInfo(TcbInfoText("tdx/gotdx-v5.tcbinfo.json"));
  Quote q = LoadQuote("tdx/gotdx-v5.bin");
  PckExtensions pck = testing::PckExt(q);
  TdxTcbInput tdx = *testing::TdxInput(q);
  ASSERT_EQ(EvaluateTcb(info, pck, tdx).mismatch, TcbMismatch::kNone);

  PckExtensions wrong_fmspc = pck;
  wrong_fmspc.fmspc[0] ^= 1;
  EXPECT_EQ(EvaluateTcb(info, wrong_fmspc, tdx).mismatch, TcbMismatch::kFmspc);
  PckExtensions wrong_pce = pck;
  wrong_pce.pce_id[1] = 1;
  EXPECT_EQ(EvaluateTcb(info, wrong_pce, tdx).mismatch, TcbMismatch::kPceId);
  EXPECT_EQ(EvaluateTcb(info, pck, std::nullopt).mismatch, TcbMismatch::kTeeType);
  TdxTcbInput signer = tdx;
  signer.mrsignerseam[0] = 1;
  EXPECT_EQ(EvaluateTcb(info, pck, signer).mismatch, TcbMismatch::kTdxModuleSigner);
  TdxTcbInput attrs = tdx;
  attrs.seam_attributes[7] = 0x80;
  EXPECT_EQ(EvaluateTcb(info, pck, attrs).mismatch, TcbMismatch::kTdxModuleAttributes);
  TdxTcbInput major = tdx;
  major.tee_tcb_svn[1] = 2;  // no TDX_02 in this TCB info
  EXPECT_EQ(EvaluateTcb(info, pck, major).mismatch, TcbMismatch::kTdxModuleIdentityMissing);

  // An SGX TCB info with a TDX input.
  TcbInfo sgx = *ParseTcbInfo(TcbInfoText("sgx/dcapqvl-sgx-v3.collateral.json"));
  PckExtensions sgx_pck = testing::PckExt(LoadQuote("sgx/dcapqvl-sgx-v3.bin"));
  EXPECT_EQ(EvaluateTcb(sgx, sgx_pck, tdx).mismatch, TcbMismatch::kTeeType);
}

TEST(IntelTcbInfo, ModuleSvnDecidesModuleStatus) {
  TcbInfo info = *ParseTcbInfo(TcbInfoText("tdx/gotdx-v5.tcbinfo.json"));
  Quote q = LoadQuote("tdx/gotdx-v5.bin");
  TdxTcbInput tdx = *testing::TdxInput(q);
  tdx.tee_tcb_svn[0] = 4;  // TDX_01 level isvsvn 4: OutOfDate, two advisories
  TcbEvaluation e = EvaluateTcb(info, testing::PckExt(q), tdx);
  ASSERT_TRUE(e.tdx_module.has_value());
  EXPECT_EQ(e.tdx_module->status, TcbStatus::kOutOfDate);
  EXPECT_EQ(e.status, TcbStatus::kOutOfDate);
  EXPECT_EQ(e.advisory_ids, (std::vector<std::string>{"INTEL-SA-01036", "INTEL-SA-01099"}));
  tdx.tee_tcb_svn[0] = 1;  // below every TDX_01 level
  EXPECT_EQ(EvaluateTcb(info, testing::PckExt(q), tdx).status, TcbStatus::kNotSupported);
}

TEST(IntelTcbInfo, ModuleLevelsHaveEightBitIsvSvn) {
  const std::string good = TcbInfoText("tdx/gotdx-v5.tcbinfo.json");
  auto replaced = [&](std::string_view to) {
    std::string s = good;
    size_t at = s.find("\"isvsvn\":3");  // the first TDX module level
    CONFIDE_CHECK(at != std::string::npos);
    s.replace(at, 10, to);
    return ParseTcbInfo(s);
  };
  Result<TcbInfo> max = replaced("\"isvsvn\":255");
  ASSERT_TRUE(max.ok()) << max.error().ToString();
  EXPECT_EQ(max->tdx_module_identities[0].tcb_levels[0].isvsvn, 255);
  EXPECT_EQ(replaced("\"isvsvn\":256").error().code, ErrorCode::kMalformed);
}

TEST(IntelTcbInfo, SgxV2FormatParses) {
  const std::string v2 = R"({"version":2,"issueDate":"2019-01-01T00:00:00Z",
    "nextUpdate":"2019-02-01T00:00:00Z","fmspc":"00906EA10000","pceId":"0000","tcbType":0,
    "tcbEvaluationDataNumber":2,"tcbLevels":[{"tcb":{"sgxtcbcomp01svn":2,"sgxtcbcomp02svn":2,
    "sgxtcbcomp03svn":0,"sgxtcbcomp04svn":0,"sgxtcbcomp05svn":0,"sgxtcbcomp06svn":0,
    "sgxtcbcomp07svn":0,"sgxtcbcomp08svn":0,"sgxtcbcomp09svn":0,"sgxtcbcomp10svn":0,
    "sgxtcbcomp11svn":0,"sgxtcbcomp12svn":0,"sgxtcbcomp13svn":0,"sgxtcbcomp14svn":0,
    "sgxtcbcomp15svn":0,"sgxtcbcomp16svn":7,"pcesvn":7},"tcbDate":"2018-08-15T00:00:00Z",
    "tcbStatus":"SWHardeningNeeded","advisoryIDs":["INTEL-SA-00233"]}]})";
  Result<TcbInfo> info = ParseTcbInfo(v2);
  ASSERT_TRUE(info.ok()) << info.error().ToString();
  EXPECT_EQ(info->id, TcbInfoId::kSgx);
  EXPECT_EQ(info->tcb_levels[0].sgx_svn[15], 7);
  EXPECT_EQ(info->tcb_levels[0].status, TcbStatus::kSwHardeningNeeded);
}

TEST(IntelTcbInfo, MalformedTextIsRejected) {
  const std::string good = TcbInfoText("tdx/dcapqvl-tdx-v4.collateral.json");
  ASSERT_TRUE(ParseTcbInfo(good).ok());
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    size_t at = s.find(from);
    CONFIDE_CHECK(at != std::string::npos);
    s.replace(at, from.size(), to);
    return ParseTcbInfo(s);
  };
  EXPECT_EQ(replaced("\"version\":3", "\"version\":4").error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(replaced("\"id\":\"TDX\"", "\"id\":\"XYZ\"").error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(replaced("\"version\":3", "\"version\":\"3\"").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":\"Fine\"").error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"fmspc\":\"B0C06F000000\"", "\"fmspc\":\"B0C06F0000\"").error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"pcesvn\":", "\"pcesvn\":-").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"issueDate\":\"", "\"issueDate\":\"x").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"tdxModule\"", "\"tdxModuleX\"").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(replaced("\"svn\":", "\"svn\":1.5,\"x\":").error().code, ErrorCode::kMalformed);
  EXPECT_FALSE(ParseTcbInfo(good.substr(0, good.size() - 1)).ok());
  EXPECT_FALSE(ParseTcbInfo("[]").ok());
  EXPECT_FALSE(ParseTcbInfo(std::string(100, '[')).ok());
  EXPECT_FALSE(ParseTcbInfo("").ok());
}

}  // namespace
}  // namespace confide::attest::intel
