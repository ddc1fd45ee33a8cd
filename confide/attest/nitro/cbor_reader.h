// A pull reader of CBOR items (RFC 8949) for the Nitro attestation document, one head at a time.
// libcbor's streaming decoder (cbor_stream_decode) decodes each head; base's ByteReader owns the
// position, so no read goes past the buffer and nothing is allocated from counts in the input
// (libcbor's cbor_load would allocate a declared array size before reading it). Private to
// attest/nitro.
//
//   CborReader r(bytes);
//   CONFIDE_ASSIGN_OR_RETURN(CborItem head, r.Next());
//   if (head.type != CborType::kArray || head.value != 4) return MalformedError(...);
#ifndef CONFIDE_ATTEST_NITRO_CBOR_READER_H_
#define CONFIDE_ATTEST_NITRO_CBOR_READER_H_

#include <cstdint>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::attest::nitro {

enum class CborType {
  kUint,    // value = the integer
  kNegInt,  // the integer is -1 - value
  kBytes,   // data = the definite-length payload
  kText,    // data = the definite-length payload (UTF-8 is not checked here)
  kArray,   // value = the declared item count (the items follow)
  kMap,     // value = the declared pair count (the pairs follow)
  kTag,     // value = the tag number (the tagged item follows)
  kNull,
  kOther,   // bool, undefined, floats, and every indefinite-length item or break
};

struct CborItem {
  CborType type = CborType::kOther;
  uint64_t value = 0;
  ByteSpan data;  // kBytes / kText only; borrows the reader's buffer
};

class CborReader {
 public:
  explicit CborReader(ByteSpan bytes) : reader_(bytes) {}

  size_t offset() const { return reader_.offset(); }
  bool empty() const { return reader_.empty(); }

  // Reads one head (and a string's payload). kMalformed, with the offset, when truncated or not
  // CBOR. Never reads past the buffer.
  Result<CborItem> Next();
  // Skips one whole item (a head and everything it contains). kMalformed when it nests deeper
  // than `max_depth` or spans more than `max_items` heads in all (so hostile counts cost at most
  // that many steps), or is truncated.
  Status Skip(int max_depth, uint64_t max_items);

 private:
  ByteReader reader_;
};

}  // namespace confide::attest::nitro

#endif  // CONFIDE_ATTEST_NITRO_CBOR_READER_H_
