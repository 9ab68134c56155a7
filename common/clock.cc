// System and offset clocks.
#include "common/clock.h"

#include <chrono>

namespace muster {

int64_t SystemClock::NowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::MonotonicMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t OffsetClock::NowMillis() const { return base_.NowMillis() + offset_ms_.load(); }
int64_t OffsetClock::MonotonicMillis() const { return base_.MonotonicMillis(); }

}  // namespace muster
