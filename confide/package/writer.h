// Packing: PackageWriter signs a manifest and seals a model's plaintext chunk by chunk
// (docs/formats/package.md). Memory: about one chunk.
//
//   CONFIDE_ASSIGN_OR_RETURN(PayloadInfo info, HashPayload(source1));       // pass 1: digest
//   manifest.payload_size = info.size; manifest.payload_sha256 = info.sha256;
//   CONFIDE_ASSIGN_OR_RETURN(PackageWriter w, PackageWriter::Create(manifest, owner_key, model_key));
//   CONFIDE_TRY(w.WriteAll(source2, out));                                   // pass 2: encrypt
#ifndef CONFIDE_PACKAGE_WRITER_H_
#define CONFIDE_PACKAGE_WRITER_H_

#include <array>
#include <optional>

#include "confide/base/secret.h"
#include "confide/crypto/aead.h"
#include "confide/crypto/keys.h"
#include "confide/package/manifest.h"
#include "confide/package/stream.h"

namespace confide::package {

// A fresh random 256-bit model key. Every package must get its own (the chunk nonces repeat
// across packages; docs/formats/package.md §5).
SecretBytes GenerateModelKey();
// HMAC-SHA256(model_key, "confide-pkg-v1 key check"): lets a reader tell a wrong key apart from
// tampered chunks, and commits the signed manifest to one key. Reveals nothing about the key.
Digest ModelKeyCheck(const SecretBytes& model_key);

struct PayloadInfo {
  uint64_t size = 0;
  Digest sha256{};
};
// Reads `source` to its end: size and SHA-256. Errors of the source pass through.
Result<PayloadInfo> HashPayload(ByteSource& source, const ProgressFn& progress = {},
                                uint64_t expected_size = 0);
// The same for a payload in memory (or mapped), without copying it.
PayloadInfo HashPayload(ByteSpan payload, const ProgressFn& progress = {});

// Move-only; not thread safe.
class PackageWriter {
 public:
  // Takes `manifest` with every field set except key_check and signer_key_id, which it fills
  // from `model_key` and `signer`, then signs. kInvalidArgument if CheckManifest fails, the model
  // key is not 32 bytes, or the signer is not a P-256 key. The model key is copied into the AEAD
  // context; the caller keeps (and wipes) its own copy.
  static Result<PackageWriter> Create(Manifest manifest, const crypto::PrivateKey& signer,
                                      const SecretBytes& model_key);

  const Manifest& manifest() const { return manifest_; }
  const Digest& manifest_digest() const { return manifest_digest_; }
  // Header || manifest || signature: the first bytes of the package.
  ByteSpan prefix() const { return prefix_; }

  // Seals the next chunk; `plaintext` must hold exactly geometry().PlaintextSize(next) bytes
  // (kInvalidArgument otherwise, or when every chunk was sealed). The result (ciphertext ||
  // tag) is valid until the next call.
  Result<ByteSpan> SealChunk(ByteSpan plaintext);
  bool finished() const { return next_chunk_ == manifest_.geometry().num_chunks(); }

  // Writes prefix(), then reads exactly manifest().payload_size bytes from `payload` and writes
  // each sealed chunk. kInvalidArgument if the payload is shorter or longer than promised (it
  // changed since it was hashed). Does not commit `out`.
  Status WriteAll(ByteSource& payload, ByteSink& out, const ProgressFn& progress = {});
  // The same for a payload in memory (or mapped): chunks are sealed straight from `payload`,
  // without a plaintext copy. kInvalidArgument unless payload.size() == manifest().payload_size.
  Status WriteAll(ByteSpan payload, ByteSink& out, const ProgressFn& progress = {});

 private:
  PackageWriter(Manifest manifest, crypto::Aead aead) : manifest_(std::move(manifest)), aead_(std::move(aead)) {}
  Manifest manifest_;
  crypto::Aead aead_;
  Digest manifest_digest_{};
  Bytes prefix_;
  Bytes sealed_;
  uint64_t next_chunk_ = 0;
};

}  // namespace confide::package

#endif  // CONFIDE_PACKAGE_WRITER_H_
