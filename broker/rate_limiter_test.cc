// Tests for the per-principal token buckets (time is passed in; no sleeping).
#include "broker/rate_limiter.h"

#include <gtest/gtest.h>

namespace muster::broker {
namespace {

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  RateLimiter r;
  RateLimit limit{10, 5};  // 10/s, burst 5
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r.Take("a", limit, 1000), 0u) << i;
  uint32_t wait = r.Take("a", limit, 1000);
  EXPECT_GT(wait, 0u);
  EXPECT_LE(wait, 100u);
  EXPECT_EQ(r.Take("a", limit, 1000 + wait), 0u) << "a token after the advertised wait";
  EXPECT_GT(r.Take("a", limit, 1000 + wait), 0u);
}

TEST(RateLimiterTest, OnePrincipalsFloodDoesNotTouchAnother) {
  RateLimit limit{1, 2};
  RateLimiter r;
  int allowed_a = 0, allowed_b = 0;
  for (int i = 0; i < 1000; ++i) allowed_a += r.Take("flood", limit, 5000) == 0;
  allowed_b += r.Take("calm", limit, 5000) == 0;
  EXPECT_EQ(allowed_a, 2);
  EXPECT_EQ(allowed_b, 1);
}

TEST(RateLimiterTest, UnlimitedAndTrim) {
  RateLimiter r;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(r.Take("x", RateLimit{}, 0), 0u);
  RateLimit limit{100, 10};
  r.Take("y", limit, 0);
  r.Trim(10000);  // refilled long ago: forgotten
  for (int i = 0; i < 10; ++i) EXPECT_EQ(r.Take("y", limit, 10000), 0u);
}

}  // namespace
}  // namespace muster::broker
