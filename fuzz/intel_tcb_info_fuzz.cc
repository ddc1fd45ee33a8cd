// The Intel collateral JSON parsers: the input is tried as a signed TCB info text, a QE identity
// text, a PCS response of each ({"tcbInfo"|"enclaveIdentity":…,"signature":…}) and a collateral
// encoding (dcap-qvl layout). Whatever parses is evaluated against a fixed platform (no crash;
// results are internally consistent), and accepted collateral must round-trip its encoding.
#include <cstdint>
#include <string_view>

#include "confide/attest/intel/collateral.h"
#include "confide/attest/intel/qe_identity.h"
#include "confide/attest/intel/tcb_info.h"
#include "confide/base/check.h"

namespace intel = confide::attest::intel;

namespace {

void Evaluate(const intel::TcbInfo& info) {
  intel::PckExtensions pck;
  pck.fmspc = info.fmspc;
  pck.pce_id = info.pce_id;
  pck.tcb.comp_svn.fill(3);
  pck.tcb.pce_svn = 11;
  intel::TdxTcbInput tdx;
  tdx.tee_tcb_svn = {6, 1, 3};
  for (const std::optional<intel::TdxTcbInput>& in :
       {std::optional<intel::TdxTcbInput>(), std::optional<intel::TdxTcbInput>(tdx)}) {
    intel::TcbEvaluation e = intel::EvaluateTcb(info, pck, in);
    if (e.mismatch != intel::TcbMismatch::kNone) continue;
    CONFIDE_CHECK(e.tcb_date.has_value() == (e.platform_status != intel::TcbStatus::kNotSupported));
    CONFIDE_CHECK(!intel::TcbStatusName(e.status).empty());
  }
}

void Evaluate(const intel::QeIdentity& id) {
  intel::QeReportFields report;
  report.mrsigner = id.mrsigner;
  report.isvprodid = id.isvprodid;
  report.miscselect = id.miscselect;
  report.attributes = id.attributes;
  report.isvsvn = 5;
  intel::QeIdentityEvaluation e = intel::EvaluateQeIdentity(id, report);
  // The report built from the identity's own values can only fail on mask-inconsistent values.
  for (const std::string& m : e.mismatches) CONFIDE_CHECK(m == "miscselect" || m == "attributes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto info = intel::ParseTcbInfo(text); info.ok()) Evaluate(*info);
  if (auto id = intel::ParseQeIdentity(text); id.ok()) Evaluate(*id);
  for (std::string_view key : {"tcbInfo", "enclaveIdentity"}) {
    confide::Result<intel::SignedJson> s = intel::ParsePcsSignedJson(text, key);
    if (!s.ok()) continue;
    CONFIDE_CHECK(s->signature.size() == 64);
    CONFIDE_CHECK(text.find(s->json) != std::string_view::npos);
    if (auto info = intel::ParseTcbInfo(s->json); info.ok()) Evaluate(*info);
    if (auto id = intel::ParseQeIdentity(s->json); id.ok()) Evaluate(*id);
  }
  confide::Result<intel::IntelCollateral> c = intel::DecodeIntelCollateral({data, size});
  if (c.ok()) {
    confide::Result<intel::IntelCollateral> back =
        intel::DecodeIntelCollateral(intel::EncodeIntelCollateral(*c));
    CONFIDE_CHECK(back.ok() && *back == *c);
  }
  return 0;
}
