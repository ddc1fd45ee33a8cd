#include "confide/tee/sim/sim_intel.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "confide/attest/binding.h"
#include "confide/attest/evidence_bundle.h"
#include "confide/attest/intel/quote.h"
#include "confide/attest/intel_appraise.h"
#include "confide/attest/verifier.h"
#include "confide/base/hex.h"
#include "confide/crypto/hash.h"

namespace confide::tee::sim {
namespace {

namespace intel = attest::intel;
using attest::Appraisal;
using attest::Policy;

Time Now() { return *ParseRfc3339("2026-11-26T00:00:00Z"); }

std::vector<std::string> FailedNames(const Appraisal& a) {
  std::vector<std::string> out;
  for (const attest::Check& c : a.checks) {
    if (!c.passed) out.push_back(c.name + ":" + std::string(attest::ReasonName(c.reason)));
  }
  return out;
}

struct Fixture {
  SimIntelPki pki;
  Bytes claims;
  SimQuoteRequest req;
};

Fixture Make(bool tdx, bool debug = false) {
  auto pki = MakeSimIntelPki(Now());
  EXPECT_TRUE(pki.ok()) << pki.error().ToString();
  attest::BindingClaims bc;
  bc.nonce = Bytes{1, 2, 3, 4};
  Bytes claims = attest::EncodeBindingClaims(bc);
  SimQuoteRequest req;
  req.tdx = tdx;
  req.debug = debug;
  req.report_data = attest::ReportDataFor(claims);
  req.mrenclave.fill(0x11);
  req.mrsigner.fill(0x22);
  req.mrtd.fill(0x33);
  return Fixture{*std::move(pki), claims, req};
}

Policy PolicyFor(const SimIntelPki& pki, bool allow_simulated) {
  std::string text =
      "tee_types = [\"sgx\", \"tdx\"]\n" +
      std::string(allow_simulated ? "allow_simulated = true\n" : "") + "sim_roots = [\"" +
      HexEncode(crypto::Sha256(pki.root.public_key().ToDer())) + "\"]\n" +
      "[sgx]\nmrenclaves = [\"" + std::string(64, '1') + "\"]\n[tdx]\nmrtds = [\"" +
      std::string(96, '3') + "\"]\n";
  auto p = attest::ParsePolicy(text);
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return *p;
}

// The production appraiser, through the evidence bundle as attested TLS would carry it.
Result<Appraisal> AppraiseBundle(const Fixture& f, bool allow_simulated, bool with_nonce = true) {
  auto quote = EmitSimIntelQuote(f.pki, f.req);
  EXPECT_TRUE(quote.ok()) << quote.error().ToString();
  auto collateral = SimIntelCollateral(f.pki, f.req.tdx, Now());
  EXPECT_TRUE(collateral.ok()) << collateral.error().ToString();
  attest::EvidenceBundle b{.tee = f.req.tdx ? attest::TeeType::kTdx : attest::TeeType::kSgx,
                           .evidence = *quote,
                           .claims = f.claims,
                           .endorsements = intel::EncodeIntelCollateral(*collateral)};
  attest::AppraiseOptions o;
  o.now = Now() + std::chrono::hours(1);
  if (with_nonce) o.expect.nonce = Bytes{1, 2, 3, 4};
  return attest::AppraiseEvidence(b, PolicyFor(f.pki, allow_simulated), o);
}

TEST(SimIntelTest, QuotesParseLikeRealOnes) {
  for (bool tdx : {false, true}) {
    Fixture f = Make(tdx);
    auto quote = EmitSimIntelQuote(f.pki, f.req);
    ASSERT_TRUE(quote.ok());
    auto q = intel::ParseQuote(*quote);
    ASSERT_TRUE(q.ok()) << q.error().ToString();
    EXPECT_EQ(q->header.version, tdx ? 4 : 3);
    EXPECT_EQ(q->is_tdx(), tdx);
    EXPECT_EQ(q->report_data(), f.req.report_data);
    EXPECT_EQ(q->quote_size, quote->size());
    EXPECT_EQ(q->signed_bytes.size(), tdx ? 632u : 432u);
  }
}

TEST(SimIntelTest, SgxAndTdxVerifyThroughTheProductionAppraiser) {
  for (bool tdx : {false, true}) {
    SCOPED_TRACE(tdx ? "tdx" : "sgx");
    Fixture f = Make(tdx);
    Result<Appraisal> a = AppraiseBundle(f, /*allow_simulated=*/true);
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_TRUE(a->accepted) << attest::ExplainAppraisal(*a);
    EXPECT_TRUE(a->simulated);
    EXPECT_EQ(a->tee, tdx ? attest::TeeType::kTdx : attest::TeeType::kSgx);
    std::string status;
    for (const auto& [k, v] : a->claims.fields) {
      if (k == "tcb_status") status = v;
    }
    EXPECT_EQ(status, "UpToDate");
  }
}

TEST(SimIntelTest, RejectedUnlessThePolicyAcceptsTheSimRoot) {
  Fixture f = Make(true);
  Result<Appraisal> a = AppraiseBundle(f, /*allow_simulated=*/false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a),
            std::vector<std::string>{"simulated:SIMULATED_EVIDENCE_NOT_ALLOWED"})
      << attest::ExplainAppraisal(*a);
}

TEST(SimIntelTest, DebugAndWrongNonceAreRejected) {
  Fixture sgx_debug = Make(false, /*debug=*/true);
  Result<Appraisal> a = AppraiseBundle(sgx_debug, true);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"debug:DEBUG_NOT_ALLOWED"});
  Fixture tdx_debug = Make(true, /*debug=*/true);
  a = AppraiseBundle(tdx_debug, true);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"debug:DEBUG_NOT_ALLOWED"});
  // Claims that are not the ones in report_data.
  Fixture f = Make(true);
  f.claims.back() ^= 1;
  a = AppraiseBundle(f, true);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a),
            std::vector<std::string>{"binding_report_data:KEY_BINDING_MISMATCH"});
}

