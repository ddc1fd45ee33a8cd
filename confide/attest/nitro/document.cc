#include "confide/attest/nitro/document.h"

#include <cbor.h>

#include <array>
#include <string>
#include <string_view>

#include "confide/attest/nitro/cbor_reader.h"

namespace confide::attest::nitro {
namespace {

Error Bad(const std::string& what, const CborReader& r) {
  return MalformedError("Nitro document: " + what + " (near offset " + std::to_string(r.offset()) +
                        ")");
}

Result<CborItem> NextOf(CborReader& r, CborType type, const std::string& what) {
  CONFIDE_ASSIGN_OR_RETURN(CborItem item, r.Next());
  if (item.type != type) return Bad(what + ": wrong CBOR type", r);
  return item;
}

Result<ByteSpan> BytesOf(CborReader& r, const std::string& what, size_t min, size_t max) {
  CONFIDE_ASSIGN_OR_RETURN(CborItem item, NextOf(r, CborType::kBytes, what));
  if (item.data.size() < min || item.data.size() > max) {
    return Bad(what + ": " + std::to_string(item.data.size()) + " bytes, expected " +
                   std::to_string(min) + ".." + std::to_string(max),
               r);
  }
  return item.data;
}

// A byte string of min..max bytes, or null (nullopt).
Result<std::optional<Bytes>> OptionalBytesOf(CborReader& r, const std::string& what, size_t max) {
  CONFIDE_ASSIGN_OR_RETURN(CborItem item, r.Next());
  if (item.type == CborType::kNull) return std::optional<Bytes>();
  if (item.type != CborType::kBytes) return Bad(what + ": expected a byte string or null", r);
  if (item.data.size() > max) {
    return Bad(what + ": " + std::to_string(item.data.size()) + " bytes, more than " +
                   std::to_string(max),
               r);
  }
  return std::optional<Bytes>(Bytes(item.data.begin(), item.data.end()));
}

Result<std::string> TextOf(CborReader& r, const std::string& what, size_t max) {
  CONFIDE_ASSIGN_OR_RETURN(CborItem item, NextOf(r, CborType::kText, what));
  if (item.data.empty() || item.data.size() > max) {
    return Bad(what + ": " + std::to_string(item.data.size()) + " characters, expected 1.." +
                   std::to_string(max),
               r);
  }
  for (uint8_t c : item.data) {
    if (c < 0x20 || c > 0x7e) return Bad(what + ": not printable ASCII", r);
  }
  return ToString(item.data);
}

Result<int64_t> ParseProtected(ByteSpan bytes) {
  CborReader r(bytes);
  CONFIDE_ASSIGN_OR_RETURN(CborItem map, NextOf(r, CborType::kMap, "protected header"));
  if (map.value != 1) return Bad("protected header: expected exactly {1: alg}", r);
  CONFIDE_ASSIGN_OR_RETURN(CborItem key, NextOf(r, CborType::kUint, "protected header key"));
  if (key.value != 1) return Bad("protected header: expected exactly {1: alg}", r);
  CONFIDE_ASSIGN_OR_RETURN(CborItem alg, r.Next());
  if (!r.empty()) return Bad("protected header: trailing bytes", r);
  if (alg.type == CborType::kNegInt && alg.value == 34) return kCoseAlgEs384;
  if ((alg.type == CborType::kNegInt || alg.type == CborType::kUint) && alg.value < 1u << 16) {
    const int64_t v = alg.type == CborType::kNegInt ? -1 - static_cast<int64_t>(alg.value)
                                                   : static_cast<int64_t>(alg.value);
    return UnsupportedError("Nitro document: COSE alg " + std::to_string(v) +
                            ", only ES384 (-35) is accepted");
  }
  return Bad("protected header: alg is not a small integer", r);
}

Status ParsePcrs(CborReader& r, Payload* out) {
  CONFIDE_ASSIGN_OR_RETURN(CborItem map, NextOf(r, CborType::kMap, "pcrs"));
  if (map.value == 0 || map.value > kMaxPcrIndex + 1) {
    return Bad("pcrs: " + std::to_string(map.value) + " entries, expected 1..32", r);
  }
  for (uint64_t i = 0; i < map.value; ++i) {
    CONFIDE_ASSIGN_OR_RETURN(CborItem index, NextOf(r, CborType::kUint, "pcrs: index"));
    if (index.value > kMaxPcrIndex) {
      return Bad("pcrs: index " + std::to_string(index.value) + " > 31", r);
    }
    const std::string what = "pcrs[" + std::to_string(index.value) + "]";
    CONFIDE_ASSIGN_OR_RETURN(ByteSpan value, BytesOf(r, what, kPcrSize, kPcrSize));
    if (!out->pcrs.emplace(static_cast<uint32_t>(index.value), Bytes(value.begin(), value.end()))
             .second) {
      return Bad(what + ": duplicate index", r);
    }
  }
  return OkStatus();
}

Status ParseCabundle(CborReader& r, Payload* out) {
  CONFIDE_ASSIGN_OR_RETURN(CborItem head, r.Next());
  if (head.type == CborType::kNull) return OkStatus();
  if (head.type != CborType::kArray) return Bad("cabundle: expected an array", r);
  if (head.value > kMaxCabundleSize) {
    return Bad("cabundle: " + std::to_string(head.value) + " certificates, more than " +
                   std::to_string(kMaxCabundleSize),
               r);
  }
  for (uint64_t i = 0; i < head.value; ++i) {
    CONFIDE_ASSIGN_OR_RETURN(ByteSpan der, BytesOf(r, "cabundle[" + std::to_string(i) + "]", 1,
                                                   kMaxCertificateSize));
    out->cabundle.emplace_back(der.begin(), der.end());
  }
  return OkStatus();
}

enum Field : uint32_t {
  kModuleId = 1 << 0,
  kDigest = 1 << 1,
  kTimestamp = 1 << 2,
  kPcrs = 1 << 3,
  kCertificate = 1 << 4,
  kCabundle = 1 << 5,
  kPublicKey = 1 << 6,
  kUserData = 1 << 7,
  kNonce = 1 << 8,
};
constexpr uint32_t kRequired = kModuleId | kDigest | kTimestamp | kPcrs | kCertificate | kCabundle;

constexpr std::pair<std::string_view, Field> kFieldNames[] = {
    {"module_id", kModuleId},     {"digest", kDigest},        {"timestamp", kTimestamp},
    {"pcrs", kPcrs},              {"certificate", kCertificate}, {"cabundle", kCabundle},
    {"public_key", kPublicKey},   {"user_data", kUserData},   {"nonce", kNonce},
};

Result<Payload> ParsePayload(ByteSpan bytes) {
  CborReader r(bytes);
  CONFIDE_ASSIGN_OR_RETURN(CborItem map, NextOf(r, CborType::kMap, "payload"));
  if (map.value > std::size(kFieldNames)) {
    return Bad("payload: " + std::to_string(map.value) + " entries, at most 9 are defined", r);
  }
  Payload p;
  uint32_t seen = 0;
  for (uint64_t i = 0; i < map.value; ++i) {
    CONFIDE_ASSIGN_OR_RETURN(CborItem key, NextOf(r, CborType::kText, "payload key"));
    const std::string_view name(reinterpret_cast<const char*>(key.data.data()), key.data.size());
    Field field{};
    for (const auto& [n, f] : kFieldNames) {
      if (n == name) field = f;
    }
    if (field == Field{}) return Bad("payload: unknown key", r);
    if (seen & field) return Bad("payload: duplicate key " + std::string(name), r);
    seen |= field;
    switch (field) {
      case kModuleId: {
        CONFIDE_ASSIGN_OR_RETURN(p.module_id, TextOf(r, "module_id", kMaxModuleIdSize));
        break;
      }
      case kDigest: {
        CONFIDE_ASSIGN_OR_RETURN(p.digest, TextOf(r, "digest", 16));
        if (p.digest != "SHA384") {
          return UnsupportedError("Nitro document: digest \"" + p.digest +
                                  "\", only SHA384 is defined");
        }
        break;
      }
      case kTimestamp: {
        CONFIDE_ASSIGN_OR_RETURN(CborItem t, NextOf(r, CborType::kUint, "timestamp"));
        p.timestamp_ms = t.value;
        break;
      }
      case kPcrs:
        CONFIDE_TRY(ParsePcrs(r, &p));
        break;
      case kCertificate: {
        CONFIDE_ASSIGN_OR_RETURN(ByteSpan der,
                                 BytesOf(r, "certificate", 1, kMaxCertificateSize));
        p.certificate.assign(der.begin(), der.end());
        break;
      }
      case kCabundle:
        CONFIDE_TRY(ParseCabundle(r, &p));
        break;
      case kPublicKey: {
        CONFIDE_ASSIGN_OR_RETURN(p.public_key,
                                 OptionalBytesOf(r, "public_key", kMaxOptionalFieldSize));
        break;
      }
      case kUserData: {
        CONFIDE_ASSIGN_OR_RETURN(p.user_data,
                                 OptionalBytesOf(r, "user_data", kMaxOptionalFieldSize));
        break;
      }
      case kNonce: {
        CONFIDE_ASSIGN_OR_RETURN(p.nonce, OptionalBytesOf(r, "nonce", kMaxOptionalFieldSize));
        break;
      }
    }
  }
  if (!r.empty()) return Bad("payload: trailing bytes", r);
  if ((seen & kRequired) != kRequired) {
    std::string missing;
    for (const auto& [n, f] : kFieldNames) {
      if ((kRequired & f) && !(seen & f)) missing += (missing.empty() ? "" : ", ") + std::string(n);
    }
    return Bad("payload: missing " + missing, r);
  }
  return p;
}

// Appends one CBOR head written by a libcbor encoder (at most 9 bytes).
template <typename Encoder, typename Arg>
void Head(ByteWriter& w, Encoder encode, Arg arg) {
  std::array<unsigned char, 9> buf{};
  const size_t n = encode(arg, buf.data(), buf.size());
  w.WriteBytes(ByteSpan(buf.data(), n));
}

void WriteBstr(ByteWriter& w, ByteSpan bytes) {
  Head(w, cbor_encode_bytestring_start, bytes.size());
  w.WriteBytes(bytes);
}

void WriteText(ByteWriter& w, std::string_view text) {
  Head(w, cbor_encode_string_start, text.size());
  w.WriteBytes(AsBytes(text));
}

void WriteOptional(ByteWriter& w, std::string_view key, const std::optional<Bytes>& value) {
  WriteText(w, key);
  if (value) {
    WriteBstr(w, *value);
  } else {
    w.WriteU8(0xf6);  // null
  }
}

}  // namespace

Result<Document> ParseDocument(ByteSpan bytes) {
  if (bytes.size() > kMaxDocumentSize) {
    return MalformedError("Nitro document: " + std::to_string(bytes.size()) +
                          " bytes, more than " + std::to_string(kMaxDocumentSize));
  }
  CborReader r(bytes);
  Document doc;
  CONFIDE_ASSIGN_OR_RETURN(CborItem head, r.Next());
  if (head.type == CborType::kTag) {
    if (head.value != kCoseSign1Tag) return Bad("tag " + std::to_string(head.value) + ", not 18", r);
    doc.tagged = true;
    CONFIDE_ASSIGN_OR_RETURN(head, r.Next());
  }
  if (head.type != CborType::kArray || head.value != 4) {
    return Bad("not a COSE_Sign1 array of 4 items", r);
  }
  CONFIDE_ASSIGN_OR_RETURN(ByteSpan prot, BytesOf(r, "protected header", 1, kMaxProtectedSize));
  CONFIDE_ASSIGN_OR_RETURN(doc.alg, ParseProtected(prot));
  doc.protected_header.assign(prot.begin(), prot.end());
  // The unprotected header is not signed and nothing in it is used: a bounded map, or null.
  CONFIDE_ASSIGN_OR_RETURN(CborItem unprotected, r.Next());
  if (unprotected.type == CborType::kMap) {
    if (unprotected.value > 16) return Bad("unprotected header: more than 16 entries", r);
    for (uint64_t i = 0; i < 2 * unprotected.value; ++i) CONFIDE_TRY(r.Skip(4, 64));
  } else if (unprotected.type != CborType::kNull) {
    return Bad("unprotected header: expected a map", r);
  }
  CONFIDE_ASSIGN_OR_RETURN(ByteSpan payload, BytesOf(r, "payload", 1, kMaxPayloadSize));
  CONFIDE_ASSIGN_OR_RETURN(doc.payload, ParsePayload(payload));
  doc.payload_bytes.assign(payload.begin(), payload.end());
  CONFIDE_ASSIGN_OR_RETURN(ByteSpan sig, BytesOf(r, "signature", kSignatureSize, kSignatureSize));
  doc.signature.assign(sig.begin(), sig.end());
  if (!r.empty()) return Bad("trailing bytes after the COSE_Sign1", r);
  return doc;
}

Bytes SigStructure(ByteSpan protected_header, ByteSpan payload_bytes) {
  ByteWriter w;
  Head(w, cbor_encode_array_start, size_t{4});
  WriteText(w, "Signature1");
  WriteBstr(w, protected_header);
  WriteBstr(w, {});  // external_aad
  WriteBstr(w, payload_bytes);
  return std::move(w).Take();
}

Bytes EncodeProtectedHeader(int64_t alg) {
  ByteWriter w;
  Head(w, cbor_encode_map_start, size_t{1});
  Head(w, cbor_encode_uint, uint64_t{1});
  if (alg < 0) {
    Head(w, cbor_encode_negint, static_cast<uint64_t>(-1 - alg));
  } else {
    Head(w, cbor_encode_uint, static_cast<uint64_t>(alg));
  }
  return std::move(w).Take();
}

Bytes EncodePayload(const Payload& p) {
  ByteWriter w;
  Head(w, cbor_encode_map_start, size_t{9});
  WriteText(w, "module_id");
  WriteText(w, p.module_id);
  WriteText(w, "digest");
  WriteText(w, p.digest);
  WriteText(w, "timestamp");
  Head(w, cbor_encode_uint, p.timestamp_ms);
  WriteText(w, "pcrs");
  Head(w, cbor_encode_map_start, p.pcrs.size());
  for (const auto& [index, value] : p.pcrs) {
    Head(w, cbor_encode_uint, uint64_t{index});
    WriteBstr(w, value);
  }
  WriteText(w, "certificate");
  WriteBstr(w, p.certificate);
  WriteText(w, "cabundle");
  Head(w, cbor_encode_array_start, p.cabundle.size());
  for (const Bytes& der : p.cabundle) WriteBstr(w, der);
  WriteOptional(w, "public_key", p.public_key);
  WriteOptional(w, "user_data", p.user_data);
  WriteOptional(w, "nonce", p.nonce);
  return std::move(w).Take();
}

Bytes EncodeCoseSign1(ByteSpan protected_header, ByteSpan payload_bytes, ByteSpan signature) {
  ByteWriter w;
  Head(w, cbor_encode_array_start, size_t{4});
  WriteBstr(w, protected_header);
  Head(w, cbor_encode_map_start, size_t{0});
  WriteBstr(w, payload_bytes);
  WriteBstr(w, signature);
  return std::move(w).Take();
}

}  // namespace confide::attest::nitro
