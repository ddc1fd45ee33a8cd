#include "confide/tee/seal/sealed_blob.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "confide/base/clock.h"
#include "confide/base/testing/shared_data.h"
#include "confide/crypto/hash.h"
#include "confide/tee/gramine/gramine_platform.h"
#include "confide/tee/nitro/nsm_platform.h"
#include "confide/tee/sim/sim_platform.h"
#include "confide/tee/testing/fake_devices.h"
#include "confide/tee/tsm/tsm_platform.h"

namespace confide::tee {
namespace {

using testing::FakeDevices;

const Bytes kSecret = {'m', 'o', 'd', 'e', 'l', ' ', 'k', 'e', 'y', 0, 1, 2, 3};
const Bytes kAad = {'p', 'k', 'g', '1'};

class SealedBlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sim::InitSimStore(dir(), *ParseRfc3339("2026-11-26T00:00:00Z"), false).ok());
  }
  std::string dir() const { return dev_.root() + "/sim"; }
  sim::SimPlatform Sim(std::string_view workload) {
    auto store = sim::LoadSimStore(dir());
    EXPECT_TRUE(store.ok());
    return sim::SimPlatform(*std::move(store), {.measurement = crypto::Sha384(AsBytes(workload))});
  }
  FakeDevices dev_;
};

TEST_F(SealedBlobTest, RoundTripOnTheSimulator) {
  sim::SimPlatform tee = Sim("v1");
  for (SealBinding b : {SealBinding::kMeasurement, SealBinding::kSigner}) {
    auto blob = Seal(tee, b, "state", kSecret, kAad);
    ASSERT_TRUE(blob.ok()) << blob.error().ToString();
    // header 8+2+1+1+1+5, nonce 12, ciphertext, tag 16
    EXPECT_EQ(blob->size(), 18u + 12u + kSecret.size() + 16u);
    auto parsed = ParseSealedBlob(*blob);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->binding, b);
    EXPECT_EQ(parsed->label, "state");
    EXPECT_EQ(SerializeSealedBlob(*parsed), *blob);
    auto plain = Unseal(tee, b, "state", *blob, kAad);
    ASSERT_TRUE(plain.ok()) << plain.error().ToString();
    EXPECT_TRUE(Equal(plain->Expose(), kSecret));
    // Fresh nonce per seal.
    auto again = Seal(tee, b, "state", kSecret, kAad);
    ASSERT_TRUE(again.ok());
    EXPECT_NE(*again, *blob);
  }
}

TEST_F(SealedBlobTest, AnotherMeasurementCannotUnsealButTheSameSignerCan) {
  sim::SimPlatform v1 = Sim("v1");
  sim::SimPlatform v2 = Sim("v2");
  auto to_code = Seal(v1, SealBinding::kMeasurement, "state", kSecret, kAad);
  auto to_signer = Seal(v1, SealBinding::kSigner, "state", kSecret, kAad);
  ASSERT_TRUE(to_code.ok() && to_signer.ok());
  auto refused = Unseal(v2, SealBinding::kMeasurement, "state", *to_code, kAad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kVerificationFailed);
  EXPECT_NE(refused.error().message.find("other code"), std::string::npos);
  auto updated = Unseal(v2, SealBinding::kSigner, "state", *to_signer, kAad);
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_TRUE(Equal(updated->Expose(), kSecret));
}

