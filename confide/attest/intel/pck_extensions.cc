#include "confide/attest/intel/pck_extensions.h"

#include <string>
#include <vector>

namespace confide::attest::intel {
namespace {

constexpr uint8_t kTagBoolean = 0x01;
constexpr uint8_t kTagInteger = 0x02;
constexpr uint8_t kTagOctetString = 0x04;
constexpr uint8_t kTagOid = 0x06;
constexpr uint8_t kTagEnumerated = 0x0A;
constexpr uint8_t kTagSequence = 0x30;

// DER contents of OID 1.2.840.113741.1.13.1; every sub-arc used here is < 128, one byte each.
constexpr uint8_t kSgxArc[] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01};

Error Bad(const std::string& what) { return MalformedError("intel pck extensions: " + what); }

// Reads one TLV with a single-byte tag and a minimal definite length (short form, or long form
// with 1 or 2 length bytes and no shorter encoding possible).
bool ReadTlv(ByteReader& r, uint8_t* tag, ByteSpan* contents) {
  uint8_t len0 = 0;
  if (!r.ReadU8(tag) || !r.ReadU8(&len0)) return false;
  size_t len = len0;
  if (len0 == 0x81) {
    uint8_t b = 0;
    if (!r.ReadU8(&b) || b < 0x80) return false;
    len = b;
  } else if (len0 == 0x82) {
    uint16_t v = 0;
    if (!r.ReadU16Be(&v) || v < 0x100) return false;
    len = v;
  } else if (len0 >= 0x80) {
    return false;  // indefinite, or longer than any PCK extension can be
  }
  return r.ReadSpan(len, contents);
}

bool ReadExpected(ByteReader& r, uint8_t want, ByteSpan* contents) {
  uint8_t tag = 0;
  return ReadTlv(r, &tag, contents) && tag == want;
}

// The sub-arcs after 1.2.840.113741.1.13.1 of an OID's contents, or nullopt if outside it.
std::optional<std::vector<uint8_t>> SubArcs(ByteSpan oid) {
  if (oid.size() <= sizeof(kSgxArc) || !Equal(oid.first(sizeof(kSgxArc)), kSgxArc)) {
    return std::nullopt;
  }
  std::vector<uint8_t> arcs(oid.begin() + sizeof(kSgxArc), oid.end());
  for (uint8_t a : arcs) {
    if (a >= 0x80) return std::nullopt;  // a multi-byte arc: not one of ours
  }
  return arcs;
}

Result<uint64_t> ReadUnsigned(ByteSpan contents, uint64_t max, const std::string& what) {
  if (contents.empty() || (contents[0] & 0x80) != 0)
    return Bad(what + ": not a non-negative INTEGER");
  if (contents.size() > 1 && contents[0] == 0 && (contents[1] & 0x80) == 0) {
    return Bad(what + ": non-minimal INTEGER");
  }
  if (contents.size() > 3) return Bad(what + ": INTEGER too large");
  uint64_t v = 0;
  for (uint8_t b : contents) v = (v << 8) | b;
  if (v > max) return Bad(what + ": " + std::to_string(v) + " out of range");
  return v;
}

template <size_t N>
Status CopyFixed(ByteSpan contents, std::array<uint8_t, N>* out, const std::string& what) {
  if (contents.size() != N) {
    return Bad(what + ": " + std::to_string(contents.size()) + " bytes, want " + std::to_string(N));
  }
  std::copy(contents.begin(), contents.end(), out->begin());
  return OkStatus();
}

// One SEQUENCE { OID, value } item: the OID's sub-arcs (nullopt: foreign OID), the value's tag
// and contents.
struct Item {
  std::optional<std::vector<uint8_t>> arcs;
  uint8_t tag = 0;
  ByteSpan value;
};

Result<Item> ReadItem(ByteReader& seq, const std::string& where) {
  ByteSpan item_der;
  if (!ReadExpected(seq, kTagSequence, &item_der)) return Bad(where + ": item is not a SEQUENCE");
  ByteReader item(item_der);
  ByteSpan oid;
  Item out;
  if (!ReadExpected(item, kTagOid, &oid) || oid.empty()) return Bad(where + ": item without OID");
  if (!ReadTlv(item, &out.tag, &out.value) || !item.empty()) {
    return Bad(where + ": item value malformed or followed by extra bytes");
  }
  out.arcs = SubArcs(oid);
  return out;
}

Status ParseTcb(ByteSpan tcb_seq, PckTcb* tcb) {
  ByteReader r(tcb_seq);
  uint32_t seen = 0;  // bit i-1 for sub-arc .2.i
  while (!r.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(Item item, ReadItem(r, "tcb"));
    if (!item.arcs || item.arcs->size() != 2 || (*item.arcs)[0] != 2) continue;
    const uint8_t i = (*item.arcs)[1];
    if (i < 1 || i > 18) continue;
    if ((seen & (1u << (i - 1))) != 0) return Bad("tcb: duplicate entry .2." + std::to_string(i));
    seen |= 1u << (i - 1);
    const std::string what = "tcb .2." + std::to_string(i);
    if (i <= 16) {
      if (item.tag != kTagInteger) return Bad(what + ": not an INTEGER");
      CONFIDE_ASSIGN_OR_RETURN(uint64_t svn, ReadUnsigned(item.value, 0xFF, what));
      tcb->comp_svn[i - 1] = static_cast<uint8_t>(svn);
    } else if (i == 17) {
      if (item.tag != kTagInteger) return Bad(what + ": not an INTEGER");
      CONFIDE_ASSIGN_OR_RETURN(uint64_t svn, ReadUnsigned(item.value, 0xFFFF, what));
      tcb->pce_svn = static_cast<uint16_t>(svn);
    } else {
      if (item.tag != kTagOctetString) return Bad(what + ": not an OCTET STRING");
      CONFIDE_TRY(CopyFixed(item.value, &tcb->cpu_svn, what));
    }
  }
  if (seen != (1u << 18) - 1) return Bad("tcb: missing entries");
  return OkStatus();
}

Result<PckPlatformConfiguration> ParseConfiguration(ByteSpan seq) {
  ByteReader r(seq);
  PckPlatformConfiguration out;
  while (!r.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(Item item, ReadItem(r, "configuration"));
    if (!item.arcs || item.arcs->size() != 2 || (*item.arcs)[0] != 7) continue;
    const uint8_t i = (*item.arcs)[1];
    std::optional<bool>* flag = i == 1   ? &out.dynamic_platform
                                : i == 2 ? &out.cached_keys
                                : i == 3 ? &out.smt_enabled
                                         : nullptr;
    if (flag == nullptr) continue;
    if (flag->has_value()) return Bad("configuration: duplicate entry");
    if (item.tag != kTagBoolean || item.value.size() != 1 ||
        (item.value[0] != 0x00 && item.value[0] != 0xFF)) {
      return Bad("configuration .7." + std::to_string(i) + ": not a DER BOOLEAN");
    }
    *flag = item.value[0] == 0xFF;
  }
  return out;
}

// DER writer helpers for SerializePckExtensions.
void WriteTlv(Bytes& out, uint8_t tag, ByteSpan contents) {
  out.push_back(tag);
  if (contents.size() < 0x80) {
    out.push_back(static_cast<uint8_t>(contents.size()));
  } else if (contents.size() < 0x100) {
    out.push_back(0x81);
    out.push_back(static_cast<uint8_t>(contents.size()));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<uint8_t>(contents.size() >> 8));
    out.push_back(static_cast<uint8_t>(contents.size()));
  }
  out.insert(out.end(), contents.begin(), contents.end());
}

