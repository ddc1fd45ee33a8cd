// Structured logs: one JSON object per line on stderr. Callers pass only operational fields
// (routes, statuses, sizes, durations, model names, digests); never inputs, outputs, keys or
// nonces. Thread safe.
//
//   LogEvent("info", "request", {{"route", "infer"}, {"status", 200}, {"ms", 3.1}});
#ifndef CONFIDE_SERVER_LOG_H_
#define CONFIDE_SERVER_LOG_H_

#include <nlohmann/json.hpp>
#include <string_view>

namespace confide::server {

// Writes {"ts": RFC 3339, "level", "event", ...fields} as one line.
void LogEvent(std::string_view level, std::string_view event, const nlohmann::json& fields = {});
// An audit event (attestation requests, key use): the same line with "audit": true, until
// confide/audit's signed log is wired in (TODO(issue 8)).
void AuditEvent(std::string_view event, const nlohmann::json& fields);

}  // namespace confide::server

#endif  // CONFIDE_SERVER_LOG_H_
