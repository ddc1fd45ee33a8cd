#include "confide/attest/intel/collateral_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "confide/attest/intel/collateral_test_util.h"
#include "confide/base/file.h"
#include "confide/base/hex.h"

namespace confide::attest::intel {
namespace {

using testing::At;
using testing::IntelRoot;
using testing::LoadQuote;

class TempDir {
 public:
  explicit TempDir(const char* name)
      : path_(::testing::TempDir() + "/confide_intel_store_" + name + "_" +
              std::to_string(::getpid())) {
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

ImportFile Shared(const std::string& rel) {
  return {rel, confide::testing::ReadSharedFile("vectors/" + rel)};
}

ImportFile Text(const std::string& name, const std::string& text) {
  return {name, Bytes(text.begin(), text.end())};
}

// The gotdx vector ships no PCK CRL issuer chain: the quote's Platform CA + root serve as one.
ImportFile GotdxPlatformChain() {
  std::vector<crypto::Certificate> chain = testing::PckChain(LoadQuote("tdx/gotdx-v4-spr.bin"));
  return Text("platform_chain.pem", chain[1].ToPem() + chain[2].ToPem());
}

TEST(IntelCollateralStore, DcapQvlFileImportsAndLoadsBackVerbatim) {
  TempDir dir("dcapqvl");
  Result<ImportReport> r =
      ImportCollateral(dir.path(), {Shared("tdx/dcapqvl-tdx-v4.collateral.json")}, IntelRoot(), {});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->written,
            (std::vector<std::string>{"tcb_info/tdx-b0c06f000000.json", "qe_identity/td_qe.json",
                                      "tcb_signing_chain.pem", "root_ca.crl",
                                      "pck_crl/platform.crl", "pck_crl/platform_chain.pem"}));
  std::array<uint8_t, 6> fmspc = {0xb0, 0xc0, 0x6f, 0, 0, 0};
  Result<IntelCollateral> loaded =
      LoadStoredCollateral(dir.path(), fmspc, /*tdx=*/true, PckCaKind::kPlatform);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  IntelCollateral original = testing::DcapQvlCollateral("tdx/dcapqvl-tdx-v4.collateral.json");
  EXPECT_EQ(loaded->tcb_info_json, original.tcb_info_json);
  EXPECT_EQ(loaded->tcb_info_signature, original.tcb_info_signature);
  EXPECT_EQ(loaded->qe_identity_json, original.qe_identity_json);
  EXPECT_EQ(loaded->qe_identity_signature, original.qe_identity_signature);
  EXPECT_EQ(loaded->pck_crl, original.pck_crl);
  EXPECT_EQ(loaded->root_ca_crl, original.root_ca_crl);
  Result<VerifiedCollateral> v =
      VerifyCollateral(*loaded, IntelRoot(), {.now = At("2025-07-01T00:00:00Z")});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->detail;

  // SGX lookups find nothing for this FMSPC.
  EXPECT_EQ(LoadStoredCollateral(dir.path(), fmspc, false, PckCaKind::kPlatform).error().code,
            ErrorCode::kNotFound);
}

TEST(IntelCollateralStore, SeparatePcsFilesImportAndVerify) {
  TempDir dir("gotdx");
  Result<ImportReport> r = ImportCollateral(
      dir.path(),
      {Shared("tdx/gotdx-v4-spr.tcbinfo.json"), Shared("tdx/gotdx-v4-spr.qeidentity.json"),
       Shared("tdx/gotdx-v4-spr.pckcrl-platform.der"), Shared("tdx/gotdx-v4-spr.rootcrl.der"),
       Shared("intel/intel-tcb-signing-2018-chain.pem"), GotdxPlatformChain()},
      IntelRoot(), {});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->written.size(), 6u);
  Result<IntelCollateral> loaded =
      LoadStoredCollateral(dir.path(), {0x50, 0x80, 0x6f, 0, 0, 0}, true,
                           *PckCaKindOf(testing::PckChain(LoadQuote("tdx/gotdx-v4-spr.bin"))[0]));
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  Result<VerifiedCollateral> v =
      VerifyCollateral(*loaded, IntelRoot(), {.now = At("2023-07-01T01:00:00Z")});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->detail;

