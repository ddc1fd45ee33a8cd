#include "confide/attest/intel/tcb_info.h"

#include <algorithm>
#include <cstdio>

#include "confide/attest/intel/internal/json_fields.h"

namespace confide::attest::intel {
namespace {

using internal::Find;
using internal::GetAdvisories;
using internal::GetHexArray;
using internal::GetIsvSvnTcbLevels;
using internal::GetMember;
using internal::GetStatus;
using internal::GetString;
using internal::GetTime;
using internal::GetUint;
using internal::Json;

constexpr std::string_view kWhat = "intel tcb info";

Error Bad(const std::string& what) { return MalformedError(std::string(kWhat) + ": " + what); }

// v3: "sgxtcbcomponents" / "tdxtcbcomponents", arrays of 16 {"svn": n, ...}.
Result<std::array<uint8_t, 16>> ReadComponents(const Json& tcb, std::string_view key) {
  CONFIDE_ASSIGN_OR_RETURN(const Json* arr, GetMember(tcb, key, "intel tcb info level.tcb"));
  if (!arr->is_array() || arr->size() != 16) return Bad(std::string(key) + ": not 16 components");
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < 16; ++i) {
    CONFIDE_ASSIGN_OR_RETURN(uint64_t svn, GetUint((*arr)[i], "svn", 0xFF, key));
    out[i] = static_cast<uint8_t>(svn);
  }
  return out;
}

// v2: "sgxtcbcomp01svn" .. "sgxtcbcomp16svn".
Result<std::array<uint8_t, 16>> ReadV2Components(const Json& tcb) {
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < 16; ++i) {
    char key[24];
    std::snprintf(key, sizeof key, "sgxtcbcomp%02zusvn", i + 1);
    CONFIDE_ASSIGN_OR_RETURN(uint64_t svn, GetUint(tcb, key, 0xFF, "intel tcb info level.tcb"));
    out[i] = static_cast<uint8_t>(svn);
  }
  return out;
}

Result<TcbLevel> ReadLevel(const Json& level, int version, TcbInfoId id) {
  if (!level.is_object()) return Bad("tcbLevels entry is not an object");
  constexpr std::string_view what = "intel tcb info level";
  CONFIDE_ASSIGN_OR_RETURN(const Json* tcb, GetMember(level, "tcb", what));
  if (!tcb->is_object()) return Bad("tcbLevels[].tcb is not an object");
  TcbLevel out;
  if (version == 2) {
    CONFIDE_ASSIGN_OR_RETURN(out.sgx_svn, ReadV2Components(*tcb));
  } else {
    CONFIDE_ASSIGN_OR_RETURN(out.sgx_svn, ReadComponents(*tcb, "sgxtcbcomponents"));
    if (id == TcbInfoId::kTdx) {
      CONFIDE_ASSIGN_OR_RETURN(out.tdx_svn, ReadComponents(*tcb, "tdxtcbcomponents"));
    }
  }
  CONFIDE_ASSIGN_OR_RETURN(uint64_t pce_svn, GetUint(*tcb, "pcesvn", 0xFFFF, what));
  out.pce_svn = static_cast<uint16_t>(pce_svn);
  CONFIDE_ASSIGN_OR_RETURN(out.tcb_date, GetTime(level, "tcbDate", what));
  CONFIDE_ASSIGN_OR_RETURN(out.status, GetStatus(level, what));
  CONFIDE_ASSIGN_OR_RETURN(out.advisory_ids, GetAdvisories(level, what));
  return out;
}

Result<TdxModuleIdentity> ReadModuleIdentity(const Json& m) {
  constexpr std::string_view what = "intel tcb info tdxModuleIdentities[]";
  if (!m.is_object()) return Bad("tdxModuleIdentities entry is not an object");
  TdxModuleIdentity out;
  CONFIDE_ASSIGN_OR_RETURN(out.id, GetString(m, "id", what));
  CONFIDE_ASSIGN_OR_RETURN(out.mrsigner, GetHexArray<48>(m, "mrsigner", what));
  CONFIDE_ASSIGN_OR_RETURN(out.attributes, GetHexArray<8>(m, "attributes", what));
  CONFIDE_ASSIGN_OR_RETURN(out.attributes_mask, GetHexArray<8>(m, "attributesMask", what));
  CONFIDE_ASSIGN_OR_RETURN(out.tcb_levels, GetIsvSvnTcbLevels<TdxModuleTcbLevel>(m, what));
  return out;
}

