#include "confide/base/bytes.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace confide {
namespace {

// One fixed-width primitive: how many bytes it needs, and how to call it.
struct Primitive {
  std::string name;
  size_t width;
  std::function<bool(ByteReader&, uint64_t*)> read;
  uint64_t expected_from_ramp;  // value read from the bytes 01 02 03 04 05 06 07 08
};

std::vector<Primitive> Primitives() {
  return {
      {"U8", 1, [](ByteReader& r, uint64_t* o) { uint8_t v; bool ok = r.ReadU8(&v); *o = v; return ok; }, 0x01},
      {"U16Le", 2, [](ByteReader& r, uint64_t* o) { uint16_t v; bool ok = r.ReadU16Le(&v); *o = v; return ok; }, 0x0201},
      {"U16Be", 2, [](ByteReader& r, uint64_t* o) { uint16_t v; bool ok = r.ReadU16Be(&v); *o = v; return ok; }, 0x0102},
      {"U32Le", 4, [](ByteReader& r, uint64_t* o) { uint32_t v; bool ok = r.ReadU32Le(&v); *o = v; return ok; }, 0x04030201},
      {"U32Be", 4, [](ByteReader& r, uint64_t* o) { uint32_t v; bool ok = r.ReadU32Be(&v); *o = v; return ok; }, 0x01020304},
      {"U64Le", 8, [](ByteReader& r, uint64_t* o) { return r.ReadU64Le(o); }, 0x0807060504030201},
      {"U64Be", 8, [](ByteReader& r, uint64_t* o) { return r.ReadU64Be(o); }, 0x0102030405060708},
  };
}

const Bytes kRamp = {1, 2, 3, 4, 5, 6, 7, 8};

TEST(ByteReaderTest, EveryIntegerPrimitiveAtEveryBufferSize) {
  for (const Primitive& p : Primitives()) {
    for (size_t size = 0; size <= kRamp.size(); ++size) {
      SCOPED_TRACE(p.name + " with " + std::to_string(size) + " bytes");
      ByteReader r(ByteSpan(kRamp).first(size));
      uint64_t v = 0xdeadbeef;
      bool ok = p.read(r, &v);
      if (size < p.width) {
        EXPECT_FALSE(ok);
        EXPECT_EQ(r.offset(), 0u) << "a failed read must not advance";
      } else {
        ASSERT_TRUE(ok);
        EXPECT_EQ(v, p.expected_from_ramp);
        EXPECT_EQ(r.offset(), p.width);
        EXPECT_EQ(r.remaining(), size - p.width);
      }
    }
  }
}

TEST(ByteReaderTest, IntegerPrimitivesReadTheMaximumValue) {
  Bytes ones(8, 0xff);
  for (const Primitive& p : Primitives()) {
    ByteReader r(ones);
    uint64_t v = 0;
    ASSERT_TRUE(p.read(r, &v)) << p.name;
    uint64_t max = p.width == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * p.width)) - 1;
    EXPECT_EQ(v, max) << p.name;
  }
}

TEST(ByteReaderTest, ReadSpanAtEveryLength) {
  for (size_t len = 0; len <= kRamp.size() + 1; ++len) {
    ByteReader r(kRamp);
    ByteSpan s;
    bool ok = r.ReadSpan(len, &s);
    EXPECT_EQ(ok, len <= kRamp.size()) << len;
    if (ok) {
      EXPECT_EQ(s.size(), len);
      EXPECT_EQ(r.offset(), len);
      if (len > 0) {
        EXPECT_EQ(s[0], 1);
      }
    } else {
      EXPECT_EQ(r.offset(), 0u);
    }
  }
}

TEST(ByteReaderTest, ReadBytesAndArrayCopy) {
  ByteReader r(kRamp);
  Bytes b;
  std::array<uint8_t, 3> a{};
  ASSERT_TRUE(r.ReadBytes(2, &b));
  EXPECT_EQ(b, (Bytes{1, 2}));
  ASSERT_TRUE(r.ReadArray(&a));
  EXPECT_EQ(a, (std::array<uint8_t, 3>{3, 4, 5}));
  std::array<uint8_t, 4> too_big{9, 9, 9, 9};
  EXPECT_FALSE(r.ReadArray(&too_big));
  EXPECT_EQ(too_big, (std::array<uint8_t, 4>{9, 9, 9, 9})) << "output untouched on failure";
  EXPECT_EQ(r.offset(), 5u);
}

