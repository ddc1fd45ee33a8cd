#include "confide/tee/tsm/tsm_platform.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "confide/attest/evidence_bundle.h"
#include "confide/attest/snp/cert_table.h"
#include "confide/attest/verifier.h"
#include "confide/base/clock.h"
#include "confide/crypto/x509.h"
#include "confide/tee/testing/fake_devices.h"
#include "confide/tee/testing/vectors.h"

namespace confide::tee::tsm {
namespace {

namespace snp = attest::snp;
using confide::testing::ReadSharedFile;
using testing::ExpectedEntry;
using testing::FakeDevices;
using testing::ReportDataFromHex;

constexpr char kSnpFile[] = "snp/trustee-milan-v2.bin";

Bytes PemFileToDer(const std::string& path) {
  Bytes pem = ReadSharedFile(path);
  auto cert = crypto::Certificate::FromPem(std::string_view(reinterpret_cast<const char*>(pem.data()), pem.size()));
  EXPECT_TRUE(cert.ok()) << path;
  return cert.ok() ? cert->ToDer() : Bytes{};
}

// A real certificate table: the report's real VCEK and AMD's Milan ASK and ARK, in the GHCB
// table layout the sev_guest provider returns as auxblob.
Bytes MilanCertTable() {
  snp::CertTable table;
  table.entries.push_back({snp::kVcekGuid, ReadSharedFile("vectors/snp/trustee-milan-v2.vcek.der")});
  table.entries.push_back({snp::kAskGuid, PemFileToDer("vectors/snp/amd-milan-ask.pem")});
  table.entries.push_back({snp::kArkGuid, PemFileToDer("vectors/snp/amd-milan-ark.pem")});
  return snp::SerializeCertTable(table);
}

attest::Policy SnpPolicy(const std::string& measurement_hex) {
  auto p = attest::ParsePolicy("tee_types = [\"sev-snp\"]\n[binding]\nrequired = false\n"
                               "[snp]\nmeasurements = [\"" + measurement_hex + "\"]\n");
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return *p;
}

TEST(TsmPlatformTest, SnpEvidenceFromAFakeConfigfsVerifiesWithTheProductionVerifier) {
  nlohmann::json expected = ExpectedEntry("snp", kSnpFile);
  ASSERT_FALSE(expected.is_null());
  Bytes report = ReadSharedFile(std::string("vectors/") + kSnpFile);
  Bytes table = MilanCertTable();
  FakeDevices dev;
  dev.InstallTsm("sev_guest", report, table);
  auto tee = TsmPlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok()) << tee.error().ToString();
  EXPECT_EQ((*tee)->Describe().backend, "tsm");
  EXPECT_EQ((*tee)->tee(), attest::TeeType::kSevSnp);

  auto ev = (*tee)->GetEvidence(ReportDataFromHex(expected["fields"]["report_data"]));
  ASSERT_TRUE(ev.ok()) << ev.error().ToString();
  EXPECT_EQ(ev->tee, attest::TeeType::kSevSnp);
  EXPECT_EQ(ev->report, report);
  EXPECT_EQ(ev->cert_table, table);
  EXPECT_EQ(dev.tsm_entries_left(), 0);

  attest::EvidenceBundle bundle{.tee = ev->tee, .evidence = ev->report, .endorsements = ev->cert_table};
  const std::string measurement = expected["fields"]["measurement"];
  auto a = attest::AppraiseEvidence(bundle, SnpPolicy(measurement),
                                    {.now = *ParseRfc3339(expected["verify_at"].get<std::string>())});
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_FALSE(a->simulated);
  // Every hardware check passes: signature, chain to AMD's Milan ARK, VCEK, TCB, chip id,
  // measurement, debug, policy bits. The one failure is the binding: a captured report's
  // report_data is not SHA-256 of confide claims (no fake can re-sign it), so exactly
  // binding_report_data fails, with KEY_BINDING_MISMATCH.
  std::vector<std::string> failed;
  for (const attest::Check& c : a->checks) {
    if (!c.passed) failed.push_back(c.name);
  }
  EXPECT_EQ(failed, std::vector<std::string>{"binding_report_data"}) << attest::ExplainAppraisal(*a);
  for (const char* name : {"snp_signature", "snp_chain", "snp_tcb", "snp_chip_id", "measurement"}) {
    bool found = false;
    for (const attest::Check& c : a->checks) found |= (c.name == name && c.passed);
    EXPECT_TRUE(found) << name;
  }

