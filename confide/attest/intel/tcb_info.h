// PCS TCB info (Intel "PCS API" v3/v4, model "TcbInfo"; notes §1 step 5 and §2): parsing of the
// exact signed `tcbInfo` object text (version 2 with sgxtcbcompNNsvn, version 3 with
// sgxtcbcomponents / tdxtcbcomponents, tdxModule and tdxModuleIdentities), and Intel's TCB level
// matching against a PCK certificate (and, for TDX, the TD report's TEE_TCB_SVN).
//
//   CONFIDE_ASSIGN_OR_RETURN(TcbInfo info, ParseTcbInfo(collateral.tcb_info_json));
//   TcbEvaluation e = EvaluateTcb(info, pck_ext, TdxTcbInput{tee_tcb_svn, mrsignerseam,
//   seam_attr}); if (e.mismatch != TcbMismatch::kNone) -> TCB_MISMATCH; else policy on e.status,
//   e.advisory_ids
#ifndef CONFIDE_ATTEST_INTEL_TCB_INFO_H_
#define CONFIDE_ATTEST_INTEL_TCB_INFO_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/attest/intel/pck_extensions.h"
#include "confide/attest/intel/tcb_status.h"
#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::attest::intel {

enum class TcbInfoId { kSgx, kTdx };  // "SGX" (v2 has no id: SGX), "TDX"

struct TcbLevel {
  std::array<uint8_t, 16> sgx_svn{};
  uint16_t pce_svn = 0;
  std::optional<std::array<uint8_t, 16>> tdx_svn;  // tdxtcbcomponents (TDX TCB info only)
  Time tcb_date{};
  TcbStatus status = TcbStatus::kOutOfDate;
  std::vector<std::string> advisory_ids;  // in PCS order
};

// "tdxModule": the Intel module signer and the SEAM attributes every level assumes.
struct TdxModule {
  std::array<uint8_t, 48> mrsigner{};
  std::array<uint8_t, 8> attributes{};  // bytes as in the JSON hex = TD report SEAMATTRIBUTES
  std::array<uint8_t, 8> attributes_mask{};
};

struct TdxModuleTcbLevel {
  uint8_t isvsvn = 0;  // compared with TEE_TCB_SVN[0]
  Time tcb_date{};
  TcbStatus status = TcbStatus::kOutOfDate;
  std::vector<std::string> advisory_ids;
};

// One "tdxModuleIdentities" entry ("TDX_01", "TDX_03", ...).
struct TdxModuleIdentity {
  std::string id;
  std::array<uint8_t, 48> mrsigner{};
  std::array<uint8_t, 8> attributes{};
  std::array<uint8_t, 8> attributes_mask{};
  std::vector<TdxModuleTcbLevel> tcb_levels;
};

struct TcbInfo {
  TcbInfoId id = TcbInfoId::kSgx;
  int version = 0;  // 2 or 3
  Time issue_date{};
  Time next_update{};
  std::array<uint8_t, 6> fmspc{};
  std::array<uint8_t, 2> pce_id{};
  int tcb_type = 0;
  uint32_t tcb_evaluation_data_number = 0;
  std::optional<TdxModule> tdx_module;                   // TDX only
  std::vector<TdxModuleIdentity> tdx_module_identities;  // TDX only, may be empty
  std::vector<TcbLevel> tcb_levels;                      // in PCS order (newest first)
};

// Parses the `tcbInfo` object text (not the {"tcbInfo":…,"signature":…} wrapper; see
// collateral.h for that). kMalformed on invalid JSON, a missing or mistyped required field, bad
// hex sizes, an SVN out of range, an unknown tcbStatus, or no tcbLevels; kUnsupported for a
// version other than 2 or 3, an id other than "SGX"/"TDX", or tcbType != 0. A TDX TCB info
// must be version 3 with tdxModule and every level's tdxtcbcomponents. Unknown fields are
// ignored. Does not check the signature or the validity window.
Result<TcbInfo> ParseTcbInfo(std::string_view json_text);

// The TD report fields that TDX TCB matching needs.
struct TdxTcbInput {
  std::array<uint8_t, 16> tee_tcb_svn{};  // TEE_TCB_SVN (also for TD 1.5 reports)
  std::array<uint8_t, 48> mrsignerseam{};
  std::array<uint8_t, 8> seam_attributes{};  // as in the report
};

// Why the TCB info cannot be applied to this platform at all (as opposed to a status).
enum class TcbMismatch {
  kNone,
  kFmspc,                     // TCB info fmspc != PCK FMSPC
  kPceId,                     // TCB info pceId != PCK PCE-ID
  kTeeType,                   // SGX TCB info with a TDX input, or TDX TCB info without one
  kTdxModuleSigner,           // MRSIGNERSEAM != tdxModule (or module identity) mrsigner
  kTdxModuleAttributes,       // SEAMATTRIBUTES & mask != attributes
  kTdxModuleIdentityMissing,  // TEE_TCB_SVN[1] > 0, identities listed, but no "TDX_%02d"
};

std::string_view TcbMismatchName(TcbMismatch m);  // "fmspc", "pce_id", ... (static storage)

struct TdxModuleEvaluation {
  std::string id;                               // "TDX_01"
  TcbStatus status = TcbStatus::kNotSupported;  // kNotSupported: no module level matched
  std::vector<std::string> advisory_ids;
  std::optional<Time> tcb_date;
};

struct TcbEvaluation {
  TcbMismatch mismatch = TcbMismatch::kNone;  // when not kNone, the other fields are unset
  // The platform level's status, merged (MergeTcbStatus) with the module's when one applies.
  // kNotSupported when no platform level matches.
  TcbStatus status = TcbStatus::kNotSupported;
  TcbStatus platform_status = TcbStatus::kNotSupported;
  std::vector<std::string> advisory_ids;  // platform's, then the module's new ones; no duplicates
  std::optional<Time> tcb_date;           // of the matched platform level
  std::optional<TdxModuleEvaluation> tdx_module;  // TDX with TEE_TCB_SVN[1] > 0 and identities
};

// Intel's algorithm: FMSPC and PCE-ID must match; the platform level is the first one (PCS
// order) with every sgx_svn[i] <= PCK comp_svn[i] and pce_svn <= PCK PCESVN and, for TDX, every
// tdx_svn[i] <= TEE_TCB_SVN[i] for i in 0..15 when TEE_TCB_SVN[1] == 0, else i in 2..15. For TDX
// MRSIGNERSEAM must equal tdxModule.mrsigner and (SEAMATTRIBUTES & mask) == attributes; when
// TEE_TCB_SVN[1] > 0 and identities exist, "TDX_%02d" % TEE_TCB_SVN[1] must exist and match the
// same way, and its first level with isvsvn <= TEE_TCB_SVN[0] gives the module status. Pure
// function; does not look at dates.
TcbEvaluation EvaluateTcb(const TcbInfo& info, const PckExtensions& pck,
                          const std::optional<TdxTcbInput>& tdx = std::nullopt);

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_TCB_INFO_H_
