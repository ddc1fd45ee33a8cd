// Typed, bounds-checked field access over nlohmann::json for the PCS JSON parsers (TCB info, QE
// identity, collateral files). Every accessor returns kMalformed naming `what`.`key`; none throws.
#ifndef CONFIDE_ATTEST_INTEL_INTERNAL_JSON_FIELDS_H_
#define CONFIDE_ATTEST_INTEL_INTERNAL_JSON_FIELDS_H_

#include <array>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
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

// "tcbLevels" of `o` where a level's TCB is one ISV SVN (QE identity, TDX module identity): a
// non-empty array of {"tcb": {"isvsvn": n}, "tcbDate", "tcbStatus", "advisoryIDs"}, in order.
// `Level` has the members isvsvn (its type bounds n), tcb_date, status and advisory_ids.
template <typename Level>
Result<std::vector<Level>> GetIsvSvnTcbLevels(const Json& o, std::string_view what) {
  using Svn = decltype(Level::isvsvn);
  CONFIDE_ASSIGN_OR_RETURN(const Json* levels, GetMember(o, "tcbLevels", what));
  if (!levels->is_array() || levels->empty()) {
    return JsonError(what, "tcbLevels", "not a non-empty array");
  }
  std::vector<Level> out;
  for (const Json& l : *levels) {
    if (!l.is_object()) return JsonError(what, "tcbLevels", "entry is not an object");
    CONFIDE_ASSIGN_OR_RETURN(const Json* tcb, GetMember(l, "tcb", what));
    Level level;
    CONFIDE_ASSIGN_OR_RETURN(uint64_t isvsvn,
                             GetUint(*tcb, "isvsvn", std::numeric_limits<Svn>::max(), what));
    level.isvsvn = static_cast<Svn>(isvsvn);
    CONFIDE_ASSIGN_OR_RETURN(level.tcb_date, GetTime(l, "tcbDate", what));
    CONFIDE_ASSIGN_OR_RETURN(level.status, GetStatus(l, what));
    CONFIDE_ASSIGN_OR_RETURN(level.advisory_ids, GetAdvisories(l, what));
    out.push_back(std::move(level));
  }
  return out;
}

}  // namespace confide::attest::intel::internal

#endif  // CONFIDE_ATTEST_INTEL_INTERNAL_JSON_FIELDS_H_
