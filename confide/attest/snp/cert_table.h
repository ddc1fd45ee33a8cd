// The SEV-SNP extended-report certificate table (GHCB spec, AMD pub. 56421, v2.0x, section
// "SNP Extended Guest Request", certificate table; docs/formats/snp-cert-table.md): a list of
// {16-byte GUID, u32 offset, u32 length} entries ended by an all-zero entry, followed by the
// certificates the offsets point at.
//
//   CONFIDE_ASSIGN_OR_RETURN(CertTable table, ParseCertTable(blob));
//   if (const CertTableEntry* vcek = table.Find(kVcekGuid)) use(vcek->data);
#ifndef CONFIDE_ATTEST_SNP_CERT_TABLE_H_
#define CONFIDE_ATTEST_SNP_CERT_TABLE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::attest::snp {

// A GUID in the table's byte order, which is the order of its text form (RFC 4122 big-endian;
// go-sev-guest and virtee/sev agree).
using Guid = std::array<uint8_t, 16>;

inline constexpr size_t kCertTableEntrySize = 24;

// The GUIDs the GHCB spec defines. The spec defines no GUID for the ASVK: a VLEK's ASVK travels
// under kAskGuid (as go-sev-guest documents), so the signing_key of the report decides which.
inline constexpr Guid kVcekGuid = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
inline constexpr Guid kVlekGuid = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                                   0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
inline constexpr Guid kAskGuid = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                  0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
inline constexpr Guid kArkGuid = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                  0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

// "63da758d-e664-4564-adc5-f4b93be8accd" (lowercase).
std::string FormatGuid(const Guid& guid);
// The inverse of FormatGuid (either case). kInvalidArgument on any other shape.
Result<Guid> ParseGuid(std::string_view text);

struct CertTableEntry {
  Guid guid{};
  Bytes data;  // the certificate (DER in practice; not parsed here)

  bool operator==(const CertTableEntry&) const = default;
};

struct CertTable {
  std::vector<CertTableEntry> entries;  // in table order

  // The entry with `guid`, or nullptr. The pointer lives as long as the table is unchanged.
  const CertTableEntry* Find(const Guid& guid) const;
  bool operator==(const CertTable&) const = default;
};

// Parses a certificate table. An empty blob is an empty table (the host supplied no certificates).
// Otherwise kMalformed when: the entries run off the blob without an all-zero terminator; an entry
// has a zero GUID but a non-zero offset or length; an entry's [offset, offset+length) is empty,
// reaches into the entry list, or ends past the blob; or a GUID repeats. Bytes no entry points at
// (page padding after the certificates) are ignored: that is the trailing-bytes policy. Does not
// parse or trust the certificates.
Result<CertTable> ParseCertTable(ByteSpan blob);

// Entries, then the terminator, then each entry's data in order, with no padding. For any table
// ParseCertTable accepts, ParseCertTable(SerializeCertTable(t)) == t. Precondition: every entry
// has a non-zero GUID and non-empty data, and the blob stays under 4 GiB (aborts otherwise).
Bytes SerializeCertTable(const CertTable& table);

}  // namespace confide::attest::snp

#endif  // CONFIDE_ATTEST_SNP_CERT_TABLE_H_
