#include "confide/package/format.h"

#include <gtest/gtest.h>

namespace confide::package {
namespace {

Bytes ValidHeader() { return SerializePackageHeader({.manifest_len = 300}); }

TEST(PackageHeader, RoundTrips) {
  Bytes bytes = ValidHeader();
  ASSERT_EQ(bytes.size(), kHeaderSize);
  Result<PackageHeader> h = ParsePackageHeader(bytes);
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_EQ(h->manifest_len, 300u);
  EXPECT_EQ(h->signature_len, kSignatureSize);
  EXPECT_EQ(SerializePackageHeader(*h), bytes);
}

TEST(PackageHeader, RejectsEveryFlippedByteWithItsFieldNamed) {
  struct Case { size_t offset; const char* message; ErrorCode code; };
  const Case cases[] = {
      {0, "bad magic", ErrorCode::kMalformed},       {7, "bad magic", ErrorCode::kMalformed},
      {8, "version", ErrorCode::kUnsupported},        {9, "version", ErrorCode::kUnsupported},
      {10, "reserved flags", ErrorCode::kMalformed},  {11, "reserved flags", ErrorCode::kMalformed},
      {14, "manifest_len", ErrorCode::kMalformed},    {15, "manifest_len", ErrorCode::kMalformed},
      {16, "signature_len", ErrorCode::kMalformed},   {17, "signature_len", ErrorCode::kMalformed},
      {18, "reserved bytes", ErrorCode::kMalformed},  {31, "reserved bytes", ErrorCode::kMalformed},
  };
  for (const Case& c : cases) {
    Bytes bytes = ValidHeader();
    bytes[c.offset] ^= 0xff;
    Result<PackageHeader> h = ParsePackageHeader(bytes);
    ASSERT_FALSE(h.ok()) << "offset " << c.offset;
    EXPECT_EQ(h.error().code, c.code) << "offset " << c.offset;
    EXPECT_NE(h.error().message.find(c.message), std::string::npos)
        << "offset " << c.offset << ": " << h.error().message;
  }
}

TEST(PackageHeader, RejectsZeroAndHugeManifestLength) {
  EXPECT_FALSE(ParsePackageHeader(SerializePackageHeader({.manifest_len = 0})).ok());
  EXPECT_FALSE(ParsePackageHeader(SerializePackageHeader({.manifest_len = kMaxManifestSize + 1})).ok());
  EXPECT_TRUE(ParsePackageHeader(SerializePackageHeader({.manifest_len = kMaxManifestSize})).ok());
}

TEST(PackageHeader, RejectsEveryTruncationAndTrailingBytes) {
  Bytes bytes = ValidHeader();
  for (size_t len = 0; len < kHeaderSize; ++len) {
    EXPECT_FALSE(ParsePackageHeader(ByteSpan(bytes).first(len)).ok()) << len;
  }
  bytes.push_back(0);
  EXPECT_FALSE(ParsePackageHeader(bytes).ok());
}

TEST(ChunkGeometry, CutsPayloadIntoFullChunksAndAShorterFinalOne) {
  ChunkGeometry g{.payload_size = 1000, .chunk_size = 256};
  EXPECT_EQ(g.num_chunks(), 4u);
  EXPECT_EQ(g.PlaintextSize(0), 256u);
  EXPECT_EQ(g.PlaintextSize(3), 1000u - 768u);
  EXPECT_TRUE(g.IsFinal(3));
  EXPECT_FALSE(g.IsFinal(2));
  EXPECT_EQ(g.SealedSize(), 1000u + 4 * 16);
  ChunkGeometry exact{.payload_size = 512, .chunk_size = 256};
  EXPECT_EQ(exact.num_chunks(), 2u);
  EXPECT_EQ(exact.PlaintextSize(1), 256u);
}

TEST(ChunkGeometry, EmptyPayloadIsOneEmptyFinalChunk) {
  ChunkGeometry g{.payload_size = 0, .chunk_size = 256};
  EXPECT_EQ(g.num_chunks(), 1u);
  EXPECT_EQ(g.PlaintextSize(0), 0u);
  EXPECT_TRUE(g.IsFinal(0));
}

TEST(ChunkBinding, NonceAndAadDifferByIndexFinalFlagAndManifest) {
  Bytes d1(32, 1), d2(32, 2);
  EXPECT_NE(ChunkNonce(1, false), ChunkNonce(2, false));
  EXPECT_NE(ChunkNonce(1, false), ChunkNonce(1, true));
  EXPECT_NE(ChunkAad(d1, 1, false), ChunkAad(d2, 1, false));
  EXPECT_NE(ChunkAad(d1, 1, false), ChunkAad(d1, 1, true));
  auto nonce = ChunkNonce(0x0102030405060708, true);
  const uint8_t expected[12] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 1};
  EXPECT_TRUE(Equal(nonce, expected));
  EXPECT_EQ(ChunkAad(d1, 0, false).size(), 14u + 32 + 8 + 1);
}

TEST(ChunkSize, AcceptsOnlyTheDocumentedRange) {
  EXPECT_FALSE(CheckChunkSize(kMinChunkSize - 1).ok());
  EXPECT_TRUE(CheckChunkSize(kMinChunkSize).ok());
  EXPECT_TRUE(CheckChunkSize(kMaxChunkSize).ok());
  EXPECT_FALSE(CheckChunkSize(kMaxChunkSize + 1).ok());
}

}  // namespace
}  // namespace confide::package
