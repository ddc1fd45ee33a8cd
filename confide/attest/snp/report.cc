#include "confide/attest/snp/report.h"

#include <string>

#include "confide/base/check.h"

namespace confide::attest::snp {
namespace {

// Bits 31:5 of the signer-info word at 0x048 are reserved (SNP ABI 1.58, ATTESTATION_REPORT).
constexpr uint32_t kSignerInfoReservedMask = ~uint32_t{0x1F};
constexpr size_t kSignatureReservedSize = 0x200 - 2 * kSignatureComponentSize;  // 368

Error FieldError(const ByteReader& r, const char* what) {
  return MalformedError(std::string("snp report: ") + what + " at offset " +
                        std::to_string(r.offset()));
}

bool KnownVersion(uint32_t v) { return v == 2 || v == 3 || v == 5; }

// 0x000..0x050: VERSION through the reserved word at 0x04C.
Status ParseHeader(ByteReader& r, Report& out) {
  uint32_t signer_info = 0;
  if (!r.ReadU32Le(&out.version)) return FieldError(r, "truncated VERSION");
  if (!KnownVersion(out.version)) {
    return UnsupportedError("snp report: VERSION " + std::to_string(out.version) +
                            " (known: 2, 3, 5)");
  }
  if (!r.ReadU32Le(&out.guest_svn) || !r.ReadU64Le(&out.policy) ||
      !r.ReadArray(&out.family_id) || !r.ReadArray(&out.image_id) || !r.ReadU32Le(&out.vmpl) ||
      !r.ReadU32Le(&out.signature_algo)) {
    return FieldError(r, "truncated header");
  }
  // SNP ABI 1.58, "Signature Algorithm Encodings": 1 is ECDSA P-384 with SHA-384.
  if (out.signature_algo != kSigAlgoEcdsaP384Sha384) {
    return UnsupportedError("snp report: SIGNATURE_ALGO " + std::to_string(out.signature_algo));
  }
  if (!r.ReadU64Le(&out.current_tcb) || !r.ReadU64Le(&out.platform_info) ||
      !r.ReadU32Le(&signer_info)) {
    return FieldError(r, "truncated header");
  }
  // SNP ABI 1.58, ATTESTATION_REPORT 0x048: bits 31:5 reserved; SIGNING_KEY 2..6 reserved.
  if ((signer_info & kSignerInfoReservedMask) != 0) return FieldError(r, "reserved signer bits");
  uint32_t key = (signer_info >> 2) & 7;
  if (key != 0 && key != 1 && key != 7) return FieldError(r, "reserved SIGNING_KEY value");
  out.author_key_en = (signer_info & 1) != 0;
  out.mask_chip_key = (signer_info & 2) != 0;
  out.signing_key = static_cast<SigningKey>(key);
  if (!r.ExpectZeros(4)) return FieldError(r, "non-zero reserved bytes");
  return OkStatus();
}

// 0x050..0x1A0: REPORT_DATA through the reserved bytes after the CPUID fields.
Status ParseMiddle(ByteReader& r, Report& out) {
  if (!r.ReadArray(&out.report_data) || !r.ReadArray(&out.measurement) ||
      !r.ReadArray(&out.host_data) || !r.ReadArray(&out.id_key_digest) ||
      !r.ReadArray(&out.author_key_digest) || !r.ReadArray(&out.report_id) ||
      !r.ReadArray(&out.report_id_ma) || !r.ReadU64Le(&out.reported_tcb)) {
    return FieldError(r, "truncated body");
  }
  // SNP ABI 1.58: CPUID_FAM_ID/MOD_ID/STEP exist from version 3; before, 0x188..0x18A is reserved.
  if (out.version < 3) {
    if (!r.ExpectZeros(3)) return FieldError(r, "non-zero reserved bytes (v2 CPUID)");
  } else if (!r.ReadU8(&out.cpuid_fam_id) || !r.ReadU8(&out.cpuid_mod_id) ||
             !r.ReadU8(&out.cpuid_step)) {
    return FieldError(r, "truncated CPUID");
  }
  if (!r.ExpectZeros(0x1A0 - 0x18B)) return FieldError(r, "non-zero reserved bytes");
  return OkStatus();
}

// 0x1A0..0x2A0: CHIP_ID through the reserved bytes before the signature.
Status ParseTail(ByteReader& r, Report& out) {
  if (!r.ReadArray(&out.chip_id) || !r.ReadU64Le(&out.committed_tcb) ||
      !r.ReadU8(&out.current_build) || !r.ReadU8(&out.current_minor) ||
      !r.ReadU8(&out.current_major)) {
    return FieldError(r, "truncated body");
  }
  if (!r.ExpectZeros(1)) return FieldError(r, "non-zero reserved byte");
  if (!r.ReadU8(&out.committed_build) || !r.ReadU8(&out.committed_minor) ||
      !r.ReadU8(&out.committed_major)) {
    return FieldError(r, "truncated body");
  }
  if (!r.ExpectZeros(1)) return FieldError(r, "non-zero reserved byte");
  if (!r.ReadU64Le(&out.launch_tcb)) return FieldError(r, "truncated LAUNCH_TCB");
  // SNP ABI 1.58: LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR exist from version 5; reserved before.
  if (out.version >= 5) {
    if (!r.ReadU64Le(&out.launch_mit_vector) || !r.ReadU64Le(&out.current_mit_vector)) {
      return FieldError(r, "truncated MIT_VECTOR");
    }
  } else if (!r.ExpectZeros(16)) {
    return FieldError(r, "non-zero reserved bytes (pre-v5 MIT_VECTOR)");
  }
  if (!r.ExpectZeros(kSignedRegionSize - 0x208)) return FieldError(r, "non-zero reserved bytes");
  return OkStatus();
}

// 0x2A0..0x4A0: SNP ABI 1.58, "ECDSA P-384 with SHA-384 Signature": R, S, then reserved.
Status ParseSignature(ByteReader& r, Report& out) {
  if (!r.ReadArray(&out.signature_r) || !r.ReadArray(&out.signature_s)) {
    return FieldError(r, "truncated SIGNATURE");
  }
  if (!r.ExpectZeros(kSignatureReservedSize)) {
    return FieldError(r, "non-zero reserved bytes in SIGNATURE");
  }
  return OkStatus();
}

void WriteTcbAndSigner(ByteWriter& w, const Report& report) {
  w.WriteU64Le(report.current_tcb);
  w.WriteU64Le(report.platform_info);
  uint32_t signer_info = (report.author_key_en ? 1u : 0u) | (report.mask_chip_key ? 2u : 0u) |
                         (static_cast<uint32_t>(report.signing_key) << 2);
  w.WriteU32Le(signer_info);
  w.WriteZeros(4);
}

void WriteMiddle(ByteWriter& w, const Report& report) {
  w.WriteBytes(report.report_data);
  w.WriteBytes(report.measurement);
  w.WriteBytes(report.host_data);
  w.WriteBytes(report.id_key_digest);
  w.WriteBytes(report.author_key_digest);
  w.WriteBytes(report.report_id);
  w.WriteBytes(report.report_id_ma);
  w.WriteU64Le(report.reported_tcb);
  w.WriteU8(report.cpuid_fam_id);
  w.WriteU8(report.cpuid_mod_id);
  w.WriteU8(report.cpuid_step);
  w.WriteZeros(0x1A0 - 0x18B);
}

void WriteTail(ByteWriter& w, const Report& report) {
  w.WriteBytes(report.chip_id);
  w.WriteU64Le(report.committed_tcb);
  w.WriteU8(report.current_build);
  w.WriteU8(report.current_minor);
  w.WriteU8(report.current_major);
  w.WriteZeros(1);
  w.WriteU8(report.committed_build);
  w.WriteU8(report.committed_minor);
  w.WriteU8(report.committed_major);
  w.WriteZeros(1);
  w.WriteU64Le(report.launch_tcb);
  w.WriteU64Le(report.launch_mit_vector);
  w.WriteU64Le(report.current_mit_vector);
  w.WriteZeros(kSignedRegionSize - 0x208);
}

}  // namespace

Result<Report> ParseReport(ByteSpan bytes) {
  // SNP ABI 1.58, ATTESTATION_REPORT: the structure is exactly 0x4A0 bytes; no trailing bytes.
  if (bytes.size() != kReportSize) {
    return MalformedError("snp report: size " + std::to_string(bytes.size()) + ", want " +
                          std::to_string(kReportSize));
  }
  ByteReader r(bytes);
  Report out;
  CONFIDE_TRY(ParseHeader(r, out));
  CONFIDE_TRY(ParseMiddle(r, out));
  CONFIDE_TRY(ParseTail(r, out));
  CONFIDE_TRY(ParseSignature(r, out));
  CONFIDE_CHECK(r.empty());
  return out;
}

Bytes SerializeReport(const Report& report) {
  ByteWriter w;
  w.WriteU32Le(report.version);
  w.WriteU32Le(report.guest_svn);
  w.WriteU64Le(report.policy);
  w.WriteBytes(report.family_id);
  w.WriteBytes(report.image_id);
  w.WriteU32Le(report.vmpl);
  w.WriteU32Le(report.signature_algo);
  WriteTcbAndSigner(w, report);
  WriteMiddle(w, report);
  WriteTail(w, report);
  CONFIDE_CHECK(w.size() == kSignedRegionSize);
  w.WriteBytes(report.signature_r);
  w.WriteBytes(report.signature_s);
  w.WriteZeros(kSignatureReservedSize);
  CONFIDE_CHECK(w.size() == kReportSize);
  return std::move(w).Take();
}

ByteSpan SignedRegion(ByteSpan report_bytes) {
  CONFIDE_CHECK(report_bytes.size() == kReportSize);
  ByteReader r(report_bytes);
  ByteSpan signed_region;
  CONFIDE_CHECK(r.ReadSpan(kSignedRegionSize, &signed_region));
  return signed_region;
}

const char* GenerationName(Generation gen) {
  switch (gen) {
    case Generation::kMilan: return "Milan";
    case Generation::kGenoa: return "Genoa";
    case Generation::kTurin: return "Turin";
    case Generation::kUnknown: break;
  }
  return "unknown";
}

Generation GenerationFromCpuid(const Report& report) {
  if (report.version < 3) return Generation::kUnknown;
  // CPUID Fn0000_0001_EAX family/model, as the notes (§3) and go-sev-guest's product tables use.
  if (report.cpuid_fam_id == 0x19) {
    if (report.cpuid_mod_id <= 0x0F) return Generation::kMilan;
    if (report.cpuid_mod_id <= 0x1F) return Generation::kGenoa;
    return Generation::kUnknown;
  }
  if (report.cpuid_fam_id == 0x1A) return Generation::kTurin;
  return Generation::kUnknown;
}

Result<TcbLayout> TcbLayoutFor(Generation gen) {
  switch (gen) {
    case Generation::kMilan:
    case Generation::kGenoa: return TcbLayout::kMilanGenoa;
    case Generation::kTurin: return TcbLayout::kTurin;
    case Generation::kUnknown: break;
  }
  return InvalidArgumentError("snp: TCB layout needs a known generation (Milan, Genoa, Turin)");
}

namespace {
uint8_t ByteAt(uint64_t v, int index) { return static_cast<uint8_t>(v >> (8 * index)); }
uint64_t AtByte(uint8_t b, int index) { return uint64_t{b} << (8 * index); }
}  // namespace

Tcb DecodeTcb(uint64_t raw_tcb, TcbLayout layout) {
  if (layout == TcbLayout::kTurin) {
    return {.fmc = ByteAt(raw_tcb, 0), .boot_loader = ByteAt(raw_tcb, 1),
            .tee = ByteAt(raw_tcb, 2), .snp = ByteAt(raw_tcb, 3),
            .microcode = ByteAt(raw_tcb, 7)};
  }
  return {.fmc = 0, .boot_loader = ByteAt(raw_tcb, 0), .tee = ByteAt(raw_tcb, 1),
          .snp = ByteAt(raw_tcb, 6), .microcode = ByteAt(raw_tcb, 7)};
}

uint64_t EncodeTcb(const Tcb& tcb, TcbLayout layout) {
  if (layout == TcbLayout::kTurin) {
    return AtByte(tcb.fmc, 0) | AtByte(tcb.boot_loader, 1) | AtByte(tcb.tee, 2) |
           AtByte(tcb.snp, 3) | AtByte(tcb.microcode, 7);
  }
  return AtByte(tcb.boot_loader, 0) | AtByte(tcb.tee, 1) | AtByte(tcb.snp, 6) |
         AtByte(tcb.microcode, 7);
}

}  // namespace confide::attest::snp
