// Feeds untrusted bytes to the HPKE recipient (SetupBaseR + Open) of each supported KEM, with a
// fixed recipient key. Input: selector(1) || info (u8-prefixed) || aad (u8-prefixed) || enc ||
// ciphertext, where enc is EncSize(kem) bytes, or u8-prefixed when selector bit 0x80 is set (to
// reach the wrong-size path). Invariants: no crash; a failed setup or open reports only the
// documented codes; a random ciphertext never opens. When selector bit 0x40 is set, the rest of
// the input is also sealed by a real sender and must round-trip.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "confide/base/bytes.h"
#include "confide/base/check.h"
#include "confide/crypto/hpke.h"

namespace hpke = confide::crypto::hpke;
using confide::ByteReader;
using confide::Bytes;
using confide::ByteSpan;
using confide::ErrorCode;
using confide::crypto::PrivateKey;

namespace {

constexpr std::array<hpke::Suite, 5> kSuites = {{
    {hpke::KemId::kX25519HkdfSha256, hpke::KdfId::kHkdfSha256, hpke::AeadId::kAes128Gcm},
    {hpke::KemId::kX25519HkdfSha256, hpke::KdfId::kHkdfSha256, hpke::AeadId::kChaCha20Poly1305},
    {hpke::KemId::kP256HkdfSha256, hpke::KdfId::kHkdfSha256, hpke::AeadId::kAes128Gcm},
    {hpke::KemId::kP521HkdfSha512, hpke::KdfId::kHkdfSha512, hpke::AeadId::kAes256Gcm},
    {hpke::KemId::kX25519HkdfSha256, hpke::KdfId::kHkdfSha384, hpke::AeadId::kExportOnly},
}};

// One fixed recipient key per suite, derived (not generated) so runs are reproducible.
const PrivateKey& RecipientKey(size_t index) {
  static const auto* keys = [] {
    auto* k = new std::array<std::optional<PrivateKey>, kSuites.size()>();
    for (size_t i = 0; i < kSuites.size(); ++i) {
      const Bytes ikm(66, static_cast<uint8_t>(0xa0 + i));
      auto key = hpke::DeriveKeyPair(kSuites[i].kem, ikm);
      CONFIDE_CHECK(key.ok());
      (*k)[i].emplace(std::move(key).value());
    }
    return k;
  }();
  return *(*keys)[index];
}

void CheckRoundTrip(const hpke::Suite& suite, const PrivateKey& skR, ByteSpan info, ByteSpan aad,
                    ByteSpan plaintext) {
  auto setup = hpke::SetupBaseS(suite, skR.public_key(), info);
  CONFIDE_CHECK(setup.ok());
  auto recipient = hpke::SetupBaseR(suite, setup->enc, skR, info);
  CONFIDE_CHECK(recipient.ok());
  if (suite.aead == hpke::AeadId::kExportOnly) {
    auto a = setup->context.Export(aad, 32);
    auto b = recipient->Export(aad, 32);
    CONFIDE_CHECK(a.ok() && b.ok());
    CONFIDE_CHECK(confide::Equal(a->Expose(), b->Expose()));
    return;
  }
  auto ct = setup->context.Seal(aad, plaintext);
  CONFIDE_CHECK(ct.ok());
  auto pt = recipient->Open(aad, *ct);
  CONFIDE_CHECK(pt.ok() && confide::Equal(*pt, plaintext));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteReader r(ByteSpan(data, size));
  uint8_t selector = 0;
  ByteSpan info, aad, enc;
  if (!r.ReadU8(&selector) || !r.ReadPrefixedU8(&info) || !r.ReadPrefixedU8(&aad)) return 0;
  const size_t index = (selector & 0x3f) % kSuites.size();
  const hpke::Suite& suite = kSuites[index];
  const PrivateKey& skR = RecipientKey(index);
  const bool ok_enc =
      (selector & 0x80) != 0 ? r.ReadPrefixedU8(&enc) : r.ReadSpan(hpke::EncSize(suite.kem), &enc);
  if (!ok_enc) return 0;
  const ByteSpan ciphertext = r.rest();

  auto recipient = hpke::SetupBaseR(suite, enc, skR, info);
  if (!recipient.ok()) {
    const ErrorCode code = recipient.error().code;
    CONFIDE_CHECK(code == ErrorCode::kMalformed || code == ErrorCode::kVerificationFailed);
  } else {
    auto pt = recipient->Open(aad, ciphertext);
    // Forging a tag without the sender's shared secret succeeds with probability 2^-128.
    CONFIDE_CHECK(!pt.ok());
    const ErrorCode expected = suite.aead == hpke::AeadId::kExportOnly
                                   ? ErrorCode::kInvalidArgument
                                   : ErrorCode::kVerificationFailed;
    CONFIDE_CHECK(pt.error().code == expected);
    CONFIDE_CHECK(recipient->sequence_number() == 0);
    CONFIDE_CHECK(recipient
                      ->Export(ciphertext.first(std::min<size_t>(ciphertext.size(), 64)),
                               hpke::HashSize(suite.kdf))
                      .ok());
  }
  if ((selector & 0x40) != 0) CheckRoundTrip(suite, skR, info, aad, ciphertext);
  return 0;
}
