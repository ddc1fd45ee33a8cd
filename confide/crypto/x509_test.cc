#include "confide/crypto/x509.h"

#include <gtest/gtest.h>

#include <string>

#include "confide/base/testing/shared_data.h"
#include "confide/crypto/testing/cert_builder.h"

namespace confide::crypto {
namespace {

using namespace std::chrono_literals;

Time At(std::string_view rfc3339) { return ParseRfc3339(rfc3339).value(); }

Certificate PemCert(std::string_view path) {
  auto c = Certificate::FromPem(ToString(testing::ReadSharedFile(path)));
  EXPECT_TRUE(c.ok()) << path;
  return std::move(c).value();
}

Certificate DerCert(std::string_view path) {
  auto c = Certificate::FromDer(testing::ReadSharedFile(path));
  EXPECT_TRUE(c.ok()) << path;
  return std::move(c).value();
}

ChainResult Verify(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                   const std::vector<Certificate>& roots, const std::vector<Crl>& crls,
                   ChainOptions opts) {
  auto r = VerifyChain(leaf, intermediates, roots, crls, opts);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? *r : ChainResult{};
}

// ---- AMD SEV-SNP (RSA-PSS chains; ../shared/vectors/README.md, snp/) ----

class AmdMilanTest : public ::testing::Test {
 protected:
  Certificate ark_ = PemCert("vectors/snp/amd-milan-ark.pem");
  Certificate ask_ = PemCert("vectors/snp/amd-milan-ask.pem");
  Certificate asvk_ = PemCert("vectors/snp/amd-milan-asvk.pem");
  Certificate vcek_ = DerCert("vectors/snp/gosev-milan-v2.vcek.der");
  Certificate vlek_ = DerCert("vectors/snp/trustee-milan-vlek-v3.vlek.der");
};

TEST_F(AmdMilanTest, ParsesVcekFields) {
  EXPECT_EQ(vcek_.ToDer(), testing::ReadSharedFile("vectors/snp/gosev-milan-v2.vcek.der"));
  EXPECT_NE(vcek_.subject().find("CN=SEV-VCEK"), std::string::npos) << vcek_.subject();
  EXPECT_NE(vcek_.issuer().find("CN=SEV-Milan"), std::string::npos) << vcek_.issuer();
  EXPECT_EQ(vcek_.not_before(), At("2022-09-24T00:55:28Z"));
  EXPECT_EQ(vcek_.not_after(), At("2029-09-24T00:55:28Z"));
  EXPECT_EQ(vcek_.public_key().type(), KeyType::kP384);
  // blSPL = 2 and teeSPL = 0 (README: "TCB bl2 tee0"), each an INTEGER in extnValue.
  EXPECT_EQ(vcek_.Extension("1.3.6.1.4.1.3704.1.3.1"), (Bytes{0x02, 0x01, 0x02}));
  EXPECT_EQ(vcek_.Extension("1.3.6.1.4.1.3704.1.3.2"), (Bytes{0x02, 0x01, 0x00}));
  EXPECT_EQ(vcek_.Extension("1.2.3.4"), std::nullopt);
  EXPECT_EQ(vcek_.Extension("not an oid"), std::nullopt);
}

TEST_F(AmdMilanTest, SignatureRelations) {
  EXPECT_TRUE(ark_.IsSelfSigned());
  EXPECT_FALSE(ask_.IsSelfSigned());
  EXPECT_TRUE(ask_.IsSignedBy(ark_));
  EXPECT_TRUE(vcek_.IsSignedBy(ask_));
  EXPECT_FALSE(vcek_.IsSignedBy(ark_));
  EXPECT_FALSE(vlek_.IsSignedBy(ask_));
  EXPECT_TRUE(vlek_.IsSignedBy(asvk_));
}

TEST_F(AmdMilanTest, VcekChainVerifiesInsideValidity) {
  ChainResult r = Verify(vcek_, {ask_}, {ark_}, {}, {.now = At("2025-06-01T00:00:00Z")});
  EXPECT_TRUE(r.ok()) << r.detail;
  ASSERT_EQ(r.path.size(), 3u);
  EXPECT_EQ(r.path[0].ToDer(), vcek_.ToDer());
  EXPECT_EQ(r.path[2].ToDer(), ark_.ToDer());
}

TEST_F(AmdMilanTest, VcekChainExpiredIn2053) {
  ChainResult r = Verify(vcek_, {ask_}, {ark_}, {}, {.now = At("2053-01-01T00:00:00Z")});
  EXPECT_EQ(r.failure, ChainFailure::kExpired) << r.detail;
  EXPECT_TRUE(r.path.empty());
}

TEST_F(AmdMilanTest, VcekChainNotYetValidBeforeIssue) {
  ChainResult r = Verify(vcek_, {ask_}, {ark_}, {}, {.now = At("2021-01-01T00:00:00Z")});
  EXPECT_EQ(r.failure, ChainFailure::kNotYetValid) << r.detail;
}

TEST_F(AmdMilanTest, VlekChainsViaAsvkOnly) {
  Time t = At("2025-06-01T00:00:00Z");
  ChainResult ok = Verify(vlek_, {asvk_}, {ark_}, {}, {.now = t});
  EXPECT_TRUE(ok.ok()) << ok.detail;
  ChainResult expired = Verify(vlek_, {asvk_}, {ark_}, {}, {.now = At("2026-01-01T00:00:00Z")});
  EXPECT_EQ(expired.failure, ChainFailure::kExpired) << expired.detail;
  ChainResult via_ask = Verify(vlek_, {ask_}, {ark_}, {}, {.now = t});
  EXPECT_FALSE(via_ask.ok());
  EXPECT_TRUE(via_ask.failure == ChainFailure::kUntrusted ||
              via_ask.failure == ChainFailure::kBadSignature)
      << ChainFailureName(via_ask.failure);
}

TEST_F(AmdMilanTest, WrongRootOrMissingIntermediateIsUntrusted) {
  Time t = At("2025-06-01T00:00:00Z");
  Certificate genoa_ark = PemCert("vectors/snp/amd-genoa-ark.pem");
  EXPECT_EQ(Verify(vcek_, {ask_}, {genoa_ark}, {}, {.now = t}).failure, ChainFailure::kUntrusted);
  EXPECT_EQ(Verify(vcek_, {}, {ark_}, {}, {.now = t}).failure, ChainFailure::kUntrusted);
  // The ASK alone is no trust anchor unless partial chains are allowed.
  EXPECT_EQ(Verify(vcek_, {}, {ask_}, {}, {.now = t}).failure, ChainFailure::kUntrusted);
  EXPECT_TRUE(Verify(vcek_, {}, {ask_}, {}, {.now = t, .allow_partial_chain = true}).ok());
}

// ---- Intel PCK chain from a TDX quote, with the PCK and root CRLs ----

class IntelPckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The PCK chain is PEM inside the quote's certification data (README, tdx/).
    std::string quote = ToString(testing::ReadSharedFile("vectors/tdx/gotdx-v4-spr.bin"));
    size_t begin = quote.find("-----BEGIN CERTIFICATE-----");
    size_t end = quote.rfind("-----END CERTIFICATE-----");
    ASSERT_NE(begin, std::string::npos);
    ASSERT_NE(end, std::string::npos);
    auto chain = Certificate::ChainFromPem(quote.substr(begin, end + 25 - begin));
    ASSERT_TRUE(chain.ok()) << chain.error().ToString();
    ASSERT_EQ(chain->size(), 3u);
    chain_ = std::move(chain).value();
    auto pck_crl = Crl::FromDer(testing::ReadSharedFile("vectors/tdx/gotdx-v4-spr.pckcrl-platform.der"));
    auto root_crl = Crl::FromDer(testing::ReadSharedFile("vectors/tdx/gotdx-v4-spr.rootcrl.der"));
    ASSERT_TRUE(pck_crl.ok() && root_crl.ok());
    crls_ = {*pck_crl, *root_crl};
  }

