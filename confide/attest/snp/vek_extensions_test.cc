#include "confide/attest/snp/vek_extensions.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "confide/base/hex.h"
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

const std::map<std::string, std::string_view> kOids = {{"structVersion", kOidStructVersion},
                                                       {"productName", kOidProductName},
                                                       {"blSPL", kOidBlSpl},
                                                       {"teeSPL", kOidTeeSpl},
                                                       {"snpSPL", kOidSnpSpl},
                                                       {"ucodeSPL", kOidUcodeSpl},
                                                       {"fmcSPL", kOidFmcSpl},
                                                       {"hwID", kOidHwId}};

TEST(SnpVekExtensions, EveryVekMatchesExpectedJson) {
  json expected = json::parse(ToString(testing::ReadSharedFile("vectors/snp/expected.json")));
  for (const json& v : expected["vectors"]) {
    SCOPED_TRACE(v["vek"].get<std::string>());
    crypto::Certificate vek = LoadCert(v["vek"]);
    const json& ext_hex = v["vek_cert"]["extensions_der_hex"];
    for (const auto& [name, hex] : ext_hex.items()) {
      std::optional<Bytes> raw = vek.Extension(kOids.at(name));
      ASSERT_TRUE(raw.has_value()) << name;
      EXPECT_EQ(HexEncode(*raw), hex.get<std::string>()) << name;
    }
    Result<VekExtensions> ext = ParseVekExtensions(vek);
    ASSERT_TRUE(ext.ok()) << ext.error().ToString();
    EXPECT_EQ(SerializeDerIa5String(ext->product_name),
              *HexDecode(ext_hex["productName"].get<std::string>()));
    EXPECT_EQ(SerializeDerUnsigned(ext->bl_spl), *HexDecode(ext_hex["blSPL"].get<std::string>()));
    EXPECT_EQ(SerializeDerUnsigned(ext->ucode_spl),
              *HexDecode(ext_hex["ucodeSPL"].get<std::string>()));
    EXPECT_EQ(ext->fmc_spl.has_value(), ext_hex.contains("fmcSPL"));
    EXPECT_EQ(ext->hw_id.has_value(), ext_hex.contains("hwID"));
    if (ext->hw_id) {
      EXPECT_EQ(HexEncode(*ext->hw_id), ext_hex["hwID"].get<std::string>());
    }
    std::string product = v["product"];
    EXPECT_EQ(GenerationName(GenerationFromProductName(ext->product_name)), product);
    // The simulator's serializer reproduces the certificate's extension values exactly.
    for (const auto& [oid, value] : SerializeVekExtensions(*ext)) {
      EXPECT_EQ(vek.Extension(oid), value) << oid;
    }
  }
}

TEST(SnpVekExtensions, DerUnsignedIsStrict) {
  EXPECT_EQ(*ParseDerUnsigned(*HexDecode("020100")), 0u);
  EXPECT_EQ(*ParseDerUnsigned(*HexDecode("020200d9")), 0xD9u);
  EXPECT_EQ(*ParseDerUnsigned(*HexDecode("02087fffffffffffffff")), 0x7FFFFFFFFFFFFFFFu);
  EXPECT_EQ(*ParseDerUnsigned(*HexDecode("020900ffffffffffffffff")), 0xFFFFFFFFFFFFFFFFu);
  for (const char* bad : {"", "02", "0200", "020180", "02020001", "0201", "02010000", "030100",
                          "02810100", "020a00ffffffffffffffffff", "04020000"}) {
    EXPECT_FALSE(ParseDerUnsigned(*HexDecode(bad)).ok()) << bad;
  }
  for (uint64_t v : {0ull, 1ull, 0x7Full, 0x80ull, 0xFFull, 0x100ull, ~0ull}) {
    EXPECT_EQ(*ParseDerUnsigned(SerializeDerUnsigned(v)), v);
  }
}

TEST(SnpVekExtensions, DerIa5StringIsStrict) {
  EXPECT_EQ(*ParseDerIa5String(*HexDecode("16054d696c616e")), "Milan");
  EXPECT_EQ(*ParseDerIa5String(*HexDecode("1600")), "");
  for (const char* bad :
       {"", "16", "16054d696c61", "16054d696c616e00", "0c054d696c616e", "1601ff", "1681014d"}) {
    EXPECT_FALSE(ParseDerIa5String(*HexDecode(bad)).ok()) << bad;
  }
}

TEST(SnpVekExtensions, AsksHaveNoSplsAndAreRejected) {
  Result<VekExtensions> ext = ParseVekExtensions(LoadCert("snp/amd-milan-ask.pem"));
  ASSERT_FALSE(ext.ok());
  EXPECT_EQ(ext.error().code, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace confide::attest::snp
