// HPKE suites, labeled HKDF and the DHKEMs (RFC 9180 §§4, 4.1, 7.1). Built only on the public
// crypto primitives: keys.h for (de)serialization, ecdh.h for DH, hmac.h for HKDF.
#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "confide/base/bytes.h"
#include "confide/base/check.h"
#include "confide/crypto/ecdh.h"
#include "confide/crypto/hmac.h"
#include "confide/crypto/hpke.h"
#include "confide/crypto/internal/hpke_internal.h"

namespace confide::crypto::hpke {
namespace {

constexpr std::string_view kHpkeVersion = "HPKE-v1";  // RFC 9180 §4

// A Suite value outside the enums reached a size query: a caller skipped CheckSuite (a bug).
[[noreturn]] void Unlisted(const char* what) {
  ::confide::internal::CheckFailed(__FILE__, __LINE__, what);
}

bool IsListed(KemId kem) {
  return kem == KemId::kP256HkdfSha256 || kem == KemId::kP521HkdfSha512 ||
         kem == KemId::kX25519HkdfSha256;
}
bool IsListed(KdfId kdf) {
  return kdf == KdfId::kHkdfSha256 || kdf == KdfId::kHkdfSha384 || kdf == KdfId::kHkdfSha512;
}
bool IsListed(AeadId aead) {
  return aead == AeadId::kAes128Gcm || aead == AeadId::kAes256Gcm ||
         aead == AeadId::kChaCha20Poly1305 || aead == AeadId::kExportOnly;
}

// Nsecret, RFC 9180 Table 2.
size_t SharedSecretSize(KemId kem) { return kem == KemId::kP521HkdfSha512 ? 64 : 32; }

// The group orders n (SEC 2 §2.4.2 secp256r1, §2.6.1 secp521r1), big-endian, Nsk bytes.
constexpr std::array<uint8_t, 32> kP256Order = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
constexpr std::array<uint8_t, 66> kP521Order = {
    0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xfa, 0x51, 0x86, 0x87, 0x83, 0xbf, 0x2f, 0x96, 0x6b,
    0x7f, 0xcc, 0x01, 0x48, 0xf7, 0x09, 0xa5, 0xd0, 0x3b, 0xb5, 0xc9, 0xb8, 0x89, 0x9c,
    0x47, 0xae, 0xbb, 0x6f, 0xb7, 0x1e, 0x91, 0x38, 0x64, 0x09};

// True iff 0 < x < n for big-endian x and n of equal size. The candidate is secret, so the time
// depends only on the size: subtract n across all bytes and look at the final borrow.
bool ScalarInRange(ByteSpan x, ByteSpan n) {
  CONFIDE_CHECK(x.size() == n.size());
  unsigned borrow = 0;
  unsigned any_bit = 0;
  for (size_t i = x.size(); i-- > 0;) {
    unsigned diff = unsigned{x[i]} - unsigned{n[i]} - borrow;
    borrow = (diff >> 8) & 1u;
    any_bit |= x[i];
  }
  return (borrow & static_cast<unsigned>(any_bit != 0)) != 0;
}

void AppendU16Be(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

Status CheckKeyType(KemId kem, KeyType type, std::string_view what) {
  if (type != KemKeyType(kem)) {
    return InvalidArgumentError("hpke: " + std::string(what) + " is " + KeyTypeName(type) +
                                ", the KEM needs " + KeyTypeName(KemKeyType(kem)));
  }
  return OkStatus();
}

// SerializePublicKey, RFC 9180 §7.1.1.
Result<Bytes> SerializePublicKey(const PublicKey& pk) { return pk.ToRaw(); }

// DeserializePublicKey, RFC 9180 §7.1.1 with the validation of §7.1.4 (on-curve check by
// PublicKey::FromRaw). Untrusted input: every failure is kMalformed.
Result<PublicKey> DeserializePublicKey(KemId kem, ByteSpan pkm) {
  if (pkm.size() != PublicKeySize(kem)) {
    return MalformedError("hpke: encapsulated key is " + std::to_string(pkm.size()) +
                          " bytes, expected " + std::to_string(PublicKeySize(kem)));
  }
  if (kem != KemId::kX25519HkdfSha256) {
    // §7.1.1: uncompressed SEC1 only; refuse the hybrid forms 0x06/0x07 of the same length.
    ByteReader r(pkm);
    uint8_t form = 0;
    if (!r.PeekU8(&form) || form != 0x04) {
      return MalformedError("hpke: encapsulated key is not an uncompressed point");
    }
  }
  Result<PublicKey> pk = PublicKey::FromRaw(KemKeyType(kem), pkm);
  if (!pk.ok()) return MalformedError("hpke: encapsulated key is not a valid public key");
  return pk;
}

// ExtractAndExpand(dh, kem_context), RFC 9180 §4.1.
Result<SecretBytes> ExtractAndExpand(KemId kem, ByteSpan dh, ByteSpan kem_context) {
  const Bytes suite_id = internal::KemSuiteId(kem);
  SecretBytes eae_prk =
      internal::LabeledExtract(internal::KemHash(kem), suite_id, {}, "eae_prk", dh);
  return internal::LabeledExpand(internal::KemHash(kem), suite_id, eae_prk.Expose(),
                                 "shared_secret", kem_context, SharedSecretSize(kem));
}

// dh1 || dh2 (dh2 absent when `second` is empty) in SecretBytes.
SecretBytes ConcatSecrets(const SecretBytes& first, const SecretBytes& second) {
  SecretBytes out(first.size() + second.size());
  std::ranges::copy(first.Expose(), out.MutableExpose().begin());
  std::ranges::copy(second.Expose(), out.MutableExpose().begin() + first.size());
  return out;
}

}  // namespace

Result<Suite> SuiteFromIds(uint16_t kem_id, uint16_t kdf_id, uint16_t aead_id) {
  Suite suite{static_cast<KemId>(kem_id), static_cast<KdfId>(kdf_id), static_cast<AeadId>(aead_id)};
  CONFIDE_TRY(internal::CheckSuite(suite));
  return suite;
}

size_t EncSize(KemId kem) { return PublicKeySize(kem); }

size_t PublicKeySize(KemId kem) {
  switch (kem) {
    case KemId::kP256HkdfSha256:
      return 65;
    case KemId::kP521HkdfSha512:
      return 133;
    case KemId::kX25519HkdfSha256:
      return 32;
  }
  Unlisted("KEM");
}

size_t PrivateKeySize(KemId kem) {
  switch (kem) {
    case KemId::kP256HkdfSha256:
      return 32;
    case KemId::kP521HkdfSha512:
      return 66;
    case KemId::kX25519HkdfSha256:
      return 32;
  }
  Unlisted("KEM");
}

size_t HashSize(KdfId kdf) { return DigestSize(internal::KdfHash(kdf)); }

size_t AeadKeySize(AeadId aead) {
  switch (aead) {
    case AeadId::kAes128Gcm:
      return 16;
    case AeadId::kAes256Gcm:
      return 32;
    case AeadId::kChaCha20Poly1305:
      return 32;
    case AeadId::kExportOnly:
      return 0;
  }
  Unlisted("AEAD");
}

size_t AeadNonceSize(AeadId aead) {
  CONFIDE_CHECK(IsListed(aead));
  return aead == AeadId::kExportOnly ? 0 : 12;
}

size_t AeadTagSize(AeadId aead) {
  CONFIDE_CHECK(IsListed(aead));
  return aead == AeadId::kExportOnly ? 0 : 16;
}

KeyType KemKeyType(KemId kem) {
  switch (kem) {
    case KemId::kP256HkdfSha256:
      return KeyType::kP256;
    case KemId::kP521HkdfSha512:
      return KeyType::kP521;
    case KemId::kX25519HkdfSha256:
      return KeyType::kX25519;
  }
  Unlisted("KEM");
}

Result<PrivateKey> GenerateKeyPair(KemId kem) {
  if (!IsListed(kem)) return UnsupportedError("hpke: unsupported KEM");
  return PrivateKey::Generate(KemKeyType(kem));
}

Result<PrivateKey> DeriveKeyPair(KemId kem, ByteSpan ikm) {
  if (!IsListed(kem)) return UnsupportedError("hpke: unsupported KEM");
  const size_t nsk = PrivateKeySize(kem);
  if (ikm.size() < nsk) {
    return InvalidArgumentError("hpke: DeriveKeyPair ikm is " + std::to_string(ikm.size()) +
                                " bytes, needs at least " + std::to_string(nsk));
  }
  const HashAlg alg = internal::KemHash(kem);
  const Bytes suite_id = internal::KemSuiteId(kem);
  SecretBytes dkp_prk = internal::LabeledExtract(alg, suite_id, {}, "dkp_prk", ikm);
  if (kem == KemId::kX25519HkdfSha256) {
    // RFC 9180 §7.1.3: sk = LabeledExpand(dkp_prk, "sk", "", Nsk); X25519 clamps when used.
    CONFIDE_ASSIGN_OR_RETURN(
        SecretBytes sk, internal::LabeledExpand(alg, suite_id, dkp_prk.Expose(), "sk", {}, nsk));
    return PrivateKey::FromRaw(KeyType::kX25519, sk.Expose());
  }
  // RFC 9180 §7.1.3: rejection sampling over counter 0..255, first byte masked to the order's
  // bit length (0xff for P-256, 0x01 for P-521).
  const uint8_t bitmask = kem == KemId::kP256HkdfSha256 ? 0xff : 0x01;
  const ByteSpan order =
      kem == KemId::kP256HkdfSha256 ? ByteSpan(kP256Order) : ByteSpan(kP521Order);
  for (unsigned counter = 0; counter <= 255; ++counter) {
    const uint8_t counter_byte = static_cast<uint8_t>(counter);
    CONFIDE_ASSIGN_OR_RETURN(SecretBytes candidate,
                             internal::LabeledExpand(alg, suite_id, dkp_prk.Expose(), "candidate",
                                                     ByteSpan(&counter_byte, 1), nsk));
    candidate.MutableExpose()[0] &= bitmask;
    if (ScalarInRange(candidate.Expose(), order)) {
      return PrivateKey::FromRaw(KemKeyType(kem), candidate.Expose());
    }
  }
  return InvalidArgumentError("hpke: DeriveKeyPair found no valid scalar (DeriveKeyPairError)");
}

namespace internal {

Status CheckSuite(const Suite& suite) {
  if (!IsListed(suite.kem)) return UnsupportedError("hpke: unsupported KEM id");
  if (!IsListed(suite.kdf)) return UnsupportedError("hpke: unsupported KDF id");
  if (!IsListed(suite.aead)) return UnsupportedError("hpke: unsupported AEAD id");
  return OkStatus();
}

HashAlg KemHash(KemId kem) {
  return kem == KemId::kP521HkdfSha512 ? HashAlg::kSha512 : HashAlg::kSha256;
}

HashAlg KdfHash(KdfId kdf) {
  switch (kdf) {
    case KdfId::kHkdfSha256:
      return HashAlg::kSha256;
    case KdfId::kHkdfSha384:
      return HashAlg::kSha384;
    case KdfId::kHkdfSha512:
      return HashAlg::kSha512;
  }
  Unlisted("KDF");
}

Bytes KemSuiteId(KemId kem) {
  Bytes id = {'K', 'E', 'M'};
  AppendU16Be(id, static_cast<uint16_t>(kem));
  return id;
}

Bytes HpkeSuiteId(const Suite& suite) {
  Bytes id = {'H', 'P', 'K', 'E'};
  AppendU16Be(id, static_cast<uint16_t>(suite.kem));
  AppendU16Be(id, static_cast<uint16_t>(suite.kdf));
  AppendU16Be(id, static_cast<uint16_t>(suite.aead));
  return id;
}

SecretBytes LabeledExtract(HashAlg alg, ByteSpan suite_id, ByteSpan salt, std::string_view label,
                           ByteSpan ikm) {
  // labeled_ikm holds the secret ikm, so it lives in SecretBytes.
  const ByteSpan parts[] = {AsBytes(kHpkeVersion), suite_id, AsBytes(label), ikm};
  size_t total = 0;
  for (ByteSpan p : parts) total += p.size();
  SecretBytes labeled_ikm(total);
  auto out = labeled_ikm.MutableExpose().begin();
  for (ByteSpan p : parts) out = std::ranges::copy(p, out).out;
  return HkdfExtract(alg, salt, labeled_ikm.Expose());
}

Result<SecretBytes> LabeledExpand(HashAlg alg, ByteSpan suite_id, ByteSpan prk,
                                  std::string_view label, ByteSpan info, size_t length) {
  if (length > 255 * DigestSize(alg)) {
    return InvalidArgumentError("hpke: expand length " + std::to_string(length) +
                                " exceeds 255 * Nh");
  }
  Bytes labeled_info;
  AppendU16Be(labeled_info, static_cast<uint16_t>(length));  // fits: 255 * 64 < 2^16
  labeled_info.insert(labeled_info.end(), kHpkeVersion.begin(), kHpkeVersion.end());
  labeled_info.insert(labeled_info.end(), suite_id.begin(), suite_id.end());
  labeled_info.insert(labeled_info.end(), label.begin(), label.end());
  labeled_info.insert(labeled_info.end(), info.begin(), info.end());
  return HkdfExpand(alg, prk, labeled_info, length);
}

Result<EncapResult> Encap(KemId kem, const PublicKey& pkR, const PrivateKey* skS,
                          const PrivateKey* ephemeral_insecure) {
  if (!IsListed(kem)) return UnsupportedError("hpke: unsupported KEM id");
  CONFIDE_TRY(CheckKeyType(kem, pkR.type(), "recipient public key"));
  if (skS != nullptr) CONFIDE_TRY(CheckKeyType(kem, skS->type(), "sender private key"));
  std::optional<PrivateKey> fresh;
  const PrivateKey* skE = ephemeral_insecure;
  if (skE == nullptr) {
    CONFIDE_ASSIGN_OR_RETURN(fresh, GenerateKeyPair(kem));
    skE = &*fresh;
  }
  CONFIDE_TRY(CheckKeyType(kem, skE->type(), "ephemeral private key"));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes dh, Ecdh(*skE, pkR));
  SecretBytes dh_static;
  if (skS != nullptr) {
    CONFIDE_ASSIGN_OR_RETURN(dh_static, Ecdh(*skS, pkR));
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes enc, SerializePublicKey(skE->public_key()));
  CONFIDE_ASSIGN_OR_RETURN(Bytes pkRm, SerializePublicKey(pkR));
  Bytes kem_context = Concat({enc, pkRm});
  if (skS != nullptr) {
    CONFIDE_ASSIGN_OR_RETURN(Bytes pkSm, SerializePublicKey(skS->public_key()));
    kem_context.insert(kem_context.end(), pkSm.begin(), pkSm.end());
  }
  SecretBytes dh_all = ConcatSecrets(dh, dh_static);
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes shared_secret,
                           ExtractAndExpand(kem, dh_all.Expose(), kem_context));
  return EncapResult{std::move(shared_secret), std::move(enc)};
}

Result<SecretBytes> Decap(KemId kem, ByteSpan enc, const PrivateKey& skR, const PublicKey* pkS) {
  if (!IsListed(kem)) return UnsupportedError("hpke: unsupported KEM id");
  CONFIDE_TRY(CheckKeyType(kem, skR.type(), "recipient private key"));
  if (pkS != nullptr) CONFIDE_TRY(CheckKeyType(kem, pkS->type(), "sender public key"));
  CONFIDE_ASSIGN_OR_RETURN(PublicKey pkE, DeserializePublicKey(kem, enc));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes dh, Ecdh(skR, pkE));
  SecretBytes dh_static;
  if (pkS != nullptr) {
    CONFIDE_ASSIGN_OR_RETURN(dh_static, Ecdh(skR, *pkS));
  }
  CONFIDE_ASSIGN_OR_RETURN(Bytes pkRm, SerializePublicKey(skR.public_key()));
  Bytes kem_context = Concat({enc, pkRm});
  if (pkS != nullptr) {
    CONFIDE_ASSIGN_OR_RETURN(Bytes pkSm, SerializePublicKey(*pkS));
    kem_context.insert(kem_context.end(), pkSm.begin(), pkSm.end());
  }
  SecretBytes dh_all = ConcatSecrets(dh, dh_static);
  return ExtractAndExpand(kem, dh_all.Expose(), kem_context);
}

}  // namespace internal
}  // namespace confide::crypto::hpke