  // A later import of only a TCB info uses the stored signing chain.
  Result<ImportReport> again =
      ImportCollateral(dir.path(), {Shared("tdx/trustee-tdx-v4.tcbinfo.json")}, IntelRoot(), {});
  // ... but trustee's TCB info is from 2025: the stored 2018 certificate had expired by then.
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kVerificationFailed);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/tcb_info/tdx-00a06d080000.json"));
  again = ImportCollateral(
      dir.path(),
      {Shared("tdx/trustee-tdx-v4.tcbinfo.json"), Shared("intel/intel-tcb-signing-2025-chain.pem")},
      IntelRoot(), {});
  ASSERT_TRUE(again.ok()) << again.error().ToString();
}

TEST(IntelCollateralStore, TamperedOrUnknownInputWritesNothing) {
  TempDir dir("bad");
  std::string tcb = testing::SharedText("tdx/gotdx-v5.tcbinfo.json");
  const size_t at = tcb.find("UpToDate");
  ASSERT_NE(at, std::string::npos);
  tcb.replace(at, 8, "OutOfDate");
  Result<ImportReport> r = ImportCollateral(
      dir.path(), {Text("tampered.json", tcb), Shared("intel/intel-tcb-signing-2025-chain.pem")},
      IntelRoot(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
  EXPECT_FALSE(std::filesystem::exists(dir.path()));

  // No signing chain anywhere.
  r = ImportCollateral(dir.path(), {Shared("tdx/gotdx-v5.tcbinfo.json")}, IntelRoot(), {});
  EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
  // The 2018 certificate at the 2026 issue date.
  r = ImportCollateral(
      dir.path(),
      {Shared("tdx/gotdx-v5.tcbinfo.json"), Shared("intel/intel-tcb-signing-2018-chain.pem")},
      IntelRoot(), {});
  EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
  // A PCK CRL whose chain is not known.
  r = ImportCollateral(dir.path(), {Shared("tdx/gotdx-v4-spr.pckcrl-platform.der")}, IntelRoot(),
                       {});
  EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
  // A root CRL with a broken signature.
  Bytes crl = confide::testing::ReadSharedFile("vectors/tdx/gotdx-v4-spr.rootcrl.der");
  crl.back() ^= 1;
  r = ImportCollateral(dir.path(), {{"root.crl", crl}}, IntelRoot(), {});
  EXPECT_EQ(r.error().code, ErrorCode::kVerificationFailed);
  // Something else entirely.
  r = ImportCollateral(dir.path(), {Shared("snp/amd-milan-ark.pem")}, IntelRoot(), {});
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  r = ImportCollateral(dir.path(), {Text("x.json", "{\"hello\":1}")}, IntelRoot(), {});
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  r = ImportCollateral(dir.path(), {Shared("tdx/gotdx-v4-spr.bin")}, IntelRoot(), {});
  EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
  EXPECT_FALSE(std::filesystem::exists(dir.path()));
}

TEST(IntelCollateralStore, OlderCollateralDoesNotReplaceNewer) {
  TempDir dir("rollback");
  ASSERT_TRUE(
      ImportCollateral(dir.path(), {Shared("tdx/dcapqvl-tdx-v4.collateral.json")}, IntelRoot(), {})
          .ok());
  const Bytes newer = *ReadFile(dir.path() + "/root_ca.crl");
  // gotdx's root CRL (2023) is older than dcap-qvl's (2025): kept out.
  Result<ImportReport> r =
      ImportCollateral(dir.path(), {Shared("tdx/gotdx-v4-spr.rootcrl.der")}, IntelRoot(), {});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->written.empty());
  EXPECT_EQ(r->kept_newer, std::vector<std::string>{"root_ca.crl"});
  EXPECT_EQ(*ReadFile(dir.path() + "/root_ca.crl"), newer);
  // The same file again is not older: rewritten.
  r = ImportCollateral(dir.path(), {Shared("tdx/dcapqvl-tdx-v4.collateral.json")}, IntelRoot(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->kept_newer.empty());
  EXPECT_EQ(r->written.size(), 6u);
}

TEST(IntelCollateralStore, HexAndPemCrlsAreAccepted) {
  TempDir dir("crlforms");
  Bytes der = confide::testing::ReadSharedFile("vectors/tdx/gotdx-v4-spr.rootcrl.der");
  Result<ImportReport> r =
      ImportCollateral(dir.path(), {Text("root.hex", HexEncode(der) + "\n")}, IntelRoot(), {});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*ReadFile(dir.path() + "/root_ca.crl"), der);
}

}  // namespace
}  // namespace confide::attest::intel
