#include "confide/attest/nitro/cbor_reader.h"

#include <cbor.h>

#include <string>
#include <vector>

namespace confide::attest::nitro {
namespace {

CborItem* Out(void* context) { return static_cast<CborItem*>(context); }

void OnUint8(void* c, uint8_t v) { *Out(c) = {CborType::kUint, v, {}}; }
void OnUint16(void* c, uint16_t v) { *Out(c) = {CborType::kUint, v, {}}; }
void OnUint32(void* c, uint32_t v) { *Out(c) = {CborType::kUint, v, {}}; }
void OnUint64(void* c, uint64_t v) { *Out(c) = {CborType::kUint, v, {}}; }
void OnNeg8(void* c, uint8_t v) { *Out(c) = {CborType::kNegInt, v, {}}; }
void OnNeg16(void* c, uint16_t v) { *Out(c) = {CborType::kNegInt, v, {}}; }
void OnNeg32(void* c, uint32_t v) { *Out(c) = {CborType::kNegInt, v, {}}; }
void OnNeg64(void* c, uint64_t v) { *Out(c) = {CborType::kNegInt, v, {}}; }
void OnBytes(void* c, cbor_data data, size_t len) {
  *Out(c) = {CborType::kBytes, len, ByteSpan(data, len)};
}
void OnText(void* c, cbor_data data, size_t len) {
  *Out(c) = {CborType::kText, len, ByteSpan(data, len)};
}
void OnArray(void* c, size_t n) { *Out(c) = {CborType::kArray, n, {}}; }
void OnMap(void* c, size_t n) { *Out(c) = {CborType::kMap, n, {}}; }
void OnTag(void* c, uint64_t v) { *Out(c) = {CborType::kTag, v, {}}; }
void OnNull(void* c) { *Out(c) = {CborType::kNull, 0, {}}; }

// Everything not set here keeps libcbor's no-op callback, leaving the item kOther.
cbor_callbacks MakeCallbacks() {
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.uint8 = OnUint8;
  cb.uint16 = OnUint16;
  cb.uint32 = OnUint32;
  cb.uint64 = OnUint64;
  cb.negint8 = OnNeg8;
  cb.negint16 = OnNeg16;
  cb.negint32 = OnNeg32;
  cb.negint64 = OnNeg64;
  cb.byte_string = OnBytes;  // definite length (libcbor's header comments have the two swapped)
  cb.string = OnText;
  cb.array_start = OnArray;
  cb.map_start = OnMap;
  cb.tag = OnTag;
  cb.null = OnNull;
  return cb;
}

const cbor_callbacks kCallbacks = MakeCallbacks();

}  // namespace

Result<CborItem> CborReader::Next() {
  const size_t at = reader_.offset();
  ByteSpan rest = reader_.rest();
  if (rest.empty()) return MalformedError("CBOR: truncated at offset " + std::to_string(at));
  CborItem item;
  // libcbor 0.8 rejects the one-byte tag heads 0xc6..0xd4 as "unassigned"; COSE_Sign1 is tag 18
  // (0xd2), so decode those heads here.
  if (rest[0] >= 0xc6 && rest[0] <= 0xd4) {
    if (!reader_.Skip(1)) return MalformedError("CBOR: truncated");
    return CborItem{CborType::kTag, uint64_t{rest[0]} - 0xc0, {}};
  }
  cbor_decoder_result r = cbor_stream_decode(rest.data(), rest.size(), &kCallbacks, &item);
  if (r.status == CBOR_DECODER_NEDATA) {
    return MalformedError("CBOR: truncated item at offset " + std::to_string(at));
  }
  if (r.status != CBOR_DECODER_FINISHED || r.read == 0 || !reader_.Skip(r.read)) {
    return MalformedError("CBOR: invalid item at offset " + std::to_string(at));
  }
  return item;
}

Status CborReader::Skip(int max_depth, uint64_t max_items) {
  // Iterative: a stack of how many items remain at each open level.
  std::vector<uint64_t> pending = {1};
  uint64_t seen = 0;
  while (!pending.empty()) {
    if (pending.back() == 0) {
      pending.pop_back();
      continue;
    }
    --pending.back();
    if (++seen > max_items) {
      return MalformedError("CBOR: more than " + std::to_string(max_items) +
                            " items at offset " + std::to_string(offset()));
    }
    CONFIDE_ASSIGN_OR_RETURN(CborItem item, Next());
    uint64_t children = 0;
    switch (item.type) {
      case CborType::kArray:
        children = item.value;
        break;
      case CborType::kMap:
        if (item.value > UINT64_MAX / 2) return MalformedError("CBOR: map too large");
        children = item.value * 2;
        break;
      case CborType::kTag:
        children = 1;
        break;
      case CborType::kOther:
        return MalformedError("CBOR: unsupported item (indefinite length, float or simple) "
                              "before offset " + std::to_string(offset()));
      default:
        break;
    }
    if (children == 0) continue;
    if (static_cast<int>(pending.size()) >= max_depth) {
      return MalformedError("CBOR: nested deeper than " + std::to_string(max_depth));
    }
    pending.push_back(children);
  }
  return OkStatus();
}

}  // namespace confide::attest::nitro
