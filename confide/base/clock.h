// Time as an input (STYLE.md §8): a Clock interface, the system clock, a fixed clock for tests,
// and strict RFC 3339 parsing/formatting in UTC.
//
//   FixedClock clock(*ParseRfc3339("2025-06-01T00:00:00Z"));
//   VerifyReport(report, chain, {.now = clock.Now()});
#ifndef CONFIDE_BASE_CLOCK_H_
#define CONFIDE_BASE_CLOCK_H_

#include <chrono>
#include <string>
#include <string_view>

#include "confide/base/result.h"

namespace confide {

// Seconds since the Unix epoch, UTC. Certificates and evidence carry second (or coarser)
// precision; finer timings use std::chrono::steady_clock directly.
using Time = std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
};

// The real wall clock. Thread safe.
class SystemClock final : public Clock {
 public:
  Time Now() const override;
};

// Always answers the time it was given (or last set). Not thread safe against Set().
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Time now) : now_(now) {}
  Time Now() const override { return now_; }
  void Set(Time now) { now_ = now; }
  void Advance(std::chrono::seconds by) { now_ += by; }

 private:
  Time now_;
};

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)". The fraction is dropped (truncated
// to the second). kInvalidArgument for anything else, including impossible dates.
Result<Time> ParseRfc3339(std::string_view text);
// "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339(Time t);

}  // namespace confide

#endif  // CONFIDE_BASE_CLOCK_H_
