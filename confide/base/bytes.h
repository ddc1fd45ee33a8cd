// Byte buffers, and the bounds-checked reader and writer that every binary parser uses
// (STYLE.md §6; modelled on BoringSSL's CBS/CBB).
//
//   ByteReader r(bytes);
//   uint16_t version;
//   ByteSpan body;
//   if (!r.ReadU16Le(&version) || !r.ExpectZeros(2) || !r.ReadSpan(384, &body)) {
//     return MalformedError("quote header: bad field at offset " + std::to_string(r.offset()));
//   }
#ifndef CONFIDE_BASE_BYTES_H_
#define CONFIDE_BASE_BYTES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace confide {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;
using MutableByteSpan = std::span<uint8_t>;

// Views the characters of a string as bytes (no copy; the string must outlive the span).
ByteSpan AsBytes(std::string_view s);
// Copies bytes into a string (for text formats such as PEM or JSON).
std::string ToString(ByteSpan bytes);
// Concatenates spans into a new buffer.
Bytes Concat(std::initializer_list<ByteSpan> parts);
// Byte-wise equality. NOT constant time: use crypto::ConstantTimeEqual for digests, MACs, secrets.
bool Equal(ByteSpan a, ByteSpan b);

// Reads a borrowed buffer front to back. Every primitive returns false, and does not advance,
// when the buffer has too few bytes left (or a check fails); it then leaves the output untouched.
// Reads never go past the end. Not thread safe; the buffer must outlive the reader and its spans.
class ByteReader {
 public:
  explicit ByteReader(ByteSpan bytes) : data_(bytes) {}

  size_t offset() const { return offset_; }      // bytes consumed so far
  size_t remaining() const { return data_.size() - offset_; }
  bool empty() const { return remaining() == 0; }
  ByteSpan rest() const { return data_.subspan(offset_); }  // unread bytes, not consumed

  [[nodiscard]] bool ReadU8(uint8_t* out);
  [[nodiscard]] bool ReadU16Le(uint16_t* out);
  [[nodiscard]] bool ReadU16Be(uint16_t* out);
  [[nodiscard]] bool ReadU32Le(uint32_t* out);
  [[nodiscard]] bool ReadU32Be(uint32_t* out);
  [[nodiscard]] bool ReadU64Le(uint64_t* out);
  [[nodiscard]] bool ReadU64Be(uint64_t* out);

  // Borrows the next `len` bytes.
  [[nodiscard]] bool ReadSpan(size_t len, ByteSpan* out);
  // Copies the next `len` bytes.
  [[nodiscard]] bool ReadBytes(size_t len, Bytes* out);
  // Copies exactly N bytes into a fixed array.
  template <size_t N>
  [[nodiscard]] bool ReadArray(std::array<uint8_t, N>* out) {
    ByteSpan s;
    if (!ReadSpan(N, &s)) return false;
    std::copy(s.begin(), s.end(), out->begin());
    return true;
  }
  // Consumes `len` bytes and hands them to `out` as a new reader (a length-delimited region).
  [[nodiscard]] bool ReadSubReader(size_t len, ByteReader* out);
  // Length-prefixed regions: the prefix gives the byte count of the region that follows.
  [[nodiscard]] bool ReadPrefixedU8(ByteSpan* out);
  [[nodiscard]] bool ReadPrefixedU16Be(ByteSpan* out);
  [[nodiscard]] bool ReadPrefixedU16Le(ByteSpan* out);
  [[nodiscard]] bool ReadPrefixedU32Be(ByteSpan* out);
  [[nodiscard]] bool ReadPrefixedU32Le(ByteSpan* out);

  [[nodiscard]] bool Skip(size_t len);
  // Consumes `len` bytes only if they are all zero (reserved fields).
  [[nodiscard]] bool ExpectZeros(size_t len);
  // Peeks at the next byte without consuming it.
  [[nodiscard]] bool PeekU8(uint8_t* out) const;

 private:
  [[nodiscard]] bool ReadUint(size_t len, bool little_endian, uint64_t* out);

  ByteSpan data_;
  size_t offset_ = 0;
};

// Appends to an owned, growing buffer. Never fails (allocation failure aborts like any
// std::vector growth).
class ByteWriter {
 public:
  ByteWriter() = default;

  void WriteU8(uint8_t v);
  void WriteU16Le(uint16_t v);
  void WriteU16Be(uint16_t v);
  void WriteU32Le(uint32_t v);
  void WriteU32Be(uint32_t v);
  void WriteU64Le(uint64_t v);
  void WriteU64Be(uint64_t v);
  void WriteBytes(ByteSpan bytes);
  void WriteZeros(size_t len);
  // Writes the length as the prefix, then the bytes. The caller guarantees the length fits the
  // prefix width (CONFIDE_CHECK otherwise).
  void WritePrefixedU16Be(ByteSpan bytes);
  void WritePrefixedU32Le(ByteSpan bytes);

  size_t size() const { return buffer_.size(); }
  ByteSpan data() const { return buffer_; }
  Bytes Take() && { return std::move(buffer_); }

 private:
  void WriteUint(uint64_t v, size_t len, bool little_endian);
  Bytes buffer_;
};

}  // namespace confide

#endif  // CONFIDE_BASE_BYTES_H_
