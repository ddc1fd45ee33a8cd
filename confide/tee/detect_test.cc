#include "confide/tee/detect.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "confide/attest/nitro/document.h"
#include "confide/base/clock.h"
#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"
#include "confide/tee/sim/sim_store.h"
#include "confide/tee/testing/fake_devices.h"
#include "confide/tee/testing/vectors.h"

namespace confide::tee {
namespace {

using confide::testing::ReadSharedFile;
using testing::FakeDevices;

class DetectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_dir_ = dev_.root() + "/sim";
    ASSERT_TRUE(sim::InitSimStore(sim_dir_, *ParseRfc3339("2026-11-26T00:00:00Z"), false).ok());
  }
  DetectOptions Options(std::string tee = "auto") {
    return {.tee = std::move(tee), .root = dev_.root(), .sim_dir = sim_dir_,
            .sim_measurement = crypto::Sha384(AsBytes("workload")), .clock = &clock_};
  }
  std::string Backend(const DetectOptions& o) {
    auto d = DetectPlatform(dev_, o);
    if (!d.ok()) return "error: " + d.error().ToString();
    return d->platform->Describe().backend;
  }
  FakeDevices dev_;
  std::string sim_dir_;
  FixedClock clock_{*ParseRfc3339("2026-11-26T12:00:00Z")};
};

TEST_F(DetectTest, OrderIsTsmThenGramineThenNsmThenSim) {
  EXPECT_EQ(Backend(Options()), "sim");
  dev_.InstallNsm(ReadSharedFile("vectors/nitro/evervault-2022-prod.bin"));
  EXPECT_EQ(Backend(Options()), "nitro");
  dev_.InstallGramine("dcap", ReadSharedFile("vectors/sgx/dcapqvl-sgx-v3.bin"), std::nullopt,
                      std::nullopt);
  EXPECT_EQ(Backend(Options()), "sgx");
  dev_.InstallTsm("tdx_guest", ReadSharedFile("vectors/tdx/gotdx-v4-spr.bin"), {});
  EXPECT_EQ(Backend(Options()), "tsm");
  // --tee overrides the order.
  EXPECT_EQ(Backend(Options("sim")), "sim");
  EXPECT_EQ(Backend(Options("nitro")), "nitro");
  EXPECT_EQ(Backend(Options("sgx")), "sgx");
}

// The simulator's Intel and Nitro evidence only when forced; never chosen by auto.
TEST_F(DetectTest, SimVendorBackendsAreForcedOnly) {
  const crypto::Sha384Digest m = crypto::Sha384(AsBytes("workload"));
  const struct {
    const char* tee;
    attest::TeeType type;
    const char* detail;
    std::string value;
  } cases[] = {{"sim-sgx", attest::TeeType::kSgx, "mr_enclave", HexEncode(ByteSpan(m).first(32))},
               {"sim-tdx", attest::TeeType::kTdx, "mr_td", HexEncode(m)},
               {"sim-nitro", attest::TeeType::kNitro, "pcr0", HexEncode(m)}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.tee);
    auto d = DetectPlatform(dev_, Options(c.tee));
    ASSERT_TRUE(d.ok()) << d.error().ToString();
    PlatformInfo info = d->platform->Describe();
    EXPECT_EQ(info.tee, c.type);
    EXPECT_TRUE(info.simulated);
    bool found = false;
    for (const auto& [k, v] : info.details) found |= k == c.detail && v == c.value;
    EXPECT_TRUE(found) << c.detail << " should be " << c.value;
    auto ev = d->platform->GetEvidence({});
    ASSERT_TRUE(ev.ok()) << ev.error().ToString();
    EXPECT_EQ(ev->tee, c.type);
  }
  EXPECT_EQ(Backend(Options()), "sim");
  EXPECT_EQ(DetectPlatform(dev_, Options("sim-amd")).error().code, ErrorCode::kInvalidArgument);
  std::filesystem::remove(sim_dir_ + "/intel_attestation.key");  // a store before Intel sim
  EXPECT_EQ(DetectPlatform(dev_, Options("sim-tdx")).error().code, ErrorCode::kNotFound);
}

// The simulator's documents are dated by the clock in DetectOptions, not the system clock.
TEST_F(DetectTest, SimEvidenceUsesTheInjectedClock) {
  auto d = DetectPlatform(dev_, Options("sim-nitro"));
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  auto ev = d->platform->GetEvidence({});
  ASSERT_TRUE(ev.ok()) << ev.error().ToString();
  Result<attest::nitro::Document> doc = attest::nitro::ParseDocument(ev->report);
  ASSERT_TRUE(doc.ok()) << doc.error().ToString();
  EXPECT_EQ(doc->payload.timestamp_ms,
            static_cast<uint64_t>(clock_.Now().time_since_epoch().count()) * 1000);
}

TEST_F(DetectTest, APresentButBrokenDeviceIsAnErrorNotASimFallback) {
  dev_.InstallTsm("arm_cca_guest", {}, {});
  auto d = DetectPlatform(dev_, Options());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(d.error().message.find("tsm"), std::string::npos);
}

TEST_F(DetectTest, ForcedAbsentBackendAndUnknownNamesFail) {
  auto forced = DetectPlatform(dev_, Options("nitro"));
  ASSERT_FALSE(forced.ok());
  EXPECT_EQ(forced.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(DetectPlatform(dev_, Options("tpm")).error().code, ErrorCode::kInvalidArgument);
  DetectOptions no_store = Options();
  no_store.sim_dir = dev_.root() + "/no-such-store";
  auto none = DetectPlatform(dev_, no_store);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_NE(none.error().message.find("tsm"), std::string::npos) << none.error().message;
}

}  // namespace
}  // namespace confide::tee
