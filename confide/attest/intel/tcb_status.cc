#include "confide/attest/intel/tcb_status.h"

#include <string>

namespace confide::attest::intel {
namespace {

struct Named {
  TcbStatus status;
  std::string_view name;
};

constexpr Named kPcsNames[] = {
    {TcbStatus::kUpToDate, "UpToDate"},
    {TcbStatus::kSwHardeningNeeded, "SWHardeningNeeded"},
    {TcbStatus::kConfigurationNeeded, "ConfigurationNeeded"},
    {TcbStatus::kConfigurationAndSwHardeningNeeded, "ConfigurationAndSWHardeningNeeded"},
    {TcbStatus::kOutOfDate, "OutOfDate"},
    {TcbStatus::kOutOfDateConfigurationNeeded, "OutOfDateConfigurationNeeded"},
    {TcbStatus::kRevoked, "Revoked"},
};

}  // namespace

std::string_view TcbStatusName(TcbStatus status) {
  for (const Named& n : kPcsNames) {
    if (n.status == status) return n.name;
  }
  return "NotSupported";
}

Result<TcbStatus> ParseTcbStatus(std::string_view name) {
  for (const Named& n : kPcsNames) {
    if (n.name == name) return n.status;
  }
  return MalformedError("intel tcb status: unknown value '" + std::string(name.substr(0, 64)) +
                        "'");
}

TcbStatus MergeTcbStatus(TcbStatus platform, TcbStatus other) {
  if (platform == TcbStatus::kNotSupported || other == TcbStatus::kNotSupported) {
    return TcbStatus::kNotSupported;
  }
  if (platform == TcbStatus::kRevoked || other == TcbStatus::kRevoked) return TcbStatus::kRevoked;
  if (other == TcbStatus::kOutOfDate || other == TcbStatus::kOutOfDateConfigurationNeeded) {
    switch (platform) {
      case TcbStatus::kUpToDate:
      case TcbStatus::kSwHardeningNeeded:
        return TcbStatus::kOutOfDate;
      case TcbStatus::kConfigurationNeeded:
      case TcbStatus::kConfigurationAndSwHardeningNeeded:
        return TcbStatus::kOutOfDateConfigurationNeeded;
      default:
        return platform;
    }
  }
  return platform;
}

}  // namespace confide::attest::intel
