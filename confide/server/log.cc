#include "confide/server/log.h"

#include <cstdio>
#include <mutex>

#include "confide/base/clock.h"

namespace confide::server {

namespace {

std::mutex& LogMutex() {
  static std::mutex mu;
  return mu;
}

void Write(nlohmann::json line) {
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(LogMutex());
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void LogEvent(std::string_view level, std::string_view event, const nlohmann::json& fields) {
  nlohmann::json line = {{"ts", FormatRfc3339(SystemClock().Now())},
                         {"level", level},
                         {"event", event}};
  if (fields.is_object()) line.update(fields);
  Write(std::move(line));
}

void AuditEvent(std::string_view event, const nlohmann::json& fields) {
  nlohmann::json f = fields.is_object() ? fields : nlohmann::json::object();
  f["audit"] = true;
  LogEvent("info", event, f);
}

}  // namespace confide::server
