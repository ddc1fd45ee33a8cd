// A minimal deterministic CBOR (RFC 8949 §4.2.1) reader and writer over ByteReader/ByteWriter,
// for the binding claims map (binding.h explains why not libcbor). Private to attest.
#ifndef CONFIDE_ATTEST_INTERNAL_DET_CBOR_H_
#define CONFIDE_ATTEST_INTERNAL_DET_CBOR_H_

#include <cstdint>
#include <string_view>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::attest::internal {

// RFC 8949 §3.1 major types.
inline constexpr uint8_t kMajorUint = 0;
inline constexpr uint8_t kMajorNegInt = 1;
inline constexpr uint8_t kMajorBytes = 2;
inline constexpr uint8_t kMajorText = 3;
inline constexpr uint8_t kMajorArray = 4;
inline constexpr uint8_t kMajorMap = 5;
inline constexpr uint8_t kMajorTag = 6;
inline constexpr uint8_t kMajorSimple = 7;

// Writes a head with the shortest argument encoding (RFC 8949 §4.2.1 "preferred").
void WriteHead(ByteWriter& w, uint8_t major, uint64_t argument);
void WriteByteString(ByteWriter& w, ByteSpan bytes);
void WriteTextString(ByteWriter& w, std::string_view text);

struct Head {
  uint8_t major = 0;
  uint64_t argument = 0;  // the value, length or count; for major 7 the simple value
};

// Reads one head. kMalformed (with the offset) when truncated, reserved (28..30), indefinite
// (31), or not the shortest encoding of its argument.
Result<Head> ReadHead(ByteReader& r);

// Reads a head of major type `major` (2 or 3) and borrows its payload. kMalformed otherwise, or
// for text that is not valid UTF-8.
Result<ByteSpan> ReadString(ByteReader& r, uint8_t major);

// Consumes one complete well-formed, deterministically encoded item (maps must have strictly
// increasing encoded keys) and returns its encoded bytes (a span of `r`'s buffer). Nesting
// deeper than `max_depth` is kMalformed; floats and simple values other than false, true,
// null and undefined are kUnsupported.
Result<ByteSpan> ReadItem(ByteReader& r, int max_depth);

// Bytewise comparison of encoded map keys: negative, zero or positive (RFC 8949 §4.2.1).
int CompareEncoded(ByteSpan a, ByteSpan b);

// RFC 3629 UTF-8 validity (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(ByteSpan bytes);

}  // namespace confide::attest::internal

#endif  // CONFIDE_ATTEST_INTERNAL_DET_CBOR_H_
