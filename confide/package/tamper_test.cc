// The acceptance table of issue 5: every modification of a package is rejected with its own
// clear error, and no plaintext of a bad chunk ever reaches the sink (nor survives on disk).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "confide/crypto/hash.h"
#include "confide/crypto/random.h"
#include "confide/package/testing/test_package.h"

namespace confide::package {
namespace {

using testing::NewOwner;
using testing::PackBytes;
using testing::TestNow;
using testing::TestOwner;
using testing::UnpackBytes;

constexpr uint32_t kChunk = 1024;
constexpr size_t kPayloadSize = 4 * kChunk + 904;  // 5 chunks, the last one short
constexpr size_t kNumChunks = 5;

// Records what it is given; Consume copies, so tests can check each chunk was authentic.
class RecordingSink final : public PlaintextSink {
 public:
  Status Consume(ByteSpan plaintext) override {
    chunks.emplace_back(plaintext.begin(), plaintext.end());
    return OkStatus();
  }
  Status Commit() override { committed = true; return OkStatus(); }
  void Discard() override { discarded = true; }
  std::vector<Bytes> chunks;
  bool committed = false;
  bool discarded = false;
};

size_t PrefixSize(const Bytes& package) {
  PackageHeader h = *ParsePackageHeader(ByteSpan(package).first(kHeaderSize));
  return kHeaderSize + h.manifest_len + kSignatureSize;
}
size_t ChunkOffset(const Bytes& package, size_t index) {
  return PrefixSize(package) + index * (kChunk + kChunkTagSize);
}
size_t ChunkSealedSize(size_t index) {
  return (index + 1 == kNumChunks ? kPayloadSize - (kNumChunks - 1) * kChunk : kChunk) + kChunkTagSize;
}

struct Case {
  std::string name;
  Bytes package;
  ErrorCode code;
  std::string message;  // a substring of the error message
  const TrustList* trust = nullptr;
  const SecretBytes* key = nullptr;
  Time now = TestNow();
};

// Checks one case: rejected with the expected code and message; the sink was never committed,
// was discarded if it saw anything, and every chunk it saw is authentic plaintext.
void ExpectRejected(const Case& c, const Bytes& payload) {
  RecordingSink sink;
  Status s = UnpackBytes(c.package, *c.trust, *c.key, sink, c.now);
  ASSERT_FALSE(s.ok()) << c.name;
  EXPECT_EQ(s.error().code, c.code) << c.name << ": " << s.error().ToString();
  EXPECT_NE(s.error().message.find(c.message), std::string::npos)
      << c.name << ": got \"" << s.error().message << "\", want \"" << c.message << "\"";
  EXPECT_FALSE(sink.committed) << c.name;
  if (!sink.chunks.empty()) {
    EXPECT_TRUE(sink.discarded) << c.name;
  }
  for (size_t i = 0; i < sink.chunks.size(); ++i) {
    ByteSpan original = ByteSpan(payload).subspan(i * kChunk, sink.chunks[i].size());
    EXPECT_TRUE(Equal(sink.chunks[i], original)) << c.name << ": chunk " << i << " not authentic";
  }
}

Bytes Flip(Bytes b, size_t offset, uint8_t mask = 0x01) {
  b[offset] ^= mask;
  return b;
}

class TamperTest : public ::testing::Test {
 protected:
  TestOwner owner_ = NewOwner();
  SecretBytes key_ = GenerateModelKey();
  Bytes payload_ = crypto::RandomBytes(kPayloadSize);
  Bytes package_ = PackBytes(payload_, owner_.key, key_, kChunk);

