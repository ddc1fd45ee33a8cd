#include "confide/attest/intel/qe_identity.h"

#include "confide/attest/intel/internal/json_fields.h"

namespace confide::attest::intel {
namespace {

using internal::GetAdvisories;
using internal::GetHexArray;
using internal::GetMember;
using internal::GetStatus;
using internal::GetString;
using internal::GetTime;
using internal::GetUint;
using internal::Json;

constexpr std::string_view kWhat = "intel qe identity";

Error Bad(const std::string& what) { return MalformedError(std::string(kWhat) + ": " + what); }

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
  CONFIDE_ASSIGN_OR_RETURN(const Json* levels, GetMember(j, "tcbLevels", kWhat));
  if (!levels->is_array() || levels->empty()) return Bad("tcbLevels: not a non-empty array");
  for (const Json& l : *levels) {
    if (!l.is_object()) return Bad("tcbLevels entry is not an object");
    CONFIDE_ASSIGN_OR_RETURN(const Json* tcb, GetMember(l, "tcb", kWhat));
    QeTcbLevel level;
    CONFIDE_ASSIGN_OR_RETURN(uint64_t isvsvn, GetUint(*tcb, "isvsvn", 0xFFFF, kWhat));
    level.isvsvn = static_cast<uint16_t>(isvsvn);
    CONFIDE_ASSIGN_OR_RETURN(level.tcb_date, GetTime(l, "tcbDate", kWhat));
    CONFIDE_ASSIGN_OR_RETURN(level.status, GetStatus(l, kWhat));
    CONFIDE_ASSIGN_OR_RETURN(level.advisory_ids, GetAdvisories(l, kWhat));
    out.tcb_levels.push_back(std::move(level));
  }
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