TEST(ByteReaderTest, SkipStopsAtTheEnd) {
  for (size_t len = 0; len <= kRamp.size() + 1; ++len) {
    ByteReader r(kRamp);
    EXPECT_EQ(r.Skip(len), len <= kRamp.size()) << len;
  }
  ByteReader r(kRamp);
  EXPECT_FALSE(r.Skip(SIZE_MAX)) << "no overflow on huge lengths";
}

TEST(ByteReaderTest, ExpectZerosRejectsAnyNonZeroByte) {
  for (size_t pos = 0; pos < 6; ++pos) {
    Bytes b(6, 0);
    b[pos] = 0x80;
    ByteReader r(b);
    EXPECT_FALSE(r.ExpectZeros(6)) << pos;
    EXPECT_EQ(r.offset(), 0u);
    EXPECT_TRUE(r.ExpectZeros(pos)) << "the zeros before the set byte are fine";
  }
  Bytes zeros(4, 0);
  ByteReader r(zeros);
  EXPECT_FALSE(r.ExpectZeros(5));
  EXPECT_TRUE(r.ExpectZeros(4));
  EXPECT_TRUE(r.empty());
}

struct PrefixCase {
  std::string name;
  size_t prefix_width;
  bool little_endian;
  std::function<bool(ByteReader&, ByteSpan*)> read;
};

std::vector<PrefixCase> PrefixCases() {
  return {
      {"U8", 1, false, [](ByteReader& r, ByteSpan* s) { return r.ReadPrefixedU8(s); }},
      {"U16Be", 2, false, [](ByteReader& r, ByteSpan* s) { return r.ReadPrefixedU16Be(s); }},
      {"U16Le", 2, true, [](ByteReader& r, ByteSpan* s) { return r.ReadPrefixedU16Le(s); }},
      {"U32Be", 4, false, [](ByteReader& r, ByteSpan* s) { return r.ReadPrefixedU32Be(s); }},
      {"U32Le", 4, true, [](ByteReader& r, ByteSpan* s) { return r.ReadPrefixedU32Le(s); }},
  };
}

Bytes Prefixed(const PrefixCase& c, uint32_t declared, size_t actual) {
  Bytes out;
  for (size_t i = 0; i < c.prefix_width; ++i) {
    size_t shift = 8 * (c.little_endian ? i : c.prefix_width - 1 - i);
    out.push_back(static_cast<uint8_t>(declared >> shift));
  }
  for (size_t i = 0; i < actual; ++i) out.push_back(static_cast<uint8_t>(0xa0 + i));
  return out;
}

TEST(ByteReaderTest, PrefixedRegionsWithLengthOneUpAndOneDown) {
  for (const PrefixCase& c : PrefixCases()) {
    for (int delta : {-1, 0, 1}) {
      SCOPED_TRACE(c.name + " delta " + std::to_string(delta));
      const size_t actual = 5;
      Bytes b = Prefixed(c, static_cast<uint32_t>(actual + delta), actual);
      ByteReader r(b);
      ByteSpan s;
      bool ok = c.read(r, &s);
      if (delta > 0) {
        EXPECT_FALSE(ok);
        EXPECT_EQ(r.offset(), 0u) << "prefix must not be consumed on failure";
      } else {
        ASSERT_TRUE(ok);
        EXPECT_EQ(s.size(), actual + delta);
        EXPECT_EQ(r.remaining(), static_cast<size_t>(-delta));
        EXPECT_EQ(s[0], 0xa0);
      }
    }
  }
}

TEST(ByteReaderTest, PrefixedRegionWithTruncatedPrefix) {
  for (const PrefixCase& c : PrefixCases()) {
    Bytes b = Prefixed(c, 0, 0);
    for (size_t cut = 0; cut < b.size(); ++cut) {
      ByteReader r(ByteSpan(b).first(cut));
      ByteSpan s;
      EXPECT_FALSE(c.read(r, &s)) << c.name << " cut at " << cut;
    }
    ByteReader r(b);
    ByteSpan s;
    EXPECT_TRUE(c.read(r, &s)) << "empty region";
    EXPECT_TRUE(s.empty());
  }
}

