// Parses arbitrary text as a TOML policy (confide/attest/policy.h). Invariants: no crash, no
// escaping exception, and an accepted policy always lists at least one TEE type.
#include <cstdint>
#include <string_view>

#include "confide/attest/policy.h"
#include "confide/base/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = confide::attest::ParsePolicy(text);
  if (policy.ok()) CONFIDE_CHECK(!policy->tee_types.empty());
  return 0;
}
