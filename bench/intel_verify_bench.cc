// Full offline verification of real Intel quotes with their collateral (dcap-qvl TDX v4 and SGX
// v3 vectors at their verify_at): AppraiseIntel = parse the quote, quote/QE-report signatures,
// attestation-key binding, PCK chain to the Intel root with both CRLs, collateral issuer chains,
// TCB info / QE identity signatures and windows, CRL signatures, TCB and QE identity evaluation,
// policy. The collateral JSON is decoded once, outside the loop, as a verifier with cached
// collateral would; everything else runs per iteration. Also the quote crypto alone and parsing.
#include <benchmark/benchmark.h>

#include <string>

#include "confide/attest/intel/collateral.h"
#include "confide/attest/intel/intel_roots.h"
#include "confide/attest/intel/quote.h"
#include "confide/attest/intel/verify.h"
#include "confide/attest/intel_appraise.h"
#include "confide/attest/policy.h"
#include "confide/base/check.h"
#include "confide/base/file.h"

namespace attest = confide::attest;
namespace intel = confide::attest::intel;

namespace {

confide::Bytes Read(const std::string& rel) {
  confide::Result<confide::Bytes> b =
      confide::ReadFile(std::string(CONFIDE_SHARED_DIR) + "/" + rel);
  CONFIDE_CHECK(b.ok());
  return *b;
}

void Appraise(benchmark::State& state, const char* quote_file, const char* collateral_file,
              const std::string& policy_text) {
  auto collateral = intel::DecodeIntelCollateral(Read(collateral_file));
  auto policy = attest::ParsePolicy(policy_text);
  auto now = confide::ParseRfc3339("2025-07-01T00:00:00Z");
  CONFIDE_CHECK(collateral.ok() && policy.ok() && now.ok());
  attest::IntelEvidence ev{.quote = Read(quote_file),
                           .collateral = *collateral,
                           .sim_root = std::nullopt,
                           .claims = std::nullopt,
                           .produced_at = std::nullopt};
  attest::IntelAppraiseOptions opts;
  opts.now = *now;
  for (auto _ : state) {
    auto a = attest::AppraiseIntel(ev, *policy, opts);
    CONFIDE_CHECK(a.ok() && a->accepted);
    benchmark::DoNotOptimize(a);
  }
}

void BM_IntelAppraiseTdxV4(benchmark::State& state) {
  Appraise(state, "vectors/tdx/dcapqvl-tdx-v4.bin", "vectors/tdx/dcapqvl-tdx-v4.collateral.json",
           "tee_types = [\"tdx\"]\n[binding]\nrequired = false\n[tdx]\n"
           "allow_any_measurement_insecure = true\n");
}
BENCHMARK(BM_IntelAppraiseTdxV4)->Unit(benchmark::kMicrosecond);

void BM_IntelAppraiseSgxV3(benchmark::State& state) {
  Appraise(state, "vectors/sgx/dcapqvl-sgx-v3.bin", "vectors/sgx/dcapqvl-sgx-v3.collateral.json",
           "tee_types = [\"sgx\"]\n[binding]\nrequired = false\n[sgx]\n"
           "allow_any_measurement_insecure = true\n"
           "accepted_tcb_statuses = [\"ConfigurationAndSWHardeningNeeded\"]\n"
           "allowed_advisories = [\"INTEL-SA-00289\", \"INTEL-SA-00615\"]\n");
}
BENCHMARK(BM_IntelAppraiseSgxV3)->Unit(benchmark::kMicrosecond);

// The quote's own cryptography only (no collateral, no CRLs).
void BM_IntelVerifyQuoteTdxV4(benchmark::State& state) {
  confide::Bytes quote = Read("vectors/tdx/dcapqvl-tdx-v4.bin");
  auto root = intel::IntelSgxRootCa();
  auto now = confide::ParseRfc3339("2025-07-01T00:00:00Z");
  CONFIDE_CHECK(root.ok() && now.ok());
  intel::VerifyOptions opts{.now = *now, .trusted_roots = {*root}};
  for (auto _ : state) {
    auto v = intel::VerifyQuoteBytes(quote, opts);
    CONFIDE_CHECK(v.ok() && v->ok());
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_IntelVerifyQuoteTdxV4)->Unit(benchmark::kMicrosecond);

void BM_IntelParseQuoteTdxV4(benchmark::State& state) {
  confide::Bytes quote = Read("vectors/tdx/dcapqvl-tdx-v4.bin");
  for (auto _ : state) {
    auto q = intel::ParseQuote(quote);
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK(BM_IntelParseQuoteTdxV4);

}  // namespace

BENCHMARK_MAIN();