bool MaskedEqual(const std::array<uint8_t, 8>& value, const std::array<uint8_t, 8>& mask,
                 const std::array<uint8_t, 8>& want) {
  for (size_t i = 0; i < 8; ++i) {
    if ((value[i] & mask[i]) != want[i]) return false;
  }
  return true;
}

void AppendNew(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const std::string& id : from) {
    if (std::find(to.begin(), to.end(), id) == to.end()) to.push_back(id);
  }
}

bool LevelMatches(const TcbLevel& level, const PckExtensions& pck,
                  const std::optional<TdxTcbInput>& tdx) {
  for (size_t i = 0; i < 16; ++i) {
    if (level.sgx_svn[i] > pck.tcb.comp_svn[i]) return false;
  }
  if (level.pce_svn > pck.tcb.pce_svn) return false;
  if (tdx) {
    if (!level.tdx_svn) return false;
    // PCS API: with a TDX module major version (TEE_TCB_SVN[1] > 0), bytes 0 and 1 are the
    // module's and are judged by tdxModuleIdentities instead.
    const size_t first = tdx->tee_tcb_svn[1] == 0 ? 0 : 2;
    for (size_t i = first; i < 16; ++i) {
      if ((*level.tdx_svn)[i] > tdx->tee_tcb_svn[i]) return false;
    }
  }
  return true;
}

}  // namespace