  std::vector<Certificate> chain_;  // PCK leaf, Platform CA, root (as embedded)
  std::vector<Crl> crls_;
  Certificate root_ = PemCert("vectors/intel/intel-sgx-root-ca.pem");
  Time verify_at_ = At("2023-07-01T01:00:00Z");
};

TEST_F(IntelPckTest, CrlFields) {
  const Crl& pck_crl = crls_[0];
  EXPECT_NE(pck_crl.issuer().find("CN=Intel SGX PCK Platform CA"), std::string::npos);
  EXPECT_EQ(pck_crl.this_update(), At("2023-06-08T07:27:52Z"));
  EXPECT_EQ(pck_crl.next_update(), At("2023-07-08T07:27:52Z"));
  EXPECT_FALSE(pck_crl.IsRevoked(chain_[0]));
  EXPECT_EQ(chain_[2].ToDer(), root_.ToDer());
}

TEST_F(IntelPckTest, VerifiesWithRequiredCrls) {
  ChainResult r = Verify(chain_[0], {chain_[1]}, {root_}, crls_,
                         {.now = verify_at_, .require_crls = true});
  EXPECT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.path.size(), 3u);
}

TEST_F(IntelPckTest, MissingCrlFailsOnlyWhenRequired) {
  std::vector<Crl> only_pck = {crls_[0]};
  EXPECT_TRUE(Verify(chain_[0], {chain_[1]}, {root_}, only_pck, {.now = verify_at_}).ok());
  ChainResult r = Verify(chain_[0], {chain_[1]}, {root_}, only_pck,
                         {.now = verify_at_, .require_crls = true});
  EXPECT_EQ(r.failure, ChainFailure::kCrlInvalid) << r.detail;
}

