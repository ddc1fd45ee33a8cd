// Reading packages: parse the prefix (header, manifest, signature), verify the owner's signature
// against a trust list, then decrypt chunk by chunk into a PlaintextSink. Memory: one sealed chunk
// (decrypted in place) plus whatever the sink keeps.
//
//   CONFIDE_ASSIGN_OR_RETURN(FileSource in, FileSource::Open(path));
//   CONFIDE_ASSIGN_OR_RETURN(PackageReader r, PackageReader::Open(in, trust, clock.Now()));
//   CONFIDE_TRY(r.Decrypt(model_key, in, sink));   // sink.Commit() or sink.Discard()
#ifndef CONFIDE_PACKAGE_READER_H_
#define CONFIDE_PACKAGE_READER_H_

#include <array>

#include "confide/base/clock.h"
#include "confide/base/secret.h"
#include "confide/package/format.h"
#include "confide/package/manifest.h"
#include "confide/package/stream.h"
#include "confide/package/trust.h"

namespace confide::package {

// The unverified prefix of a package. Nothing in it is trusted until VerifyPackageSignature.
struct PackagePrefix {
  PackageHeader header;
  Bytes header_bytes;    // kHeaderSize bytes as read
  Bytes manifest_bytes;  // canonical JSON as read
  Manifest manifest;
  Digest manifest_digest{};  // SHA-256(manifest_bytes): bound into every chunk's AAD
  std::array<uint8_t, kSignatureSize> signature{};

  // header_bytes || manifest_bytes || signature: re-serializes what was parsed.
  Bytes Serialize() const;
};

// Parses a prefix held in memory (the fuzz target's entry). Exactly the prefix: trailing bytes
// are kMalformed. Errors as for ReadPackagePrefix.
Result<PackagePrefix> ParsePackagePrefix(ByteSpan bytes);
// Reads and parses the prefix from `source`, leaving it at the first chunk. kMalformed (naming
// the header field, manifest field, or "truncated") or kUnsupported, from ParsePackageHeader
// and ParseManifest; errors of the source pass through. Checks no signature.
Result<PackagePrefix> ReadPackagePrefix(ByteSource& source);

// Checks the signature (ECDSA P-256, SHA-256, over SignedMessage) with the trust list's key for
// manifest.signer_key_id at `now`. kVerificationFailed: "unknown signer", "signer revoked",
// "signer not yet valid", "signer expired" (from TrustList::FindSigner) or "bad signature".
Result<const TrustedSigner*> VerifyPackageSignature(const PackagePrefix& prefix,
                                                    const TrustList& trust, Time now);

// Reads the sealed payload to its end without a key and checks that its length is exactly what
// the manifest implies. kMalformed "truncated" or "trailing bytes". For `package verify`.
Status CheckPayloadLength(const PackagePrefix& prefix, ByteSource& payload);

// Decrypts the payload that follows the prefix in `payload`, handing each verified chunk to
// `sink`, then checks the plaintext's size and SHA-256 against the manifest. Calls
// sink.Commit() only if every check passed, else sink.Discard() and returns the first failure:
//   kInvalidArgument     the model key is not 32 bytes
//   kVerificationFailed  "wrong model key" (key_check mismatch, before any decryption);
//                        "chunk i of n: authentication failed" (a flipped byte, reordered or
//                        spliced chunk); "payload digest mismatch"
//   kMalformed           "truncated after chunk i of n"; "trailing bytes after the final chunk"
// A chunk whose tag fails never reaches the sink. Does not check the signature: call
// VerifyPackageSignature first (PackageReader does both).
Status DecryptPayload(const PackagePrefix& prefix, const SecretBytes& model_key,
                      ByteSource& payload, PlaintextSink& sink, const ProgressFn& progress = {});

// A package whose signature verified. Move-only.
class PackageReader {
 public:
  // ReadPackagePrefix + VerifyPackageSignature, with their errors.
  static Result<PackageReader> Open(ByteSource& source, const TrustList& trust, Time now);

  const PackagePrefix& prefix() const { return prefix_; }
  const Manifest& manifest() const { return prefix_.manifest; }
  const std::string& signer_name() const { return signer_name_; }

  // DecryptPayload on the rest of the source passed to Open.
  Status Decrypt(const SecretBytes& model_key, ByteSource& source, PlaintextSink& sink,
                 const ProgressFn& progress = {}) const {
    return DecryptPayload(prefix_, model_key, source, sink, progress);
  }

 private:
  PackageReader(PackagePrefix prefix, std::string signer_name)
      : prefix_(std::move(prefix)), signer_name_(std::move(signer_name)) {}
  PackagePrefix prefix_;
  std::string signer_name_;
};

}  // namespace confide::package

#endif  // CONFIDE_PACKAGE_READER_H_
