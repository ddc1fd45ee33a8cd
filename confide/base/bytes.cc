// The only file that indexes raw buffers (STYLE.md §6).
#include "confide/base/bytes.h"

#include <algorithm>
#include <limits>

#include "confide/base/check.h"

namespace confide {

ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string ToString(ByteSpan bytes) { return std::string(bytes.begin(), bytes.end()); }

Bytes Concat(std::initializer_list<ByteSpan> parts) {
  Bytes out;
  size_t total = 0;
  for (ByteSpan p : parts) total += p.size();
  out.reserve(total);
  for (ByteSpan p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

bool Equal(ByteSpan a, ByteSpan b) { return std::ranges::equal(a, b); }

bool ByteReader::ReadUint(size_t len, bool little_endian, uint64_t* out) {
  if (remaining() < len) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < len; ++i) {
    uint64_t byte = data_[offset_ + (little_endian ? len - 1 - i : i)];
    v = (v << 8) | byte;
  }
  offset_ += len;
  *out = v;
  return true;
}

bool ByteReader::ReadU8(uint8_t* out) {
  uint64_t v;
  if (!ReadUint(1, false, &v)) return false;
  *out = static_cast<uint8_t>(v);
  return true;
}
bool ByteReader::ReadU16Le(uint16_t* out) {
  uint64_t v;
  if (!ReadUint(2, true, &v)) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}
bool ByteReader::ReadU16Be(uint16_t* out) {
  uint64_t v;
  if (!ReadUint(2, false, &v)) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}
bool ByteReader::ReadU32Le(uint32_t* out) {
  uint64_t v;
  if (!ReadUint(4, true, &v)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}
bool ByteReader::ReadU32Be(uint32_t* out) {
  uint64_t v;
  if (!ReadUint(4, false, &v)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}
bool ByteReader::ReadU64Le(uint64_t* out) { return ReadUint(8, true, out); }
bool ByteReader::ReadU64Be(uint64_t* out) { return ReadUint(8, false, out); }

bool ByteReader::ReadSpan(size_t len, ByteSpan* out) {
  if (remaining() < len) return false;
  *out = data_.subspan(offset_, len);
  offset_ += len;
  return true;
}

bool ByteReader::ReadBytes(size_t len, Bytes* out) {
  ByteSpan s;
  if (!ReadSpan(len, &s)) return false;
  out->assign(s.begin(), s.end());
  return true;
}

bool ByteReader::ReadSubReader(size_t len, ByteReader* out) {
  ByteSpan s;
  if (!ReadSpan(len, &s)) return false;
  *out = ByteReader(s);
  return true;
}

// Reads a length with `read_len`, then that many bytes; consumes nothing unless both succeed.
template <typename T>
static bool ReadPrefixed(ByteReader* r, bool (ByteReader::*read_len)(T*), ByteSpan* out) {
  ByteReader attempt = *r;
  T len;
  if (!(attempt.*read_len)(&len) || !attempt.ReadSpan(len, out)) return false;
  *r = attempt;
  return true;
}

bool ByteReader::ReadPrefixedU8(ByteSpan* out) { return ReadPrefixed(this, &ByteReader::ReadU8, out); }
bool ByteReader::ReadPrefixedU16Be(ByteSpan* out) {
  return ReadPrefixed(this, &ByteReader::ReadU16Be, out);
}
bool ByteReader::ReadPrefixedU16Le(ByteSpan* out) {
  return ReadPrefixed(this, &ByteReader::ReadU16Le, out);
}
bool ByteReader::ReadPrefixedU32Be(ByteSpan* out) {
  return ReadPrefixed(this, &ByteReader::ReadU32Be, out);
}
bool ByteReader::ReadPrefixedU32Le(ByteSpan* out) {
  return ReadPrefixed(this, &ByteReader::ReadU32Le, out);
}

bool ByteReader::Skip(size_t len) {
  ByteSpan s;
  return ReadSpan(len, &s);
}

bool ByteReader::ExpectZeros(size_t len) {
  if (remaining() < len) return false;
  ByteSpan s = data_.subspan(offset_, len);
  if (!std::ranges::all_of(s, [](uint8_t b) { return b == 0; })) return false;
  offset_ += len;
  return true;
}

bool ByteReader::PeekU8(uint8_t* out) const {
  if (empty()) return false;
  *out = data_[offset_];
  return true;
}

void ByteWriter::WriteUint(uint64_t v, size_t len, bool little_endian) {
  for (size_t i = 0; i < len; ++i) {
    size_t shift = 8 * (little_endian ? i : len - 1 - i);
    buffer_.push_back(static_cast<uint8_t>(v >> shift));
  }
}

void ByteWriter::WriteU8(uint8_t v) { buffer_.push_back(v); }
void ByteWriter::WriteU16Le(uint16_t v) { WriteUint(v, 2, true); }
void ByteWriter::WriteU16Be(uint16_t v) { WriteUint(v, 2, false); }
void ByteWriter::WriteU32Le(uint32_t v) { WriteUint(v, 4, true); }
void ByteWriter::WriteU32Be(uint32_t v) { WriteUint(v, 4, false); }
void ByteWriter::WriteU64Le(uint64_t v) { WriteUint(v, 8, true); }
void ByteWriter::WriteU64Be(uint64_t v) { WriteUint(v, 8, false); }
void ByteWriter::WriteBytes(ByteSpan bytes) { buffer_.insert(buffer_.end(), bytes.begin(), bytes.end()); }
void ByteWriter::WriteZeros(size_t len) { buffer_.insert(buffer_.end(), len, 0); }

void ByteWriter::WritePrefixedU16Be(ByteSpan bytes) {
  CONFIDE_CHECK(bytes.size() <= std::numeric_limits<uint16_t>::max());
  WriteU16Be(static_cast<uint16_t>(bytes.size()));
  WriteBytes(bytes);
}

void ByteWriter::WritePrefixedU32Le(ByteSpan bytes) {
  CONFIDE_CHECK(bytes.size() <= std::numeric_limits<uint32_t>::max());
  WriteU32Le(static_cast<uint32_t>(bytes.size()));
  WriteBytes(bytes);
}

}  // namespace confide