TEST_F(IntelPckTest, StaleCrlIsCrlExpired) {
  Time later = At("2023-08-01T00:00:00Z");  // after the PCK CRL's nextUpdate
  EXPECT_EQ(Verify(chain_[0], {chain_[1]}, {root_}, crls_, {.now = later}).failure,
            ChainFailure::kCrlExpired);
  EXPECT_TRUE(Verify(chain_[0], {chain_[1]}, {root_}, {}, {.now = later}).ok());
}

TEST_F(IntelPckTest, PckExpiredIn2053) {
  EXPECT_EQ(Verify(chain_[0], {chain_[1]}, {root_}, {}, {.now = At("2053-07-01T00:00:00Z")})
                .failure,
            ChainFailure::kExpired);
}

// ---- Revocation with a test PKI (testing/cert_builder.h) ----

class TestPkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto root = testing::IssueTestCa({.cn = "Test Root", .not_before = t0_, .not_after = t1_});
    ASSERT_TRUE(root.ok()) << root.error().ToString();
    root_.push_back(std::move(root).value());
    auto inter = testing::IssueTestCert(
        {.cn = "Test Intermediate", .not_before = t0_, .not_after = t1_, .is_ca = true}, root_[0]);
    ASSERT_TRUE(inter.ok()) << inter.error().ToString();
    inter_.push_back(std::move(inter).value());
    auto leaf = testing::IssueTestCert(
        {.cn = "Test Leaf", .not_before = t0_, .not_after = t1_, .serial = {0x12, 0x34}},
        inter_[0]);
    ASSERT_TRUE(leaf.ok()) << leaf.error().ToString();
    leaf_.push_back(std::move(leaf).value());
  }

  Crl MakeCrl(const testing::TestCert& issuer, std::vector<Bytes> revoked, Time next) {
    auto crl = testing::IssueTestCrl(issuer, t0_, next, std::move(revoked));
    EXPECT_TRUE(crl.ok());
    return std::move(crl).value();
  }

  ChainResult VerifyLeaf(const std::vector<Crl>& crls, bool require = true) {
    return Verify(leaf_[0].cert, {inter_[0].cert}, {root_[0].cert}, crls,
                  {.now = now_, .require_crls = require});
  }

  Time t0_ = At("2024-01-01T00:00:00Z");
  Time t1_ = At("2030-01-01T00:00:00Z");
  Time now_ = At("2025-01-01T00:00:00Z");
  std::vector<testing::TestCert> root_, inter_, leaf_;  // vectors: TestCert is move-only
};

TEST_F(TestPkiTest, UnrevokedChainVerifies) {
  ChainResult r = VerifyLeaf({MakeCrl(root_[0], {}, t1_), MakeCrl(inter_[0], {}, t1_)});
  EXPECT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(leaf_[0].cert.serial_number(), (Bytes{0x12, 0x34}));
}

