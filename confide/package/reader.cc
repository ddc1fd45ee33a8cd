#include "confide/package/reader.h"

#include <algorithm>

#include "confide/base/hex.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/constant_time.h"
#include "confide/crypto/ecdsa.h"
#include "confide/crypto/hash.h"
#include "confide/package/writer.h"

namespace confide::package {

namespace {

// Reads exactly `len` bytes or reports which part of the package was cut short.
Result<Bytes> ReadPart(ByteSource& source, size_t len, const char* part) {
  Bytes out(len);
  CONFIDE_ASSIGN_OR_RETURN(size_t n, ReadFull(source, out));
  if (n != len) {
    return MalformedError(std::string("package truncated in the ") + part + " (" +
                          std::to_string(n) + " of " + std::to_string(len) + " bytes)");
  }
  return out;
}

std::string ChunkName(uint64_t index, uint64_t count) {
  return "chunk " + std::to_string(index) + " of " + std::to_string(count);
}

// The loop of DecryptPayload, without the commit/discard decision.
Status DecryptChunks(const PackagePrefix& prefix, const SecretBytes& model_key,
                     ByteSource& payload, PlaintextSink& sink, const ProgressFn& progress) {
  if (model_key.size() != kModelKeySize) return InvalidArgumentError("model key must be 32 bytes");
  const Manifest& m = prefix.manifest;
  if (!crypto::ConstantTimeEqual(ModelKeyCheck(model_key), m.key_check)) {
    return VerificationFailedError("wrong model key: it does not match the manifest's key_check");
  }
  CONFIDE_ASSIGN_OR_RETURN(crypto::Aead aead,
                           crypto::Aead::Create(crypto::AeadAlg::kAes256Gcm, model_key.Expose()));
  ChunkGeometry g = m.geometry();
  uint64_t count = g.num_chunks();
  SecretBytes buffer(std::min<uint64_t>(g.chunk_size, g.payload_size) + kChunkTagSize);
  crypto::Hasher hasher(crypto::HashAlg::kSha256);
  uint64_t done = 0;
  for (uint64_t i = 0; i < count; ++i) {
    size_t plain_size = g.PlaintextSize(i);
    MutableByteSpan sealed = buffer.MutableExpose().first(plain_size + kChunkTagSize);
    CONFIDE_ASSIGN_OR_RETURN(size_t n, ReadFull(payload, sealed));
    if (n == 0) return MalformedError("package truncated after " + ChunkName(i, count));
    if (n != sealed.size()) return MalformedError("package truncated inside " + ChunkName(i, count));
    bool is_final = g.IsFinal(i);
    MutableByteSpan plain = sealed.first(plain_size);
    if (!aead.OpenInto(ChunkNonce(i, is_final), ChunkAad(prefix.manifest_digest, i, is_final),
                       sealed, plain)
             .ok()) {
      return VerificationFailedError(ChunkName(i, count) +
                                     ": authentication failed (modified, reordered or spliced)");
    }
    hasher.Update(plain);
    CONFIDE_TRY(sink.Consume(plain));
    done += plain_size;
    if (progress) progress(done, g.payload_size);
  }
  uint8_t extra;
  CONFIDE_ASSIGN_OR_RETURN(size_t more, payload.Read(MutableByteSpan(&extra, 1)));
  if (more != 0) return MalformedError("package has trailing bytes after the final chunk");
  if (!crypto::ConstantTimeEqual(hasher.Finish(), m.payload_sha256)) {
    return VerificationFailedError("payload digest mismatch: plaintext differs from the manifest");
  }
  return OkStatus();
}

}  // namespace

Bytes PackagePrefix::Serialize() const { return Concat({header_bytes, manifest_bytes, signature}); }

Result<PackagePrefix> ReadPackagePrefix(ByteSource& source) {
  PackagePrefix p;
  CONFIDE_ASSIGN_OR_RETURN(p.header_bytes, ReadPart(source, kHeaderSize, "header"));
  CONFIDE_ASSIGN_OR_RETURN(p.header, ParsePackageHeader(p.header_bytes));
  CONFIDE_ASSIGN_OR_RETURN(p.manifest_bytes, ReadPart(source, p.header.manifest_len, "manifest"));
  CONFIDE_ASSIGN_OR_RETURN(p.manifest, ParseManifest(p.manifest_bytes));
  CONFIDE_ASSIGN_OR_RETURN(Bytes signature, ReadPart(source, kSignatureSize, "signature"));
  std::ranges::copy(signature, p.signature.begin());
  p.manifest_digest = crypto::Sha256(p.manifest_bytes);
  return p;
}

Result<PackagePrefix> ParsePackagePrefix(ByteSpan bytes) {
  SpanSource source(bytes);
  CONFIDE_ASSIGN_OR_RETURN(PackagePrefix p, ReadPackagePrefix(source));
  uint8_t extra;
  CONFIDE_ASSIGN_OR_RETURN(size_t more, source.Read(MutableByteSpan(&extra, 1)));
  if (more != 0) return MalformedError("package prefix: trailing bytes after the signature");
  return p;
}

Result<const TrustedSigner*> VerifyPackageSignature(const PackagePrefix& prefix,
                                                    const TrustList& trust, Time now) {
  CONFIDE_ASSIGN_OR_RETURN(const TrustedSigner* signer,
                           trust.FindSigner(prefix.manifest.signer_key_id, now));
  if (!crypto::EcdsaVerify(signer->key, crypto::HashAlg::kSha256,
                           SignedMessage(prefix.header_bytes, prefix.manifest_bytes),
                           prefix.signature, crypto::SigFormat::kRawBigEndian)) {
    return VerificationFailedError("bad signature: the manifest or header was modified, or not "
                                   "signed by signer " + HexEncode(prefix.manifest.signer_key_id));
  }
  return signer;
}

Status CheckPayloadLength(const PackagePrefix& prefix, ByteSource& payload) {
  uint64_t want = prefix.manifest.geometry().SealedSize();
  Bytes buffer(size_t{1} << 20);
  uint64_t have = 0;
  for (;;) {
    CONFIDE_ASSIGN_OR_RETURN(size_t n, payload.Read(buffer));
    if (n == 0) break;
    have += n;
  }
  if (have < want) {
    return MalformedError("package truncated: payload is " + std::to_string(have) +
                          " bytes, the manifest needs " + std::to_string(want));
  }
  if (have > want) {
    return MalformedError("package has trailing bytes after the final chunk (" +
                          std::to_string(have - want) + " bytes)");
  }
  return OkStatus();
}

Status DecryptPayload(const PackagePrefix& prefix, const SecretBytes& model_key,
                      ByteSource& payload, PlaintextSink& sink, const ProgressFn& progress) {
  Status s = DecryptChunks(prefix, model_key, payload, sink, progress);
  if (s.ok()) s = sink.Commit();
  if (!s.ok()) sink.Discard();
  return s;
}

Result<PackageReader> PackageReader::Open(ByteSource& source, const TrustList& trust, Time now) {
  CONFIDE_ASSIGN_OR_RETURN(PackagePrefix prefix, ReadPackagePrefix(source));
  CONFIDE_ASSIGN_OR_RETURN(const TrustedSigner* signer, VerifyPackageSignature(prefix, trust, now));
  std::string name = signer->name;
  return PackageReader(std::move(prefix), std::move(name));
}

}  // namespace confide::package
