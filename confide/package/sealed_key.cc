// The HPKE-sealed form of a model key (model_key.h), kept apart from the plain form.
#include <algorithm>

#include "confide/crypto/hpke.h"
#include "confide/package/model_key.h"

namespace confide::package {

namespace {

constexpr uint16_t kVersion = 1;
constexpr std::string_view kInfo = "confide-pkg-v1 model key";
constexpr crypto::hpke::Suite kSuite{crypto::hpke::KemId::kX25519HkdfSha256,
                                     crypto::hpke::KdfId::kHkdfSha256,
                                     crypto::hpke::AeadId::kAes256Gcm};
constexpr size_t kEncSize = 32;
constexpr size_t kCiphertextSize = kModelKeySize + 16;

}  // namespace

Result<SealedModelKey> SealModelKey(const SecretBytes& key, const crypto::PublicKey& recipient,
                                    const Digest& manifest_digest) {
  if (key.size() != kModelKeySize) return InvalidArgumentError("model key must be 32 bytes");
  if (recipient.type() != crypto::KeyType::kX25519) {
    return InvalidArgumentError("--seal-to needs an X25519 public key (the key broker's)");
  }
  CONFIDE_ASSIGN_OR_RETURN(crypto::hpke::Sealed s,
                           crypto::hpke::SealBase(kSuite, recipient, AsBytes(kInfo),
                                                  manifest_digest, key.Expose()));
  CONFIDE_CHECK(s.enc.size() == kEncSize && s.ciphertext.size() == kCiphertextSize);
  return SealedModelKey{manifest_digest, std::move(s.enc), std::move(s.ciphertext)};
}

Bytes SerializeSealedModelKey(const SealedModelKey& sealed) {
  CONFIDE_CHECK(sealed.enc.size() == kEncSize && sealed.ciphertext.size() == kCiphertextSize);
  ByteWriter w;
  w.WriteBytes(kSealedKeyMagic);
  w.WriteU16Le(kVersion);
  w.WriteU16Le(static_cast<uint16_t>(kSuite.kem));
  w.WriteU16Le(static_cast<uint16_t>(kSuite.kdf));
  w.WriteU16Le(static_cast<uint16_t>(kSuite.aead));
  w.WriteBytes(sealed.manifest_digest);
  w.WriteBytes(sealed.enc);
  w.WriteBytes(sealed.ciphertext);
  return std::move(w).Take();
}

Result<SealedModelKey> ParseSealedModelKey(ByteSpan file) {
  ByteReader r(file);
  std::array<uint8_t, 8> magic;
  uint16_t version, kem, kdf, aead;
  SealedModelKey s;
  if (!r.ReadArray(&magic) || magic != kSealedKeyMagic) {
    return MalformedError("not a confide sealed model key (bad magic)");
  }
  if (!r.ReadU16Le(&version) || !r.ReadU16Le(&kem) || !r.ReadU16Le(&kdf) || !r.ReadU16Le(&aead)) {
    return MalformedError("sealed model key: truncated at offset " + std::to_string(r.offset()));
  }
  if (version != kVersion) return UnsupportedError("sealed model key: version " + std::to_string(version));
  if (kem != static_cast<uint16_t>(kSuite.kem) || kdf != static_cast<uint16_t>(kSuite.kdf) ||
      aead != static_cast<uint16_t>(kSuite.aead)) {
    return UnsupportedError("sealed model key: HPKE suite other than X25519/HKDF-SHA256/AES-256-GCM");
  }
  if (!r.ReadArray(&s.manifest_digest) || !r.ReadBytes(kEncSize, &s.enc) ||
      !r.ReadBytes(kCiphertextSize, &s.ciphertext)) {
    return MalformedError("sealed model key: truncated at offset " + std::to_string(r.offset()));
  }
  if (!r.empty()) return MalformedError("sealed model key: trailing bytes");
  return s;
}

Result<SecretBytes> OpenSealedModelKey(const SealedModelKey& sealed,
                                       const crypto::PrivateKey& recipient) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes key, crypto::hpke::OpenBase(kSuite, sealed.enc, recipient,
                                                             AsBytes(kInfo), sealed.manifest_digest,
                                                             sealed.ciphertext));
  SecretBytes out = SecretBytes::CopyFrom(key);
  SecureWipe(key);
  return out;
}

}  // namespace confide::package