Result<TcbInfo> ParseTcbInfo(std::string_view json_text) {
  CONFIDE_ASSIGN_OR_RETURN(Json j, internal::ParseJsonObject(json_text, kWhat));
  TcbInfo out;
  CONFIDE_ASSIGN_OR_RETURN(uint64_t version, GetUint(j, "version", 1000, kWhat));
  if (version != 2 && version != 3) {
    return UnsupportedError("intel tcb info: version " + std::to_string(version));
  }
  out.version = static_cast<int>(version);
  if (Find(j, "id") != nullptr || version == 3) {
    CONFIDE_ASSIGN_OR_RETURN(std::string id, GetString(j, "id", kWhat));
    if (id == "SGX") {
      out.id = TcbInfoId::kSgx;
    } else if (id == "TDX") {
      out.id = TcbInfoId::kTdx;
    } else {
      return UnsupportedError("intel tcb info: id '" + id.substr(0, 16) + "'");
    }
  }
  if (out.id == TcbInfoId::kTdx && version != 3) return Bad("TDX TCB info must be version 3");
  CONFIDE_ASSIGN_OR_RETURN(out.issue_date, GetTime(j, "issueDate", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(out.next_update, GetTime(j, "nextUpdate", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(out.fmspc, GetHexArray<6>(j, "fmspc", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(out.pce_id, GetHexArray<2>(j, "pceId", kWhat));
  CONFIDE_ASSIGN_OR_RETURN(uint64_t tcb_type, GetUint(j, "tcbType", 1000, kWhat));
  if (tcb_type != 0) return UnsupportedError("intel tcb info: tcbType " + std::to_string(tcb_type));
  CONFIDE_ASSIGN_OR_RETURN(uint64_t eval, GetUint(j, "tcbEvaluationDataNumber", 0xFFFFFFFF, kWhat));
  out.tcb_evaluation_data_number = static_cast<uint32_t>(eval);
  if (out.id == TcbInfoId::kTdx) {
    CONFIDE_ASSIGN_OR_RETURN(const Json* m, GetMember(j, "tdxModule", kWhat));
    constexpr std::string_view what = "intel tcb info tdxModule";
    TdxModule module;
    CONFIDE_ASSIGN_OR_RETURN(module.mrsigner, GetHexArray<48>(*m, "mrsigner", what));
    CONFIDE_ASSIGN_OR_RETURN(module.attributes, GetHexArray<8>(*m, "attributes", what));
    CONFIDE_ASSIGN_OR_RETURN(module.attributes_mask, GetHexArray<8>(*m, "attributesMask", what));
    out.tdx_module = module;
    if (const Json* ids = Find(j, "tdxModuleIdentities")) {
      if (!ids->is_array()) return Bad("tdxModuleIdentities is not an array");
      for (const Json& m2 : *ids) {
        CONFIDE_ASSIGN_OR_RETURN(TdxModuleIdentity identity, ReadModuleIdentity(m2));
        out.tdx_module_identities.push_back(std::move(identity));
      }
    }
  }
  CONFIDE_ASSIGN_OR_RETURN(const Json* levels, GetMember(j, "tcbLevels", kWhat));
  if (!levels->is_array() || levels->empty()) return Bad("tcbLevels: not a non-empty array");
  for (const Json& l : *levels) {
    CONFIDE_ASSIGN_OR_RETURN(TcbLevel level, ReadLevel(l, out.version, out.id));
    out.tcb_levels.push_back(std::move(level));
  }
  return out;
}

std::string_view TcbMismatchName(TcbMismatch m) {
  switch (m) {
    case TcbMismatch::kNone:
      return "none";
    case TcbMismatch::kFmspc:
      return "fmspc";
    case TcbMismatch::kPceId:
      return "pce_id";
    case TcbMismatch::kTeeType:
      return "tee_type";
    case TcbMismatch::kTdxModuleSigner:
      return "tdx_module_signer";
    case TcbMismatch::kTdxModuleAttributes:
      return "tdx_module_attributes";
    case TcbMismatch::kTdxModuleIdentityMissing:
      return "tdx_module_identity_missing";
  }
  return "unknown";
}

TcbEvaluation EvaluateTcb(const TcbInfo& info, const PckExtensions& pck,
                          const std::optional<TdxTcbInput>& tdx) {
  TcbEvaluation out;
  if (info.fmspc != pck.fmspc) {
    out.mismatch = TcbMismatch::kFmspc;
    return out;
  }
  if (info.pce_id != pck.pce_id) {
    out.mismatch = TcbMismatch::kPceId;
    return out;
  }
  if ((info.id == TcbInfoId::kTdx) != tdx.has_value() || (tdx && !info.tdx_module)) {
    out.mismatch = TcbMismatch::kTeeType;
    return out;
  }
  const TdxModuleIdentity* identity = nullptr;
  if (tdx) {
    if (tdx->mrsignerseam != info.tdx_module->mrsigner) {
      out.mismatch = TcbMismatch::kTdxModuleSigner;
      return out;
    }
    if (!MaskedEqual(tdx->seam_attributes, info.tdx_module->attributes_mask,
                     info.tdx_module->attributes)) {
      out.mismatch = TcbMismatch::kTdxModuleAttributes;
      return out;
    }
    if (tdx->tee_tcb_svn[1] > 0 && !info.tdx_module_identities.empty()) {
      char id[16];
      std::snprintf(id, sizeof id, "TDX_%02u", static_cast<unsigned>(tdx->tee_tcb_svn[1]));
      for (const TdxModuleIdentity& m : info.tdx_module_identities) {
        if (m.id == id) identity = &m;
      }
      if (identity == nullptr) {
        out.mismatch = TcbMismatch::kTdxModuleIdentityMissing;
        return out;
      }
      if (tdx->mrsignerseam != identity->mrsigner) {
        out.mismatch = TcbMismatch::kTdxModuleSigner;
        return out;
      }
      if (!MaskedEqual(tdx->seam_attributes, identity->attributes_mask, identity->attributes)) {
        out.mismatch = TcbMismatch::kTdxModuleAttributes;
        return out;
      }
    }
  }
  for (const TcbLevel& level : info.tcb_levels) {
    if (!LevelMatches(level, pck, tdx)) continue;
    out.platform_status = level.status;
    out.advisory_ids = level.advisory_ids;
    out.tcb_date = level.tcb_date;
    break;
  }
  out.status = out.platform_status;
  if (identity != nullptr) {
    TdxModuleEvaluation module;
    module.id = identity->id;
    for (const TdxModuleTcbLevel& level : identity->tcb_levels) {
      if (level.isvsvn > tdx->tee_tcb_svn[0]) continue;
      module.status = level.status;
      module.advisory_ids = level.advisory_ids;
      module.tcb_date = level.tcb_date;
      break;
    }
    out.status = MergeTcbStatus(out.platform_status, module.status);
    AppendNew(out.advisory_ids, module.advisory_ids);
    out.tdx_module = std::move(module);
  }
  return out;
}

}  // namespace confide::attest::intel
