#include "confide/attest/snp/report.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "confide/base/hex.h"
#include "confide/base/testing/shared_data.h"

namespace confide::attest::snp {
namespace {

using nlohmann::json;
using testing::ReadSharedFile;

json Expected() { return json::parse(ToString(ReadSharedFile("vectors/snp/expected.json"))); }

std::string HexU64(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
std::string TcbHex(uint64_t raw) {  // the raw 8 bytes, as expected.json writes them
  ByteWriter w;
  w.WriteU64Le(raw);
  return HexEncode(w.data());
}

// Every parsed field under the name expected.json uses, in the same representation.
std::map<std::string, json> Fields(const Report& r) {
  uint32_t flags = (r.author_key_en ? 1u : 0u) | (r.mask_chip_key ? 2u : 0u) |
                   (static_cast<uint32_t>(r.signing_key) << 2);
  return {
      {"version", r.version},
      {"guest_svn", r.guest_svn},
      {"policy", HexU64(r.policy)},
      {"family_id", HexEncode(r.family_id)},
      {"image_id", HexEncode(r.image_id)},
      {"vmpl", r.vmpl},
      {"sig_algo", r.signature_algo},
      {"current_tcb", TcbHex(r.current_tcb)},
      {"plat_info", HexU64(r.platform_info)},
      {"flags_raw", flags},
      {"author_key_en", r.author_key_en ? 1 : 0},
      {"mask_chip_id", r.mask_chip_key ? 1 : 0},
      {"signing_key(0=VCEK,1=VLEK)", static_cast<int>(r.signing_key)},
      {"report_data", HexEncode(r.report_data)},
      {"measurement", HexEncode(r.measurement)},
      {"host_data", HexEncode(r.host_data)},
      {"id_key_digest", HexEncode(r.id_key_digest)},
      {"author_key_digest", HexEncode(r.author_key_digest)},
      {"report_id", HexEncode(r.report_id)},
      {"report_id_ma", HexEncode(r.report_id_ma)},
      {"reported_tcb", TcbHex(r.reported_tcb)},
      {"cpuid_fam_id", r.cpuid_fam_id},
      {"cpuid_mod_id", r.cpuid_mod_id},
      {"cpuid_step", r.cpuid_step},
      {"chip_id", HexEncode(r.chip_id)},
      {"committed_tcb", TcbHex(r.committed_tcb)},
      {"current_build", r.current_build},
      {"current_minor", r.current_minor},
      {"current_major", r.current_major},
      {"committed_build", r.committed_build},
      {"committed_minor", r.committed_minor},
      {"committed_major", r.committed_major},
      {"launch_tcb", TcbHex(r.launch_tcb)},
  };
}

Generation ProductGeneration(const std::string& product) {
  if (product == "Milan") return Generation::kMilan;
  if (product == "Genoa") return Generation::kGenoa;
  if (product == "Turin") return Generation::kTurin;
  return Generation::kUnknown;
}

TEST(SnpReportGolden, EveryVectorMatchesExpectedJson) {
  json expected = Expected();
  ASSERT_EQ(expected["vectors"].size(), 5u);
  for (const json& v : expected["vectors"]) {
    SCOPED_TRACE(v["file"].get<std::string>());
    Bytes bytes = ReadSharedFile("vectors/" + v["file"].get<std::string>());
    Result<Report> report = ParseReport(bytes);
    ASSERT_TRUE(report.ok()) << report.error().ToString();
    std::map<std::string, json> got = Fields(*report);
    for (const auto& [key, want] : v["fields"].items()) {
      if (key == "reported_tcb_decoded" || key == "tcb_layout") continue;
      ASSERT_TRUE(got.count(key)) << "no parsed field for " << key;
      EXPECT_EQ(got[key], want) << key;
    }
    Generation gen = ProductGeneration(v["product"]);
    EXPECT_EQ(GenerationFromCpuid(*report), report->version >= 3 ? gen : Generation::kUnknown);
    Tcb tcb = DecodeTcb(report->reported_tcb, *TcbLayoutFor(gen));
    const json& d = v["fields"]["reported_tcb_decoded"];
    EXPECT_EQ(tcb.boot_loader, d["bl"]);
    EXPECT_EQ(tcb.tee, d["tee"]);
    EXPECT_EQ(tcb.snp, d["snp"]);
    EXPECT_EQ(tcb.microcode, d["ucode"]);
    EXPECT_EQ(tcb.fmc, d.value("fmc", 0));
    EXPECT_EQ(EncodeTcb(tcb, *TcbLayoutFor(gen)), report->reported_tcb);
  }
}

std::vector<std::string> AllReportFiles() {
  std::vector<std::string> files;
  json expected = Expected();
  for (const json& v : expected["vectors"]) files.push_back(v["file"]);
  for (const json& n : expected["negative"]) {
    std::string f = n["file"];
    if (f.rfind("snp/", 0) == 0) files.push_back(f);
  }
  return files;
}

TEST(SnpReport, SerializeIsTheInverseOfParseOnEveryVector) {
  for (const std::string& f : AllReportFiles()) {
    SCOPED_TRACE(f);
    Bytes bytes = ReadSharedFile("vectors/" + f);
    Result<Report> report = ParseReport(bytes);
    ASSERT_TRUE(report.ok()) << report.error().ToString();
    EXPECT_EQ(SerializeReport(*report), bytes);
    EXPECT_EQ(SignedRegion(bytes).size(), kSignedRegionSize);
  }
}

struct Range {
  size_t offset;
  size_t size;
  bool reserved_in_v2;
  bool reserved_in_v3;
  bool reserved_in_v5;
};

// SNP ABI 1.58, ATTESTATION_REPORT: reserved ranges, and the versions in which they are reserved.
const Range kReserved[] = {
    {0x04C, 4, true, true, true},    {0x188, 3, true, false, false},
    {0x18B, 21, true, true, true},   {0x1EB, 1, true, true, true},
    {0x1EF, 1, true, true, true},    {0x1F8, 16, true, true, false},
    {0x208, 0x98, true, true, true}, {0x2A0 + 144, 368, true, true, true},
};

TEST(SnpReportMutation, RejectsEachNonZeroReservedByte) {
  for (const char* file : {"vectors/snp/gosev-milan-v2.bin", "vectors/snp/azure-genoa-v3.bin",
                           "vectors/snp/anolis-turin-v5.bin"}) {
    Bytes bytes = ReadSharedFile(file);
    uint32_t version = ParseReport(bytes)->version;
    for (const Range& range : kReserved) {
      bool reserved = version == 2   ? range.reserved_in_v2
                      : version == 3 ? range.reserved_in_v3
                                     : range.reserved_in_v5;
      for (size_t i = range.offset; i < range.offset + range.size; ++i) {
        Bytes mutated = bytes;
        mutated[i] = 0x01;
        Result<Report> r = ParseReport(mutated);
        if (reserved) {
          ASSERT_FALSE(r.ok()) << file << " byte 0x" << std::hex << i;
          EXPECT_EQ(r.error().code, ErrorCode::kMalformed);
        } else {
          ASSERT_TRUE(r.ok()) << file << " byte 0x" << std::hex << i;
          EXPECT_EQ(SerializeReport(*r), mutated);
        }
      }
    }
  }
}

TEST(SnpReportMutation, RejectsTruncationAtEveryFieldBoundaryAndTrailingBytes) {
  Bytes bytes = ReadSharedFile("vectors/snp/anolis-turin-v5.bin");
  const size_t kBoundaries[] = {0x000, 0x004, 0x008, 0x010, 0x020, 0x030, 0x034, 0x038, 0x040,
                                0x048, 0x04C, 0x050, 0x090, 0x0C0, 0x0E0, 0x110, 0x140, 0x160,
                                0x180, 0x188, 0x189, 0x18A, 0x18B, 0x1A0, 0x1E0, 0x1E8, 0x1EC,
                                0x1F0, 0x1F8, 0x200, 0x208, 0x2A0, 0x2E8, 0x330, 0x49F};
  for (size_t len : kBoundaries) {
    Result<Report> r = ParseReport(ByteSpan(bytes).first(len));
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.error().code, ErrorCode::kMalformed) << len;
  }
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(ParseReport(longer).error().code, ErrorCode::kMalformed);
}

TEST(SnpReportMutation, RejectsUnknownVersionsAsUnsupported) {
  Bytes bytes = ReadSharedFile("vectors/snp/trustee-milan-v2.bin");
  for (uint8_t version : {0, 1, 4, 6, 0xFF}) {
    Bytes mutated = bytes;
    mutated[0] = version;
    Result<Report> r = ParseReport(mutated);
    ASSERT_FALSE(r.ok()) << int{version};
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  }
}

TEST(SnpReportMutation, RejectsSignatureAlgorithmsOtherThanEcdsaP384) {
  Bytes bytes = ReadSharedFile("vectors/snp/trustee-milan-v2.bin");
  for (uint8_t algo : {0, 2, 3, 0xFF}) {
    Bytes mutated = bytes;
    mutated[0x34] = algo;
    Result<Report> r = ParseReport(mutated);
    ASSERT_FALSE(r.ok()) << int{algo};
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  }
}

TEST(SnpReportMutation, RejectsReservedSignerInfoBitsAndSigningKeys) {
  Bytes bytes = ReadSharedFile("vectors/snp/trustee-milan-v2.bin");
  for (uint8_t flags : {0x08, 0x0C, 0x10, 0x14, 0x18, 0x20, 0x80}) {  // keys 2..6, bits 5, 7
    Bytes mutated = bytes;
    mutated[0x48] = flags;
    EXPECT_EQ(ParseReport(mutated).error().code, ErrorCode::kMalformed) << int{flags};
  }
  Bytes unsigned_report = bytes;
  unsigned_report[0x48] = 0x1F;  // AUTHOR_KEY_EN, MASK_CHIP_KEY, SIGNING_KEY = 7 (none)
  Result<Report> r = ParseReport(unsigned_report);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signing_key, SigningKey::kNone);
  EXPECT_TRUE(r->author_key_en && r->mask_chip_key);
  EXPECT_EQ(SerializeReport(*r), unsigned_report);
}

TEST(SnpReport, GenerationFromCpuidFollowsFamilyAndModel) {
  Report r;
  r.version = 3;
  r.cpuid_fam_id = 0x19;
  r.cpuid_mod_id = 0x01;
  EXPECT_EQ(GenerationFromCpuid(r), Generation::kMilan);
  r.cpuid_mod_id = 0x11;
  EXPECT_EQ(GenerationFromCpuid(r), Generation::kGenoa);
  r.cpuid_mod_id = 0xA0;
  EXPECT_EQ(GenerationFromCpuid(r), Generation::kUnknown);
  r.cpuid_fam_id = 0x1A;
  EXPECT_EQ(GenerationFromCpuid(r), Generation::kTurin);
  r.version = 2;
  EXPECT_EQ(GenerationFromCpuid(r), Generation::kUnknown);
  EXPECT_FALSE(TcbLayoutFor(Generation::kUnknown).ok());
}

}  // namespace
}  // namespace confide::attest::snp