TEST_F(SealedBlobTest, WrongLabelBindingOrAadFails) {
  sim::SimPlatform tee = Sim("v1");
  auto blob = Seal(tee, SealBinding::kMeasurement, "state", kSecret, kAad);
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(Unseal(tee, SealBinding::kMeasurement, "other", *blob, kAad).error().code,
            ErrorCode::kVerificationFailed);
  EXPECT_EQ(Unseal(tee, SealBinding::kSigner, "state", *blob, kAad).error().code,
            ErrorCode::kVerificationFailed);
  EXPECT_EQ(Unseal(tee, SealBinding::kMeasurement, "state", *blob, AsBytes("pkg2")).error().code,
            ErrorCode::kVerificationFailed);
  EXPECT_EQ(Seal(tee, SealBinding::kMeasurement, "", kSecret, kAad).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(Seal(tee, SealBinding::kMeasurement, std::string(256, 'a'), kSecret, kAad).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Seal(tee, SealBinding::kMeasurement, std::string(255, 'a'), kSecret, kAad).ok());
}

// Every region of the blob, tampered: the structure is refused, or the tag is.
TEST_F(SealedBlobTest, TamperingWithAnyRegionFails) {
  sim::SimPlatform tee = Sim("v1");
  auto sealed = Seal(tee, SealBinding::kMeasurement, "state", kSecret, kAad);
  ASSERT_TRUE(sealed.ok());
  const Bytes blob = *sealed;
  const size_t label_end = 13 + 5, nonce_end = label_end + 12, tag_start = blob.size() - 16;
  struct Region {
    const char* name;
    size_t begin, end;
    ErrorCode code;  // for a single-bit flip anywhere in the region
  } regions[] = {
      {"magic", 0, 8, ErrorCode::kMalformed},
      {"version", 8, 10, ErrorCode::kUnsupported},
      {"algorithm", 10, 11, ErrorCode::kMalformed},
      // 1 <-> 3 etc.: an unknown binding is malformed; 1 -> 0 too; never 1 -> 2 for one bit flip
      // of bit 1 (1 ^ 2 = 3), so every flip is malformed.
      {"binding", 11, 12, ErrorCode::kMalformed},
      {"label", 13, label_end, ErrorCode::kVerificationFailed},
      {"nonce", label_end, nonce_end, ErrorCode::kVerificationFailed},
      {"ciphertext", nonce_end, tag_start, ErrorCode::kVerificationFailed},
      {"tag", tag_start, blob.size(), ErrorCode::kVerificationFailed},
  };
  size_t checked = 0;
  for (const Region& region : regions) {
    for (size_t i = region.begin; i < region.end; ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        Bytes bad = blob;
        bad[i] ^= static_cast<uint8_t>(1u << bit);
        auto r = Unseal(tee, SealBinding::kMeasurement, "state", bad, kAad);
        ASSERT_FALSE(r.ok()) << region.name << " byte " << i << " bit " << bit;
        EXPECT_EQ(r.error().code, region.code)
            << region.name << " byte " << i << " bit " << bit << ": " << r.error().ToString();
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, (blob.size() - 1) * 8);  // all but the label length byte, below
  // The label length: shorter labels misalign everything after; longer ones run off the blob
  // or into the nonce. Every value but the true one fails.
  for (int len = 0; len < 256; ++len) {
    if (len == 5) continue;
    Bytes bad = blob;
    bad[12] = static_cast<uint8_t>(len);
    auto r = Unseal(tee, SealBinding::kMeasurement, "state", bad, kAad);
    ASSERT_FALSE(r.ok()) << "label length " << len;
  }
  // Every truncation and an appended byte.
  for (size_t n = 0; n < blob.size(); ++n) {
    ASSERT_FALSE(Unseal(tee, SealBinding::kMeasurement, "state", ByteSpan(blob).first(n), kAad).ok())
        << "truncated to " << n;
  }
  Bytes longer = blob;
  longer.push_back(0);
  EXPECT_EQ(Unseal(tee, SealBinding::kMeasurement, "state", longer, kAad).error().code,
            ErrorCode::kVerificationFailed);
}

TEST_F(SealedBlobTest, ParserNegativeCases) {
  const Bytes header = SealedBlobHeader(SealBinding::kSigner, "ab");
  Bytes ok = Concat({header, Bytes(12, 0), Bytes(16, 0)});
  ASSERT_TRUE(ParseSealedBlob(ok).ok());
  EXPECT_EQ(ParseSealedBlob(ok)->binding, SealBinding::kSigner);
  Bytes empty_label = ok;
  empty_label[12] = 0;
  Bytes version2 = ok;
  version2[8] = 2;
  Bytes binding0 = ok;
  binding0[11] = 0;
  Bytes short_tag(ok.begin(), ok.end() - 1);
  struct Case {
    const char* name;
    Bytes bytes;
    ErrorCode code;
  } cases[] = {
      {"empty", {}, ErrorCode::kMalformed},
      {"magic only", Bytes(header.begin(), header.begin() + 8), ErrorCode::kMalformed},
      {"empty label", empty_label, ErrorCode::kMalformed},
      {"version 2", version2, ErrorCode::kUnsupported},
      {"binding 0", binding0, ErrorCode::kMalformed},
      {"short tag", short_tag, ErrorCode::kMalformed},
  };
  for (const Case& c : cases) {
    auto r = ParseSealedBlob(c.bytes);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name;
  }
}

TEST_F(SealedBlobTest, SgxAndSnpSealAndTdxAndNitroSayUnsupported) {
  // SGX (Gramine keys): round trip; another MRENCLAVE cannot unseal.
  FakeDevices sgx1, sgx2;
  sgx1.InstallGramine("dcap", {}, Bytes(16, 1), Bytes(16, 9));
  sgx2.InstallGramine("dcap", {}, Bytes(16, 2), Bytes(16, 9));
  auto g1 = gramine::GraminePlatform::Open(sgx1, {.root = sgx1.root()});
  auto g2 = gramine::GraminePlatform::Open(sgx2, {.root = sgx2.root()});
  ASSERT_TRUE(g1.ok() && g2.ok());
  auto blob = Seal(**g1, SealBinding::kMeasurement, "state", kSecret, kAad);
  ASSERT_TRUE(blob.ok()) << blob.error().ToString();
  EXPECT_TRUE(Unseal(**g1, SealBinding::kMeasurement, "state", *blob, kAad).ok());
  EXPECT_EQ(Unseal(**g2, SealBinding::kMeasurement, "state", *blob, kAad).error().code,
            ErrorCode::kVerificationFailed);

  // SNP (derived key through /dev/sev-guest): the same.
  Bytes report = confide::testing::ReadSharedFile("vectors/snp/trustee-milan-v2.bin");
  std::array<uint8_t, 32> chip{};
  FakeDevices snp1, snp2;
  snp1.InstallTsm("sev_guest", report, {});
  snp1.InstallSevGuest({.measurement = crypto::Sha384(AsBytes("v1"))}, chip);
  snp2.InstallTsm("sev_guest", report, {});
  snp2.InstallSevGuest({.measurement = crypto::Sha384(AsBytes("v2"))}, chip);
  auto s1 = tsm::TsmPlatform::Open(snp1, {.root = snp1.root()});
  auto s2 = tsm::TsmPlatform::Open(snp2, {.root = snp2.root()});
  ASSERT_TRUE(s1.ok() && s2.ok());
  auto snp_blob = Seal(**s1, SealBinding::kMeasurement, "state", kSecret, kAad);
  ASSERT_TRUE(snp_blob.ok()) << snp_blob.error().ToString();
  auto snp_plain = Unseal(**s1, SealBinding::kMeasurement, "state", *snp_blob, kAad);
  ASSERT_TRUE(snp_plain.ok());
  EXPECT_TRUE(Equal(snp_plain->Expose(), kSecret));
  EXPECT_EQ(Unseal(**s2, SealBinding::kMeasurement, "state", *snp_blob, kAad).error().code,
            ErrorCode::kVerificationFailed);

  // TDX and Nitro: no hardware sealing key.
  FakeDevices tdx, nsm;
  tdx.InstallTsm("tdx_guest", confide::testing::ReadSharedFile("vectors/tdx/gotdx-v4-spr.bin"), {});
  nsm.InstallNsm(confide::testing::ReadSharedFile("vectors/nitro/evervault-2022-prod.bin"));
  auto t = tsm::TsmPlatform::Open(tdx, {.root = tdx.root()});
  auto n = nitro::NsmPlatform::Open(nsm, {.root = nsm.root()});
  ASSERT_TRUE(t.ok() && n.ok());
  for (Platform* p : {static_cast<Platform*>(t->get()), static_cast<Platform*>(n->get())}) {
    auto r = Seal(*p, SealBinding::kMeasurement, "state", kSecret, kAad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(r.error().message.find("key broker"), std::string::npos);
  }
}

}  // namespace
}  // namespace confide::tee
