#include "confide/package/format.h"

#include <algorithm>
#include <string>

namespace confide::package {

namespace {
constexpr std::string_view kAadLabel = "confide-pkg-v1";
constexpr std::string_view kSignatureLabel = "confide-pkg-v1 signature";

Error HeaderError(const std::string& what, size_t offset) {
  return MalformedError("package header: " + what + " at offset " + std::to_string(offset));
}
}  // namespace

// docs/formats/package.md §2: the checks run field by field so that each failure names its field.
Result<PackageHeader> ParsePackageHeader(ByteSpan bytes) {
  if (bytes.size() < kHeaderSize) {
    return MalformedError("package header: " + std::to_string(bytes.size()) +
                          " bytes, need " + std::to_string(kHeaderSize));
  }
  ByteReader r(bytes);
  std::array<uint8_t, 8> magic;
  PackageHeader h;
  if (!r.ReadArray(&magic)) return HeaderError("bad magic", r.offset());
  if (magic != kPackageMagic) return MalformedError("not a confide package (bad magic)");
  if (!r.ReadU16Le(&h.version)) return HeaderError("bad version", r.offset());
  if (h.version != kPackageVersion) {
    return UnsupportedError("package header: version " + std::to_string(h.version) +
                            " (this build reads version 1)");
  }
  if (!r.ExpectZeros(2)) return HeaderError("non-zero reserved flags", r.offset());
  if (!r.ReadU32Le(&h.manifest_len)) return HeaderError("bad manifest_len", r.offset());
  if (h.manifest_len == 0 || h.manifest_len > kMaxManifestSize) {
    return MalformedError("package header: manifest_len " + std::to_string(h.manifest_len) +
                          " outside 1.." + std::to_string(kMaxManifestSize));
  }
  if (!r.ReadU16Le(&h.signature_len)) return HeaderError("bad signature_len", r.offset());
  if (h.signature_len != kSignatureSize) {
    return MalformedError("package header: signature_len " + std::to_string(h.signature_len) +
                          " (version 1 requires 64)");
  }
  if (!r.ExpectZeros(kHeaderSize - r.offset())) {
    return HeaderError("non-zero reserved bytes", r.offset());
  }
  if (!r.empty()) return MalformedError("package header: trailing bytes");
  return h;
}

Bytes SerializePackageHeader(const PackageHeader& header) {
  ByteWriter w;
  w.WriteBytes(kPackageMagic);
  w.WriteU16Le(header.version);
  w.WriteZeros(2);
  w.WriteU32Le(header.manifest_len);
  w.WriteU16Le(header.signature_len);
  w.WriteZeros(kHeaderSize - w.size());
  return std::move(w).Take();
}

uint64_t ChunkGeometry::num_chunks() const {
  if (payload_size == 0) return 1;
  return (payload_size + chunk_size - 1) / chunk_size;
}

size_t ChunkGeometry::PlaintextSize(uint64_t index) const {
  CONFIDE_CHECK(index < num_chunks());
  if (!IsFinal(index)) return chunk_size;
  return static_cast<size_t>(payload_size - index * uint64_t{chunk_size});
}

uint64_t ChunkGeometry::SealedSize() const { return payload_size + num_chunks() * kChunkTagSize; }

Status CheckChunkSize(uint32_t chunk_size) {
  if (chunk_size < kMinChunkSize || chunk_size > kMaxChunkSize) {
    return InvalidArgumentError("chunk size " + std::to_string(chunk_size) + " outside " +
                                std::to_string(kMinChunkSize) + ".." +
                                std::to_string(kMaxChunkSize));
  }
  return OkStatus();
}

std::array<uint8_t, kChunkNonceSize> ChunkNonce(uint64_t index, bool is_final) {
  ByteWriter w;
  w.WriteU64Be(index);
  w.WriteU32Be(is_final ? 1 : 0);
  std::array<uint8_t, kChunkNonceSize> nonce{};
  std::ranges::copy(w.data(), nonce.begin());
  return nonce;
}

Bytes ChunkAad(ByteSpan manifest_digest, uint64_t index, bool is_final) {
  ByteWriter w;
  w.WriteBytes(AsBytes(kAadLabel));
  w.WriteBytes(manifest_digest);
  w.WriteU64Be(index);
  w.WriteU8(is_final ? 1 : 0);
  return std::move(w).Take();
}

Bytes SignedMessage(ByteSpan header, ByteSpan manifest) {
  ByteWriter w;
  w.WriteBytes(AsBytes(kSignatureLabel));
  w.WriteU8(0);
  w.WriteBytes(header);
  w.WriteBytes(manifest);
  return std::move(w).Take();
}

}  // namespace confide::package
