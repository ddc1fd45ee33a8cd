// The fixed parts of the .cfpkg format (docs/formats/package.md): the 32-byte header, the chunk
// geometry, and the byte strings that the signature, nonces and associated data cover.
//
//   CONFIDE_ASSIGN_OR_RETURN(PackageHeader h, ParsePackageHeader(first_32_bytes));
//   ChunkGeometry g{.payload_size = n, .chunk_size = c};
//   for (uint64_t i = 0; i < g.num_chunks(); ++i) { ChunkNonce(i, g.IsFinal(i)); ... }
#ifndef CONFIDE_PACKAGE_FORMAT_H_
#define CONFIDE_PACKAGE_FORMAT_H_

#include <array>
#include <cstdint>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::package {

// "CFPKG\r\n\x1a": the \r\n and ^Z catch text-mode transfers (as PNG's signature does).
inline constexpr std::array<uint8_t, 8> kPackageMagic = {'C', 'F', 'P', 'K', 'G', 0x0d, 0x0a, 0x1a};
inline constexpr uint16_t kPackageVersion = 1;
inline constexpr size_t kHeaderSize = 32;
// ECDSA P-256 over SHA-256, raw r || s big-endian (IEEE P1363): the only signature in version 1.
inline constexpr uint16_t kSignatureSize = 64;
inline constexpr uint32_t kMaxManifestSize = 1u << 20;
inline constexpr uint32_t kMinChunkSize = 256;
inline constexpr uint32_t kMaxChunkSize = 64u << 20;
inline constexpr uint32_t kDefaultChunkSize = 1u << 20;
inline constexpr size_t kModelKeySize = 32;  // AES-256-GCM
inline constexpr size_t kChunkTagSize = 16;
inline constexpr size_t kChunkNonceSize = 12;

// The header, docs/formats/package.md §2. Fields not listed are reserved and zero.
struct PackageHeader {
  uint16_t version = kPackageVersion;  // offset 8, u16 LE
  uint32_t manifest_len = 0;           // offset 12, u32 LE: bytes of canonical JSON that follow
  uint16_t signature_len = kSignatureSize;  // offset 16, u16 LE
};

// Checks structure only: exactly kHeaderSize bytes, magic, version 1, reserved bytes zero,
// 1 <= manifest_len <= kMaxManifestSize, signature_len == 64. kMalformed (the message names the
// field) or kUnsupported (another version). Trusts nothing: the signature covers these bytes.
Result<PackageHeader> ParsePackageHeader(ByteSpan bytes);
// The inverse; always kHeaderSize bytes.
Bytes SerializePackageHeader(const PackageHeader& header);

// How the payload is cut into chunks: every chunk holds chunk_size plaintext bytes except the
// final one, which holds the rest (1..chunk_size bytes; 0 only for an empty payload, which is one
// empty final chunk so that even an empty model ends with an authenticated final flag).
struct ChunkGeometry {
  uint64_t payload_size = 0;
  uint32_t chunk_size = kDefaultChunkSize;

  uint64_t num_chunks() const;
  bool IsFinal(uint64_t index) const { return index + 1 == num_chunks(); }
  // Plaintext bytes of chunk `index`. Precondition: index < num_chunks().
  size_t PlaintextSize(uint64_t index) const;
  // Bytes of the whole encrypted payload: payload_size + 16 per chunk.
  uint64_t SealedSize() const;
};

// kInvalidArgument unless kMinChunkSize <= chunk_size <= kMaxChunkSize.
Status CheckChunkSize(uint32_t chunk_size);

// Nonce of chunk `index`: u64 BE index || u32 BE (1 if final else 0). Unique per (key, chunk)
// because every package has a fresh key and each index occurs once.
std::array<uint8_t, kChunkNonceSize> ChunkNonce(uint64_t index, bool is_final);
// Associated data of chunk `index`: "confide-pkg-v1" || manifest_digest (32) || u64 BE index ||
// u8 final flag. Binds the chunk to this package, its position and whether it ends the payload.
Bytes ChunkAad(ByteSpan manifest_digest, uint64_t index, bool is_final);
// What the owner signs: "confide-pkg-v1 signature" || 0x00 || header (32) || manifest.
Bytes SignedMessage(ByteSpan header, ByteSpan manifest);

}  // namespace confide::package

#endif  // CONFIDE_PACKAGE_FORMAT_H_
