// Full offline verification of a real SEV-SNP report (Genoa, Azure): parse, ECDSA P-384 report
// signature, VCEK → ASK → ARK chain (RSA-PSS/SHA-384), TCB and chip_id. Certificates are parsed
// once, outside the loop, as a verifier with cached collateral would.
#include <benchmark/benchmark.h>

#include <string>

#include "confide/attest/snp/amd_roots.h"
#include "confide/attest/snp/verify.h"
#include "confide/base/check.h"
#include "confide/base/file.h"

namespace snp = confide::attest::snp;

namespace {

confide::Bytes Read(const std::string& rel) {
  confide::Result<confide::Bytes> b =
      confide::ReadFile(std::string(CONFIDE_SHARED_DIR) + "/" + rel);
  CONFIDE_CHECK(b.ok());
  return *b;
}

void BM_SnpVerifyReport(benchmark::State& state) {
  confide::Bytes report = Read("vectors/snp/azure-genoa-v3.bin");
  auto vcek = confide::crypto::Certificate::FromPem(
      confide::ToString(Read("vectors/snp/azure-genoa-v3.vcek.pem")));
  auto ask = snp::AmdRootCertificate(snp::Generation::kGenoa, snp::AmdRootKind::kAsk);
  auto arks = snp::AmdArks();
  auto now = confide::ParseRfc3339("2025-06-01T00:00:00Z");
  CONFIDE_CHECK(vcek.ok() && ask.ok() && arks.ok() && now.ok());
  snp::VekChain chain{.vek = *vcek, .ask = *ask, .asvk = std::nullopt, .crls = {}};
  snp::VerifyOptions opts{.now = *now, .trusted_arks = *arks};
  for (auto _ : state) {
    auto v = snp::VerifyReportBytes(report, chain, opts);
    CONFIDE_CHECK(v.ok() && v->ok());
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_SnpVerifyReport)->Unit(benchmark::kMicrosecond);

void BM_SnpParseReport(benchmark::State& state) {
  confide::Bytes report = Read("vectors/snp/azure-genoa-v3.bin");
  for (auto _ : state) {
    auto r = snp::ParseReport(report);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SnpParseReport);

}  // namespace

BENCHMARK_MAIN();
