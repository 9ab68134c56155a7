// RFC 3339 formatting and parsing, and durations.
#include "common/time_text.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace muster {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::string FormatInstant(int64_t unix_millis, int32_t utc_offset_minutes, bool cap_utc) {
  int64_t local_secs = unix_millis / 1000 - (unix_millis % 1000 < 0 ? 1 : 0) +
                       static_cast<int64_t>(utc_offset_minutes) * 60;
  int64_t days = local_secs / 86400;
  int64_t rem = local_secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  int off = utc_offset_minutes;
  char sign = off < 0 ? '-' : '+';
  if (off == 0 && cap_utc) sign = '-';
  if (off < 0) off = -off;
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld%c%02d:%02d",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>((rem / 60) % 60), static_cast<long long>(rem % 60), sign,
                off / 60, off % 60);
  return buf;
}

Result<Instant> ParseInstant(std::string_view s) {
  auto bad = [&]() {
    return Status::InvalidArgument("not a date-time (want YYYY-MM-DDThh:mm:ss+hh:mm): '" +
                                   std::string(s) + "'");
  };
  int year, mon, day, hh, mm, ss;
  if (s.size() < 20 || !Digits(s, 0, 4, &year) || s[4] != '-' || !Digits(s, 5, 2, &mon) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' ||
      !Digits(s, 17, 2, &ss)) {
    return bad();
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return bad();
  static const int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDaysIn[mon - 1] || (mon == 2 && day == 29 && !leap)) return bad();
  size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset = oh * 60 + om;
    if (s[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss - static_cast<int64_t>(offset) * 60;
  return Instant{secs * 1000 + millis, offset};
}

Result<int64_t> ParseDurationMillis(std::string_view text) {
  size_t i = 0;
  int64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    value = value * 10 + (text[i] - '0');
    if (value > (int64_t{1} << 40)) return Status::InvalidArgument("duration too large");
    ++i;
  }
  std::string_view unit = text.substr(i);
  if (i == 0) {
    return Status::InvalidArgument("not a duration (want e.g. 90s, 5m, 2h): '" +
                                   std::string(text) + "'");
  }
  if (unit == "ms") return value;
  if (unit == "s" || unit.empty()) return value * 1000;
  if (unit == "m") return value * 60 * 1000;
  if (unit == "h") return value * 3600 * 1000;
  if (unit == "d") return value * 86400 * 1000;
  return Status::InvalidArgument("unknown duration unit '" + std::string(unit) +
                                 "' (use ms, s, m, h or d)");
}

int32_t LocalUtcOffsetMinutes() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return static_cast<int32_t>(local.tm_gmtoff / 60);
}

}  // namespace muster