TEST_F(TestPkiTest, RevokedLeafIsRevoked) {
  Crl inter_crl = MakeCrl(inter_[0], {{0x12, 0x34}}, t1_);
  EXPECT_TRUE(inter_crl.IsRevoked(leaf_[0].cert));
  ChainResult r = VerifyLeaf({MakeCrl(root_[0], {}, t1_), inter_crl});
  EXPECT_EQ(r.failure, ChainFailure::kRevoked) << r.detail;
  EXPECT_EQ(VerifyLeaf({inter_crl}, /*require=*/false).failure, ChainFailure::kRevoked);
}

TEST_F(TestPkiTest, RevokedIntermediateIsRevoked) {
  Crl root_crl = MakeCrl(root_[0], {inter_[0].cert.serial_number()}, t1_);
  ChainResult r = VerifyLeaf({root_crl, MakeCrl(inter_[0], {}, t1_)});
  EXPECT_EQ(r.failure, ChainFailure::kRevoked) << r.detail;
}

TEST_F(TestPkiTest, CrlSignedByImpostorIsCrlInvalid) {
  // Same issuer name as the intermediate, different key.
  auto impostor = testing::IssueTestCa({.cn = "Test Intermediate", .not_before = t0_,
                                        .not_after = t1_});
  ASSERT_TRUE(impostor.ok());
  ChainResult r = VerifyLeaf({MakeCrl(root_[0], {}, t1_), MakeCrl(*impostor, {}, t1_)});
  EXPECT_EQ(r.failure, ChainFailure::kCrlInvalid) << r.detail;
}

TEST_F(TestPkiTest, ExpiredCrlIsCrlExpired) {
  ChainResult r = VerifyLeaf({MakeCrl(root_[0], {}, t1_),
                              MakeCrl(inter_[0], {}, At("2024-06-01T00:00:00Z"))});
  EXPECT_EQ(r.failure, ChainFailure::kCrlExpired) << r.detail;
}

TEST_F(TestPkiTest, ExpiredIntermediateIsExpired) {
  auto short_lived = testing::IssueTestCert(
      {.cn = "Short", .not_before = t0_, .not_after = At("2024-06-01T00:00:00Z"), .is_ca = true},
      root_[0]);
  ASSERT_TRUE(short_lived.ok());
  auto leaf = testing::IssueTestCert({.cn = "L", .not_before = t0_, .not_after = t1_},
                                     *short_lived);
  ASSERT_TRUE(leaf.ok());
  ChainResult r = Verify(leaf->cert, {short_lived->cert}, {root_[0].cert}, {}, {.now = now_});
  EXPECT_EQ(r.failure, ChainFailure::kExpired) << r.detail;
  EXPECT_NE(r.detail.find("depth 1"), std::string::npos) << r.detail;
}

// ---- Parsing negatives ----

TEST(X509ParseTest, RejectsTrailingBytesAndDamage) {
  Bytes der = testing::ReadSharedFile("vectors/snp/gosev-milan-v2.vcek.der");
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(Certificate::FromDer(trailing).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(Certificate::FromDer(ByteSpan(der).first(der.size() - 1)).error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(Certificate::FromPem("no pem here").error().code, ErrorCode::kMalformed);
  EXPECT_EQ(Certificate::ChainFromPem("").error().code, ErrorCode::kMalformed);
  std::string two = ToString(testing::ReadSharedFile("vectors/snp/amd-milan-ask.pem")) +
                    ToString(testing::ReadSharedFile("vectors/snp/amd-milan-ark.pem"));
  auto chain = Certificate::ChainFromPem(two);
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->size(), 2u);
  size_t second = two.find("-----BEGIN CERTIFICATE-----", 10);
  std::string damaged = two;
  damaged[second + 100] = '*';
  EXPECT_EQ(Certificate::ChainFromPem(damaged).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(Crl::FromDer(der).error().code, ErrorCode::kMalformed);
  Bytes crl = testing::ReadSharedFile("vectors/tdx/gotdx-v4-spr.rootcrl.der");
  crl.push_back(0);
  EXPECT_EQ(Crl::FromDer(crl).error().code, ErrorCode::kMalformed);
}

TEST(X509ParseTest, PemRoundTrip) {
  Certificate ark = PemCert("vectors/snp/amd-milan-ark.pem");
  auto again = Certificate::FromPem(ark.ToPem());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToDer(), ark.ToDer());
  EXPECT_STREQ(ChainFailureName(ChainFailure::kRevoked), "revoked");
}

}  // namespace
}  // namespace confide::crypto
