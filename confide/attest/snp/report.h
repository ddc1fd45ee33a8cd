// The AMD SEV-SNP ATTESTATION_REPORT (SEV-SNP Firmware ABI, AMD pub. 56860, rev. 1.58, table
// "ATTESTATION_REPORT Structure"; docs/formats/snp-report.md): the parsed structure, its exact
// serializer, the TCB_VERSION layouts of Milan/Genoa and Turin, and the chip generation deduced
// from the report's CPUID bytes.
//
//   CONFIDE_ASSIGN_OR_RETURN(Report report, ParseReport(bytes));
//   Generation gen = GenerationFromCpuid(report);          // kUnknown for version 2
//   CONFIDE_ASSIGN_OR_RETURN(TcbLayout layout, TcbLayoutFor(gen));
//   Tcb tcb = DecodeTcb(report.reported_tcb, layout);      // tcb.snp, tcb.microcode, ...
#ifndef CONFIDE_ATTEST_SNP_REPORT_H_
#define CONFIDE_ATTEST_SNP_REPORT_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "confide/base/bytes.h"
#include "confide/base/result.h"

namespace confide::attest::snp {

inline constexpr size_t kReportSize = 0x4A0;           // 1184 bytes, every version
inline constexpr size_t kSignedRegionSize = 0x2A0;     // bytes 0x000..0x29F are signed
inline constexpr size_t kSignatureComponentSize = 72;  // R and S, little-endian
inline constexpr uint32_t kSigAlgoEcdsaP384Sha384 = 1;

// SIGNING_KEY (bits 4:2 of the word at 0x048). Values 2..6 are reserved and rejected by
// ParseReport.
enum class SigningKey : uint8_t { kVcek = 0, kVlek = 1, kNone = 7 };

// One ATTESTATION_REPORT. TCB_VERSION fields are kept as the raw little-endian 64-bit value, so
// the struct serializes back to the exact bytes it came from; decode them with DecodeTcb.
// Fields that are reserved in a version (CPUID in v2, the mitigation vectors before v5) are zero.
struct Report {
  uint32_t version = 0;                         // VERSION, 0x000
  uint32_t guest_svn = 0;                       // GUEST_SVN, 0x004
  uint64_t policy = 0;                          // POLICY, 0x008
  std::array<uint8_t, 16> family_id{};          // FAMILY_ID, 0x010
  std::array<uint8_t, 16> image_id{};           // IMAGE_ID, 0x020
  uint32_t vmpl = 0;                            // VMPL, 0x030
  uint32_t signature_algo = 0;                  // SIGNATURE_ALGO, 0x034
  uint64_t current_tcb = 0;                     // CURRENT_TCB, 0x038
  uint64_t platform_info = 0;                   // PLATFORM_INFO, 0x040
  bool author_key_en = false;                   // AUTHOR_KEY_EN, 0x048 bit 0
  bool mask_chip_key = false;                   // MASK_CHIP_KEY, 0x048 bit 1
  SigningKey signing_key = SigningKey::kVcek;   // SIGNING_KEY, 0x048 bits 4:2
  std::array<uint8_t, 64> report_data{};        // REPORT_DATA, 0x050
  std::array<uint8_t, 48> measurement{};        // MEASUREMENT, 0x090
  std::array<uint8_t, 32> host_data{};          // HOST_DATA, 0x0C0
  std::array<uint8_t, 48> id_key_digest{};      // ID_KEY_DIGEST, 0x0E0
  std::array<uint8_t, 48> author_key_digest{};  // AUTHOR_KEY_DIGEST, 0x110
  std::array<uint8_t, 32> report_id{};          // REPORT_ID, 0x140
  std::array<uint8_t, 32> report_id_ma{};       // REPORT_ID_MA, 0x160
  uint64_t reported_tcb = 0;                    // REPORTED_TCB, 0x180
  uint8_t cpuid_fam_id = 0;                     // CPUID_FAM_ID, 0x188 (v3+)
  uint8_t cpuid_mod_id = 0;                     // CPUID_MOD_ID, 0x189 (v3+)
  uint8_t cpuid_step = 0;                       // CPUID_STEP, 0x18A (v3+)
  std::array<uint8_t, 64> chip_id{};            // CHIP_ID, 0x1A0
  uint64_t committed_tcb = 0;                   // COMMITTED_TCB, 0x1E0
  uint8_t current_build = 0;                    // CURRENT_BUILD, 0x1E8
  uint8_t current_minor = 0;                    // CURRENT_MINOR, 0x1E9
  uint8_t current_major = 0;                    // CURRENT_MAJOR, 0x1EA
  uint8_t committed_build = 0;                  // COMMITTED_BUILD, 0x1EC
  uint8_t committed_minor = 0;                  // COMMITTED_MINOR, 0x1ED
  uint8_t committed_major = 0;                  // COMMITTED_MAJOR, 0x1EE
  uint64_t launch_tcb = 0;                      // LAUNCH_TCB, 0x1F0
  uint64_t launch_mit_vector = 0;               // LAUNCH_MIT_VECTOR, 0x1F8 (v5)
  uint64_t current_mit_vector = 0;              // CURRENT_MIT_VECTOR, 0x200 (v5)
  std::array<uint8_t, 72> signature_r{};        // SIGNATURE.R, 0x2A0 (little-endian)
  std::array<uint8_t, 72> signature_s{};        // SIGNATURE.S, 0x2E8 (little-endian)

