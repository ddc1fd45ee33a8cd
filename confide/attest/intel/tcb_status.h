// Intel TCB statuses as PCS spells them (PCS API v4, "TCB info" and "Enclave identity" models),
// and how Intel's quote verification library merges two of them.
//
//   CONFIDE_ASSIGN_OR_RETURN(TcbStatus s, ParseTcbStatus("SWHardeningNeeded"));
//   TcbStatus overall = MergeTcbStatus(platform, qe_identity_status);
#ifndef CONFIDE_ATTEST_INTEL_TCB_STATUS_H_
#define CONFIDE_ATTEST_INTEL_TCB_STATUS_H_

#include <string_view>

#include "confide/base/result.h"

namespace confide::attest::intel {

enum class TcbStatus {
  kUpToDate,
  kSwHardeningNeeded,
  kConfigurationNeeded,
  kConfigurationAndSwHardeningNeeded,
  kOutOfDate,
  kOutOfDateConfigurationNeeded,
  kRevoked,
  kNotSupported,  // no TCB level matches (Intel: TCB_NOT_SUPPORTED); never in PCS JSON
};

// "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
// "OutOfDate", "OutOfDateConfigurationNeeded", "Revoked"; kNotSupported is "NotSupported".
// Static storage.
std::string_view TcbStatusName(TcbStatus status);

// The inverse of TcbStatusName for the seven PCS values (exact match). kMalformed otherwise,
// including "NotSupported" (PCS never sends it).
Result<TcbStatus> ParseTcbStatus(std::string_view name);

// Intel QVL's convergence of the platform status with a second one (the QE identity status, or
// the TDX module status): kNotSupported or kRevoked in either wins; a second kOutOfDate turns
// UpToDate / SWHardeningNeeded into OutOfDate and ConfigurationNeeded /
// ConfigurationAndSWHardeningNeeded into OutOfDateConfigurationNeeded; otherwise the platform
// status stands.
TcbStatus MergeTcbStatus(TcbStatus platform, TcbStatus other);

}  // namespace confide::attest::intel

#endif  // CONFIDE_ATTEST_INTEL_TCB_STATUS_H_