// Another sim PKI's collateral does not verify a quote of this one: the collateral chains to a
// different root.
TEST(SimIntelTest, CollateralFromAnotherPkiFails) {
  Fixture f = Make(false);
  Fixture other = Make(false);
  auto quote = EmitSimIntelQuote(f.pki, f.req);
  auto collateral = SimIntelCollateral(other.pki, false, Now());
  ASSERT_TRUE(quote.ok() && collateral.ok());
  attest::IntelEvidence ev{.quote = *quote,
                           .collateral = *collateral,
                           .sim_root = f.pki.root,
                           .claims = f.claims,
                           .produced_at = std::nullopt};
  attest::IntelAppraiseOptions o;
  o.now = Now();
  o.expect.nonce = Bytes{1, 2, 3, 4};
  auto a = attest::AppraiseIntel(ev, PolicyFor(f.pki, true), o);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->accepted);
  std::vector<std::string> failed = FailedNames(*a);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed[0], "intel_collateral:CHAIN_UNTRUSTED") << attest::ExplainAppraisal(*a);
}

// A PCK listed in its CA's CRL is REVOKED (the real vectors' CRLs list none of theirs).
TEST(SimIntelTest, RevokedPckIsRejected) {
  Fixture f = Make(true);
  auto quote = EmitSimIntelQuote(f.pki, f.req);
  auto collateral = SimIntelCollateral(f.pki, true, Now(), {f.pki.pck.serial_number()});
  ASSERT_TRUE(quote.ok() && collateral.ok());
  attest::IntelEvidence ev{.quote = *quote,
                           .collateral = *collateral,
                           .sim_root = f.pki.root,
                           .claims = f.claims,
                           .produced_at = std::nullopt};
  attest::IntelAppraiseOptions o;
  o.now = Now();
  o.expect.nonce = Bytes{1, 2, 3, 4};
  auto a = attest::AppraiseIntel(ev, PolicyFor(f.pki, true), o);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FailedNames(*a), std::vector<std::string>{"intel_pck_chain:REVOKED"})
      << attest::ExplainAppraisal(*a);
}

}  // namespace
}  // namespace confide::tee::sim
