#include "confide/tee/nitro/nsm_message.h"

#include <cbor.h>

#include <cstdlib>
#include <memory>
#include <string_view>

#include "confide/attest/nitro/cbor_reader.h"

namespace confide::tee::nitro {

namespace {

struct ItemDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using Item = std::unique_ptr<cbor_item_t, ItemDeleter>;

cbor_item_t* BytesOrNull(const std::optional<Bytes>& b) {
  if (!b) return cbor_new_null();
  return cbor_build_bytestring(b->data(), b->size());
}

// Adds {key: value} to `map`, taking `value`'s reference.
void Add(cbor_item_t* map, const char* key, cbor_item_t* value) {
  (void)cbor_map_add(map, cbor_pair{.key = cbor_move(cbor_build_string(key)),
                                    .value = cbor_move(value)});
}

Bytes Serialize(const cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  size_t capacity = 0;
  size_t n = cbor_serialize_alloc(item, &buffer, &capacity);
  Bytes out(buffer, buffer + n);
  std::free(buffer);
  return out;
}

// One whole CBOR item with nothing after it. cbor_load allocates a map's or array's declared
// size before reading it (a 9-byte head can ask for gigabytes), so the item is first walked with
// the bounded pull reader of attest/nitro: at most kMaxHeads heads, kMaxDepth deep, ending
// exactly at the end of the buffer. Every count cbor_load then sees is backed by real bytes.
constexpr int kMaxDepth = 4;
constexpr uint64_t kMaxHeads = 16;

Result<Item> Load(ByteSpan bytes, const char* what) {
  attest::nitro::CborReader walker(bytes);
  Status shape = walker.Skip(kMaxDepth, kMaxHeads);
  if (!shape.ok()) return MalformedError(std::string(what) + ": " + shape.error().message);
  if (!walker.empty()) return MalformedError(std::string(what) + ": trailing bytes after the message");
  cbor_load_result result{};
  Item item(cbor_load(bytes.data(), bytes.size(), &result));
  if (!item || result.error.code != CBOR_ERR_NONE) {
    return MalformedError(std::string(what) + ": not CBOR (at offset " +
                          std::to_string(result.error.position) + ")");
  }
  if (result.read != bytes.size()) {
    return MalformedError(std::string(what) + ": trailing bytes after the message");
  }
  return item;
}

std::optional<std::string_view> Text(const cbor_item_t* item) {
  if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)),
                          cbor_string_length(item));
}

std::optional<ByteSpan> ByteString(const cbor_item_t* item) {
  if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) return std::nullopt;
  return ByteSpan(cbor_bytestring_handle(item), cbor_bytestring_length(item));
}

// The single {name: value} entry of a definite one-entry map.
bool SingleEntry(const cbor_item_t* item, std::string_view* name, cbor_item_t** value) {
  if (!cbor_isa_map(item) || !cbor_map_is_definite(item) || cbor_map_size(item) != 1) return false;
  cbor_pair* pair = cbor_map_handle(item);
  auto text = Text(pair[0].key);
  if (!text) return false;
  *name = *text;
  *value = pair[0].value;
  return true;
}

}  // namespace

Bytes EncodeAttestationRequest(const AttestationRequest& request) {
  Item fields(cbor_new_definite_map(3));
  Add(fields.get(), "user_data", BytesOrNull(request.user_data));
  Add(fields.get(), "nonce", BytesOrNull(request.nonce));
  Add(fields.get(), "public_key", BytesOrNull(request.public_key));
  Item outer(cbor_new_definite_map(1));
  Add(outer.get(), "Attestation", fields.release());
  return Serialize(outer.get());
}

Result<Bytes> ParseAttestationResponse(ByteSpan response) {
  CONFIDE_ASSIGN_OR_RETURN(Item item, Load(response, "nsm response"));
  std::string_view variant;
  cbor_item_t* body = nullptr;
  if (!SingleEntry(item.get(), &variant, &body)) {
    return MalformedError("nsm response: not a one-entry map");
  }
  if (variant == "Error") {
    auto code = Text(body);
    return UnavailableError("nsm: " + (code ? std::string(*code) : std::string("unnamed error")));
  }
  if (variant != "Attestation") {
    return MalformedError("nsm response: unexpected variant " + std::string(variant));
  }
  std::string_view field;
  cbor_item_t* document = nullptr;
  if (!SingleEntry(body, &field, &document) || field != "document") {
    return MalformedError("nsm response: Attestation must hold exactly a document");
  }
  auto bytes = ByteString(document);
  if (!bytes || bytes->empty()) return MalformedError("nsm response: document is not bytes");
  return Bytes(bytes->begin(), bytes->end());
}

Result<AttestationRequest> ParseAttestationRequest(ByteSpan request) {
  CONFIDE_ASSIGN_OR_RETURN(Item item, Load(request, "nsm request"));
  std::string_view variant;
  cbor_item_t* body = nullptr;
  if (!SingleEntry(item.get(), &variant, &body) || variant != "Attestation") {
    return MalformedError("nsm request: not an Attestation request");
  }
  if (!cbor_isa_map(body) || !cbor_map_is_definite(body) || cbor_map_size(body) != 3) {
    return MalformedError("nsm request: Attestation must have 3 fields");
  }
  AttestationRequest out;
  int seen = 0;
  cbor_pair* pairs = cbor_map_handle(body);
  for (size_t i = 0; i < 3; ++i) {
    auto key = Text(pairs[i].key);
    std::optional<Bytes>* slot = nullptr;
    if (key == "user_data") slot = &out.user_data, seen |= 1;
    if (key == "nonce") slot = &out.nonce, seen |= 2;
    if (key == "public_key") slot = &out.public_key, seen |= 4;
    if (slot == nullptr) return MalformedError("nsm request: unknown field");
    if (cbor_is_null(pairs[i].value)) continue;
    auto bytes = ByteString(pairs[i].value);
    if (!bytes) return MalformedError("nsm request: field is neither bytes nor null");
    *slot = Bytes(bytes->begin(), bytes->end());
  }
  if (seen != 7) return MalformedError("nsm request: repeated field");
  return out;
}

Bytes EncodeAttestationResponse(ByteSpan document) {
  Item fields(cbor_new_definite_map(1));
  Add(fields.get(), "document", cbor_build_bytestring(document.data(), document.size()));
  Item outer(cbor_new_definite_map(1));
  Add(outer.get(), "Attestation", fields.release());
  return Serialize(outer.get());
}

}  // namespace confide::tee::nitro
