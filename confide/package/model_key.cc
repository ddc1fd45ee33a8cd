#include "confide/package/model_key.h"

#include <algorithm>

namespace confide::package {

namespace {
constexpr uint16_t kVersion = 1;
constexpr uint16_t kAeadAes256Gcm = 2;  // RFC 9180 Table 5
}  // namespace

SecretBytes SerializeModelKey(const SecretBytes& key) {
  CONFIDE_CHECK(key.size() == kModelKeySize);
  ByteWriter w;
  w.WriteBytes(kModelKeyMagic);
  w.WriteU16Le(kVersion);
  w.WriteU16Le(kAeadAes256Gcm);
  w.WriteZeros(4);
  SecretBytes out(kModelKeyFileSize);
  std::ranges::copy(w.data(), out.MutableExpose().begin());
  std::ranges::copy(key.Expose(), out.MutableExpose().begin() + static_cast<ptrdiff_t>(w.size()));
  return out;
}

Result<SecretBytes> ParseModelKey(ByteSpan file) {
  ByteReader r(file);
  std::array<uint8_t, 8> magic;
  uint16_t version, aead;
  ByteSpan key;
  if (!r.ReadArray(&magic) || magic != kModelKeyMagic) {
    return MalformedError("not a confide model key file (bad magic)");
  }
  if (!r.ReadU16Le(&version) || !r.ReadU16Le(&aead)) {
    return MalformedError("model key file: truncated at offset " + std::to_string(r.offset()));
  }
  if (version != kVersion) return UnsupportedError("model key file: version " + std::to_string(version));
  if (aead != kAeadAes256Gcm) return UnsupportedError("model key file: aead " + std::to_string(aead));
  if (!r.ExpectZeros(4)) return MalformedError("model key file: non-zero reserved bytes");
  if (!r.ReadSpan(kModelKeySize, &key)) return MalformedError("model key file: truncated key");
  if (!r.empty()) return MalformedError("model key file: trailing bytes");
  return SecretBytes::CopyFrom(key);
}

}  // namespace confide::package