TEST(ByteReaderTest, SubReaderIsBoundedToItsRegion) {
  ByteReader r(kRamp);
  ByteReader sub(ByteSpan{});
  ASSERT_TRUE(r.ReadSubReader(3, &sub));
  uint32_t v;
  EXPECT_FALSE(sub.ReadU32Le(&v)) << "cannot read past the region";
  uint16_t w;
  ASSERT_TRUE(sub.ReadU16Be(&w));
  EXPECT_EQ(w, 0x0102);
  EXPECT_EQ(r.offset(), 3u);
  EXPECT_FALSE(r.ReadSubReader(6, &sub));
}

TEST(ByteReaderTest, PeekDoesNotConsume) {
  ByteReader r(kRamp);
  uint8_t b;
  ASSERT_TRUE(r.PeekU8(&b));
  EXPECT_EQ(b, 1);
  EXPECT_EQ(r.offset(), 0u);
  ByteReader empty(ByteSpan{});
  EXPECT_FALSE(empty.PeekU8(&b));
}

TEST(ByteWriterTest, RoundTripsEveryPrimitiveThroughTheReader) {
  ByteWriter w;
  w.WriteU8(0xab);
  w.WriteU16Le(0x1234);
  w.WriteU16Be(0x1234);
  w.WriteU32Le(0xdeadbeef);
  w.WriteU32Be(0xdeadbeef);
  w.WriteU64Le(0x0123456789abcdef);
  w.WriteU64Be(0x0123456789abcdef);
  w.WriteZeros(3);
  w.WritePrefixedU16Be(kRamp);
  w.WritePrefixedU32Le(ByteSpan(kRamp).first(2));
  w.WriteBytes(kRamp);
  Bytes out = std::move(w).Take();
  ASSERT_EQ(out.size(), 1u + 2 + 2 + 4 + 4 + 8 + 8 + 3 + 10 + 6 + 8);

  ByteReader r(out);
  uint8_t u8;
  uint16_t u16a, u16b;
  uint32_t u32a, u32b;
  uint64_t u64a, u64b;
  ByteSpan p16, p32, tail;
  ASSERT_TRUE(r.ReadU8(&u8) && r.ReadU16Le(&u16a) && r.ReadU16Be(&u16b) && r.ReadU32Le(&u32a) &&
              r.ReadU32Be(&u32b) && r.ReadU64Le(&u64a) && r.ReadU64Be(&u64b) &&
              r.ExpectZeros(3) && r.ReadPrefixedU16Be(&p16) && r.ReadPrefixedU32Le(&p32) &&
              r.ReadSpan(8, &tail));
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(u8, 0xab);
  EXPECT_EQ(u16a, 0x1234);
  EXPECT_EQ(u16b, 0x1234);
  EXPECT_EQ(u32a, 0xdeadbeef);
  EXPECT_EQ(u32b, 0xdeadbeef);
  EXPECT_EQ(u64a, 0x0123456789abcdefu);
  EXPECT_EQ(u64b, 0x0123456789abcdefu);
  EXPECT_TRUE(Equal(p16, kRamp));
  EXPECT_TRUE(Equal(p32, ByteSpan(kRamp).first(2)));
  EXPECT_EQ(out[1], 0x34) << "little endian writes the low byte first";
  EXPECT_EQ(out[3], 0x12) << "big endian writes the high byte first";
}

TEST(BytesTest, ConcatAndString) {
  Bytes joined = Concat({AsBytes("ab"), ByteSpan(kRamp).first(1), AsBytes("")});
  EXPECT_EQ(joined, (Bytes{'a', 'b', 1}));
  EXPECT_EQ(ToString(AsBytes("hello")), "hello");
  EXPECT_TRUE(Equal(AsBytes("x"), AsBytes("x")));
  EXPECT_FALSE(Equal(AsBytes("x"), AsBytes("xy")));
}

}  // namespace
}  // namespace confide