  Case Make(std::string name, Bytes package, ErrorCode code, std::string message) {
    return Case{std::move(name), std::move(package), code, std::move(message), &owner_.trust, &key_};
  }
  void Run(const std::vector<Case>& cases) {
    for (const Case& c : cases) ExpectRejected(c, payload_);
  }
};

TEST_F(TamperTest, IntactPackageRoundTrips) {
  RecordingSink sink;
  ASSERT_TRUE(UnpackBytes(package_, owner_.trust, key_, sink).ok());
  EXPECT_TRUE(sink.committed);
  EXPECT_EQ(sink.chunks.size(), kNumChunks);
  EXPECT_EQ(package_.size(), PrefixSize(package_) + kPayloadSize + kNumChunks * kChunkTagSize);
}

TEST_F(TamperTest, RejectsAFlipInEachHeaderField) {
  const ErrorCode kM = ErrorCode::kMalformed;
  Run({Make("magic", Flip(package_, 0), kM, "bad magic"),
       Make("magic end", Flip(package_, 7), kM, "bad magic"),
       Make("version", Flip(package_, 8), ErrorCode::kUnsupported, "version"),
       Make("reserved flags", Flip(package_, 10), kM, "reserved flags"),
       Make("manifest_len low", Flip(package_, 12), kM, "manifest"),
       Make("manifest_len high", Flip(package_, 15), kM, "manifest_len"),
       Make("signature_len", Flip(package_, 16), kM, "signature_len"),
       Make("reserved bytes", Flip(package_, 18), kM, "reserved bytes"),
       Make("reserved end", Flip(package_, 31), kM, "reserved bytes")});
}

TEST_F(TamperTest, RejectsAFlipInEveryManifestByte) {
  size_t begin = kHeaderSize;
  size_t end = PrefixSize(package_) - kSignatureSize;
  for (size_t offset = begin; offset < end; ++offset) {
    RecordingSink sink;
    Status s = UnpackBytes(Flip(package_, offset), owner_.trust, key_, sink);
    ASSERT_FALSE(s.ok()) << offset;
    // A flip breaks the canonical JSON, or changes a signed value, or (in signer_key_id) names a
    // signer nobody trusts.
    const std::string& msg = s.error().message;
    bool clear = msg.rfind("manifest:", 0) == 0 || msg.rfind("bad signature", 0) == 0 ||
                 msg.rfind("unknown signer", 0) == 0;
    EXPECT_TRUE(clear) << "offset " << offset << ": " << s.error().ToString();
    EXPECT_TRUE(sink.chunks.empty());
  }
}

TEST_F(TamperTest, RejectsAFlipInEverySignatureByte) {
  size_t begin = PrefixSize(package_) - kSignatureSize;
  std::vector<Case> cases;
  for (size_t i = 0; i < kSignatureSize; ++i) {
    cases.push_back(Make("signature byte " + std::to_string(i), Flip(package_, begin + i),
                         ErrorCode::kVerificationFailed, "bad signature"));
  }
  Run(cases);
}

TEST_F(TamperTest, RejectsAFlipInEachChunksCiphertextAndTag) {
  std::vector<Case> cases;
  for (size_t i = 0; i < kNumChunks; ++i) {
    size_t at = ChunkOffset(package_, i), size = ChunkSealedSize(i);
    std::string want = "chunk " + std::to_string(i) + " of 5: authentication failed";
    const ErrorCode kV = ErrorCode::kVerificationFailed;
    cases.push_back(Make("chunk " + std::to_string(i) + " first byte", Flip(package_, at), kV, want));
    cases.push_back(Make("chunk " + std::to_string(i) + " last ciphertext byte",
                         Flip(package_, at + size - kChunkTagSize - 1), kV, want));
    cases.push_back(Make("chunk " + std::to_string(i) + " tag first byte",
                         Flip(package_, at + size - kChunkTagSize), kV, want));
    cases.push_back(Make("chunk " + std::to_string(i) + " tag last byte",
                         Flip(package_, at + size - 1), kV, want));
  }
  Run(cases);
}

TEST_F(TamperTest, RejectsTruncationAtEveryChunkBoundaryAndInside) {
  std::vector<Case> cases;
  for (size_t i = 0; i < kNumChunks; ++i) {
    Bytes cut(package_.begin(), package_.begin() + static_cast<ptrdiff_t>(ChunkOffset(package_, i)));
    cases.push_back(Make("cut before chunk " + std::to_string(i), cut, ErrorCode::kMalformed,
                         "truncated after chunk " + std::to_string(i) + " of 5"));
    Bytes inside(package_.begin(),
                 package_.begin() + static_cast<ptrdiff_t>(ChunkOffset(package_, i) + 100));
    cases.push_back(Make("cut inside chunk " + std::to_string(i), inside, ErrorCode::kMalformed,
                         "truncated inside chunk " + std::to_string(i)));
  }
  Bytes header_only(package_.begin(), package_.begin() + 20);
  cases.push_back(Make("cut in header", header_only, ErrorCode::kMalformed, "truncated in the header"));
  Bytes trailing = package_;
  trailing.push_back(0);
  cases.push_back(Make("trailing byte", trailing, ErrorCode::kMalformed, "trailing bytes"));
  Run(cases);
}

TEST_F(TamperTest, RejectsSwappedChunksAndAChunkSplicedFromAnotherPackageUnderTheSameKey) {
  Bytes swapped = package_;
  size_t a = ChunkOffset(package_, 1), b = ChunkOffset(package_, 2), len = kChunk + kChunkTagSize;
  std::swap_ranges(swapped.begin() + static_cast<ptrdiff_t>(a),
                   swapped.begin() + static_cast<ptrdiff_t>(a + len),
                   swapped.begin() + static_cast<ptrdiff_t>(b));
  Bytes other_payload = crypto::RandomBytes(kPayloadSize);
  Bytes other = PackBytes(other_payload, owner_.key, key_, kChunk, "another-model");
  Bytes spliced = package_;
  std::copy_n(other.begin() + static_cast<ptrdiff_t>(ChunkOffset(other, 2)), len,
              spliced.begin() + static_cast<ptrdiff_t>(b));
  // The other package's final chunk in place of ours (same length, same index, same final flag).
  Bytes spliced_final = package_;
  size_t f = ChunkOffset(package_, 4);
  std::copy_n(other.begin() + static_cast<ptrdiff_t>(ChunkOffset(other, 4)), ChunkSealedSize(4),
              spliced_final.begin() + static_cast<ptrdiff_t>(f));
  const ErrorCode kV = ErrorCode::kVerificationFailed;
  Run({Make("swap chunks 1 and 2", swapped, kV, "chunk 1 of 5: authentication failed"),
       Make("splice chunk 2", spliced, kV, "chunk 2 of 5: authentication failed"),
       Make("splice final chunk", spliced_final, kV, "chunk 4 of 5: authentication failed")});
}

TEST_F(TamperTest, RejectsWrongKeyUnknownRevokedAndExpiredSigners) {
  SecretBytes wrong = GenerateModelKey();
  TrustList unknown = NewOwner().trust;
  TrustList revoked, expired;
  revoked.Add({.name = "revoked-owner", .key = owner_.key.public_key(), .revoked = true});
  expired.Add({.name = "old-owner", .key = owner_.key.public_key(),
               .not_after = TestNow() - std::chrono::hours(24)});
  const ErrorCode kV = ErrorCode::kVerificationFailed;
  Case wrong_key = Make("wrong key", package_, kV, "wrong model key");
  wrong_key.key = &wrong;
  Case unknown_signer = Make("unknown signer", package_, kV, "unknown signer");
  unknown_signer.trust = &unknown;
  Case revoked_signer = Make("revoked signer", package_, kV, "signer revoked");
  revoked_signer.trust = &revoked;
  Case expired_signer = Make("expired signer", package_, kV, "signer expired");
  expired_signer.trust = &expired;
  Run({wrong_key, unknown_signer, revoked_signer, expired_signer});
}

TEST_F(TamperTest, FailedUnpackLeavesNoOutputFile) {
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("tamper_out_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string out = (dir / "model.onnx").string();
  Bytes bad = Flip(package_, ChunkOffset(package_, 3));  // chunks 0..2 are good and get written
  {
    Result<AtomicFileSink> sink = AtomicFileSink::Create(out, 0600);
    ASSERT_TRUE(sink.ok());
    EXPECT_FALSE(UnpackBytes(bad, owner_.trust, key_, *sink).ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "plaintext left in " << dir;
  Result<AtomicFileSink> sink = AtomicFileSink::Create(out, 0600);
  ASSERT_TRUE(UnpackBytes(package_, owner_.trust, key_, *sink).ok());
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_EQ(std::filesystem::file_size(out), kPayloadSize);
}

}  // namespace
}  // namespace confide::package
