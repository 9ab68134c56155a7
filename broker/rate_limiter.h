// RateLimiter: a token bucket per principal. Each publish takes a token; tokens refill at
// `per_second` up to `burst`. Over the limit the publish is refused with `overloaded` and a
// retry-after, and nobody else is affected (every principal has its own bucket).
// Broker thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace muster::broker {

struct RateLimit {
  double per_second = 0;  // 0 = unlimited
  double burst = 0;
};

class RateLimiter {
 public:
  // Takes one token for `principal` at monotonic time `now_ms`. Returns 0 if allowed, else the
  // milliseconds after which a token will be available.
  uint32_t Take(const std::string& principal, const RateLimit& limit, int64_t now_ms);

  // Forgets principals whose buckets are full again (keeps memory bounded).
  void Trim(int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
    RateLimit limit;
  };
  std::map<std::string, Bucket> buckets_;
};

}  // namespace muster::broker