  // The same evidence against another measurement is refused: the check is not vacuous.
  std::string other = measurement;
  other[0] = other[0] == '0' ? '1' : '0';
  auto refused = attest::AppraiseEvidence(bundle, SnpPolicy(other),
                                          {.now = *ParseRfc3339(expected["verify_at"].get<std::string>())});
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->accepted);
  bool measurement_failed = false;
  for (const attest::Check& c : refused->checks) measurement_failed |= (c.name == "measurement" && !c.passed);
  EXPECT_TRUE(measurement_failed);
  // A flipped report byte (MEASUREMENT[0]) breaks the signature.
  Bytes tampered = ev->report;
  tampered[0x90] ^= 1;
  attest::EvidenceBundle bad{.tee = ev->tee, .evidence = tampered, .endorsements = ev->cert_table};
  auto broken = attest::AppraiseEvidence(bad, SnpPolicy(measurement),
                                         {.now = *ParseRfc3339(expected["verify_at"].get<std::string>())});
  ASSERT_TRUE(broken.ok());
  bool signature_failed = false;
  for (const attest::Check& c : broken->checks) signature_failed |= (c.name == "snp_signature" && !c.passed);
  EXPECT_TRUE(signature_failed) << attest::ExplainAppraisal(*broken);
}

TEST(TsmPlatformTest, StaleReportWithOtherReportDataIsRefused) {
  FakeDevices dev;
  dev.InstallTsm("sev_guest", ReadSharedFile(std::string("vectors/") + kSnpFile), MilanCertTable());
  auto tee = TsmPlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok());
  ReportData other{};
  other[0] = 0x42;
  auto ev = (*tee)->GetEvidence(other);
  ASSERT_FALSE(ev.ok());
  EXPECT_EQ(ev.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(ev.error().message.find("report data"), std::string::npos) << ev.error().message;
  EXPECT_EQ(dev.tsm_entries_left(), 0);
}

