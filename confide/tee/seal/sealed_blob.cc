#include "confide/tee/seal/sealed_blob.h"

#include "confide/base/check.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/random.h"

namespace confide::tee {

namespace {

constexpr std::array<uint8_t, 8> kMagic = {'C', 'F', 'S', 'E', 'A', 'L', 'E', 'D'};
constexpr uint8_t kAlgAes256Gcm = 1;
constexpr uint8_t kBindingMeasurement = 1;
constexpr uint8_t kBindingSigner = 2;
constexpr char kKeyLabelPrefix[] = "confide sealed blob v1: ";

uint8_t BindingByte(SealBinding b) {
  return b == SealBinding::kMeasurement ? kBindingMeasurement : kBindingSigner;
}

const char* BindingName(SealBinding b) {
  return b == SealBinding::kMeasurement ? "measurement" : "signer";
}

Status CheckLabel(std::string_view label) {
  if (label.empty() || label.size() > kSealedBlobMaxLabel) {
    return InvalidArgumentError("sealed blob: label must be 1..255 bytes");
  }
  return OkStatus();
}

Result<SecretBytes> BlobKey(Platform& platform, SealBinding binding, std::string_view label) {
  return platform.SealingKey(binding, std::string(kKeyLabelPrefix) + std::string(label));
}

}  // namespace

Bytes SealedBlobHeader(SealBinding binding, std::string_view label) {
  CONFIDE_CHECK(!label.empty() && label.size() <= kSealedBlobMaxLabel);
  ByteWriter w;
  w.WriteBytes(kMagic);
  w.WriteU16Le(kSealedBlobVersion);
  w.WriteU8(kAlgAes256Gcm);
  w.WriteU8(BindingByte(binding));
  w.WriteU8(static_cast<uint8_t>(label.size()));
  w.WriteBytes(AsBytes(label));
  return std::move(w).Take();
}

Bytes SerializeSealedBlob(const SealedBlob& blob) {
  CONFIDE_CHECK(blob.ciphertext.size() >= crypto::kAeadTagSize);
  return Concat({SealedBlobHeader(blob.binding, blob.label), blob.nonce, blob.ciphertext});
}

Result<SealedBlob> ParseSealedBlob(ByteSpan bytes) {
  ByteReader r(bytes);
  std::array<uint8_t, 8> magic{};
  uint16_t version = 0;
  uint8_t alg = 0, binding = 0;
  ByteSpan label;
  SealedBlob out;
  if (!r.ReadArray(&magic)) return MalformedError("sealed blob: shorter than its magic");
  if (magic != kMagic) return MalformedError("sealed blob: bad magic");
  if (!r.ReadU16Le(&version)) return MalformedError("sealed blob: no version");
  if (version != kSealedBlobVersion) {
    return UnsupportedError("sealed blob: version " + std::to_string(version));
  }
  if (!r.ReadU8(&alg) || !r.ReadU8(&binding) || !r.ReadPrefixedU8(&label)) {
    return MalformedError("sealed blob: truncated header at offset " + std::to_string(r.offset()));
  }
  if (alg != kAlgAes256Gcm) return MalformedError("sealed blob: unknown algorithm");
  if (binding == kBindingMeasurement) {
    out.binding = SealBinding::kMeasurement;
  } else if (binding == kBindingSigner) {
    out.binding = SealBinding::kSigner;
  } else {
    return MalformedError("sealed blob: unknown binding");
  }
  if (label.empty()) return MalformedError("sealed blob: empty label");
  out.label.assign(label.begin(), label.end());
  if (!r.ReadArray(&out.nonce)) return MalformedError("sealed blob: truncated nonce");
  if (r.remaining() < crypto::kAeadTagSize) {
    return MalformedError("sealed blob: ciphertext shorter than a tag");
  }
  out.ciphertext.assign(r.rest().begin(), r.rest().end());
  return out;
}

Result<Bytes> Seal(Platform& platform, SealBinding binding, std::string_view label,
                   ByteSpan plaintext, ByteSpan aad) {
  CONFIDE_TRY(CheckLabel(label));
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes key, BlobKey(platform, binding, label));
  SealedBlob blob{.binding = binding, .label = std::string(label)};
  crypto::RandomFill(blob.nonce);
  Bytes header = SealedBlobHeader(binding, label);
  CONFIDE_ASSIGN_OR_RETURN(blob.ciphertext,
                           crypto::AeadSeal(crypto::AeadAlg::kAes256Gcm, key.Expose(), blob.nonce,
                                            Concat({header, aad}), plaintext));
  return SerializeSealedBlob(blob);
}

Result<SecretBytes> Unseal(Platform& platform, SealBinding binding, std::string_view label,
                           ByteSpan bytes, ByteSpan aad) {
  CONFIDE_TRY(CheckLabel(label));
  CONFIDE_ASSIGN_OR_RETURN(SealedBlob blob, ParseSealedBlob(bytes));
  if (blob.binding != binding) {
    return VerificationFailedError(std::string("sealed blob: sealed to the ") +
                                   BindingName(blob.binding) + ", expected the " +
                                   BindingName(binding));
  }
  if (blob.label != label) {
    return VerificationFailedError("sealed blob: sealed under another label");
  }
  CONFIDE_ASSIGN_OR_RETURN(SecretBytes key, BlobKey(platform, binding, label));
  auto plain = crypto::AeadOpen(crypto::AeadAlg::kAes256Gcm, key.Expose(), blob.nonce,
                                Concat({SealedBlobHeader(binding, label), aad}), blob.ciphertext);
  if (!plain.ok()) {
    return VerificationFailedError(std::string("sealed blob: cannot unseal (sealed by other code ") +
                                   "or on another platform, other aad, or tampered)");
  }
  SecretBytes out = SecretBytes::CopyFrom(*plain);
  SecureWipe(*plain);
  return out;
}

}  // namespace confide::tee