Bytes Oid(std::initializer_list<uint8_t> arcs) {
  Bytes oid;
  oid.reserve(sizeof(kSgxArc) + arcs.size());
  for (uint8_t b : kSgxArc) oid.push_back(b);
  for (uint8_t b : arcs) oid.push_back(b);
  return oid;
}

Bytes UnsignedContents(uint64_t v) {
  Bytes be;
  do {
    be.insert(be.begin(), static_cast<uint8_t>(v));
    v >>= 8;
  } while (v != 0);
  if ((be[0] & 0x80) != 0) be.insert(be.begin(), 0);
  return be;
}

void WriteItem(Bytes& seq, const Bytes& oid, uint8_t tag, ByteSpan value) {
  Bytes item;
  WriteTlv(item, kTagOid, oid);
  WriteTlv(item, tag, value);
  WriteTlv(seq, kTagSequence, item);
}

}  // namespace

Result<PckExtensions> ParsePckExtensionsDer(ByteSpan extn_value) {
  ByteReader outer(extn_value);
  ByteSpan seq;
  if (!ReadExpected(outer, kTagSequence, &seq) || !outer.empty()) {
    return Bad("not one DER SEQUENCE");
  }
  PckExtensions out;
  uint32_t seen = 0;  // bit i-1 for sub-arc .i
  ByteReader r(seq);
  while (!r.empty()) {
    CONFIDE_ASSIGN_OR_RETURN(Item item, ReadItem(r, "extension"));
    if (!item.arcs || item.arcs->size() != 1) continue;
    const uint8_t i = (*item.arcs)[0];
    if (i < 1 || i > 7) continue;
    if ((seen & (1u << (i - 1))) != 0) return Bad("duplicate entry ." + std::to_string(i));
    seen |= 1u << (i - 1);
    const std::string what = "." + std::to_string(i);
    const bool want_octets = i == 1 || i == 3 || i == 4 || i == 6;
    if (want_octets && item.tag != kTagOctetString) return Bad(what + ": not an OCTET STRING");
    switch (i) {
      case 1:
        CONFIDE_TRY(CopyFixed(item.value, &out.ppid, "ppid"));
        break;
      case 2:
        if (item.tag != kTagSequence) return Bad("tcb: not a SEQUENCE");
        CONFIDE_TRY(ParseTcb(item.value, &out.tcb));
        break;
      case 3:
        CONFIDE_TRY(CopyFixed(item.value, &out.pce_id, "pce id"));
        break;
      case 4:
        CONFIDE_TRY(CopyFixed(item.value, &out.fmspc, "fmspc"));
        break;
      case 5: {
        if (item.tag != kTagEnumerated) return Bad("sgx type: not an ENUMERATED");
        CONFIDE_ASSIGN_OR_RETURN(uint64_t type, ReadUnsigned(item.value, 2, "sgx type"));
        out.sgx_type = static_cast<SgxType>(type);
        break;
      }
      case 6: {
        std::array<uint8_t, 16> id{};
        CONFIDE_TRY(CopyFixed(item.value, &id, "platform instance id"));
        out.platform_instance_id = id;
        break;
      }
      default: {  // 7
        if (item.tag != kTagSequence) return Bad("configuration: not a SEQUENCE");
        CONFIDE_ASSIGN_OR_RETURN(out.configuration, ParseConfiguration(item.value));
        break;
      }
    }
  }
  if ((seen & 0x1F) != 0x1F) return Bad("missing one of ppid, tcb, pce id, fmspc, sgx type");
  return out;
}

