// The format-independent view of attestation evidence: which TEE produced it, and the
// normalised claims every verifier (SNP, SGX, TDX, Nitro, later NVIDIA) extracts after it has
// verified the evidence. Policies and callers read Claims; only format code reads raw reports.
//
//   Claims c;
//   c.tee = TeeType::kSevSnp;
//   c.measurements.push_back({"measurement", HexEncode(report.measurement)});
//   std::cout << TeeTypeName(c.tee);  // "sev-snp"
#ifndef CONFIDE_ATTEST_EVIDENCE_H_
#define CONFIDE_ATTEST_EVIDENCE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace confide::attest {

// The TEE families confide can appraise. New families are appended; names never change.
enum class TeeType { kSevSnp, kSgx, kTdx, kNitro };

inline constexpr TeeType kAllTeeTypes[] = {TeeType::kSevSnp, TeeType::kSgx, TeeType::kTdx,
                                           TeeType::kNitro};

// Stable lowercase name used in policies, JSON and logs: "sev-snp", "sgx", "tdx", "nitro".
std::string_view TeeTypeName(TeeType tee);
// The inverse of TeeTypeName (exact match); nullopt for anything else.
std::optional<TeeType> TeeTypeFromName(std::string_view name);

// An ordered list of (name, value) pairs. Order is the producer's (usually the spec's field
// order) and is kept for display; names are unique within one list.
using NamedValues = std::vector<std::pair<std::string, std::string>>;

// The claims of one piece of evidence, normalised across formats. Produced by a format's
// appraiser from *verified* evidence only; an unverified report never becomes Claims.
struct Claims {
  TeeType tee = TeeType::kSevSnp;
  // Launch / runtime measurements as lowercase hex, named with the spec's word in snake_case:
  // SNP {"measurement"}; SGX {"mr_enclave", "mr_signer"}; TDX {"mr_td", "rtmr0".."rtmr3"};
  // Nitro {"pcr0", "pcr1", "pcr2", ...}.
  NamedValues measurements;
  // The 64 bytes of caller data (SNP REPORT_DATA, SGX/TDX report_data, Nitro user_data padded
  // with zeros). confide fills it per binding.h: SHA-256(claims) || 32 zero bytes.
  std::array<uint8_t, 64> report_data{};
  // True when the TEE runs with debugging enabled (host can read guest memory).
  bool debug = false;
  // One-line human summary of the platform TCB, e.g. "bl=2 tee=0 snp=5 ucode=68".
  std::string tcb;
  // Other format-specific fields for display and audit (e.g. "vmpl", "policy", "chip_id").
  // Never used for decisions by generic code.
  NamedValues fields;
};

}  // namespace confide::attest

#endif  // CONFIDE_ATTEST_EVIDENCE_H_
