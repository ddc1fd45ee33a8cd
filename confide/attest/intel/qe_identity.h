// PCS enclave identity of the quoting enclave (Intel "PCS API" v3/v4, model "EnclaveIdentityV2";
// notes §1 step 4): parsing of the exact signed `enclaveIdentity` object text, and the match of
// a quote's QE report against it.
//
//   CONFIDE_ASSIGN_OR_RETURN(QeIdentity id, ParseQeIdentity(collateral.qe_identity_json));
//   QeIdentityEvaluation e = EvaluateQeIdentity(id, QeReportFields{...});
//   if (!e.matched()) -> QE_IDENTITY_MISMATCH (e.mismatches names the fields)
#ifndef CONFIDE_ATTEST_INTEL_QE_IDENTITY_H_
#define CONFIDE_ATTEST_INTEL_QE_IDENTITY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confide/attest/intel/tcb_status.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::attest::intel {

enum class QeIdentityId { kQe, kTdQe, kQve };  // "QE" (SGX quotes), "TD_QE" (TDX), "QVE"

struct QeTcbLevel {
  uint16_t isvsvn = 0;
  Time tcb_date{};
  TcbStatus status = TcbStatus::kOutOfDate;
  std::vector<std::string> advisory_ids;
};

struct QeIdentity {
  QeIdentityId id = QeIdentityId::kQe;
  int version = 0;  // 2
  Time issue_date{};
  Time next_update{};
  uint32_t tcb_evaluation_data_number = 0;
  // "miscselect" / "miscselectMask" hex read as a big-endian number, compared with the report's
  // MISCSELECT read as a little-endian u32 (as Intel's QVL does).
  uint32_t miscselect = 0;
  uint32_t miscselect_mask = 0;
  std::array<uint8_t, 16> attributes{};  // bytes as in the JSON hex = report ATTRIBUTES
  std::array<uint8_t, 16> attributes_mask{};
  std::array<uint8_t, 32> mrsigner{};
  uint16_t isvprodid = 0;
  std::vector<QeTcbLevel> tcb_levels;  // in PCS order (highest isvsvn first)
};

// Parses the `enclaveIdentity` object text (not the wrapper). kMalformed on invalid JSON, a
// missing or mistyped field, wrong hex sizes, an out-of-range number, an unknown tcbStatus or no
// tcbLevels; kUnsupported for a version other than 2 or an unknown id. Unknown fields are
// ignored. Does not check the signature or the validity window.
Result<QeIdentity> ParseQeIdentity(std::string_view json_text);

// The QE report (SGX report body of the quoting enclave) fields the identity constrains.
struct QeReportFields {
  uint32_t miscselect = 0;               // report bytes 16..20, little-endian
  std::array<uint8_t, 16> attributes{};  // report bytes 48..64
  std::array<uint8_t, 32> mrsigner{};    // report bytes 128..160
  uint16_t isvprodid = 0;
  uint16_t isvsvn = 0;
};

struct QeIdentityEvaluation {
  // Names of the fields that do not match, in this order: "mrsigner", "isvprodid",
  // "miscselect", "attributes". Empty when the report matches.
  std::vector<std::string> mismatches;
  // The first level with isvsvn <= the report's ISVSVN; kOutOfDate when none (Intel QVL:
  // ISVSVN_OUT_OF_DATE). Set even when mismatches is not empty.
  TcbStatus status = TcbStatus::kOutOfDate;
  std::vector<std::string> advisory_ids;
  std::optional<Time> tcb_date;

  bool matched() const { return mismatches.empty(); }
};

// mrsigner and isvprodid equal; (miscselect & mask) == identity miscselect; (attributes & mask)
// == identity attributes, byte by byte. Pure function; does not look at dates or the id.
QeIdentityEvaluation EvaluateQeIdentity(const QeIdentity& identity, const QeReportFields& report);

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_QE_IDENTITY_H_