Result<PckExtensions> ParsePckExtensions(const crypto::Certificate& pck) {
  std::optional<Bytes> value = pck.Extension(kOidSgxExtensions);
  if (!value) return Bad("certificate has no SGX extension " + std::string(kOidSgxExtensions));
  return ParsePckExtensionsDer(*value);
}

Bytes SerializePckExtensions(const PckExtensions& ext) {
  Bytes tcb;
  for (uint8_t i = 1; i <= 16; ++i) {
    WriteItem(tcb, Oid({2, i}), kTagInteger, UnsignedContents(ext.tcb.comp_svn[i - 1]));
  }
  WriteItem(tcb, Oid({2, 17}), kTagInteger, UnsignedContents(ext.tcb.pce_svn));
  WriteItem(tcb, Oid({2, 18}), kTagOctetString, ext.tcb.cpu_svn);

  Bytes seq;
  WriteItem(seq, Oid({1}), kTagOctetString, ext.ppid);
  WriteItem(seq, Oid({2}), kTagSequence, tcb);
  WriteItem(seq, Oid({3}), kTagOctetString, ext.pce_id);
  WriteItem(seq, Oid({4}), kTagOctetString, ext.fmspc);
  WriteItem(seq, Oid({5}), kTagEnumerated, UnsignedContents(static_cast<uint8_t>(ext.sgx_type)));
  if (ext.platform_instance_id) {
    WriteItem(seq, Oid({6}), kTagOctetString, *ext.platform_instance_id);
  }
  if (ext.configuration) {
    Bytes conf;
    const std::optional<bool>* flags[] = {&ext.configuration->dynamic_platform,
                                          &ext.configuration->cached_keys,
                                          &ext.configuration->smt_enabled};
    for (uint8_t i = 0; i < 3; ++i) {
      if (!flags[i]->has_value()) continue;
      const uint8_t b = **flags[i] ? 0xFF : 0x00;
      WriteItem(conf, Oid({7, static_cast<uint8_t>(i + 1)}), kTagBoolean, ByteSpan(&b, 1));
    }
    WriteItem(seq, Oid({7}), kTagSequence, conf);
  }
  Bytes out;
  WriteTlv(out, kTagSequence, seq);
  return out;
}

}  // namespace confide::attest::intel