  bool operator==(const Report&) const = default;
};

// Checks structure only: exactly kReportSize bytes (trailing bytes rejected), VERSION 2, 3 or 5,
// every reserved range zero (per version: CPUID bytes in v2, 0x1F8..0x207 before v5), signer-info
// reserved bits zero and SIGNING_KEY 0, 1 or 7. kMalformed (with the offset) for any violation;
// kUnsupported for another VERSION or a SIGNATURE_ALGO other than 1 (ECDSA P-384 / SHA-384).
// Trusts nothing: does not check the signature, the TCB or the policy bits.
Result<Report> ParseReport(ByteSpan bytes);

// The exact inverse of ParseReport: kReportSize bytes, reserved ranges zero. For any accepted
// input, SerializeReport(*ParseReport(b)) == b. Does not validate `report`.
Bytes SerializeReport(const Report& report);

// Bytes 0x000..0x29F of a serialized report: what the signature covers. The span borrows
// `report_bytes`. Precondition: report_bytes.size() == kReportSize (aborts otherwise: a bug).
ByteSpan SignedRegion(ByteSpan report_bytes);

// SNP product line. The TCB_VERSION layout differs between Milan/Genoa and Turin.
enum class Generation { kUnknown, kMilan, kGenoa, kTurin };
const char* GenerationName(Generation gen);  // "unknown", "Milan", "Genoa", "Turin"

// The generation from CPUID_FAM_ID / CPUID_MOD_ID (report version 3 and later): family 19h model
// 00h-0Fh Milan, 10h-1Fh Genoa; family 1Ah Turin. kUnknown for version 2 (the bytes are reserved)
// and for any other family/model; the caller must then say (e.g. from the VEK productName).
Generation GenerationFromCpuid(const Report& report);

// The two TCB_VERSION layouts (SNP ABI 1.58, "TCB_VERSION Structure"):
//   kMilanGenoa: [0] BOOT_LOADER [1] TEE [2..5] reserved [6] SNP [7] MICROCODE
//   kTurin:      [0] FMC [1] BOOT_LOADER [2] TEE [3] SNP [4..6] reserved [7] MICROCODE
enum class TcbLayout { kMilanGenoa, kTurin };

// The layout for a generation; kInvalidArgument for kUnknown (the caller must decide first).
Result<TcbLayout> TcbLayoutFor(Generation gen);

// The security patch levels of one TCB_VERSION. `fmc` is 0 in the Milan/Genoa layout.
struct Tcb {
  uint8_t fmc = 0;
  uint8_t boot_loader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;

  bool operator==(const Tcb&) const = default;
};

// Decodes a raw TCB_VERSION (as stored in Report) with `layout`; reserved bytes are ignored.
Tcb DecodeTcb(uint64_t raw_tcb, TcbLayout layout);
// Encodes `tcb` with `layout`, reserved bytes zero (and `fmc` dropped for kMilanGenoa).
uint64_t EncodeTcb(const Tcb& tcb, TcbLayout layout);

}  // namespace confide::attest::snp

#endif  // CONFIDE_ATTEST_SNP_REPORT_H_
