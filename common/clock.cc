// System and offset clocks.
#include "common/clock.h"

#include <chrono>
#include <cstdio>

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

int64_t FileOffsetClock::NowMillis() const {
  int64_t mono = base_.MonotonicMillis();
  if (mono - read_at_ms_.load() >= 100) {
    read_at_ms_.store(mono);
    int64_t offset = 0;
    if (std::FILE* f = std::fopen(path_.c_str(), "r")) {
      long long v = 0;
      if (std::fscanf(f, "%lld", &v) == 1) offset = v;
      std::fclose(f);
    }
    offset_ms_.store(offset);
  }
  return base_.NowMillis() + offset_ms_.load();
}

}  // namespace muster
