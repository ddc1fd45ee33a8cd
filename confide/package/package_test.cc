// Acceptance, issue 5: for every model in ../shared/models, pack -> verify -> unpack through files
// gives identical bytes, and the manifest describes the model.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "confide/base/file.h"
#include "confide/base/testing/shared_data.h"
#include "confide/crypto/hash.h"
#include "confide/package/model_key.h"
#include "confide/package/testing/test_package.h"

namespace confide::package {
namespace {

namespace fs = std::filesystem;
using testing::NewOwner;
using testing::TestNow;
using testing::TestOwner;

std::vector<fs::path> Models() {
  std::vector<fs::path> models;
  for (const auto& entry : fs::directory_iterator(confide::testing::SharedPath("models"))) {
    if (entry.path().extension() == ".onnx") models.push_back(entry.path());
  }
  std::sort(models.begin(), models.end());
  return models;
}

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / (name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Packs `model` file to file, as `confide pack` does: hash pass, then encrypt pass.
Status PackFile(const fs::path& model, const fs::path& out, const crypto::PrivateKey& owner,
                const SecretBytes& key, uint32_t chunk_size) {
  CONFIDE_ASSIGN_OR_RETURN(FileSource first, FileSource::Open(model.string()));
  CONFIDE_ASSIGN_OR_RETURN(PayloadInfo info, HashPayload(first));
  Manifest m{.name = model.stem().string(), .model_version = "1", .chunk_size = chunk_size};
  m.payload_size = info.size;
  m.payload_sha256 = info.sha256;
  m.created = TestNow();
  CONFIDE_ASSIGN_OR_RETURN(PackageWriter writer, PackageWriter::Create(m, owner, key));
  CONFIDE_ASSIGN_OR_RETURN(FileSource second, FileSource::Open(model.string()));
  CONFIDE_ASSIGN_OR_RETURN(AtomicFileSink sink, AtomicFileSink::Create(out.string(), 0644));
  CONFIDE_TRY(writer.WriteAll(second, sink));
  return sink.Commit();
}

TEST(PackageRoundTrip, EverySharedModelPacksVerifiesAndUnpacksToIdenticalBytes) {
  TestOwner owner = NewOwner();
  fs::path dir = TempDir("package_roundtrip");
  std::vector<fs::path> models = Models();
  ASSERT_FALSE(models.empty());
  for (const fs::path& model : models) {
    SCOPED_TRACE(model.filename().string());
    Bytes original = confide::testing::ReadSharedFile("models/" + model.filename().string());
    for (uint32_t chunk_size : {4096u, kDefaultChunkSize}) {
      SecretBytes key = GenerateModelKey();
      fs::path pkg = dir / (model.stem().string() + ".cfpkg");
      ASSERT_TRUE(PackFile(model, pkg, owner.key, key, chunk_size).ok());
      // verify: structure + signature + payload length, no key.
      FileSource in = *FileSource::Open(pkg.string());
      Result<PackagePrefix> prefix = ReadPackagePrefix(in);
      ASSERT_TRUE(prefix.ok()) << prefix.error().ToString();
      ASSERT_TRUE(VerifyPackageSignature(*prefix, owner.trust, TestNow()).ok());
      ASSERT_TRUE(CheckPayloadLength(*prefix, in).ok());
      // inspect: the manifest describes the model.
      const Manifest& m = prefix->manifest;
      EXPECT_EQ(m.name, model.stem().string());
      EXPECT_EQ(m.payload_size, original.size());
      EXPECT_EQ(m.payload_sha256, crypto::Sha256(original));
      EXPECT_EQ(m.signer_key_id, SignerKeyId(owner.key.public_key()));
      EXPECT_EQ(m.chunk_size, chunk_size);
      // unpack through the key file format.
      Result<SecretBytes> reread = ParseModelKey(SerializeModelKey(key).Expose());
      ASSERT_TRUE(reread.ok());
      fs::path out = dir / model.filename();
      FileSource again = *FileSource::Open(pkg.string());
      PackageReader reader = *PackageReader::Open(again, owner.trust, TestNow());
      AtomicFileSink sink = *AtomicFileSink::Create(out.string(), 0600);
      Status s = reader.Decrypt(*reread, again, sink);
      ASSERT_TRUE(s.ok()) << s.error().ToString();
      EXPECT_EQ(*ReadFile(out.string()), original);
      EXPECT_EQ(fs::status(out).permissions() & fs::perms::all,
                fs::perms::owner_read | fs::perms::owner_write);
    }
  }
}

TEST(PackageRoundTrip, EmptyAndChunkAlignedPayloadsRoundTrip) {
  TestOwner owner = NewOwner();
  for (size_t size : {size_t{0}, size_t{1}, size_t{256}, size_t{512}, size_t{513}}) {
    Bytes payload(size, 0x5a);
    SecretBytes key = GenerateModelKey();
    Bytes pkg = testing::PackBytes(payload, owner.key, key, 256);
    BufferSink sink;
    Status s = testing::UnpackBytes(pkg, owner.trust, key, sink);
    ASSERT_TRUE(s.ok()) << size << ": " << s.error().ToString();
    EXPECT_TRUE(sink.committed());
    EXPECT_EQ(sink.bytes(), payload);
  }
}

TEST(PackageWriter, RefusesPayloadThatChangedSinceItWasHashed) {
  TestOwner owner = NewOwner();
  SecretBytes key = GenerateModelKey();
  Manifest m{.name = "m", .model_version = "1", .payload_size = 1000, .chunk_size = 256};
  m.created = TestNow();
  PackageWriter writer = *PackageWriter::Create(m, owner.key, key);
  Bytes shorter(999), longer(1001);
  BufferSink out1, out2;
  SpanSource s1(shorter), s2(longer);
  EXPECT_NE(writer.WriteAll(s1, out1).error().message.find("shorter"), std::string::npos);
  PackageWriter writer2 = *PackageWriter::Create(m, owner.key, key);
  EXPECT_NE(writer2.WriteAll(s2, out2).error().message.find("longer"), std::string::npos);
}

TEST(ModelKeyFile, RoundTripsAndRejectsMalformedFiles) {
  SecretBytes key = GenerateModelKey();
  SecretBytes file = SerializeModelKey(key);
  ASSERT_EQ(file.size(), kModelKeyFileSize);
  EXPECT_TRUE(Equal(ParseModelKey(file.Expose())->Expose(), key.Expose()));
  Bytes bytes(file.Expose().begin(), file.Expose().end());
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(ParseModelKey(ByteSpan(bytes).first(len)).ok()) << len;
  }
  for (size_t offset : {0, 8, 10, 12, 15}) {
    Bytes bad = bytes;
    bad[offset] ^= 1;
    EXPECT_FALSE(ParseModelKey(bad).ok()) << offset;
  }
  bytes.push_back(0);
  EXPECT_FALSE(ParseModelKey(bytes).ok());
}

TEST(SealedModelKey, OnlyTheBrokerOpensItAndOnlyForItsPackage) {
  crypto::PrivateKey broker = *crypto::PrivateKey::Generate(crypto::KeyType::kX25519);
  crypto::PrivateKey other = *crypto::PrivateKey::Generate(crypto::KeyType::kX25519);
  SecretBytes key = GenerateModelKey();
  Digest digest;
  digest.fill(7);
  Result<SealedModelKey> sealed = SealModelKey(key, broker.public_key(), digest);
  ASSERT_TRUE(sealed.ok()) << sealed.error().ToString();
  Bytes file = SerializeSealedModelKey(*sealed);
  ASSERT_EQ(file.size(), kSealedKeyFileSize);
  Result<SealedModelKey> parsed = ParseSealedModelKey(file);
  ASSERT_TRUE(parsed.ok());
  Result<SecretBytes> opened = OpenSealedModelKey(*parsed, broker);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_TRUE(Equal(opened->Expose(), key.Expose()));
  EXPECT_EQ(OpenSealedModelKey(*parsed, other).error().code, ErrorCode::kVerificationFailed);
  parsed->manifest_digest[0] ^= 1;
  EXPECT_EQ(OpenSealedModelKey(*parsed, broker).error().code, ErrorCode::kVerificationFailed);
  EXPECT_EQ(SealModelKey(key, other.public_key(), digest).ok(), true);
  crypto::PrivateKey p256 = *crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  EXPECT_EQ(SealModelKey(key, p256.public_key(), digest).error().code, ErrorCode::kInvalidArgument);
  file.push_back(0);
  EXPECT_FALSE(ParseSealedModelKey(file).ok());
}

// The in-memory paths `confide pack` uses (a mapped model): the digest is the file's SHA-256 and
// the sealed chunks are exactly those of the streaming path (same key and manifest).
TEST(PackFromMemory, MappedFileHashAndChunksEqualTheStreamingPath) {
  TestOwner owner = NewOwner();
  SecretBytes key = GenerateModelKey();
  fs::path dir = TempDir("pack_from_memory");
  fs::path model = confide::testing::SharedPath("models/mnist8.onnx");
  Bytes original = confide::testing::ReadSharedFile("models/mnist8.onnx");
  Result<MappedFile> mapped = MappedFile::Open(model.string());
  ASSERT_TRUE(mapped.ok()) << mapped.error().ToString();
  ASSERT_EQ(Bytes(mapped->bytes().begin(), mapped->bytes().end()), original);
  PayloadInfo info = HashPayload(mapped->bytes());
  EXPECT_EQ(info.size, original.size());
  EXPECT_EQ(info.sha256, crypto::Sha256(original));

  Manifest m{.name = "mnist8", .model_version = "1", .payload_size = info.size,
             .payload_sha256 = info.sha256, .chunk_size = 4096};
  m.created = TestNow();
  PackageWriter a = *PackageWriter::Create(m, owner.key, key);
  PackageWriter b = *PackageWriter::Create(m, owner.key, key);
  BufferSink from_span, from_source;
  ASSERT_TRUE(a.WriteAll(mapped->bytes(), from_span).ok());
  SpanSource source(original);
  ASSERT_TRUE(b.WriteAll(source, from_source).ok());
  // The prefixes differ only in their (randomized) ECDSA signatures; the chunks are identical.
  size_t prefix = a.prefix().size();
  ASSERT_EQ(from_span.bytes().size(), from_source.bytes().size());
  EXPECT_TRUE(std::equal(from_span.bytes().begin() + prefix, from_span.bytes().end(),
                         from_source.bytes().begin() + prefix));
  EXPECT_EQ(from_span.bytes().size(), prefix + m.geometry().SealedSize());

  // A payload of another size than the manifest's is refused before anything is written.
  PackageWriter c = *PackageWriter::Create(m, owner.key, key);
  BufferSink refused;
  Status s = c.WriteAll(ByteSpan(original).first(original.size() - 1), refused);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(refused.bytes().empty());

  EXPECT_EQ(MappedFile::Open((dir / "missing").string()).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(MappedFile::Open(dir.string()).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(WriteFile((dir / "empty").string(), Bytes{}, 0600).ok());
  Result<MappedFile> empty = MappedFile::Open((dir / "empty").string());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->bytes().empty());
  EXPECT_EQ(HashPayload(empty->bytes()).sha256, HashPayload(ByteSpan()).sha256);
}

}  // namespace
}  // namespace confide::package
