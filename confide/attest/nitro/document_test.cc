#include "confide/attest/nitro/document.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"

namespace confide::attest::nitro {
namespace {

using nlohmann::json;

json Expected() {
  return json::parse(ToString(testing::ReadSharedFile("vectors/nitro/expected.json")));
}

std::optional<Bytes> HexOrNull(const json& j) {
  if (j.is_null()) return std::nullopt;
  return *HexDecode(j.get<std::string>());
}

TEST(NitroDocumentTest, EveryFieldMatchesExpectedJson) {
  const json expected = Expected();
  ASSERT_EQ(expected["vectors"].size(), 3u);
  for (const json& v : expected["vectors"]) {
    SCOPED_TRACE(v["file"].get<std::string>());
    const Bytes bytes = testing::ReadSharedFile("vectors/" + v["file"].get<std::string>());
    ASSERT_EQ(bytes.size(), v["size"].get<size_t>());
    Result<Document> doc = ParseDocument(bytes);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(doc->tagged, v["cose_tagged"].get<bool>());
    EXPECT_EQ(doc->alg, v["protected_header"]["1"].get<int64_t>());
    const Payload& p = doc->payload;
    EXPECT_EQ(p.module_id, v["module_id"].get<std::string>());
    EXPECT_EQ(p.digest, v["digest"].get<std::string>());
    EXPECT_EQ(p.timestamp_ms, v["timestamp_ms"].get<uint64_t>());
    EXPECT_EQ(p.pcrs.size(), v["num_pcrs"].get<size_t>());
    for (const auto& [index, hex] : v["pcrs_nonzero_or_0_1_2_3_4_8"].items()) {
      const uint32_t i = static_cast<uint32_t>(std::stoul(index));
      ASSERT_TRUE(p.pcrs.count(i)) << "PCR" << i;
      EXPECT_EQ(HexEncode(p.pcrs.at(i)), hex.get<std::string>()) << "PCR" << i;
    }
    EXPECT_EQ(p.user_data, HexOrNull(v["user_data_hex"]));
    EXPECT_EQ(p.nonce, HexOrNull(v["nonce_hex"]));
    EXPECT_EQ(p.public_key, HexOrNull(v["public_key_hex"]));
    EXPECT_EQ(p.cabundle.size(), v["cabundle_len"].get<size_t>());
    EXPECT_EQ(doc->signature.size(), v["signature_len"].get<size_t>());
    EXPECT_FALSE(p.certificate.empty());
  }
}

// The encoder reproduces AWS's byte layout: re-encoding a parsed payload gives the signed bytes.
TEST(NitroDocumentTest, EncoderReproducesAwsBytes) {
  for (const char* file : {"nitro/evervault-2022-prod.bin", "nitro/blocky-2024-prod.bin"}) {
    SCOPED_TRACE(file);
    const Bytes bytes = testing::ReadSharedFile(std::string("vectors/") + file);
    Result<Document> doc = ParseDocument(bytes);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_EQ(EncodeProtectedHeader(), doc->protected_header);
    Bytes cose = EncodeCoseSign1(doc->protected_header, doc->payload_bytes, doc->signature);
    EXPECT_EQ(cose, bytes);
  }
}

TEST(NitroDocumentTest, SigStructureLayout) {
  const Bytes prot = EncodeProtectedHeader();
  EXPECT_EQ(HexEncode(prot), "a1013822");
  const uint8_t payload[] = {0xa0};
  // 84 6a "Signature1" 44 a1013822 40 41 a0
  EXPECT_EQ(HexEncode(SigStructure(prot, payload)),
            "846a5369676e61747572653144a101382240" "41a0");
}

TEST(NitroDocumentTest, TaggedDocumentParses) {
  Bytes bytes = testing::ReadSharedFile("vectors/nitro/evervault-2022-prod.bin");
  bytes.insert(bytes.begin(), 0xd2);  // tag 18
  Result<Document> doc = ParseDocument(bytes);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_TRUE(doc->tagged);
  bytes[0] = 0xd1;  // tag 17 (COSE_Mac0) is not accepted
  EXPECT_EQ(ParseDocument(bytes).error().code, ErrorCode::kMalformed);
}

TEST(NitroDocumentTest, SyntheticSelfSignedParsesWithNullCabundle) {
  Result<Document> doc =
      ParseDocument(testing::ReadSharedFile("vectors/nitro/negative/blocky-selfsigned-synthetic.bin"));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_TRUE(doc->payload.cabundle.empty());
  EXPECT_EQ(doc->payload.timestamp_ms, 1713379906u);  // seconds, as the README says
  EXPECT_EQ(doc->payload.pcrs.size(), 32u);
}

TEST(NitroDocumentTest, EveryTruncationIsRejected) {
  const Bytes bytes = testing::ReadSharedFile("vectors/nitro/evervault-2022-prod.bin");
  for (size_t n = 0; n < bytes.size(); n += (n < 64 ? 1 : 37)) {
    Result<Document> doc = ParseDocument(ByteSpan(bytes.data(), n));
    ASSERT_FALSE(doc.ok()) << n;
    EXPECT_EQ(doc.error().code, ErrorCode::kMalformed) << n;
  }
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(ParseDocument(longer).error().code, ErrorCode::kMalformed);
}

// A valid template to mutate: a parsed payload, re-encoded with one change.
Payload SamplePayload() {
  Result<Document> doc =
      ParseDocument(testing::ReadSharedFile("vectors/nitro/blocky-2024-prod.bin"));
  CONFIDE_CHECK(doc.ok());
  return doc->payload;
}

Result<Document> ParseWithPayload(ByteSpan payload) {
  return ParseDocument(EncodeCoseSign1(EncodeProtectedHeader(), payload, Bytes(96, 1)));
}

TEST(NitroDocumentTest, ReencodedSampleParses) {
  Payload p = SamplePayload();
  Result<Document> doc = ParseWithPayload(EncodePayload(p));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->payload, p);
}

TEST(NitroDocumentTest, FieldLimitsAndTypes) {
  {
    Payload p = SamplePayload();
    p.pcrs[0] = Bytes(32, 0);
    EXPECT_EQ(ParseWithPayload(EncodePayload(p)).error().code, ErrorCode::kMalformed);
  }
  {
    Payload p = SamplePayload();
    p.pcrs[32] = Bytes(48, 0);  // index beyond 31 (and 33 entries)
    EXPECT_EQ(ParseWithPayload(EncodePayload(p)).error().code, ErrorCode::kMalformed);
  }
  {
    Payload p = SamplePayload();
    p.pcrs.clear();
    EXPECT_EQ(ParseWithPayload(EncodePayload(p)).error().code, ErrorCode::kMalformed);
  }
  {
    Payload p = SamplePayload();
    p.user_data = Bytes(1025, 1);
    EXPECT_EQ(ParseWithPayload(EncodePayload(p)).error().code, ErrorCode::kMalformed);
  }
  {
    Payload p = SamplePayload();
    p.certificate = Bytes(1025, 1);
    EXPECT_EQ(ParseWithPayload(EncodePayload(p)).error().code, ErrorCode::kMalformed);
  }
  {
    Payload p = SamplePayload();
    p.cabundle.resize(9, Bytes(10, 1));
    EXPECT_EQ(ParseWithPayload(EncodePayload(p)).error().code, ErrorCode::kMalformed);
  }
  {
    Payload p = SamplePayload();
    p.module_id = "";
    EXPECT_EQ(ParseWithPayload(EncodePayload(p)).error().code, ErrorCode::kMalformed);
  }
  {
    Payload p = SamplePayload();
    p.digest = "SHA256";
    EXPECT_EQ(ParseWithPayload(EncodePayload(p)).error().code, ErrorCode::kUnsupported);
  }
  {  // optional fields may be null
    Payload p = SamplePayload();
    p.user_data.reset();
    p.nonce.reset();
    p.public_key.reset();
    Result<Document> doc = ParseWithPayload(EncodePayload(p));
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    EXPECT_FALSE(doc->payload.nonce);
  }
}

// Hand-built payload maps for key-level errors.
Bytes MapWith(std::initializer_list<ByteSpan> entries, uint8_t count) {
  ByteWriter w;
  w.WriteU8(static_cast<uint8_t>(0xa0 + count));
  for (ByteSpan e : entries) w.WriteBytes(e);
  return std::move(w).Take();
}

TEST(NitroDocumentTest, MissingDuplicateUnknownAndWrongTypedKeys) {
  const Bytes full = EncodePayload(SamplePayload());
  // The first entry is "module_id": text(9) + text(39).
  ASSERT_EQ(full[0], 0xa9);
  const ByteSpan module_id_entry(full.data() + 1, 1 + 9 + 2 + 39);
  const ByteSpan rest(full.data() + 1 + module_id_entry.size(),
                      full.size() - 1 - module_id_entry.size());
  // Missing module_id.
  Result<Document> d = ParseWithPayload(MapWith({rest}, 8));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("missing module_id"), std::string::npos) << d.error().message;
  // More entries than the nine defined keys, then a duplicate within the count.
  EXPECT_EQ(ParseWithPayload(MapWith({module_id_entry, module_id_entry, rest}, 10)).error().code,
            ErrorCode::kMalformed);
  Bytes dup = MapWith({module_id_entry, module_id_entry}, 2);
  d = ParseWithPayload(dup);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("duplicate"), std::string::npos) << d.error().message;
  // Unknown key.
  const uint8_t unknown[] = {0x63, 'f', 'o', 'o', 0x01};
  d = ParseWithPayload(MapWith({unknown, rest}, 9));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("unknown key"), std::string::npos) << d.error().message;
  // module_id as a byte string instead of text.
  Bytes wrong(module_id_entry.begin(), module_id_entry.end());
  wrong[10] = 0x58;  // text(39) head 0x78 0x27 -> bytes(39) 0x58 0x27
  d = ParseWithPayload(MapWith({wrong, rest}, 9));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("wrong CBOR type"), std::string::npos) << d.error().message;
  // A non-map payload, and a map announcing 2^32 entries.
  const uint8_t array[] = {0x80};
  EXPECT_EQ(ParseWithPayload(array).error().code, ErrorCode::kMalformed);
  const uint8_t huge[] = {0xba, 0xff, 0xff, 0xff, 0xff, 0x00};
  EXPECT_EQ(ParseWithPayload(huge).error().code, ErrorCode::kMalformed);
}

