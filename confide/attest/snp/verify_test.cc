#include "confide/attest/snp/verify.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "confide/attest/snp/amd_roots.h"
#include "confide/base/testing/shared_data.h"

namespace confide::attest::snp {
namespace {

using nlohmann::json;

crypto::Certificate LoadCert(const std::string& rel) {
  Bytes bytes = testing::ReadSharedFile("vectors/" + rel);
  Result<crypto::Certificate> cert = rel.ends_with(".pem")
                                         ? crypto::Certificate::FromPem(ToString(bytes))
                                         : crypto::Certificate::FromDer(bytes);
  CONFIDE_CHECK(cert.ok());
  return *cert;
}

Time At(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

json Expected() {
  return json::parse(ToString(testing::ReadSharedFile("vectors/snp/expected.json")));
}

Generation ProductGeneration(const std::string& product) {
  if (product == "Milan") return Generation::kMilan;
  if (product == "Genoa") return Generation::kGenoa;
  return Generation::kTurin;
}

// The chain of a vector, with the real AMD ASK and ASVK of its product from the shared folder.
VekChain ChainFor(const std::string& vek_file, Generation gen) {
  std::string g = gen == Generation::kMilan   ? "milan"
                  : gen == Generation::kGenoa ? "genoa"
                                              : "turin";
  return VekChain{.vek = LoadCert(vek_file),
                  .ask = LoadCert("snp/amd-" + g + "-ask.pem"),
                  .asvk = LoadCert("snp/amd-" + g + "-asvk.pem"),
                  .crls = {}};
}

VerifyOptions OptionsAt(Time now) { return {.now = now, .trusted_arks = *AmdArks()}; }

std::string Describe(const Verification& v) {
  std::string out;
  for (const CheckOutcome& c : v.checks) {
    out += std::string(CheckName(c.check)) + "=" + (c.passed ? "ok" : "FAIL") + " (" + c.detail +
           ")\n";
  }
  return out;
}

bool Failed(const Verification& v, FailureKind kind) {
  for (FailureKind f : v.failures()) {
    if (f == kind) return true;
  }
  return false;
}

TEST(SnpVerify, EveryRealReportPassesEveryCheckAtItsVerifyTime) {
  json expected = Expected();
  ASSERT_EQ(expected["vectors"].size(), 5u);
  for (const json& v : expected["vectors"]) {
    SCOPED_TRACE(v["file"].get<std::string>());
    Generation gen = ProductGeneration(v["product"]);
    Result<Verification> r =
        VerifyReportBytes(testing::ReadSharedFile("vectors/" + v["file"].get<std::string>()),
                          ChainFor(v["vek"], gen), OptionsAt(At(v["verify_at"])));
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_TRUE(r->ok()) << Describe(*r);
    EXPECT_EQ(r->generation, gen);
    bool vlek = v["vek_signed_by"] == "ASVK";
    EXPECT_EQ(r->checks.size(), vlek ? 4u : 5u);  // VLEK reports have no chip_id check
  }
}

TEST(SnpVerify, VlekReportFailsAsExpiredToday) {
  Result<Verification> r =
      VerifyReportBytes(testing::ReadSharedFile("vectors/snp/trustee-milan-vlek-v3.bin"),
                        ChainFor("snp/trustee-milan-vlek-v3.vlek.der", Generation::kMilan),
                        OptionsAt(At("2026-11-26T00:00:00Z")));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kCertExpired}) << Describe(*r);
}

TEST(SnpVerify, VlekDoesNotChainThroughTheAsk) {
  VekChain chain = ChainFor("snp/trustee-milan-vlek-v3.vlek.der", Generation::kMilan);
  chain.asvk = chain.ask;  // a wrong intermediate offered as the ASVK
  Result<Verification> r =
      VerifyReportBytes(testing::ReadSharedFile("vectors/snp/trustee-milan-vlek-v3.bin"), chain,
                        OptionsAt(At("2025-06-01T00:00:00Z")));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(Failed(*r, FailureKind::kChainUntrusted)) << Describe(*r);
}

TEST(SnpVerify, EveryNegativeReportFailsItsSignature) {
  struct Case {
    const char* file;
    const char* vek;
    Generation gen;
    const char* at;
    std::vector<FailureKind> failures;
  };
  const Case cases[] = {
      {"snp/negative/gosev-milan-v2.bad-measurement.bin",
       "snp/gosev-milan-v2.vcek.der",
       Generation::kMilan,
       "2025-06-01T00:00:00Z",
       {FailureKind::kSignatureInvalid}},
      {"snp/negative/trustee-milan-v2.bad-byte42.bin",
       "snp/trustee-milan-v2.vcek.der",
       Generation::kMilan,
       "2025-06-01T00:00:00Z",
       {FailureKind::kSignatureInvalid}},
      {"snp/negative/trustee-milan-vlek-v3.bad-reportedtcb.bin",
       "snp/trustee-milan-vlek-v3.vlek.der",
       Generation::kMilan,
       "2025-06-01T00:00:00Z",
       {FailureKind::kSignatureInvalid, FailureKind::kTcbMismatch}},
      {"snp/negative/anolis-turin-v5.bad-measurement.bin",
       "snp/anolis-turin-v5.vcek.der",
       Generation::kTurin,
       "2026-07-01T00:00:00Z",
       {FailureKind::kSignatureInvalid}},
  };
  ASSERT_EQ(Expected()["negative"].size(), std::size(cases) + 1);  // + the cross pairing
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    Result<Verification> r =
        VerifyReportBytes(testing::ReadSharedFile(std::string("vectors/") + c.file),
                          ChainFor(c.vek, c.gen), OptionsAt(At(c.at)));
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->failures(), c.failures) << Describe(*r);
  }
}

