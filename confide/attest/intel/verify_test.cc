#include "confide/attest/intel/verify.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "confide/attest/intel/intel_roots.h"
#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"
#include "confide/crypto/hash.h"

namespace confide::attest::intel {
namespace {

using nlohmann::json;
using testing::ReadSharedFile;

Time At(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

crypto::Certificate Root() { return *IntelSgxRootCa(); }

// The CRLs that ship with a vector: the dcap-qvl collateral JSON (hex DER) or gotdx DER files.
std::vector<crypto::Crl> CrlsFor(const json& v) {
  std::vector<crypto::Crl> out;
  const json& c = v["collateral"];
  if (c.is_string()) {
    json col = json::parse(ToString(ReadSharedFile("vectors/" + c.get<std::string>())));
    for (const char* key : {"root_ca_crl", "pck_crl"}) {
      out.push_back(*crypto::Crl::FromDer(*HexDecode(col[key].get<std::string>())));
    }
  } else if (c.is_object()) {
    for (const char* key : {"root_crl", "pck_crl"}) {
      if (c.contains(key)) {
        const std::string path = "vectors/" + c[key].get<std::string>();
        out.push_back(*crypto::Crl::FromDer(ReadSharedFile(path)));
      }
    }
  }
  return out;
}

std::vector<json> Vectors(const char* dir, const char* list) {
  json e = json::parse(ToString(ReadSharedFile(std::string("vectors/") + dir + "/expected.json")));
  std::vector<json> out;
  for (const json& v : e[list]) out.push_back(v);
  return out;
}

std::vector<json> AllPositive() {
  std::vector<json> out = Vectors("sgx", "vectors");
  for (const json& v : Vectors("tdx", "vectors")) out.push_back(v);
  return out;
}

TEST(IntelRoots, EmbeddedRootIsThePinnedIntelSgxRootCa) {
  auto pinned = crypto::Certificate::FromPem(
      ToString(ReadSharedFile("vectors/intel/intel-sgx-root-ca.pem")));
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(Root().ToDer(), pinned->ToDer());
  EXPECT_EQ(HexEncode(crypto::Sha256(Root().ToDer())),
            "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
  EXPECT_TRUE(Root().IsSelfSigned());
}

// Every positive vector at its verify_at: every check passes, with the vector's CRLs required
// when it ships them.
TEST(IntelVerify, EveryVectorVerifiesAtItsTime) {
  for (const json& v : AllPositive()) {
    std::string file = v["file"];
    SCOPED_TRACE(file);
    std::vector<crypto::Crl> crls = CrlsFor(v);
    auto r = VerifyQuoteBytes(ReadSharedFile("vectors/" + file),
                              {.now = At(v["verify_at"]), .trusted_roots = {Root()},
                               .crls = crls, .require_crls = crls.size() == 2});
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->checks.size(), 4u);
    for (const CheckOutcome& c : r->checks) {
      EXPECT_TRUE(c.passed) << CheckName(c.check) << ": " << c.detail;
    }
    EXPECT_TRUE(r->ok());
    ASSERT_NE(r->pck_leaf(), nullptr);
    EXPECT_NE(r->pck_leaf()->subject().find("Intel SGX PCK Certificate"), std::string::npos);
    EXPECT_NE(r->pck_chain[1].subject().find(v["pck"]["issuer_cn"].get<std::string>()),
              std::string::npos);
  }
}

// Today (2026-11-26) is outside every vector's windows: the PCK chain or a CRL must fail.
TEST(IntelVerify, EveryVectorFailsAtTodayWithItsCrls) {
  for (const json& v : AllPositive()) {
    std::string file = v["file"];
    SCOPED_TRACE(file);
    std::vector<crypto::Crl> crls = CrlsFor(v);
    if (crls.empty()) continue;  // certificates alone are still valid today
    auto r = VerifyQuoteBytes(ReadSharedFile("vectors/" + file),
                              {.now = At("2026-11-26T00:00:00Z"), .trusted_roots = {Root()},
                               .crls = crls, .require_crls = true});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->ok());
    EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kCrlExpired});
  }
}

TEST(IntelVerify, PckLeafExpiredIn2053) {
  auto r = VerifyQuoteBytes(ReadSharedFile("vectors/tdx/gotdx-v4-spr.bin"),
                            {.now = At("2053-07-01T00:00:00Z"), .trusted_roots = {Root()}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kCertExpired});
}

TEST(IntelVerify, BeforePckNotBeforeIsNotYetValid) {
  auto r = VerifyQuoteBytes(ReadSharedFile("vectors/tdx/gotdx-v4-spr.bin"),
                            {.now = At("2022-01-01T00:00:00Z"), .trusted_roots = {Root()}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kCertNotYetValid});
}