TEST(TsmPlatformTest, GenerationRaceIsRetriedThenGivenUp) {
  nlohmann::json expected = ExpectedEntry("snp", kSnpFile);
  Bytes report = ReadSharedFile(std::string("vectors/") + kSnpFile);
  FakeDevices dev;
  dev.InstallTsm("sev_guest", report, MilanCertTable());
  auto tee = TsmPlatform::Open(dev, {.root = dev.root(), .max_attempts = 3});
  ASSERT_TRUE(tee.ok());
  ReportData rd = ReportDataFromHex(expected["fields"]["report_data"]);

  dev.tsm_race_bumps = 2;  // two racing writers, the third attempt is clean
  auto ev = (*tee)->GetEvidence(rd);
  ASSERT_TRUE(ev.ok()) << ev.error().ToString();
  EXPECT_EQ(ev->report, report);
  EXPECT_EQ(dev.tsm_race_bumps, 0);

  dev.tsm_race_bumps = 3;  // every attempt races
  auto raced = (*tee)->GetEvidence(rd);
  ASSERT_FALSE(raced.ok());
  EXPECT_EQ(raced.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(raced.error().message.find("generation"), std::string::npos) << raced.error().message;
  EXPECT_EQ(dev.tsm_entries_left(), 0);
}

TEST(TsmPlatformTest, ConcurrentRequestsEachUseTheirOwnEntry) {
  nlohmann::json expected = ExpectedEntry("snp", kSnpFile);
  Bytes report = ReadSharedFile(std::string("vectors/") + kSnpFile);
  FakeDevices dev;
  dev.InstallTsm("sev_guest", report, MilanCertTable());
  auto tee = TsmPlatform::Open(dev, {.root = dev.root()});
  ASSERT_TRUE(tee.ok());
  ReportData rd = ReportDataFromHex(expected["fields"]["report_data"]);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto ev = (*tee)->GetEvidence(rd);
        if (ev.ok() && ev->report == report) ok.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(dev.tsm_entries_left(), 0);
}

TEST(TsmPlatformTest, TdxQuotesRoundTripExactly) {
  for (const char* file : {"tdx/gotdx-v4-spr.bin", "tdx/dcapqvl-tdx-v4.bin", "tdx/gotdx-v5.bin"}) {
    SCOPED_TRACE(file);
    nlohmann::json expected = ExpectedEntry("tdx", file);
    ASSERT_FALSE(expected.is_null());
    Bytes quote = ReadSharedFile(std::string("vectors/") + file);
    FakeDevices dev;
    dev.InstallTsm("tdx_guest", quote, {});
    auto tee = TsmPlatform::Open(dev, {.root = dev.root()});
    ASSERT_TRUE(tee.ok()) << tee.error().ToString();
    EXPECT_EQ((*tee)->tee(), attest::TeeType::kTdx);
    auto ev = (*tee)->GetEvidence(ReportDataFromHex(expected["body"]["report_data"]));
    ASSERT_TRUE(ev.ok()) << ev.error().ToString();
    EXPECT_EQ(ev->tee, attest::TeeType::kTdx);
    EXPECT_EQ(ev->report, quote);  // trailing bytes included: the verifier decides
    EXPECT_TRUE(ev->cert_table.empty());
    // The bundle decoder reads the TEE type from the quote header (0x81 = TDX).
    auto decoded = attest::DecodeEvidenceBundle(attest::EncodeEvidenceBundle(
        {.tee = ev->tee, .evidence = ev->report, .claims = {}}));
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    EXPECT_EQ(decoded->tee, attest::TeeType::kTdx);

    auto sealing = (*tee)->SealingKey(SealBinding::kMeasurement, "x");
    ASSERT_FALSE(sealing.ok());
    EXPECT_EQ(sealing.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(sealing.error().message.find("key broker"), std::string::npos);
  }
}

TEST(TsmPlatformTest, OpenTellsAbsentFromUnsupported) {
  FakeDevices none;
  auto absent = TsmPlatform::Open(none, {.root = none.root()});
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);

  FakeDevices no_provider;
  no_provider.InstallTsm("", {}, {});
  auto enxio = TsmPlatform::Open(no_provider, {.root = no_provider.root()});
  ASSERT_FALSE(enxio.ok());
  EXPECT_EQ(enxio.error().code, ErrorCode::kNotFound);
  EXPECT_NE(enxio.error().message.find("ENXIO"), std::string::npos) << enxio.error().message;

  FakeDevices cca;
  cca.InstallTsm("arm_cca_guest", {}, {});
  auto unsupported = TsmPlatform::Open(cca, {.root = cca.root()});
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(cca.tsm_entries_left(), 0);
}

TEST(TsmPlatformTest, OutblobReportDataRejectsShortAndUnknownQuotes) {
  Bytes short_snp(0x50 + 63);
  EXPECT_EQ(OutblobReportData(attest::TeeType::kSevSnp, short_snp).error().code,
            ErrorCode::kMalformed);
  Bytes v3(700);
  v3[0] = 3;
  EXPECT_EQ(OutblobReportData(attest::TeeType::kTdx, v3).error().code, ErrorCode::kMalformed);
  EXPECT_EQ(OutblobReportData(attest::TeeType::kTdx, Bytes{4}).error().code, ErrorCode::kMalformed);
}

TEST(TsmPlatformTest, SnpSealingKeyComesFromTheDerivedKeyAndFollowsItsBinding) {
  Bytes report = ReadSharedFile(std::string("vectors/") + kSnpFile);
  std::array<uint8_t, 32> chip{};
  chip.fill(7);
  testing::FakeSnpLaunch v1{.measurement = crypto::Sha384(AsBytes("v1"))};
  v1.family_id[0] = 1;
  testing::FakeSnpLaunch v2 = v1;
  v2.measurement = crypto::Sha384(AsBytes("v2"));

  FakeDevices dev1, dev2;
  dev1.InstallTsm("sev_guest", report, {});
  dev1.InstallSevGuest(v1, chip);
  dev2.InstallTsm("sev_guest", report, {});
  dev2.InstallSevGuest(v2, chip);
  auto t1 = TsmPlatform::Open(dev1, {.root = dev1.root()});
  auto t2 = TsmPlatform::Open(dev2, {.root = dev2.root()});
  ASSERT_TRUE(t1.ok() && t2.ok());

  auto m1 = (*t1)->SealingKey(SealBinding::kMeasurement, "state");
  auto m1_again = (*t1)->SealingKey(SealBinding::kMeasurement, "state");
  auto m1_other_label = (*t1)->SealingKey(SealBinding::kMeasurement, "other");
  auto s1 = (*t1)->SealingKey(SealBinding::kSigner, "state");
  auto m2 = (*t2)->SealingKey(SealBinding::kMeasurement, "state");
  auto s2 = (*t2)->SealingKey(SealBinding::kSigner, "state");
  ASSERT_TRUE(m1.ok()) << m1.error().ToString();
  ASSERT_TRUE(m1_again.ok() && m1_other_label.ok() && m2.ok());
  ASSERT_FALSE(s1.ok() || s2.ok());
  EXPECT_EQ(m1->size(), 32u);
  EXPECT_TRUE(Equal(m1->Expose(), m1_again->Expose()));
  EXPECT_FALSE(Equal(m1->Expose(), m1_other_label->Expose()));
  EXPECT_FALSE(Equal(m1->Expose(), m2->Expose()));  // another measurement: another key
  // No signer binding on SNP: family/image ids are not bound to the ID key.
  EXPECT_EQ(s1.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(s1.error().message.find("signer"), std::string::npos);
  EXPECT_EQ(s2.error().code, ErrorCode::kUnsupported);

  FakeDevices no_device;
  no_device.InstallTsm("sev_guest", report, {});
  auto t3 = TsmPlatform::Open(no_device, {.root = no_device.root()});
  ASSERT_TRUE(t3.ok());
  auto missing = (*t3)->SealingKey(SealBinding::kMeasurement, "state");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace confide::tee::tsm
