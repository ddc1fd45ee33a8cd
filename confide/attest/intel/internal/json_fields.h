// Typed, bounds-checked field access over nlohmann::json for the PCS JSON parsers (TCB info, QE
// identity, collateral files). Every accessor returns kMalformed naming `what`.`key`; none throws.
#ifndef CONFIDE_ATTEST_INTEL_INTERNAL_JSON_FIELDS_H_
#define CONFIDE_ATTEST_INTEL_INTERNAL_JSON_FIELDS_H_

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "confide/attest/intel/tcb_status.h"
#include "confide/base/bytes.h"
#include "confide/base/clock.h"
#include "confide/base/result.h"

namespace confide::attest::intel::internal {

using Json = nlohmann::json;

Error JsonError(std::string_view what, std::string_view key, std::string_view problem);

// The whole text as one JSON object (kMalformed otherwise; nesting limited to 32 levels).
Result<Json> ParseJsonObject(std::string_view text, std::string_view what);

// Member `key` of object `o`; nullptr when absent.
const Json* Find(const Json& o, std::string_view key);

Result<const Json*> GetMember(const Json& o, std::string_view key, std::string_view what);
Result<std::string> GetString(const Json& o, std::string_view key, std::string_view what);
// A JSON integer (not a float, not negative) in 0..max.
Result<uint64_t> GetUint(const Json& o, std::string_view key, uint64_t max, std::string_view what);
Result<Time> GetTime(const Json& o, std::string_view key, std::string_view what);
Result<Bytes> GetHex(const Json& o, std::string_view key, size_t size, std::string_view what);
Result<TcbStatus> GetStatus(const Json& o, std::string_view what);  // "tcbStatus"
// "advisoryIDs": absent means empty; else an array of strings.
Result<std::vector<std::string>> GetAdvisories(const Json& o, std::string_view what);

template <size_t N>
Result<std::array<uint8_t, N>> GetHexArray(const Json& o, std::string_view key,
                                           std::string_view what) {
  CONFIDE_ASSIGN_OR_RETURN(Bytes b, GetHex(o, key, N, what));
  std::array<uint8_t, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

}  // namespace confide::attest::intel::internal

#endif  // CONFIDE_ATTEST_INTEL_INTERNAL_JSON_FIELDS_H_
