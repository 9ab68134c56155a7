// Tests for RFC 3339 instants and durations.
#include "common/time_text.h"

#include <gtest/gtest.h>

namespace muster {
namespace {

TEST(TimeTextTest, FormatsWithOffset) {
  // 2026-11-28T13:00:00Z
  int64_t ms = 1795870800000;
  EXPECT_EQ(FormatInstant(ms, 0), "2026-11-28T13:00:00+00:00");
  EXPECT_EQ(FormatInstant(ms, 0, /*cap_utc=*/true), "2026-11-28T13:00:00-00:00");
  EXPECT_EQ(FormatInstant(ms, 480), "2026-11-28T21:00:00+08:00");
  EXPECT_EQ(FormatInstant(ms, -420), "2026-11-28T06:00:00-07:00");
}

TEST(TimeTextTest, ParsesAndRoundTrips) {
  auto r = ParseInstant("2026-11-28T21:00:00+08:00");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->unix_millis, 1795870800000);
  EXPECT_EQ(r->utc_offset_minutes, 480);
  EXPECT_EQ(FormatInstant(r->unix_millis, r->utc_offset_minutes), "2026-11-28T21:00:00+08:00");
  auto z = ParseInstant("2026-11-28T13:00:00.250Z");
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->unix_millis, 1795870800250);
  auto neg = ParseInstant("2002-05-24T16:49:00-07:00");
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(FormatInstant(neg->unix_millis, neg->utc_offset_minutes), "2002-05-24T16:49:00-07:00");
}

TEST(TimeTextTest, RefusesMalformedInstants) {
  for (const char* bad : {"", "2026-11-28", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-28T25:00:00Z", "2026-11-28T21:00:00", "2026-11-28T21:00:00+8",
                          "2026-11-28 21:00:00+08:00", "2026-11-28T21:00:00+08:00x"}) {
    EXPECT_FALSE(ParseInstant(bad).ok()) << bad;
  }
}

TEST(TimeTextTest, ParsesDurations) {
  EXPECT_EQ(*ParseDurationMillis("1500ms"), 1500);
  EXPECT_EQ(*ParseDurationMillis("90s"), 90000);
  EXPECT_EQ(*ParseDurationMillis("5m"), 300000);
  EXPECT_EQ(*ParseDurationMillis("2h"), 7200000);
  EXPECT_EQ(*ParseDurationMillis("1d"), 86400000);
  EXPECT_FALSE(ParseDurationMillis("m5").ok());
  EXPECT_FALSE(ParseDurationMillis("5y").ok());
}

}  // namespace
}  // namespace muster