TEST(SnpVerify, CrossPairingFailsSignatureTcbAndChipId) {
  Result<Verification> r =
      VerifyReportBytes(testing::ReadSharedFile("vectors/snp/gosev-milan-v2.bin"),
                        ChainFor("snp/trustee-milan-v2.vcek.der", Generation::kMilan),
                        OptionsAt(At("2025-06-01T00:00:00Z")));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->failures(),
            (std::vector<FailureKind>{FailureKind::kSignatureInvalid, FailureKind::kTcbMismatch,
                                      FailureKind::kChipIdMismatch}))
      << Describe(*r);
}

TEST(SnpVerify, MilanVcekDoesNotChainToTheGenoaRoots) {
  VekChain chain = ChainFor("snp/gosev-milan-v2.vcek.der", Generation::kGenoa);
  VerifyOptions opts = OptionsAt(At("2025-06-01T00:00:00Z"));
  opts.trusted_arks = {*AmdRootCertificate(Generation::kGenoa, AmdRootKind::kArk)};
  Result<Verification> r =
      VerifyReportBytes(testing::ReadSharedFile("vectors/snp/gosev-milan-v2.bin"), chain, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->failures(), std::vector<FailureKind>{FailureKind::kChainUntrusted}) << Describe(*r);
}

TEST(SnpVerify, CouldNotDecideIsAnError) {
  Bytes bytes = testing::ReadSharedFile("vectors/snp/gosev-milan-v2.bin");
  VekChain chain = ChainFor("snp/gosev-milan-v2.vcek.der", Generation::kMilan);
  VerifyOptions no_roots = OptionsAt(At("2025-06-01T00:00:00Z"));
  no_roots.trusted_arks.clear();
  EXPECT_EQ(VerifyReportBytes(bytes, chain, no_roots).error().code, ErrorCode::kInvalidArgument);
  VekChain no_ask = chain;
  no_ask.ask.reset();
  EXPECT_EQ(VerifyReportBytes(bytes, no_ask, OptionsAt(At("2025-06-01T00:00:00Z"))).error().code,
            ErrorCode::kInvalidArgument);
  VekChain ask_as_vek = chain;
  ask_as_vek.vek = *chain.ask;  // no AMD extensions: malformed VEK
  EXPECT_EQ(
      VerifyReportBytes(bytes, ask_as_vek, OptionsAt(At("2025-06-01T00:00:00Z"))).error().code,
      ErrorCode::kMalformed);
}

TEST(SnpVerify, EmbeddedRootsMatchTheSharedFiles) {
  for (Generation gen : {Generation::kMilan, Generation::kGenoa, Generation::kTurin}) {
    std::string g = gen == Generation::kMilan   ? "milan"
                    : gen == Generation::kGenoa ? "genoa"
                                                : "turin";
    EXPECT_EQ(AmdRootPem(gen, AmdRootKind::kArk),
              ToString(testing::ReadSharedFile("vectors/snp/amd-" + g + "-ark.pem")));
    EXPECT_EQ(AmdRootPem(gen, AmdRootKind::kAsk),
              ToString(testing::ReadSharedFile("vectors/snp/amd-" + g + "-ask.pem")));
    EXPECT_EQ(AmdRootPem(gen, AmdRootKind::kAsvk),
              ToString(testing::ReadSharedFile("vectors/snp/amd-" + g + "-asvk.pem")));
    EXPECT_TRUE(AmdRootCertificate(gen, AmdRootKind::kArk)->IsSelfSigned());
  }
  EXPECT_TRUE(AmdRootPem(Generation::kUnknown, AmdRootKind::kArk).empty());
}

}  // namespace
}  // namespace confide::attest::snp
