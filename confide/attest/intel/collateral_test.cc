#include "confide/attest/intel/collateral.h"

#include <gtest/gtest.h>

#include "confide/attest/intel/collateral_test_util.h"
#include "confide/base/hex.h"

namespace confide::attest::intel {
namespace {

using testing::At;
using testing::DcapQvlCollateral;
using testing::IntelRoot;
using testing::LoadQuote;
using testing::PcsFilesCollateral;

constexpr const char* kToday = "2026-11-26T00:00:00Z";

VerifiedCollateral Verify(const IntelCollateral& c, const char* at, CollateralOptions opts = {}) {
  opts.now = At(at);
  Result<VerifiedCollateral> v = VerifyCollateral(c, IntelRoot(), opts);
  CONFIDE_CHECK(v.ok());
  return std::move(v).value();
}

IntelCollateral GotdxSpr() {
  return PcsFilesCollateral("tdx/gotdx-v4-spr.tcbinfo.json", "tdx/gotdx-v4-spr.qeidentity.json",
                            "tdx/gotdx-v4-spr.pckcrl-platform.der", "tdx/gotdx-v4-spr.rootcrl.der",
                            "intel/intel-tcb-signing-2018-chain.pem");
}

CollateralOptions GotdxSprOptions() {
  // No PCK CRL issuer chain ships with it: the quote's PCK chain supplies the Platform CA.
  return {.pck_crl_issuers = testing::PckChain(LoadQuote("tdx/gotdx-v4-spr.bin"))};
}

TEST(IntelCollateral, DcapQvlCollateralVerifiesAtItsTime) {
  for (auto [file, at] :
       {std::pair{"sgx/dcapqvl-sgx-v3.collateral.json", "2025-07-01T00:00:00Z"},
        std::pair{"tdx/dcapqvl-tdx-v4.collateral.json", "2025-07-01T00:00:00Z"},
        std::pair{"tdx/dcapqvl-tdx-v5-nomatch.collateral.json", "2026-03-01T00:00:00Z"}}) {
    SCOPED_TRACE(file);
    VerifiedCollateral v = Verify(DcapQvlCollateral(file), at);
    EXPECT_TRUE(v.ok()) << CollateralFailureName(v.failure) << ": " << v.detail;
    EXPECT_TRUE(v.tcb_info.has_value());
    EXPECT_TRUE(v.qe_identity.has_value());
    EXPECT_EQ(v.crls.size(), 2u);
  }
}

TEST(IntelCollateral, PcsFilesVerifyWithTheRightSigningCertificate) {
  VerifiedCollateral spr = Verify(GotdxSpr(), "2023-07-01T01:00:00Z", GotdxSprOptions());
  EXPECT_TRUE(spr.ok()) << CollateralFailureName(spr.failure) << ": " << spr.detail;
  EXPECT_EQ(spr.crls.size(), 2u);

  const CollateralOptions no_qe_no_crl{.require_qe_identity = false, .require_crls = false};
  IntelCollateral v5 = PcsFilesCollateral("tdx/gotdx-v5.tcbinfo.json", "", "", "",
                                          "intel/intel-tcb-signing-2025-chain.pem");
  VerifiedCollateral ok = Verify(v5, "2026-02-03T01:00:00Z", no_qe_no_crl);
  EXPECT_TRUE(ok.ok()) << CollateralFailureName(ok.failure) << ": " << ok.detail;
  EXPECT_FALSE(ok.qe_identity.has_value());

  // Same key, but the 2018 certificate expired on 2025-05-21: the chain fails, not the signature.
  IntelCollateral v5_old = PcsFilesCollateral("tdx/gotdx-v5.tcbinfo.json", "", "", "",
                                              "intel/intel-tcb-signing-2018-chain.pem");
  EXPECT_EQ(Verify(v5_old, "2026-02-03T01:00:00Z", no_qe_no_crl).failure,
            CollateralFailure::kCertExpired);

  IntelCollateral trustee =
      PcsFilesCollateral("tdx/trustee-tdx-v4.tcbinfo.json", "tdx/trustee-tdx-v4.qeidentity.json",
                         "", "", "intel/intel-tcb-signing-2025-chain.pem");
  VerifiedCollateral t = Verify(trustee, "2025-11-01T00:00:00Z", {.require_crls = false});
  EXPECT_TRUE(t.ok()) << CollateralFailureName(t.failure) << ": " << t.detail;
}

TEST(IntelCollateral, TodayEveryVectorIsExpired) {
  // dcap-qvl collateral chains with the 2025 certificate (valid to 2032): the JSON windows fail.
  for (const char* file :
       {"sgx/dcapqvl-sgx-v3.collateral.json", "tdx/dcapqvl-tdx-v4.collateral.json",
        "tdx/dcapqvl-tdx-v5-nomatch.collateral.json"}) {
    SCOPED_TRACE(file);
    VerifiedCollateral v = Verify(DcapQvlCollateral(file), kToday);
    EXPECT_EQ(v.failure, CollateralFailure::kCollateralExpired) << v.detail;
    EXPECT_EQ(CollateralFailureName(v.failure), "COLLATERAL_EXPIRED");
  }
  // The 2018 chain of gotdx's collateral expired first.
  VerifiedCollateral spr = Verify(GotdxSpr(), kToday, GotdxSprOptions());
  EXPECT_EQ(spr.failure, CollateralFailure::kCertExpired) << spr.detail;
  EXPECT_EQ(CollateralFailureName(spr.failure), "CERT_EXPIRED");
  // Just past the TCB info's nextUpdate (2025-07-19T10:00:35Z for dcap-qvl TDX v4).
  VerifiedCollateral late =
      Verify(DcapQvlCollateral("tdx/dcapqvl-tdx-v4.collateral.json"), "2025-07-19T10:00:36Z");
  EXPECT_EQ(late.failure, CollateralFailure::kCollateralExpired);
  VerifiedCollateral early =
      Verify(DcapQvlCollateral("tdx/dcapqvl-tdx-v4.collateral.json"), "2025-06-01T00:00:00Z");
  EXPECT_EQ(early.failure, CollateralFailure::kCollateralExpired);
}

TEST(IntelCollateral, TamperedJsonFailsTheSignature) {
  IntelCollateral c = DcapQvlCollateral("sgx/dcapqvl-sgx-v3.collateral.json");
  IntelCollateral t = c;
  size_t at = t.tcb_info_json.find("ConfigurationAndSWHardeningNeeded");
  ASSERT_NE(at, std::string::npos);
  t.tcb_info_json.replace(at, 33, "UpToDate\",\"x\":\"_______________");
  VerifiedCollateral v = Verify(t, "2025-07-01T00:00:00Z");
  EXPECT_EQ(v.failure, CollateralFailure::kSignatureInvalid);
  EXPECT_FALSE(v.tcb_info.has_value());

  // Re-serialising the same JSON (whitespace added) breaks the signature too.
  t = c;
  t.tcb_info_json.insert(1, " ");
  EXPECT_EQ(Verify(t, "2025-07-01T00:00:00Z").failure, CollateralFailure::kSignatureInvalid);

  t = c;
  t.qe_identity_json[t.qe_identity_json.find("\"isvprodid\":1") + 12] = '2';
  EXPECT_EQ(Verify(t, "2025-07-01T00:00:00Z").failure, CollateralFailure::kSignatureInvalid);

  t = c;
  t.tcb_info_signature[5] ^= 1;
  EXPECT_EQ(Verify(t, "2025-07-01T00:00:00Z").failure, CollateralFailure::kSignatureInvalid);

  // The QE identity's signature moved onto the TCB info.
  t = c;
  t.tcb_info_signature = c.qe_identity_signature;
  EXPECT_EQ(Verify(t, "2025-07-01T00:00:00Z").failure, CollateralFailure::kSignatureInvalid);
}

TEST(IntelCollateral, BadCrlsAndChainsAreRejected) {
  IntelCollateral c = DcapQvlCollateral("tdx/dcapqvl-tdx-v4.collateral.json");
  const char* at = "2025-07-01T00:00:00Z";
  IntelCollateral t = c;
  t.pck_crl.back() ^= 1;  // last byte of the signature's s: the DER stays valid
  EXPECT_EQ(Verify(t, at).failure, CollateralFailure::kCrlInvalid);
  t = c;
  t.root_ca_crl.back() ^= 1;
  EXPECT_EQ(Verify(t, at).failure, CollateralFailure::kCrlInvalid);
  t = c;
  std::swap(t.pck_crl, t.root_ca_crl);
  EXPECT_EQ(Verify(t, at).failure, CollateralFailure::kCrlInvalid);
  t = c;
  t.pck_crl.clear();
  EXPECT_EQ(Verify(t, at).failure, CollateralFailure::kMissing);
  t = c;
  t.qe_identity_json.clear();
  EXPECT_EQ(Verify(t, at).failure, CollateralFailure::kMissing);
  // The TCB signing chain swapped for the PCK CRL issuer chain or a quote's PCK chain: they chain
  // to the root, but only the TCB Signing certificate signs collateral.
  t = c;
  t.tcb_info_issuer_chain = c.pck_crl_issuer_chain;
  EXPECT_EQ(Verify(t, at).failure, CollateralFailure::kChainUntrusted);
  t = c;
  t.qe_identity_issuer_chain = LoadQuote("tdx/dcapqvl-tdx-v4.bin").pck_chain_pem;
  VerifiedCollateral pck_signed = Verify(t, at);
  EXPECT_EQ(pck_signed.failure, CollateralFailure::kChainUntrusted);
  EXPECT_NE(pck_signed.detail.find("Intel SGX PCK Certificate"), std::string::npos)
      << pck_signed.detail;
  // The PCK CRL issuer chain replaced by the TCB signing chain: not a PCK CA.
  t = c;
  t.pck_crl_issuer_chain = c.tcb_info_issuer_chain;
  EXPECT_EQ(Verify(t, at).failure, CollateralFailure::kChainUntrusted);
  // Another root: nothing chains.
  Result<crypto::Certificate> amd =
      crypto::Certificate::FromPem(testing::SharedText("snp/amd-milan-ark.pem"));
  ASSERT_TRUE(amd.ok());
  Result<VerifiedCollateral> v = VerifyCollateral(c, *amd, {.now = At(at)});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->failure, CollateralFailure::kChainUntrusted);
  // The gotdx PCK CRL without any known issuer.
  VerifiedCollateral no_issuer = Verify(GotdxSpr(), "2023-07-01T01:00:00Z");
  EXPECT_EQ(no_issuer.failure, CollateralFailure::kCrlInvalid);
}

TEST(IntelCollateral, PcsSignedJsonIsTheExactText) {
  const std::string body = testing::SharedText("tdx/gotdx-v4-spr.qeidentity.json");
  Result<SignedJson> s = ParsePcsSignedJson(body, "enclaveIdentity");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_TRUE(s->json.starts_with("{\"id\":\"TD_QE\""));
  EXPECT_NE(body.find(s->json), std::string::npos);
  EXPECT_EQ(s->signature.size(), 64u);

  EXPECT_FALSE(ParsePcsSignedJson(body, "tcbInfo").ok());
  const std::string sig = "\"signature\":\"" + HexEncode(s->signature) + "\"";
  EXPECT_FALSE(ParsePcsSignedJson("{\"enclaveIdentity\":{},\"enclaveIdentity\":{}," + sig + "}",
                                  "enclaveIdentity")
                   .ok());
  EXPECT_FALSE(
      ParsePcsSignedJson("{\"enclave\\u0049dentity\":{\"a\":1}," + sig + "}", "enclaveIdentity")
          .ok());
  EXPECT_FALSE(ParsePcsSignedJson("{\"enclaveIdentity\":[]," + sig + "}", "enclaveIdentity").ok());
  EXPECT_FALSE(
      ParsePcsSignedJson("{\"enclaveIdentity\":{},\"signature\":\"00\"}", "enclaveIdentity").ok());
  Result<SignedJson> spaced = ParsePcsSignedJson(
      "{ \"x\" : [1,{\"}\":\"]\"}] , \"enclaveIdentity\" : {\"a\" : \"\\\"}\"} ," + sig + " }",
      "enclaveIdentity");
  ASSERT_TRUE(spaced.ok()) << spaced.error().ToString();
  EXPECT_EQ(spaced->json, "{\"a\" : \"\\\"}\"}");
}

TEST(IntelCollateral, EncodingRoundTrips) {
  for (const char* file :
       {"sgx/dcapqvl-sgx-v3.collateral.json", "tdx/dcapqvl-tdx-v4.collateral.json"}) {
    IntelCollateral c = DcapQvlCollateral(file);
    Bytes encoded = EncodeIntelCollateral(c);
    Result<IntelCollateral> back = DecodeIntelCollateral(encoded);
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_EQ(*back, c);
    EXPECT_EQ(EncodeIntelCollateral(*back), encoded);
  }
  IntelCollateral partial = GotdxSpr();
  partial.qe_identity_json.clear();
  partial.qe_identity_signature.clear();
  partial.qe_identity_issuer_chain.clear();
  Result<IntelCollateral> back = DecodeIntelCollateral(EncodeIntelCollateral(partial));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, partial);
  EXPECT_FALSE(DecodeIntelCollateral(AsBytes("{\"pck_crl\":\"0g\"}")).ok());
  EXPECT_FALSE(DecodeIntelCollateral(AsBytes("{\"tcb_info_signature\":\"0011\"}")).ok());
  EXPECT_FALSE(DecodeIntelCollateral(AsBytes("{\"tcb_info\":5}")).ok());
  EXPECT_FALSE(DecodeIntelCollateral(AsBytes("[]")).ok());
}

}  // namespace
}  // namespace confide::attest::intel
