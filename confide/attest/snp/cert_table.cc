#include "confide/attest/snp/cert_table.h"

#include <algorithm>
#include <limits>

#include "confide/base/check.h"
#include "confide/base/hex.h"

namespace confide::attest::snp {
namespace {

struct RawEntry {
  Guid guid{};
  uint32_t offset = 0;
  uint32_t length = 0;
};

bool IsZero(const Guid& g) {
  return std::all_of(g.begin(), g.end(), [](uint8_t b) { return b == 0; });
}

Error TableError(const std::string& what) { return MalformedError("snp cert table: " + what); }

// Reads entries up to and including the all-zero terminator (GHCB spec, certificate table).
Result<std::vector<RawEntry>> ReadEntries(ByteSpan blob) {
  ByteReader r(blob);
  std::vector<RawEntry> entries;
  for (;;) {
    RawEntry e;
    if (!r.ReadArray(&e.guid) || !r.ReadU32Le(&e.offset) || !r.ReadU32Le(&e.length)) {
      return TableError("no all-zero terminator entry (entry at offset " +
                        std::to_string(r.offset()) + " is cut short)");
    }
    if (IsZero(e.guid)) {
      if (e.offset != 0 || e.length != 0) {
        return TableError("zero GUID with a non-zero offset/length at entry " +
                          std::to_string(entries.size()));
      }
      return entries;
    }
    entries.push_back(e);
  }
}

// Copies one entry's certificate, checking it lies after the entry list and inside the blob.
Result<Bytes> ReadEntryData(ByteSpan blob, const RawEntry& e, size_t header_size, size_t index) {
  std::string where = "entry " + std::to_string(index) + " (" + FormatGuid(e.guid) + ")";
  if (e.length == 0) return TableError(where + ": zero length");
  if (e.offset < header_size) return TableError(where + ": data overlaps the entry list");
  ByteReader r(blob);
  Bytes data;
  if (!r.Skip(e.offset) || !r.ReadBytes(e.length, &data)) {
    return TableError(where + ": offset " + std::to_string(e.offset) + " + length " +
                      std::to_string(e.length) + " exceeds the blob size " +
                      std::to_string(blob.size()));
  }
  return data;
}

}  // namespace

std::string FormatGuid(const Guid& guid) {
  std::string hex = HexEncode(guid);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<Guid> ParseGuid(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return InvalidArgumentError("guid: want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
  }
  std::string hex;
  for (char c : text) {
    if (c != '-') hex.push_back(c);
  }
  Result<Bytes> bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != 16) return InvalidArgumentError("guid: bad hex digit");
  Guid out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

const CertTableEntry* CertTable::Find(const Guid& guid) const {
  for (const CertTableEntry& e : entries) {
    if (e.guid == guid) return &e;
  }
  return nullptr;
}

Result<CertTable> ParseCertTable(ByteSpan blob) {
  CertTable table;
  if (blob.empty()) return table;
  CONFIDE_ASSIGN_OR_RETURN(std::vector<RawEntry> raw, ReadEntries(blob));
  size_t header_size = (raw.size() + 1) * kCertTableEntrySize;
  for (size_t i = 0; i < raw.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (raw[j].guid == raw[i].guid) {
        return TableError("GUID " + FormatGuid(raw[i].guid) + " appears twice");
      }
    }
    CONFIDE_ASSIGN_OR_RETURN(Bytes data, ReadEntryData(blob, raw[i], header_size, i));
    table.entries.push_back({raw[i].guid, std::move(data)});
  }
  return table;
}

Bytes SerializeCertTable(const CertTable& table) {
  ByteWriter w;
  size_t offset = (table.entries.size() + 1) * kCertTableEntrySize;
  for (const CertTableEntry& e : table.entries) {
    CONFIDE_CHECK(!IsZero(e.guid) && !e.data.empty());
    CONFIDE_CHECK(offset + e.data.size() <= std::numeric_limits<uint32_t>::max());
    w.WriteBytes(e.guid);
    w.WriteU32Le(static_cast<uint32_t>(offset));
    w.WriteU32Le(static_cast<uint32_t>(e.data.size()));
    offset += e.data.size();
  }
  w.WriteZeros(kCertTableEntrySize);
  for (const CertTableEntry& e : table.entries) w.WriteBytes(e.data);
  return std::move(w).Take();
}

}  // namespace confide::attest::snp
