// HPKE single-shot seal + open of 1 KiB in base mode, setup included (one X25519 keygen + two
// X25519 DH + key schedules + one AEAD each way): the cost of one sealed request.
#include <benchmark/benchmark.h>

#include "confide/base/check.h"
#include "confide/crypto/hpke.h"

namespace {

namespace hpke = confide::crypto::hpke;

void BM_HpkeSealOpenBase1KiB(benchmark::State& state, hpke::AeadId aead) {
  const hpke::Suite suite{hpke::KemId::kX25519HkdfSha256, hpke::KdfId::kHkdfSha256, aead};
  auto skR = hpke::GenerateKeyPair(suite.kem);
  CONFIDE_CHECK(skR.ok());
  const confide::crypto::PublicKey pkR = skR->public_key();
  const confide::Bytes info = {'b', 'e', 'n', 'c', 'h'};
  const confide::Bytes plaintext(1024, 0x5a);
  for (auto _ : state) {
    auto sealed = hpke::SealBase(suite, pkR, info, {}, plaintext);
    CONFIDE_CHECK(sealed.ok());
    auto opened = hpke::OpenBase(suite, sealed->enc, *skR, info, {}, sealed->ciphertext);
    CONFIDE_CHECK(opened.ok());
    benchmark::DoNotOptimize(opened->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1024);
}

BENCHMARK_CAPTURE(BM_HpkeSealOpenBase1KiB, x25519_sha256_aes128gcm, hpke::AeadId::kAes128Gcm);
BENCHMARK_CAPTURE(BM_HpkeSealOpenBase1KiB, x25519_sha256_chacha20poly1305,
                  hpke::AeadId::kChaCha20Poly1305);

}  // namespace

BENCHMARK_MAIN();
