// Throughput of packing and unpacking a 64 MiB model in memory (1 MiB chunks, one core).
// bench/package_vs_openssl.sh compares these and the CLI with `openssl speed -evp aes-256-gcm`.
#include <benchmark/benchmark.h>

#include "confide/crypto/hash.h"
#include "confide/crypto/random.h"
#include "confide/package/reader.h"
#include "confide/package/writer.h"

namespace confide::package {
namespace {

constexpr size_t kModelSize = size_t{64} << 20;

class NullSink final : public ByteSink, public PlaintextSink {
 public:
  Status Write(ByteSpan bytes) override { benchmark::DoNotOptimize(bytes.data()); return OkStatus(); }
  Status Consume(ByteSpan plaintext) override { return Write(plaintext); }
  Status Commit() override { return OkStatus(); }
  void Discard() override {}
};

struct Fixture {
  crypto::PrivateKey owner = *crypto::PrivateKey::Generate(crypto::KeyType::kP256);
  SecretBytes key = GenerateModelKey();
  Bytes model = crypto::RandomBytes(kModelSize);
  Manifest manifest;
  Bytes package;

  Fixture() {
    manifest = Manifest{.name = "bench", .model_version = "1", .payload_size = model.size()};
    manifest.payload_sha256 = crypto::Sha256(model);
    PackageWriter w = *PackageWriter::Create(manifest, owner, key);
    SpanSource src(model);
    BufferSink out;
    CONFIDE_CHECK(w.WriteAll(src, out).ok());
    package = out.bytes();
  }
};

Fixture& Shared() {
  static Fixture* f = new Fixture();
  return *f;
}

// Encryption pass only (the digest is already known): the AEAD path of `confide pack`.
void BM_PackEncryptPass(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    PackageWriter w = *PackageWriter::Create(f.manifest, f.owner, f.key);
    SpanSource src(f.model);
    NullSink sink;
    CONFIDE_CHECK(w.WriteAll(src, sink).ok());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kModelSize));
}
BENCHMARK(BM_PackEncryptPass)->Unit(benchmark::kMillisecond);

// Both passes of `confide pack`: SHA-256 of the plaintext, then encryption.
void BM_PackHashAndEncrypt(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    SpanSource first(f.model);
    PayloadInfo info = *HashPayload(first);
    Manifest m = f.manifest;
    m.payload_sha256 = info.sha256;
    PackageWriter w = *PackageWriter::Create(m, f.owner, f.key);
    SpanSource src(f.model);
    NullSink sink;
    CONFIDE_CHECK(w.WriteAll(src, sink).ok());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kModelSize));
}
BENCHMARK(BM_PackHashAndEncrypt)->Unit(benchmark::kMillisecond);

// `confide unpack` without I/O: authenticate and decrypt every chunk, then check the SHA-256.
void BM_Unpack(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    SpanSource src(f.package);
    PackagePrefix prefix = *ReadPackagePrefix(src);
    NullSink sink;
    CONFIDE_CHECK(DecryptPayload(prefix, f.key, src, sink).ok());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kModelSize));
}
BENCHMARK(BM_Unpack)->Unit(benchmark::kMillisecond);

// The SHA-256 share alone, for reading the two above.
void BM_Sha256Only(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::Sha256(f.model));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kModelSize));
}
BENCHMARK(BM_Sha256Only)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace confide::package

BENCHMARK_MAIN();
