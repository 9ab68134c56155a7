// Clock: the source of wall-clock and monotonic time. Injected everywhere time matters so tests
// can jump the clock (expiry, deadlines) without sleeping.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace muster {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (wall clock; may jump).
  virtual int64_t NowMillis() const = 0;
  // Milliseconds on a clock that never goes backwards (for timeouts and rates).
  virtual int64_t MonotonicMillis() const = 0;
};

// The real clocks of the machine. Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  int64_t MonotonicMillis() const override;
};

// A clock whose wall time is offset from the system clock by a settable amount. Used by tests and
// by `musterd --clock-offset` to simulate clock jumps. Thread-safe.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(int64_t offset_ms = 0) : offset_ms_(offset_ms) {}
  void set_offset_ms(int64_t offset_ms) { offset_ms_.store(offset_ms); }
  int64_t NowMillis() const override;
  int64_t MonotonicMillis() const override;

 private:
  SystemClock base_;
  std::atomic<int64_t> offset_ms_;
};

// A clock whose wall-time offset is read from a file (a decimal number of milliseconds), at
// most every 100 ms: lets fault tests jump a running broker's clock forwards and backwards
// (`musterd --clock-offset-file FILE`). A missing or unreadable file means offset 0.
// Thread-safe.
class FileOffsetClock final : public Clock {
 public:
  explicit FileOffsetClock(std::string path) : path_(std::move(path)) {}
  int64_t NowMillis() const override;
  int64_t MonotonicMillis() const override { return base_.MonotonicMillis(); }

 private:
  SystemClock base_;
  std::string path_;
  mutable std::atomic<int64_t> offset_ms_{0};
  mutable std::atomic<int64_t> read_at_ms_{-1000};
};

}  // namespace muster
