#include "confide/attest/intel/pck_extensions.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "confide/attest/intel/collateral_test_util.h"
#include "confide/base/hex.h"

namespace confide::attest::intel {
namespace {

using nlohmann::json;
using testing::LoadQuote;
using testing::PckChain;

std::vector<json> AllQuoteVectors() {
  std::vector<json> out;
  for (const char* dir : {"sgx", "tdx"}) {
    json e = json::parse(testing::SharedText(std::string(dir) + "/expected.json"));
    for (const json& v : e["vectors"]) out.push_back(v);
  }
  return out;
}

TEST(IntelPckExtensions, EveryQuotePckMatchesExpectedJson) {
  std::vector<json> vectors = AllQuoteVectors();
  ASSERT_EQ(vectors.size(), 7u);
  for (const json& v : vectors) {
    SCOPED_TRACE(v["file"].get<std::string>());
    crypto::Certificate leaf = PckChain(LoadQuote(v["file"]))[0];
    Result<PckExtensions> ext = ParsePckExtensions(leaf);
    ASSERT_TRUE(ext.ok()) << ext.error().ToString();
    const json& pck = v["pck"];
    EXPECT_EQ(HexEncode(ext->fmspc), pck["fmspc"].get<std::string>());
    EXPECT_EQ(HexEncode(ext->pce_id), pck["pceid"].get<std::string>());
    EXPECT_EQ(ext->tcb.pce_svn, pck["pcesvn"].get<int>());
    for (size_t i = 0; i < 16; ++i) {
      EXPECT_EQ(ext->tcb.comp_svn[i], pck["comp_svns"][i].get<int>()) << i;
    }
    // The serializer reproduces Intel's DER byte for byte (strict, minimal, in OID order).
    EXPECT_EQ(HexEncode(SerializePckExtensions(*ext)),
              HexEncode(*leaf.Extension(kOidSgxExtensions)));
  }
}

TEST(IntelPckExtensions, PlatformAndProcessorCaFields) {
  // occlum's PCK comes from the Platform CA: platform instance id and configuration present;
  // dcap-qvl's SGX PCK comes from the Processor CA: neither.
  PckExtensions platform = testing::PckExt(LoadQuote("sgx/occlum-sgx-v3.bin"));
  EXPECT_EQ(platform.sgx_type, SgxType::kScalable);
  ASSERT_TRUE(platform.platform_instance_id.has_value());
  EXPECT_EQ(HexEncode(*platform.platform_instance_id), "c8c0cfb23d3dd90b06d55c0641693a7a");
  ASSERT_TRUE(platform.configuration.has_value());
  EXPECT_EQ(platform.configuration->dynamic_platform, true);
  EXPECT_EQ(platform.configuration->cached_keys, true);
  EXPECT_EQ(platform.configuration->smt_enabled, true);
  EXPECT_EQ(HexEncode(platform.tcb.cpu_svn), "04040303ffff00000000000000000000");

  PckExtensions processor = testing::PckExt(LoadQuote("sgx/dcapqvl-sgx-v3.bin"));
  EXPECT_FALSE(processor.platform_instance_id.has_value());
  EXPECT_FALSE(processor.configuration.has_value());
}

TEST(IntelPckExtensions, CertificateWithoutExtensionIsMalformed) {
  Result<PckExtensions> ext = ParsePckExtensions(testing::IntelRoot());
  ASSERT_FALSE(ext.ok());
  EXPECT_EQ(ext.error().code, ErrorCode::kMalformed);
}

TEST(IntelPckExtensions, EveryTruncationIsRejected) {
  Bytes der = *PckChain(LoadQuote("tdx/gotdx-v4-spr.bin"))[0].Extension(kOidSgxExtensions);
  ASSERT_TRUE(ParsePckExtensionsDer(der).ok());
  for (size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(ParsePckExtensionsDer(ByteSpan(der).first(n)).ok()) << n;
  }
  Bytes longer = der;
  longer.push_back(0);
  EXPECT_FALSE(ParsePckExtensionsDer(longer).ok());
}

// A minimal DER builder for hand-made extension values (lengths < 65536).
Bytes Tlv(uint8_t tag, ByteSpan contents) {
  Bytes out{tag};
  if (contents.size() < 0x80) {
    out.push_back(static_cast<uint8_t>(contents.size()));
  } else if (contents.size() < 0x100) {
    out.insert(out.end(), {0x81, static_cast<uint8_t>(contents.size())});
  } else {
    out.insert(out.end(), {0x82, static_cast<uint8_t>(contents.size() >> 8),
                           static_cast<uint8_t>(contents.size())});
  }
  out.insert(out.end(), contents.begin(), contents.end());
  return out;
}

Bytes Item(std::initializer_list<uint8_t> arcs, uint8_t tag, Bytes value) {
  Bytes oid = *HexDecode("2a864886f84d010d01");
  oid.insert(oid.end(), arcs.begin(), arcs.end());
  return Tlv(0x30, Concat({Tlv(0x06, oid), Tlv(tag, value)}));
}

struct Parts {
  Bytes ppid = Item({1}, 0x04, Bytes(16, 0xAA));
  std::vector<Bytes> tcb;
  Bytes pce_id = Item({3}, 0x04, Bytes{0, 0});
  Bytes fmspc = Item({4}, 0x04, Bytes{0x90, 0xc0, 0x6f, 0, 0, 0});
  Bytes type = Item({5}, 0x0A, Bytes{0});
  std::vector<Bytes> extra;

