#include "confide/base/clock.h"

#include <gtest/gtest.h>

namespace confide {
namespace {

TEST(Rfc3339Test, ParsesUtcAndOffsets) {
  Time t = *ParseRfc3339("2025-06-01T00:00:00Z");
  EXPECT_EQ(t.time_since_epoch().count(), 1748736000);
  EXPECT_EQ(*ParseRfc3339("2025-06-01T02:00:00+02:00"), t);
  EXPECT_EQ(*ParseRfc3339("2025-05-31T23:30:00-00:30"), t);
  EXPECT_EQ(*ParseRfc3339("2025-06-01T00:00:00.999Z"), t) << "fractions truncate";
  EXPECT_EQ(*ParseRfc3339("2025-06-01t00:00:00z"), t);
}

TEST(Rfc3339Test, RejectsMalformedAndImpossible) {
  for (const char* bad : {"", "2025-06-01", "2025-06-01T00:00:00", "2025-13-01T00:00:00Z",
                          "2025-02-30T00:00:00Z", "2025-06-01T24:00:00Z", "2025-06-01T00:00:00ZZ",
                          "2025-06-01 00:00:00Z", "2025-06-01T00:00:00.Z", "25-06-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(Rfc3339Test, FormatRoundTrips) {
  for (const char* s : {"1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2053-07-01T00:00:00Z"}) {
    EXPECT_EQ(FormatRfc3339(*ParseRfc3339(s)), s);
  }
}

TEST(ClockTest, FixedClockIsInjectable) {
  FixedClock c(*ParseRfc3339("2025-06-01T00:00:00Z"));
  c.Advance(std::chrono::seconds(61));
  EXPECT_EQ(FormatRfc3339(c.Now()), "2025-06-01T00:01:01Z");
  EXPECT_GT(SystemClock().Now(), *ParseRfc3339("2024-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace confide
