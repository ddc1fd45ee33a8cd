#include "confide/package/manifest.h"

#include <gtest/gtest.h>

namespace confide::package {
namespace {

Manifest Example() {
  Manifest m;
  m.name = "mnist8";
  m.model_version = "1.0";
  m.inputs_schema = R"([{"name":"input","shape":[1,1,28,28],"type":"float32"}])";
  m.payload_size = 26454;
  m.payload_sha256.fill(0xab);
  m.chunk_size = 4096;
  m.key_check.fill(0x11);
  m.peak_memory_bytes = 1 << 20;
  m.policy_id = "policy-7";
  m.created = *ParseRfc3339("2025-06-01T12:00:00Z");
  m.signer_key_id.fill(0x22);
  return m;
}

std::string Text(const Manifest& m) { return ToString(SerializeManifest(m)); }

TEST(Manifest, RoundTripsThroughCanonicalJson) {
  Manifest m = Example();
  Bytes bytes = SerializeManifest(m);
  Result<Manifest> parsed = ParseManifest(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, m);
  EXPECT_EQ(SerializeManifest(*parsed), bytes);
}

TEST(Manifest, IsSortedCompactJson) {
  std::string text = Text(Example());
  EXPECT_EQ(text.rfind("{\"aead\":\"AES-256-GCM\",\"chunk_size\":4096,", 0), 0u) << text;
  EXPECT_EQ(text.find(' '), std::string::npos);
  EXPECT_NE(text.find("\"created\":\"2025-06-01T12:00:00Z\""), std::string::npos);
}

TEST(Manifest, RejectsNonCanonicalSpellings) {
  std::string text = Text(Example());
  std::string spaced = text;
  spaced.insert(1, " ");
  EXPECT_NE(ParseManifest(AsBytes(spaced)).error().message.find("canonical"), std::string::npos);
  std::string trailing = text + "\n";
  EXPECT_FALSE(ParseManifest(AsBytes(trailing)).ok());
  std::string dup = text;
  dup.insert(1, "\"aead\":\"AES-256-GCM\",");
  EXPECT_FALSE(ParseManifest(AsBytes(dup)).ok());
}

TEST(Manifest, RejectsUnknownMissingAndMistypedFields) {
  std::string text = Text(Example());
  std::string unknown = text;
  unknown.insert(1, "\"a\":1,");
  EXPECT_NE(ParseManifest(AsBytes(unknown)).error().message.find("unknown field"), std::string::npos);
  std::string missing = text;
  missing.replace(missing.find("\"aead\":\"AES-256-GCM\","), 21, "");
  EXPECT_NE(ParseManifest(AsBytes(missing)).error().message.find("missing field \"aead\""),
            std::string::npos);
  std::string negative = text;
  negative.replace(negative.find("\"payload_size\":26454"), 20, "\"payload_size\":-1");
  EXPECT_NE(ParseManifest(AsBytes(negative)).error().message.find("payload_size"), std::string::npos);
}

TEST(Manifest, RejectsOtherFormatAndAeadAsUnsupported) {
  std::string text = Text(Example());
  std::string other = text;
  other.replace(other.find("\"onnx\""), 6, "\"gguf\"");
  EXPECT_EQ(ParseManifest(AsBytes(other)).error().code, ErrorCode::kUnsupported);
}

TEST(Manifest, RejectsBadDigestsTimesAndChunkSizes) {
  std::string text = Text(Example());
  std::string bad_hex = text;
  bad_hex.replace(bad_hex.find("abab"), 2, "zz");
  EXPECT_NE(ParseManifest(AsBytes(bad_hex)).error().message.find("payload_sha256"), std::string::npos);
  std::string bad_time = text;
  bad_time.replace(bad_time.find("2025-06-01"), 10, "2025-13-01");
  EXPECT_NE(ParseManifest(AsBytes(bad_time)).error().message.find("created"), std::string::npos);
  Manifest m = Example();
  m.chunk_size = 16;
  EXPECT_FALSE(CheckManifest(m).ok());
}

TEST(Manifest, CheckRefusesEmptyNameAndNonCanonicalSchema) {
  Manifest m = Example();
  m.name = "";
  EXPECT_FALSE(CheckManifest(m).ok());
  m = Example();
  m.outputs_schema = "[ ]";
  EXPECT_FALSE(CheckManifest(m).ok());
  EXPECT_EQ(*CanonicalSchema("[ {\"b\":1, \"a\":2} ]"), "[{\"a\":2,\"b\":1}]");
  EXPECT_FALSE(CanonicalSchema("{}").ok());
  EXPECT_FALSE(CanonicalSchema("[").ok());
}

TEST(Manifest, RejectsInvalidUtf8) {
  Manifest m = Example();
  m.name = "bad\xff";
  EXPECT_FALSE(CheckManifest(m).ok());
  std::string text = Text(Example());
  text.replace(text.find("mnist8"), 6, "mnist\xc3");
  EXPECT_FALSE(ParseManifest(AsBytes(text)).ok());
}

}  // namespace
}  // namespace confide::package