  Parts() {
    for (uint8_t i = 1; i <= 16; ++i) tcb.push_back(Item({2, i}, 0x02, Bytes{i}));
    tcb.push_back(Item({2, 17}, 0x02, Bytes{13}));
    tcb.push_back(Item({2, 18}, 0x04, Bytes(16, 1)));
  }
  Bytes Der() const {
    Bytes tcb_seq;
    for (const Bytes& b : tcb) tcb_seq = Concat({tcb_seq, b});
    Bytes seq = Concat({ppid, Item({2}, 0x30, tcb_seq), pce_id, fmspc, type});
    for (const Bytes& b : extra) seq = Concat({seq, b});
    return Tlv(0x30, seq);
  }
};

TEST(IntelPckExtensions, HandBuiltBaselineParses) {
  Parts p;
  p.extra.push_back(Item({42}, 0x05, Bytes{}));  // an unknown entry is skipped
  Result<PckExtensions> ext = ParsePckExtensionsDer(p.Der());
  ASSERT_TRUE(ext.ok()) << ext.error().ToString();
  EXPECT_EQ(ext->tcb.comp_svn[15], 16);
  EXPECT_EQ(ext->tcb.pce_svn, 13);
  EXPECT_EQ(HexEncode(ext->fmspc), "90c06f000000");
}

TEST(IntelPckExtensions, MalformedEntriesAreRejected) {
  auto rejected = [](const Parts& p) { return !ParsePckExtensionsDer(p.Der()).ok(); };
  Parts p;
  p.fmspc = Item({4}, 0x04, Bytes(5, 0));
  EXPECT_TRUE(rejected(p)) << "5-byte FMSPC";
  p = Parts();
  p.fmspc = Item({4}, 0x0C, Bytes(6, 0x30));
  EXPECT_TRUE(rejected(p)) << "FMSPC as a UTF8String";
  p = Parts();
  p.tcb[0] = Item({2, 1}, 0x02, Bytes{0x80});
  EXPECT_TRUE(rejected(p)) << "negative component SVN";
  p = Parts();
  p.tcb[0] = Item({2, 1}, 0x02, Bytes{0x01, 0x00});
  EXPECT_TRUE(rejected(p)) << "component SVN 256";
  p = Parts();
  p.tcb[16] = Item({2, 17}, 0x02, Bytes{0x00, 0x0d});
  EXPECT_TRUE(rejected(p)) << "non-minimal PCESVN";
  p = Parts();
  p.tcb[16] = Item({2, 17}, 0x02, Bytes{0x01, 0x00, 0x00});
  EXPECT_TRUE(rejected(p)) << "PCESVN 65536";
  p = Parts();
  p.tcb.pop_back();
  EXPECT_TRUE(rejected(p)) << "no CPUSVN";
  p = Parts();
  p.tcb.push_back(p.tcb[3]);
  EXPECT_TRUE(rejected(p)) << "duplicate component";
  p = Parts();
  p.type = Item({5}, 0x0A, Bytes{3});
  EXPECT_TRUE(rejected(p)) << "SGX type 3";
  p = Parts();
  p.fmspc = Item({9}, 0x04, Bytes(6, 0));
  EXPECT_TRUE(rejected(p)) << "no FMSPC";
  p = Parts();
  p.extra.push_back(p.pce_id);
  EXPECT_TRUE(rejected(p)) << "duplicate PCE-ID";
  p = Parts();
  p.extra.push_back(Item({7}, 0x30, Item({7, 1}, 0x01, Bytes{0x01})));
  EXPECT_TRUE(rejected(p)) << "non-DER BOOLEAN";
  p = Parts();
  Bytes der = p.Der();
  der[1] = 0x83;  // a 3-byte length: more than any PCK extension needs, rejected
  EXPECT_FALSE(ParsePckExtensionsDer(der).ok());
  // A length in non-minimal long form (0x81 with a value < 128) is not DER.
  const Bytes small = {0x30, 0x81, 0x00};
  EXPECT_FALSE(ParsePckExtensionsDer(small).ok());
}

TEST(IntelPckExtensions, SerializeRoundTripsAllFields) {
  PckExtensions ext;
  for (size_t i = 0; i < 16; ++i) ext.tcb.comp_svn[i] = static_cast<uint8_t>(i * 17);
  ext.tcb.pce_svn = 0x1234;
  ext.tcb.cpu_svn[3] = 0x80;
  ext.ppid[0] = 1;
  ext.pce_id = {0, 1};
  ext.fmspc = {0x90, 0xc0, 0x6f, 0, 0, 0};
  ext.sgx_type = SgxType::kScalableWithIntegrity;
  ext.platform_instance_id = std::array<uint8_t, 16>{9};
  ext.configuration = PckPlatformConfiguration{true, false, std::nullopt};
  Result<PckExtensions> back = ParsePckExtensionsDer(SerializePckExtensions(ext));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, ext);
}

}  // namespace
}  // namespace confide::attest::intel
