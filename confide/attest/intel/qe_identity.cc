#include "confide/attest/intel/qe_identity.h"

#include "confide/attest/intel/internal/json_fields.h"

namespace confide::attest::intel {
namespace {

using internal::GetHexArray;
using internal::GetIsvSvnTcbLevels;
using internal::GetString;
using internal::GetTime;
using internal::GetUint;
using internal::Json;

constexpr std::string_view kWhat = "intel qe identity";

uint32_t BigEndianU32(const std::array<uint8_t, 4>& b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

}  // namespace

Result<QeIdentity> ParseQeIdentity(std::string_view json_text) {
  CONFIDE_ASSIGN_OR_RETURN(Json j, internal::ParseJsonObject(json_text, kWhat));
  QeIdentity out;
  CONFIDE_ASSIGN_OR_RETURN(uint64_t version, GetUint(j, "version", 1000, kWhat));
  if (version != 2)
    return UnsupportedError("intel qe identity: version " + std::to_string(version));
  out.version = 2;
  CONFIDE_ASSIGN_OR_RETURN(std::string id, GetString(j, "id", kWhat));
  if (id == "QE") {
    out.id = QeIdentityId::kQe;
  } else if (id == "TD_QE") {
    out.id = QeIdentityId::kTdQe;
  } else if (id == "QVE") {
    out.id = QeIdentityId::kQve;
  } else {
    return UnsupportedError("intel qe identity: id '" + id.substr(0, 16) + "'");
  }
  CONFIDE_ASSIGN_OR_RETURN(out.issue_date, GetTime(j, "issueDate", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(out.next_update, GetTime(j, "nextUpdate", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(uint64_t eval, GetUint(j, "tcbEvaluationDataNumber", 0xFFFFFFFF, kWhat));
  out.tcb_evaluation_data_number = static_cast<uint32_t>(eval);
  CONFIDE_ASSIGN_OR_RETURN(auto misc, GetHexArray<4>(j, "miscselect", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(auto misc_mask, GetHexArray<4>(j, "miscselectMask", kWhat));
  out.miscselect = BigEndianU32(misc);
  out.miscselect_mask = BigEndianU32(misc_mask);
  CONFIDE_ASSIGN_OR_RETURN(out.attributes, GetHexArray<16>(j, "attributes", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(out.attributes_mask, GetHexArray<16>(j, "attributesMask", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(out.mrsigner, GetHexArray<32>(j, "mrsigner", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(uint64_t prodid, GetUint(j, "isvprodid", 0xFFFF, kWhat));
  out.isvprodid = static_cast<uint16_t>(prodid);
  CONFIDE_ASSIGN_OR_RETURN(out.tcb_levels, GetIsvSvnTcbLevels<QeTcbLevel>(j, kWhat));
  return out;
}

QeIdentityEvaluation EvaluateQeIdentity(const QeIdentity& identity, const QeReportFields& report) {
  QeIdentityEvaluation out;
  if (report.mrsigner != identity.mrsigner) out.mismatches.push_back("mrsigner");
  if (report.isvprodid != identity.isvprodid) out.mismatches.push_back("isvprodid");
  if ((report.miscselect & identity.miscselect_mask) != identity.miscselect) {
    out.mismatches.push_back("miscselect");
  }
  for (size_t i = 0; i < 16; ++i) {
    if ((report.attributes[i] & identity.attributes_mask[i]) != identity.attributes[i]) {
      out.mismatches.push_back("attributes");
      break;
    }
  }
  for (const QeTcbLevel& level : identity.tcb_levels) {
    if (level.isvsvn > report.isvsvn) continue;
    out.status = level.status;
    out.advisory_ids = level.advisory_ids;
    out.tcb_date = level.tcb_date;
    break;
  }
  return out;
}

}  // namespace confide::attest::intel
