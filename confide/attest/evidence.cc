#include "confide/attest/evidence.h"

namespace confide::attest {

std::string_view TeeTypeName(TeeType tee) {
  switch (tee) {
    case TeeType::kSevSnp:
      return "sev-snp";
    case TeeType::kSgx:
      return "sgx";
    case TeeType::kTdx:
      return "tdx";
    case TeeType::kNitro:
      return "nitro";
  }
  return "unknown";  // unreachable for valid enum values
}

std::optional<TeeType> TeeTypeFromName(std::string_view name) {
  for (TeeType tee : kAllTeeTypes) {
    if (TeeTypeName(tee) == name) return tee;
  }
  return std::nullopt;
}

}  // namespace confide::attest
