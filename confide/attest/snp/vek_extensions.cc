#include "confide/attest/snp/vek_extensions.h"

#include "confide/base/check.h"

namespace confide::attest::snp {
namespace {

constexpr uint8_t kTagInteger = 0x02;
constexpr uint8_t kTagIa5String = 0x16;

// Reads the tag and a short-form length; the contents must be the whole rest of the input.
bool ReadTlv(ByteSpan der, uint8_t want_tag, ByteSpan* contents) {
  ByteReader r(der);
  uint8_t tag = 0;
  uint8_t len = 0;
  if (!r.ReadU8(&tag) || tag != want_tag || !r.ReadU8(&len) || (len & 0x80) != 0) return false;
  return r.ReadSpan(len, contents) && r.empty();
}

Error ExtError(std::string_view oid, const std::string& what) {
  return MalformedError("snp vek extension " + std::string(oid) + ": " + what);
}

Result<uint8_t> ReadSpl(const crypto::Certificate& vek, std::string_view oid) {
  std::optional<Bytes> value = vek.Extension(oid);
  if (!value) return ExtError(oid, "missing");
  Result<uint64_t> spl = ParseDerUnsigned(*value);
  if (!spl.ok() || *spl > 0xFF) return ExtError(oid, "not a DER INTEGER in 0..255");
  return static_cast<uint8_t>(*spl);
}

Status ReadOptionalParts(const crypto::Certificate& vek, VekExtensions& out) {
  if (std::optional<Bytes> v = vek.Extension(kOidStructVersion)) {
    Result<uint64_t> version = ParseDerUnsigned(*v);
    if (!version.ok()) return ExtError(kOidStructVersion, "not a DER INTEGER");
    out.struct_version = *version;
  }
  if (vek.Extension(kOidFmcSpl)) {
    CONFIDE_ASSIGN_OR_RETURN(out.fmc_spl, ReadSpl(vek, kOidFmcSpl));
  }
  // AMD pub. 57230: hwID is the raw CHIP_ID bytes (64 B), 8 B on Turin; VLEKs carry none.
  if (std::optional<Bytes> hw_id = vek.Extension(kOidHwId)) {
    if (hw_id->size() != 64 && hw_id->size() != 8) {
      return ExtError(kOidHwId, "size " + std::to_string(hw_id->size()) + ", want 64 or 8");
    }
    out.hw_id = std::move(*hw_id);
  }
  return OkStatus();
}

}  // namespace

Result<uint64_t> ParseDerUnsigned(ByteSpan der) {
  ByteSpan contents;
  if (!ReadTlv(der, kTagInteger, &contents) || contents.empty()) {
    return MalformedError("der: not an INTEGER");
  }
  ByteReader r(contents);
  uint8_t first = 0;
  CONFIDE_CHECK(r.PeekU8(&first));
  if ((first & 0x80) != 0) return MalformedError("der: negative INTEGER");
  if (first == 0 && contents.size() > 1) {
    uint8_t second = 0;
    CONFIDE_CHECK(r.Skip(1) && r.PeekU8(&second));
    if ((second & 0x80) == 0) return MalformedError("der: non-minimal INTEGER");
  }
  if (r.remaining() > 8) return MalformedError("der: INTEGER over 64 bits");
  uint64_t value = 0;
  uint8_t b = 0;
  while (r.ReadU8(&b)) value = (value << 8) | b;
  return value;
}

Result<std::string> ParseDerIa5String(ByteSpan der) {
  ByteSpan contents;
  if (!ReadTlv(der, kTagIa5String, &contents)) return MalformedError("der: not an IA5String");
  for (uint8_t c : contents) {
    if (c > 0x7F) return MalformedError("der: IA5String with a non-ASCII byte");
  }
  return ToString(contents);
}

Bytes SerializeDerUnsigned(uint64_t value) {
  Bytes magnitude;
  for (int shift = 56; shift >= 0; shift -= 8) {
    uint8_t b = static_cast<uint8_t>(value >> shift);
    if (!magnitude.empty() || b != 0) magnitude.push_back(b);
  }
  if (magnitude.empty() || (magnitude.front() & 0x80) != 0) magnitude.insert(magnitude.begin(), 0);
  ByteWriter w;
  w.WriteU8(kTagInteger);
  w.WriteU8(static_cast<uint8_t>(magnitude.size()));
  w.WriteBytes(magnitude);
  return std::move(w).Take();
}

Bytes SerializeDerIa5String(std::string_view text) {
  CONFIDE_CHECK(text.size() < 128);
  for (char c : text) CONFIDE_CHECK(static_cast<unsigned char>(c) <= 0x7F);
  ByteWriter w;
  w.WriteU8(kTagIa5String);
  w.WriteU8(static_cast<uint8_t>(text.size()));
  w.WriteBytes(AsBytes(text));
  return std::move(w).Take();
}

Result<VekExtensions> ParseVekExtensions(const crypto::Certificate& vek) {
  VekExtensions out;
  std::optional<Bytes> name = vek.Extension(kOidProductName);
  if (!name) return ExtError(kOidProductName, "missing");
  Result<std::string> product = ParseDerIa5String(*name);
  if (!product.ok()) return ExtError(kOidProductName, "not a DER IA5String");
  out.product_name = std::move(*product);
  CONFIDE_ASSIGN_OR_RETURN(out.bl_spl, ReadSpl(vek, kOidBlSpl));
  CONFIDE_ASSIGN_OR_RETURN(out.tee_spl, ReadSpl(vek, kOidTeeSpl));
  CONFIDE_ASSIGN_OR_RETURN(out.snp_spl, ReadSpl(vek, kOidSnpSpl));
  CONFIDE_ASSIGN_OR_RETURN(out.ucode_spl, ReadSpl(vek, kOidUcodeSpl));
  CONFIDE_TRY(ReadOptionalParts(vek, out));
  return out;
}

Generation GenerationFromProductName(std::string_view product_name) {
  if (product_name.starts_with("Milan")) return Generation::kMilan;
  if (product_name.starts_with("Genoa")) return Generation::kGenoa;
  if (product_name.starts_with("Turin")) return Generation::kTurin;
  return Generation::kUnknown;
}

Tcb VekTcb(const VekExtensions& ext) {
  return {.fmc = ext.fmc_spl.value_or(0), .boot_loader = ext.bl_spl, .tee = ext.tee_spl,
          .snp = ext.snp_spl, .microcode = ext.ucode_spl};
}

std::vector<std::pair<std::string, Bytes>> SerializeVekExtensions(const VekExtensions& ext) {
  std::vector<std::pair<std::string, Bytes>> out;
  out.emplace_back(kOidStructVersion, SerializeDerUnsigned(ext.struct_version));
  out.emplace_back(kOidProductName, SerializeDerIa5String(ext.product_name));
  if (ext.fmc_spl) out.emplace_back(kOidFmcSpl, SerializeDerUnsigned(*ext.fmc_spl));
  out.emplace_back(kOidBlSpl, SerializeDerUnsigned(ext.bl_spl));
  out.emplace_back(kOidTeeSpl, SerializeDerUnsigned(ext.tee_spl));
  out.emplace_back(kOidSnpSpl, SerializeDerUnsigned(ext.snp_spl));
  out.emplace_back(kOidUcodeSpl, SerializeDerUnsigned(ext.ucode_spl));
  if (ext.hw_id) out.emplace_back(kOidHwId, *ext.hw_id);
  return out;
}

}  // namespace confide::attest::snp
