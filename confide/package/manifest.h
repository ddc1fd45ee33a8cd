// The package manifest: what a model owner signs about a model (docs/formats/package.md §3).
// Its bytes are canonical JSON (UTF-8, sorted keys, no whitespace, exactly the fields below), so
// one manifest has exactly one encoding and its SHA-256 (the manifest digest) identifies it.
//
//   Manifest m{.name = "mnist8", .model_version = "1", .payload_size = n, ...};
//   Bytes bytes = SerializeManifest(m);
//   CONFIDE_ASSIGN_OR_RETURN(Manifest parsed, ParseManifest(bytes));   // parsed == m
#ifndef CONFIDE_PACKAGE_MANIFEST_H_
#define CONFIDE_PACKAGE_MANIFEST_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"
#include "confide/package/format.h"

namespace confide::package {

using Digest = std::array<uint8_t, 32>;

struct Manifest {
  std::string name;                 // "name": 1..256 bytes, the model's name
  std::string model_version;        // "version": 1..256 bytes, the owner's version label
  std::string format = "onnx";      // "format": only "onnx" in version 1
  // "schema": {"inputs": [...], "outputs": [...]}: canonical JSON text of each array. Empty arrays
  // mean "not recorded". `confide pack` fills them from the engine's loader (package.md §3.1).
  std::string inputs_schema = "[]";
  std::string outputs_schema = "[]";
  uint64_t payload_size = 0;        // "payload_size": plaintext bytes
  Digest payload_sha256{};          // "payload_sha256": SHA-256 of the plaintext (hex)
  uint32_t chunk_size = kDefaultChunkSize;  // "chunk_size": plaintext bytes per chunk
  std::string aead = "AES-256-GCM"; // "aead": only this value in version 1
  Digest key_check{};               // "key_check": HMAC-SHA256(model key, "confide-pkg-v1 key check")
  // "engine": {"peak_memory_bytes": n}: weights + planned arena (package.md §3.2); 0 = unknown.
  uint64_t peak_memory_bytes = 0;
  std::string policy_id;            // "policy_id": the KBS release policy; may be empty
  Time created{};                   // "created": RFC 3339 UTC, whole seconds
  Digest signer_key_id{};           // "signer_key_id": SHA-256 of the signer's DER SPKI (hex)

  bool operator==(const Manifest&) const = default;
  ChunkGeometry geometry() const { return {.payload_size = payload_size, .chunk_size = chunk_size}; }
};

// The canonical encoding. Precondition: the strings are valid UTF-8 and the schema strings are
// JSON arrays (CheckManifest tells); violations abort (CONFIDE_CHECK), since they are caller bugs.
Bytes SerializeManifest(const Manifest& manifest);
// kInvalidArgument naming the first field that SerializeManifest/ParseManifest would refuse.
Status CheckManifest(const Manifest& manifest);
// Canonicalizes a schema given as JSON text (from --input-schema): must be a JSON array.
// kInvalidArgument otherwise.
Result<std::string> CanonicalSchema(std::string_view json_text);
// Parses and checks structure: valid JSON, exactly the known fields with the right types and
// ranges, and the bytes are exactly the canonical encoding (so Serialize(Parse(b)) == b). kMalformed
// naming the field otherwise, kUnsupported for another format or aead. Trusts nothing (the
// signature is checked by the reader). Trailing bytes: none allowed (they break canonicity).
Result<Manifest> ParseManifest(ByteSpan bytes);

}  // namespace confide::package

#endif  // CONFIDE_PACKAGE_MANIFEST_H_
