// Throughput of the crypto layer's hot paths: AES-256-GCM seal/open at 1 MiB (compare with
// `openssl speed -evp aes-256-gcm` via bench/crypto_vs_openssl.sh) and ECDSA verification as the
// attestation verifiers use it (P-256 for SGX/TDX quotes, P-384 for SEV-SNP reports).
#include <benchmark/benchmark.h>

#include "confide/base/check.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/keys.h"
#include "confide/crypto/random.h"

namespace confide::crypto {
namespace {

constexpr size_t kMessageSize = size_t{1} << 20;

void BM_Aes256GcmSeal(benchmark::State& state) {
  SecretBytes key = RandomSecret(32);
  auto aead = Aead::Create(AeadAlg::kAes256Gcm, key.Expose());
  CONFIDE_CHECK(aead.ok());
  Bytes nonce = RandomBytes(12), pt = RandomBytes(kMessageSize), out(kMessageSize + kAeadTagSize);
  for (auto _ : state) {
    CONFIDE_CHECK(aead->SealInto(nonce, {}, pt, out).ok());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kMessageSize));
}
BENCHMARK(BM_Aes256GcmSeal);

void BM_Aes256GcmOpen(benchmark::State& state) {
  SecretBytes key = RandomSecret(32);
  auto aead = Aead::Create(AeadAlg::kAes256Gcm, key.Expose());
  CONFIDE_CHECK(aead.ok());
  Bytes nonce = RandomBytes(12), pt = RandomBytes(kMessageSize), out(kMessageSize);
  Bytes sealed = *aead->Seal(nonce, {}, pt);
  for (auto _ : state) {
    CONFIDE_CHECK(aead->OpenInto(nonce, {}, sealed, out).ok());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kMessageSize));
}
BENCHMARK(BM_Aes256GcmOpen);

void BM_EcdsaVerify(benchmark::State& state, KeyType type, HashAlg hash) {
  auto key = PrivateKey::Generate(type);
  CONFIDE_CHECK(key.ok());
  PublicKey pub = key->public_key();
  Bytes msg = RandomBytes(1184);  // the size of an SEV-SNP report
  auto sig = EcdsaSign(*key, hash, msg, SigFormat::kRawBigEndian);
  CONFIDE_CHECK(sig.ok());
  for (auto _ : state) {
    CONFIDE_CHECK(EcdsaVerify(pub, hash, msg, *sig, SigFormat::kRawBigEndian));
  }
}
BENCHMARK_CAPTURE(BM_EcdsaVerify, P256, KeyType::kP256, HashAlg::kSha256);
BENCHMARK_CAPTURE(BM_EcdsaVerify, P384, KeyType::kP384, HashAlg::kSha384);

}  // namespace
}  // namespace confide::crypto

BENCHMARK_MAIN();
