#include "confide/attest/internal/det_cbor.h"

#include <algorithm>
#include <string>

namespace confide::attest::internal {
namespace {

Error At(const ByteReader& r, const std::string& what) {
  return MalformedError("cbor: " + what + " at offset " + std::to_string(r.offset()));
}

}  // namespace

void WriteHead(ByteWriter& w, uint8_t major, uint64_t argument) {
  const uint8_t mt = static_cast<uint8_t>(major << 5);
  if (argument < 24) {
    w.WriteU8(static_cast<uint8_t>(mt | argument));
  } else if (argument <= 0xff) {
    w.WriteU8(mt | 24);
    w.WriteU8(static_cast<uint8_t>(argument));
  } else if (argument <= 0xffff) {
    w.WriteU8(mt | 25);
    w.WriteU16Be(static_cast<uint16_t>(argument));
  } else if (argument <= 0xffffffff) {
    w.WriteU8(mt | 26);
    w.WriteU32Be(static_cast<uint32_t>(argument));
  } else {
    w.WriteU8(mt | 27);
    w.WriteU64Be(argument);
  }
}

void WriteByteString(ByteWriter& w, ByteSpan bytes) {
  WriteHead(w, kMajorBytes, bytes.size());
  w.WriteBytes(bytes);
}

void WriteTextString(ByteWriter& w, std::string_view text) {
  WriteHead(w, kMajorText, text.size());
  w.WriteBytes(AsBytes(text));
}

Result<Head> ReadHead(ByteReader& r) {
  ByteReader start = r;
  uint8_t initial;
  if (!r.ReadU8(&initial)) return At(r, "truncated head");
  Head head{static_cast<uint8_t>(initial >> 5), 0};
  const uint8_t info = initial & 0x1f;
  bool ok = true;
  uint64_t min = 0;  // the smallest argument that needs this width (shortest-form rule)
  if (info < 24) {
    head.argument = info;
  } else if (info == 24) {
    uint8_t v = 0;
    ok = r.ReadU8(&v);
    head.argument = v;
    min = 24;
  } else if (info == 25) {
    uint16_t v = 0;
    ok = r.ReadU16Be(&v);
    head.argument = v;
    min = 0x100;
  } else if (info == 26) {
    uint32_t v = 0;
    ok = r.ReadU32Be(&v);
    head.argument = v;
    min = 0x10000;
  } else if (info == 27) {
    ok = r.ReadU64Be(&head.argument);
    min = 0x100000000;
  } else {
    r = start;
    return At(r, info == 31 ? "indefinite length not allowed" : "reserved additional info");
  }
  if (!ok) return At(r, "truncated head");
  // Floats (major 7, info 25..27) are rejected by ReadItem; the width rule does not apply.
  if (head.major != kMajorSimple && head.argument < min) {
    r = start;
    return At(r, "non-shortest head");
  }
  return head;
}

Result<ByteSpan> ReadString(ByteReader& r, uint8_t major) {
  const size_t start = r.offset();
  CONFIDE_ASSIGN_OR_RETURN(Head head, ReadHead(r));
  if (head.major != major) {
    return MalformedError("cbor: expected " + std::string(major == kMajorText ? "text" : "bytes") +
                          " string at offset " + std::to_string(start));
  }
  ByteSpan payload;
  if (head.argument > r.remaining() || !r.ReadSpan(head.argument, &payload)) {
    return At(r, "string runs past the end");
  }
  if (major == kMajorText && !IsValidUtf8(payload)) {
    return MalformedError("cbor: invalid UTF-8 in text string at offset " + std::to_string(start));
  }
  return payload;
}

Result<ByteSpan> ReadItem(ByteReader& r, int max_depth) {
  if (max_depth < 0) return At(r, "nesting too deep");
  const ByteSpan before = r.rest();
  const size_t start = r.offset();
  ByteReader peek = r;
  CONFIDE_ASSIGN_OR_RETURN(Head head, ReadHead(peek));
  switch (head.major) {
    case kMajorUint:
    case kMajorNegInt:
      r = peek;
      break;
    case kMajorBytes:
    case kMajorText:
      CONFIDE_TRY(ReadString(r, head.major));
      break;
    case kMajorArray:
      r = peek;
      for (uint64_t i = 0; i < head.argument; ++i) CONFIDE_TRY(ReadItem(r, max_depth - 1));
      break;
    case kMajorMap: {
      r = peek;
      ByteSpan previous_key;
      for (uint64_t i = 0; i < head.argument; ++i) {
        CONFIDE_ASSIGN_OR_RETURN(ByteSpan key, ReadItem(r, max_depth - 1));
        if (i > 0 && CompareEncoded(previous_key, key) >= 0) {
          return At(r, "map keys out of order or duplicated");
        }
        previous_key = key;
        CONFIDE_TRY(ReadItem(r, max_depth - 1));
      }
      break;
    }
    case kMajorTag:
      r = peek;
      CONFIDE_TRY(ReadItem(r, max_depth - 1));
      break;
    default: {  // major 7: only false/true/null/undefined, encoded in the initial byte
      uint8_t initial = 0;
      if (!ByteReader(before).PeekU8(&initial) || (initial & 0x1f) < 20 || (initial & 0x1f) > 23) {
        return UnsupportedError("cbor: float or unassigned simple value at offset " +
                                std::to_string(start));
      }
      r = peek;
      break;
    }
  }
  return before.first(r.offset() - start);
}

int CompareEncoded(ByteSpan a, ByteSpan b) {
  const auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  if (ia != a.end() && ib != b.end()) return *ia < *ib ? -1 : 1;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool IsValidUtf8(ByteSpan bytes) {
  ByteReader r(bytes);
  uint8_t b0;
  while (r.ReadU8(&b0)) {
    if (b0 < 0x80) continue;
    int extra;
    uint32_t cp;
    uint32_t min;
    if ((b0 & 0xe0) == 0xc0) {
      extra = 1, cp = b0 & 0x1f, min = 0x80;
    } else if ((b0 & 0xf0) == 0xe0) {
      extra = 2, cp = b0 & 0x0f, min = 0x800;
    } else if ((b0 & 0xf8) == 0xf0) {
      extra = 3, cp = b0 & 0x07, min = 0x10000;
    } else {
      return false;
    }
    for (int i = 0; i < extra; ++i) {
      uint8_t b;
      if (!r.ReadU8(&b) || (b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  }
  return true;
}

}  // namespace confide::attest::internal
