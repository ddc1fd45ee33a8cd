#include "confide/server/key_cache.h"

#include <array>

#include "confide/base/hex.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/random.h"

namespace confide::server {

namespace {

constexpr std::array<uint8_t, 8> kMagic = {'C', 'F', 'K', 'C', 'A', 'C', 'H', 'E'};
constexpr uint16_t kVersion = 1;
constexpr size_t kHeaderSize = 16;  // magic 8 || u16 LE version || 6 zero bytes
constexpr size_t kNonceSize = 12;

Bytes Header() {
  ByteWriter w;
  w.WriteBytes(kMagic);
  w.WriteU16Le(kVersion);
  w.WriteZeros(6);
  return std::move(w).Take();
}

}  // namespace

Result<Bytes> SealCachedKey(tee::Platform& platform, const SecretBytes& model_key,
                            const package::Digest& manifest_digest) {
  if (model_key.size() != 32) return InvalidArgumentError("model key must be 32 bytes");
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes kek,
                           platform.SealingKey(tee::SealBinding::kMeasurement, kSealLabel));
  Bytes header = Header();
  Bytes nonce = crypto::RandomBytes(kNonceSize);
  CONFIDE_ASSIGN_OR_RETURN(Bytes sealed,
                           crypto::AeadSeal(crypto::AeadAlg::kAes256Gcm, kek.Expose(), nonce,
                                            Concat({header, manifest_digest}),
                                            model_key.Expose()));
  return Concat({header, nonce, sealed});
}

Result<SecretBytes> OpenCachedKey(tee::Platform& platform, ByteSpan file,
                                  const package::Digest& manifest_digest) {
  if (file.size() != kCachedKeyFileSize) return MalformedError("sealed key cache: wrong size");
  ByteReader r(file);
  std::array<uint8_t, 8> magic{};
  uint16_t version = 0;
  ByteSpan nonce, sealed;
  if (!r.ReadArray(&magic) || !r.ReadU16Le(&version) || !r.ExpectZeros(6) ||
      !r.ReadSpan(kNonceSize, &nonce) || !r.ReadSpan(r.remaining(), &sealed)) {
    return MalformedError("sealed key cache: bad field at offset " + std::to_string(r.offset()));
  }
  if (magic != kMagic) return MalformedError("sealed key cache: bad magic");
  if (version != kVersion) return UnsupportedError("sealed key cache version " + std::to_string(version));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes kek,
                           platform.SealingKey(tee::SealBinding::kMeasurement, kSealLabel));
  auto plain = crypto::AeadOpen(crypto::AeadAlg::kAes256Gcm, kek.Expose(), nonce,
                                Concat({file.first(kHeaderSize), manifest_digest}), sealed);
  if (!plain.ok()) return VerificationFailedError("sealed key cache: cannot unseal");
  SecretBytes key = SecretBytes::CopyFrom(*plain);
  SecureWipe(*plain);
  return key;
}

std::string CachedKeyPath(const std::string& dir, const package::Digest& manifest_digest) {
  return dir + "/" + HexEncode(manifest_digest) + ".sealedkey";
}

}  // namespace confide::server