TEST(NitroDocumentTest, ProtectedHeaderAndEnvelope) {
  const Bytes payload = EncodePayload(SamplePayload());
  // ES256 (-7) is unsupported.
  Result<Document> d =
      ParseDocument(EncodeCoseSign1(EncodeProtectedHeader(-7), payload, Bytes(96, 1)));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kUnsupported);
  // Extra protected entries are rejected.
  const uint8_t two[] = {0xa2, 0x01, 0x38, 0x22, 0x04, 0x40};
  EXPECT_EQ(ParseDocument(EncodeCoseSign1(two, payload, Bytes(96, 1))).error().code,
            ErrorCode::kMalformed);
  // Signature of the wrong size.
  EXPECT_EQ(ParseDocument(EncodeCoseSign1(EncodeProtectedHeader(), payload, Bytes(64, 1)))
                .error()
                .code,
            ErrorCode::kMalformed);
  // An unprotected header with a huge nested structure.
  Bytes cose = EncodeCoseSign1(EncodeProtectedHeader(), payload, Bytes(96, 1));
  ASSERT_EQ(cose[6], 0xa0);  // 84 44 a1013822 a0
  Bytes deep(cose.begin(), cose.begin() + 6);
  deep.push_back(0xa1);
  deep.push_back(0x01);
  for (int i = 0; i < 10; ++i) deep.push_back(0x81);
  deep.push_back(0x00);
  deep.insert(deep.end(), cose.begin() + 7, cose.end());
  EXPECT_EQ(ParseDocument(deep).error().code, ErrorCode::kMalformed);
  // Indefinite-length array.
  Bytes indef = cose;
  indef[0] = 0x9f;
  EXPECT_EQ(ParseDocument(indef).error().code, ErrorCode::kMalformed);
  // Oversized input.
  EXPECT_EQ(ParseDocument(Bytes(kMaxDocumentSize + 1, 0)).error().code, ErrorCode::kMalformed);
}

}  // namespace
}  // namespace confide::attest::nitro
