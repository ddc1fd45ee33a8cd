// Drives ByteReader with a little program taken from the input itself: each opcode byte picks a
// primitive, and the rest of the input is the data. Invariants: offset + remaining == size, a
// failed read never advances, and a successful read advances by exactly its width.
#include <cstdint>

#include "confide/base/bytes.h"
#include "confide/base/check.h"

using confide::ByteReader;
using confide::ByteSpan;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ByteSpan all(data, size);
  size_t num_ops = std::min<size_t>(all[0], size - 1);
  ByteSpan ops = all.subspan(1, num_ops);
  ByteSpan payload = all.subspan(1 + num_ops);
  ByteReader r(payload);
  for (uint8_t op : ops) {
    size_t before = r.offset();
    bool ok = false;
    size_t expected_advance = 0;
    switch (op % 12) {
      case 0: { uint8_t v; ok = r.ReadU8(&v); expected_advance = 1; break; }
      case 1: { uint16_t v; ok = r.ReadU16Le(&v); expected_advance = 2; break; }
      case 2: { uint32_t v; ok = r.ReadU32Be(&v); expected_advance = 4; break; }
      case 3: { uint64_t v; ok = r.ReadU64Le(&v); expected_advance = 8; break; }
      case 4: { ByteSpan s; ok = r.ReadSpan(op >> 4, &s); expected_advance = op >> 4; break; }
      case 5: { ok = r.ExpectZeros(op >> 4); expected_advance = op >> 4; break; }
      case 6: {
        ByteSpan s;
        ok = r.ReadPrefixedU8(&s);
        expected_advance = ok ? 1 + s.size() : 0;
        break;
      }
      case 7: {
        ByteSpan s;
        ok = r.ReadPrefixedU16Be(&s);
        expected_advance = ok ? 2 + s.size() : 0;
        break;
      }
      case 8: {
        ByteSpan s;
        ok = r.ReadPrefixedU32Le(&s);
        expected_advance = ok ? 4 + s.size() : 0;
        break;
      }
      case 9: {
        ByteReader sub(ByteSpan{});
        ok = r.ReadSubReader(op >> 4, &sub);
        expected_advance = op >> 4;
        if (ok) CONFIDE_CHECK(sub.remaining() == expected_advance);
        break;
      }
      case 10: { ok = r.Skip(op >> 4); expected_advance = op >> 4; break; }
      default: { uint8_t v; ok = r.PeekU8(&v); expected_advance = 0; break; }
    }
    CONFIDE_CHECK(r.offset() + r.remaining() == payload.size());
    CONFIDE_CHECK(r.offset() == before + (ok ? expected_advance : 0));
  }
  return 0;
}
