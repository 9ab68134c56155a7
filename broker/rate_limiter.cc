// Token buckets.
#include "broker/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace muster::broker {

uint32_t RateLimiter::Take(const std::string& principal, const RateLimit& limit, int64_t now_ms) {
  if (limit.per_second <= 0) return 0;
  double burst = std::max(1.0, limit.burst);
  auto [it, inserted] = buckets_.try_emplace(principal);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = burst;
    b.updated_ms = now_ms;
  }
  b.limit = limit;
  double elapsed_s = static_cast<double>(std::max<int64_t>(0, now_ms - b.updated_ms)) / 1000.0;
  b.tokens = std::min(burst, b.tokens + elapsed_s * limit.per_second);
  b.updated_ms = now_ms;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  double wait_ms = (1.0 - b.tokens) / limit.per_second * 1000.0;
  return static_cast<uint32_t>(std::ceil(std::max(1.0, wait_ms)));
}

void RateLimiter::Trim(int64_t now_ms) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    double elapsed_s = static_cast<double>(std::max<int64_t>(0, now_ms - b.updated_ms)) / 1000.0;
    bool full = b.limit.per_second <= 0 || b.tokens + elapsed_s * b.limit.per_second >= std::max(1.0, b.limit.burst);
    it = full ? buckets_.erase(it) : std::next(it);
  }
}

}  // namespace muster::broker