// Each negative file fails exactly the check its expected.json names.
TEST(IntelVerify, NegativeVectorsFailTheRightCheck) {
  struct Case {
    const char* file;
    Check check;
    FailureKind kind;
  };
  const Case cases[] = {
      {"sgx/negative/dcapqvl-sgx-v3.bad-reportdata.bin", Check::kQuoteSignature,
       FailureKind::kSignatureInvalid},
      // The QE report changed: its signature fails; its REPORTDATA (the binding) is untouched.
      {"sgx/negative/dcapqvl-sgx-v3.bad-qereport.bin", Check::kQeReportSignature,
       FailureKind::kSignatureInvalid},
      {"tdx/negative/gotdx-v4-spr.bad-header.bin", Check::kQuoteSignature,
       FailureKind::kSignatureInvalid},
      {"tdx/negative/gotdx-v4-spr.bad-body.bin", Check::kQuoteSignature,
       FailureKind::kSignatureInvalid},
      {"tdx/negative/gotdx-v4-spr.bad-pckcert.bin", Check::kPckChain,
       FailureKind::kChainUntrusted},
      {"tdx/negative/gotdx-v4-spr.bad-rootcert.bin", Check::kPckChain,
       FailureKind::kChainUntrusted},
  };
  size_t listed = Vectors("sgx", "negative").size() + Vectors("tdx", "negative").size();
  ASSERT_EQ(listed, std::size(cases));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    std::string base = std::string(c.file).substr(0, 4) == "sgx/" ? "2025-07-01T00:00:00Z"
                                                                  : "2023-07-01T01:00:00Z";
    auto r = VerifyQuoteBytes(ReadSharedFile(std::string("vectors/") + c.file),
                              {.now = At(base), .trusted_roots = {Root()}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->ok());
    for (const CheckOutcome& o : r->checks) {
      if (o.check == c.check) {
        EXPECT_FALSE(o.passed);
        EXPECT_EQ(o.failure, c.kind) << o.detail;
      } else if (c.check != Check::kPckChain) {
        EXPECT_TRUE(o.passed) << CheckName(o.check) << ": " << o.detail;
      }
    }
  }
}

// Trusting another root (here AMD's Milan ARK) does not verify Intel's chain, and the quote's
// embedded root is then not a trusted one.
TEST(IntelVerify, WrongTrustedRootIsUntrusted) {
  auto other = crypto::Certificate::FromPem(
      ToString(ReadSharedFile("vectors/snp/amd-milan-ark.pem")));
  ASSERT_TRUE(other.ok());
  auto r = VerifyQuoteBytes(ReadSharedFile("vectors/sgx/dcapqvl-sgx-v3.bin"),
                            {.now = At("2025-07-01T00:00:00Z"), .trusted_roots = {*other}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kChainUntrusted});
}

TEST(IntelVerify, BrokenKeyBindingAndMissingChain) {
  auto q = ParseQuote(ReadSharedFile("vectors/tdx/dcapqvl-tdx-v4.bin"));
  ASSERT_TRUE(q.ok());
  Quote bad_auth = *q;
  bad_auth.qe_auth_data.push_back(0);  // the QE report no longer commits to this auth data
  auto r = VerifyQuote(bad_auth, {.now = At("2025-07-01T00:00:00Z"), .trusted_roots = {Root()}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kKeyBindingInvalid});

  Quote no_chain = *q;
  no_chain.pck_chain_pem = "not a certificate";
  r = VerifyQuote(no_chain, {.now = At("2025-07-01T00:00:00Z"), .trusted_roots = {Root()}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failures(), (std::vector<FailureKind>{FailureKind::kSignatureInvalid,
                                                     FailureKind::kChainUntrusted}));
  EXPECT_EQ(r->pck_leaf(), nullptr);

  EXPECT_EQ(VerifyQuote(*q, {.now = At("2025-07-01T00:00:00Z"), .trusted_roots = {}})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
}

// With require_crls, a CRL of another CA does not do: the dcap-qvl SGX quote's PCK comes from the
// Processor CA, and only the Platform CA's CRL (from gotdx) is given.
TEST(IntelVerify, RequireCrlsWithoutTheIssuersCrlFails) {
  auto pck_crl =
      crypto::Crl::FromDer(ReadSharedFile("vectors/tdx/gotdx-v4-spr.pckcrl-platform.der"));
  ASSERT_TRUE(pck_crl.ok());
  auto r = VerifyQuoteBytes(ReadSharedFile("vectors/sgx/dcapqvl-sgx-v3.bin"),
                            {.now = At("2025-07-01T00:00:00Z"), .trusted_roots = {Root()},
                             .crls = {*pck_crl}, .require_crls = true});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok());
  ASSERT_EQ(r->failures().size(), 1u);
}

}  // namespace
}  // namespace confide::attest::intel
