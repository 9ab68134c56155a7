// Time as text: RFC 3339 instants with their UTC offset ("2026-11-28T21:05:00+08:00"), and
// human durations ("90s", "5m", "2h", "1d", "1500ms").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace muster {

struct Instant {
  int64_t unix_millis = 0;
  int32_t utc_offset_minutes = 0;  // the offset the instant was written with
};

// Formats as YYYY-MM-DDThh:mm:ss±hh:mm in the given offset (milliseconds are dropped).
// UTC is written "+00:00" unless `cap_utc` is set, which writes CAP's "-00:00".
std::string FormatInstant(int64_t unix_millis, int32_t utc_offset_minutes, bool cap_utc = false);

// Parses YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm). `Z` is accepted here; callers that must refuse it
// (CAP) check the text themselves.
Result<Instant> ParseInstant(std::string_view text);

// Parses a duration: an integer followed by ms, s, m, h or d.
Result<int64_t> ParseDurationMillis(std::string_view text);

// The local UTC offset of this machine in minutes (for display of times).
int32_t LocalUtcOffsetMinutes();

}  // namespace muster
