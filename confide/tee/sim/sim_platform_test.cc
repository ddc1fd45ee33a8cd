#include "confide/tee/sim/sim_platform.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "confide/attest/binding.h"
#include "confide/attest/snp/cert_table.h"
#include "confide/attest/snp/report.h"
#include "confide/attest/snp_appraise.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"

namespace confide::tee::sim {
namespace {

namespace snp = attest::snp;

const Time kNow = *ParseRfc3339("2026-11-26T00:00:00Z");

class SimPlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/confide_sim_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(InitSimStore(dir_, kNow, false).ok());
    measurement_ = crypto::Sha384(AsBytes("the workload"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SimPlatform Open(uint64_t policy_bits = 0x30000) {
    auto store = LoadSimStore(dir_);
    EXPECT_TRUE(store.ok()) << store.error().ToString();
    return SimPlatform(*std::move(store), {.measurement = measurement_, .policy = policy_bits});
  }

  // A policy that accepts exactly this workload; simulation allowed only when asked.
  attest::Policy MakePolicy(const SimPlatform& tee, bool allow_simulated) {
    attest::Policy p;
    p.tee_types = {attest::TeeType::kSevSnp};
    p.allow_simulated = allow_simulated;
    if (allow_simulated) p.sim_roots = {crypto::Sha256(tee.store().ark.public_key().ToDer())};
    p.binding.required = false;
    p.snp.measurements = {measurement_};
    return p;
  }

  attest::Appraisal Appraise(const Evidence& ev, const SimPlatform& tee,
                             const attest::Policy& policy) {
    auto table = snp::ParseCertTable(ev.cert_table);
    EXPECT_TRUE(table.ok());
    attest::SnpEvidence sev{
        .report = ev.report,
        .chain = {.vek = *crypto::Certificate::FromDer(table->Find(snp::kVcekGuid)->data),
                  .ask = *crypto::Certificate::FromDer(table->Find(snp::kAskGuid)->data)},
        .sim_ark = *crypto::Certificate::FromDer(table->Find(snp::kArkGuid)->data)};
    (void)tee;
    auto a = attest::AppraiseSnp(sev, policy, {.now = kNow});
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    return a.ok() ? *std::move(a) : attest::Appraisal{};
  }

  std::string dir_;
  crypto::Sha384Digest measurement_{};
};

bool HasFailedReason(const attest::Appraisal& a, attest::ReasonCode code) {
  for (const auto& c : a.checks) {
    if (!c.passed && c.reason == code) return true;
  }
  return false;
}

TEST_F(SimPlatformTest, ReportIsByteExactAndCarriesTheLaunchValues) {
  SimPlatform tee = Open();
  ReportData rd{};
  rd[0] = 0xab;
  rd[63] = 0xcd;
  auto ev = tee.GetEvidence(rd);
  ASSERT_TRUE(ev.ok()) << ev.error().ToString();
  ASSERT_EQ(ev->report.size(), snp::kReportSize);
  auto report = snp::ParseReport(ev->report);
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_EQ(snp::SerializeReport(*report), ev->report);
  EXPECT_EQ(report->version, 3u);
  EXPECT_EQ(report->report_data, rd);
  EXPECT_EQ(report->measurement, measurement_);
  EXPECT_EQ(report->chip_id, tee.store().chip_id);
  EXPECT_EQ(snp::GenerationFromCpuid(*report), snp::Generation::kMilan);
}

TEST_F(SimPlatformTest, VerifiesOnlyWhenThePolicyAllowsSimulation) {
  SimPlatform tee = Open();
  auto ev = tee.GetEvidence(ReportData{});
  ASSERT_TRUE(ev.ok());
  attest::Appraisal allowed = Appraise(*ev, tee, MakePolicy(tee, true));
  EXPECT_TRUE(allowed.accepted) << attest::ExplainAppraisal(allowed);
  EXPECT_TRUE(allowed.simulated);

  attest::Appraisal refused = Appraise(*ev, tee, MakePolicy(tee, false));
  EXPECT_FALSE(refused.accepted);
  EXPECT_TRUE(HasFailedReason(refused, attest::ReasonCode::kSimulatedEvidenceNotAllowed))
      << attest::ExplainAppraisal(refused);

  attest::Policy other_root = MakePolicy(tee, true);
  other_root.sim_roots = {crypto::Sha256(AsBytes("some other simulator"))};
  EXPECT_FALSE(Appraise(*ev, tee, other_root).accepted);
}

TEST_F(SimPlatformTest, DebugGuestIsRejectedByAProductionPolicy) {
  SimPlatform tee = Open(0x30000 | (1u << 19));
  auto ev = tee.GetEvidence(ReportData{});
  ASSERT_TRUE(ev.ok());
  attest::Policy policy = MakePolicy(tee, true);
  attest::Appraisal a = Appraise(*ev, tee, policy);
  EXPECT_TRUE(HasFailedReason(a, attest::ReasonCode::kDebugNotAllowed));
  policy.allow_debug = true;
  EXPECT_TRUE(Appraise(*ev, tee, policy).accepted);
}

TEST_F(SimPlatformTest, EverySingleBitFlipInTheSignedRegionIsRejected) {
  SimPlatform tee = Open();
  auto ev = tee.GetEvidence(ReportData{});
  ASSERT_TRUE(ev.ok());
  attest::Policy policy = MakePolicy(tee, true);
  auto table = snp::ParseCertTable(ev->cert_table);
  snp::VekChain chain{.vek = *crypto::Certificate::FromDer(table->Find(snp::kVcekGuid)->data),
                      .ask = *crypto::Certificate::FromDer(table->Find(snp::kAskGuid)->data)};
  snp::VerifyOptions opts{.now = kNow, .trusted_arks = {tee.store().ark}};
  crypto::PublicKey vcek_key = chain.vek.public_key();
  size_t flips = 0;
  for (size_t byte = 0; byte < snp::kSignedRegionSize; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = ev->report;
      bad[byte] ^= static_cast<uint8_t>(1u << bit);
      // Every flip: the structure is refused (a reserved bit, a version) or the signature fails.
      auto parsed = snp::ParseReport(bad);
      bool signature_ok =
          parsed.ok() && crypto::EcdsaVerify(vcek_key, crypto::HashAlg::kSha384,
                                             snp::SignedRegion(bad),
                                             Concat({parsed->signature_r, parsed->signature_s}),
                                             crypto::SigFormat::kRawLittleEndian,
                                             snp::kSignatureComponentSize);
      ASSERT_FALSE(signature_ok) << "flip at byte " << byte << " bit " << bit << " verified";
      // A sample also goes through the whole verifier (chain, TCB, chip id included).
      if (flips % 61 == 0) {
        auto v = snp::VerifyReportBytes(bad, chain, opts);
        ASSERT_TRUE(!v.ok() || !v->ok()) << "flip at byte " << byte << " bit " << bit;
      }
      ++flips;
    }
  }
  EXPECT_EQ(flips, snp::kSignedRegionSize * 8);
  auto unflipped = snp::VerifyReportBytes(ev->report, chain, opts);
  ASSERT_TRUE(unflipped.ok());
  EXPECT_TRUE(unflipped->ok());
}

TEST_F(SimPlatformTest, SealingKeysFollowTheirBinding) {
  SimPlatform tee = Open();
  auto a = tee.SealingKey(SealBinding::kMeasurement, "models");
  auto b = tee.SealingKey(SealBinding::kMeasurement, "models");
  auto other_label = tee.SealingKey(SealBinding::kMeasurement, "other");
  auto signer = tee.SealingKey(SealBinding::kSigner, "models");
  ASSERT_TRUE(a.ok() && b.ok() && other_label.ok() && signer.ok());
  EXPECT_TRUE(Equal(a->Expose(), b->Expose()));
  EXPECT_FALSE(Equal(a->Expose(), other_label->Expose()));
  EXPECT_FALSE(Equal(a->Expose(), signer->Expose()));

  auto store = LoadSimStore(dir_);
  ASSERT_TRUE(store.ok());
  SimPlatform updated(*std::move(store), {.measurement = crypto::Sha384(AsBytes("v2"))});
  auto updated_measurement = updated.SealingKey(SealBinding::kMeasurement, "models");
  auto updated_signer = updated.SealingKey(SealBinding::kSigner, "models");
  EXPECT_FALSE(Equal(a->Expose(), updated_measurement->Expose()));
  EXPECT_TRUE(Equal(signer->Expose(), updated_signer->Expose()));
}

TEST_F(SimPlatformTest, StoreRefusesOverwriteAndLooseModes) {
  EXPECT_EQ(InitSimStore(dir_, kNow, false).error().code, ErrorCode::kInvalidArgument);
  ::chmod(dir_.c_str(), 0755);
  EXPECT_EQ(LoadSimStore(dir_).error().code, ErrorCode::kInvalidArgument);
  ::chmod(dir_.c_str(), 0700);
  ::chmod((dir_ + "/vcek.key").c_str(), 0644);
  EXPECT_EQ(LoadSimStore(dir_).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(LoadSimStore(dir_ + "/missing").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace confide::tee::sim
