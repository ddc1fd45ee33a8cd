#include "confide/package/writer.h"

#include <algorithm>

#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"
#include "confide/crypto/hmac.h"
#include "confide/crypto/random.h"
#include "confide/package/trust.h"

namespace confide::package {

namespace {
constexpr std::string_view kKeyCheckLabel = "confide-pkg-v1 key check";
constexpr size_t kHashBufferSize = size_t{1} << 20;
}  // namespace

SecretBytes GenerateModelKey() { return crypto::RandomSecret(kModelKeySize); }

Digest ModelKeyCheck(const SecretBytes& model_key) {
  Bytes mac = crypto::Hmac(crypto::HashAlg::kSha256, model_key.Expose(), AsBytes(kKeyCheckLabel));
  Digest d;
  std::ranges::copy(mac, d.begin());
  return d;
}

Result<PayloadInfo> HashPayload(ByteSource& source, const ProgressFn& progress,
                                uint64_t expected_size) {
  crypto::Hasher hasher(crypto::HashAlg::kSha256);
  Bytes buffer(kHashBufferSize);
  PayloadInfo info;
  for (;;) {
    CONFIDE_ASSIGN_OR_RETURN(size_t n, ReadFull(source, buffer));
    if (n == 0) break;
    hasher.Update(ByteSpan(buffer).first(n));
    info.size += n;
    if (progress) progress(info.size, expected_size);
  }
  Bytes digest = hasher.Finish();
  std::ranges::copy(digest, info.sha256.begin());
  return info;
}

PayloadInfo HashPayload(ByteSpan payload, const ProgressFn& progress) {
  crypto::Hasher hasher(crypto::HashAlg::kSha256);
  PayloadInfo info;
  do {
    ByteSpan part = payload.subspan(info.size, std::min(payload.size() - info.size, kHashBufferSize));
    hasher.Update(part);
    info.size += part.size();
    if (progress) progress(info.size, payload.size());
  } while (info.size < payload.size());
  Bytes digest = hasher.Finish();
  std::ranges::copy(digest, info.sha256.begin());
  return info;
}

Result<PackageWriter> PackageWriter::Create(Manifest manifest, const crypto::PrivateKey& signer,
                                            const SecretBytes& model_key) {
  if (model_key.size() != kModelKeySize) {
    return InvalidArgumentError("model key must be 32 bytes");
  }
  if (signer.type() != crypto::KeyType::kP256) {
    return InvalidArgumentError("signer key must be ECDSA P-256");
  }
  CONFIDE_TRY(CheckManifest(manifest));
  manifest.key_check = ModelKeyCheck(model_key);
  manifest.signer_key_id = SignerKeyId(signer.public_key());
  CONFIDE_ASSIGN_OR_RETURN(crypto::Aead aead,
                           crypto::Aead::Create(crypto::AeadAlg::kAes256Gcm, model_key.Expose()));
  PackageWriter w(std::move(manifest), std::move(aead));
  Bytes manifest_bytes = SerializeManifest(w.manifest_);
  CONFIDE_CHECK(manifest_bytes.size() <= kMaxManifestSize);  // labels are bounded by CheckManifest
  Bytes header = SerializePackageHeader(
      {.manifest_len = static_cast<uint32_t>(manifest_bytes.size())});
  CONFIDE_ASSIGN_OR_RETURN(Bytes signature,
                           crypto::EcdsaSign(signer, crypto::HashAlg::kSha256,
                                             SignedMessage(header, manifest_bytes),
                                             crypto::SigFormat::kRawBigEndian));
  CONFIDE_CHECK(signature.size() == kSignatureSize);
  w.manifest_digest_ = crypto::Sha256(manifest_bytes);
  w.prefix_ = Concat({header, manifest_bytes, signature});
  return w;
}

Result<ByteSpan> PackageWriter::SealChunk(ByteSpan plaintext) {
  ChunkGeometry g = manifest_.geometry();
  if (finished()) return InvalidArgumentError("package writer: every chunk is already sealed");
  uint64_t index = next_chunk_;
  if (plaintext.size() != g.PlaintextSize(index)) {
    return InvalidArgumentError("package writer: chunk " + std::to_string(index) + " needs " +
                                std::to_string(g.PlaintextSize(index)) + " bytes");
  }
  bool is_final = g.IsFinal(index);
  sealed_.resize(plaintext.size() + kChunkTagSize);
  CONFIDE_TRY(aead_.SealInto(ChunkNonce(index, is_final),
                             ChunkAad(manifest_digest_, index, is_final), plaintext, sealed_));
  ++next_chunk_;
  return ByteSpan(sealed_);
}

Status PackageWriter::WriteAll(ByteSource& payload, ByteSink& out, const ProgressFn& progress) {
  CONFIDE_TRY(out.Write(prefix_));
  ChunkGeometry g = manifest_.geometry();
  SecretBytes plain(std::min<uint64_t>(g.chunk_size, g.payload_size));  // wiped when done
  uint64_t done = 0;
  while (!finished()) {
    MutableByteSpan chunk = plain.MutableExpose().first(g.PlaintextSize(next_chunk_));
    CONFIDE_ASSIGN_OR_RETURN(size_t n, ReadFull(payload, chunk));
    if (n != chunk.size()) return InvalidArgumentError("payload is shorter than its manifest says");
    CONFIDE_ASSIGN_OR_RETURN(ByteSpan sealed, SealChunk(chunk));
    CONFIDE_TRY(out.Write(sealed));
    done += chunk.size();
    if (progress) progress(done, g.payload_size);
  }
  uint8_t extra;
  CONFIDE_ASSIGN_OR_RETURN(size_t more, payload.Read(MutableByteSpan(&extra, 1)));
  if (more != 0) return InvalidArgumentError("payload is longer than its manifest says");
  return OkStatus();
}

Status PackageWriter::WriteAll(ByteSpan payload, ByteSink& out, const ProgressFn& progress) {
  ChunkGeometry g = manifest_.geometry();
  if (payload.size() != g.payload_size) {
    return InvalidArgumentError("payload is " + std::to_string(payload.size()) +
                                " bytes, its manifest says " + std::to_string(g.payload_size));
  }
  CONFIDE_TRY(out.Write(prefix_));
  uint64_t done = 0;
  while (!finished()) {
    ByteSpan chunk = payload.subspan(done, g.PlaintextSize(next_chunk_));
    CONFIDE_ASSIGN_OR_RETURN(ByteSpan sealed, SealChunk(chunk));
    CONFIDE_TRY(out.Write(sealed));
    done += chunk.size();
    if (progress) progress(done, g.payload_size);
  }
  return OkStatus();
}

}  // namespace confide::package
