// Lexical rules of CAP 1.2 values: dateTime, identifiers, decimals, geometry, language, MIME type,
// URI and base64.
#include "adapters/cap/internal/cap_lexical.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <system_error>
#include <vector>

namespace muster::cap::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool AllDigits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return false;
  }
  return true;
}

int TwoDigits(std::string_view text, size_t pos) {
  return (text[pos] - '0') * 10 + (text[pos + 1] - '0');
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<size_t>(month - 1)];
}

Problem InvalidDate(std::string detail) { return Problem{"INVALID_DATE", std::move(detail)}; }

struct Point {
  double lat = 0;
  double lon = 0;
  bool operator==(const Point& o) const { return lat == o.lat && lon == o.lon; }
};

std::string FormatPoint(const Point& p) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.7g,%.7g", p.lat, p.lon);
  return buf;
}

// Parses "lat,lon". On failure returns false and explains why in *why.
bool ParsePair(std::string_view token, Point* out, std::string* why) {
  size_t comma = token.find(',');
  if (comma == std::string_view::npos || token.find(',', comma + 1) != std::string_view::npos) {
    *why = "must be a single 'lat,lon' pair with exactly one comma and no spaces";
    return false;
  }
  if (!ParseDecimal(token.substr(0, comma), &out->lat) ||
      !ParseDecimal(token.substr(comma + 1), &out->lon)) {
    *why = "latitude and longitude must be decimal numbers";
    return false;
  }
  if (out->lat < -90.0 || out->lat > 90.0) {
    *why = "latitude must be within -90..90";
    return false;
  }
  if (out->lon < -180.0 || out->lon > 180.0) {
    *why = "longitude must be within -180..180";
    return false;
  }
  return true;
}

// Planar geometry on (x = lon, y = lat); adequate for deciding whether a ring crosses itself.
double Cross(const Point& a, const Point& b, const Point& c) {
  return (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon);
}

int Sign(double v) { return (v > 0) - (v < 0); }

// REQUIRES: a, b, c collinear. True when c lies within the bounding box of segment a-b.
bool OnSegment(const Point& a, const Point& b, const Point& c) {
  return std::min(a.lon, b.lon) <= c.lon && c.lon <= std::max(a.lon, b.lon) &&
         std::min(a.lat, b.lat) <= c.lat && c.lat <= std::max(a.lat, b.lat);
}

// Closed segments p1-p2 and p3-p4 share at least one point.
bool SegmentsIntersect(const Point& p1, const Point& p2, const Point& p3, const Point& p4) {
  int d1 = Sign(Cross(p3, p4, p1));
  int d2 = Sign(Cross(p3, p4, p2));
  int d3 = Sign(Cross(p1, p2, p3));
  int d4 = Sign(Cross(p1, p2, p4));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  if (d1 == 0 && OnSegment(p3, p4, p1)) return true;
  if (d2 == 0 && OnSegment(p3, p4, p2)) return true;
  if (d3 == 0 && OnSegment(p1, p2, p3)) return true;
  if (d4 == 0 && OnSegment(p1, p2, p4)) return true;
  return false;
}

// Checks a ring given without its closing duplicate and without repeated consecutive vertices.
std::optional<Problem> RingSelfIntersection(const std::vector<Point>& ring) {
  const size_t m = ring.size();
  auto vertex = [&](size_t i) -> const Point& { return ring[i % m]; };
  auto adjacent = [&](size_t i, size_t j) { return (i + 1) % m == j || (j + 1) % m == i; };
  auto describe = [&](size_t i) {
    return "the edge " + FormatPoint(vertex(i)) + " to " + FormatPoint(vertex(i + 1));
  };
  // Adjacent edges only share their common vertex unless the boundary doubles back on itself.
  for (size_t i = 0; i < m; ++i) {
    const Point& a = vertex(i);
    const Point& b = vertex(i + 1);
    const Point& c = vertex(i + 2);
    double dot = (b.lon - a.lon) * (c.lon - b.lon) + (b.lat - a.lat) * (c.lat - b.lat);
    if (Sign(Cross(a, b, c)) == 0 && dot < 0) {
      return Problem{"INVALID_POLYGON_SELF_INTERSECTION",
                     describe(i) + " is overlapped by the next edge (the boundary doubles back)"};
    }
  }
  // Non-adjacent edges must not share any point. Sweep along longitude so that only edges whose
  // longitude ranges overlap are compared.
  struct Edge {
    size_t index;
    double min_lon, max_lon, min_lat, max_lat;
  };
  std::vector<Edge> edges;
  edges.reserve(m);
  for (size_t i = 0; i < m; ++i) {
    const Point& a = vertex(i);
    const Point& b = vertex(i + 1);
    edges.push_back(Edge{i, std::min(a.lon, b.lon), std::max(a.lon, b.lon), std::min(a.lat, b.lat),
                         std::max(a.lat, b.lat)});
  }
  std::sort(edges.begin(), edges.end(),
            [](const Edge& x, const Edge& y) { return x.min_lon < y.min_lon; });
  for (size_t e = 0; e < edges.size(); ++e) {
    for (size_t f = e + 1; f < edges.size() && edges[f].min_lon <= edges[e].max_lon; ++f) {
      const Edge& x = edges[e];
      const Edge& y = edges[f];
      if (adjacent(x.index, y.index)) continue;
      if (y.max_lat < x.min_lat || x.max_lat < y.min_lat) continue;
      if (SegmentsIntersect(vertex(x.index), vertex(x.index + 1), vertex(y.index),
                            vertex(y.index + 1))) {
        size_t first = std::min(x.index, y.index);
        size_t second = std::max(x.index, y.index);
        return Problem{"INVALID_POLYGON_SELF_INTERSECTION",
                       describe(first) + " touches or crosses " + describe(second)};
      }
    }
  }
  return std::nullopt;
}

bool IsMimeTokenChar(char c) {
  if (c <= 0x20 || c >= 0x7F) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

bool IsRestrictedNameChar(char c) {
  return IsAlnum(c) || std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
}

}  // namespace

Status Refuse(std::string_view code, std::string_view where, std::string_view detail) {
  std::string m(code);
  m += ": ";
  m += where;
  m += ": ";
  m += detail;
  return Status::InvalidArgument(std::move(m));
}

Status RefuseValue(std::string_view code, std::string_view where, std::string_view value,
                   std::string_view detail) {
  std::string m(code);
  m += ": ";
  m += where;
  m += " ";
  m += Excerpt(value);
  m += ": ";
  m += detail;
  return Status::InvalidArgument(std::move(m));
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsAllXmlSpace(std::string_view text) {
  return std::all_of(text.begin(), text.end(), IsXmlSpace);
}

std::string_view TrimXmlSpace(std::string_view text) {
  while (!text.empty() && IsXmlSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsXmlSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 60;
  bool cut = false;
  if (text.size() > kMax) {
    size_t end = kMax;
    // Step back to the start of a UTF-8 sequence.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text = text.substr(0, end);
    cut = true;
  }
  std::string out = "'";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  out += "'";
  return out;
}

std::optional<Problem> DateTimeProblem(std::string_view t) {
  constexpr const char* kForm = "must have the form YYYY-MM-DDThh:mm:ss+hh:mm or -hh:mm";
  if (t.empty()) return InvalidDate("is empty");
  if (t.back() == 'Z' || t.back() == 'z') {
    return InvalidDate(
        "alphabetic timezone designators such as \"Z\" must not be used (write -00:00 for UTC)");
  }
  bool date_time_shape = t.size() >= 19 && AllDigits(t, 0, 4) && t[4] == '-' &&
                         AllDigits(t, 5, 2) && t[7] == '-' && AllDigits(t, 8, 2) && t[10] == 'T' &&
                         AllDigits(t, 11, 2) && t[13] == ':' && AllDigits(t, 14, 2) &&
                         t[16] == ':' && AllDigits(t, 17, 2);
  if (!date_time_shape) return InvalidDate(kForm);
  if (t.size() == 19) return InvalidDate("a numeric UTC offset (+hh:mm or -hh:mm) is required");
  if (t[19] == '.') return InvalidDate("fractional seconds are not allowed");
  if (t[19] == ',') return InvalidDate("a comma is not a valid UTC offset sign; use + or -");
  if (IsAlpha(t[19])) {
    return InvalidDate("alphabetic timezone designators must not be used; write a numeric offset");
  }
  if (t.size() != 25 || (t[19] != '+' && t[19] != '-') || !AllDigits(t, 20, 2) || t[22] != ':' ||
      !AllDigits(t, 23, 2)) {
    return InvalidDate(kForm);
  }
  int year = TwoDigits(t, 0) * 100 + TwoDigits(t, 2);
  int month = TwoDigits(t, 5);
  int day = TwoDigits(t, 8);
  if (year == 0) return InvalidDate("year 0000 is not allowed");
  if (month < 1 || month > 12) return InvalidDate("month must be 01..12");
  if (day < 1 || day > DaysInMonth(year, month)) {
    return InvalidDate("day " + std::to_string(day) + " does not exist in that month");
  }
  if (TwoDigits(t, 11) > 23) return InvalidDate("hour must be 00..23");
  if (TwoDigits(t, 14) > 59) return InvalidDate("minute must be 00..59");
  if (TwoDigits(t, 17) > 59) return InvalidDate("second must be 00..59");
  int offset_hours = TwoDigits(t, 20);
  int offset_minutes = TwoDigits(t, 23);
  if (offset_minutes > 59 || offset_hours > 14 || (offset_hours == 14 && offset_minutes != 0)) {
    return InvalidDate("UTC offset must be within -14:00..+14:00");
  }
  return std::nullopt;
}

std::optional<Problem> IdentifierProblem(std::string_view text, std::string_view code) {
  if (text.empty()) return Problem{code, "is empty"};
  for (char c : text) {
    if (IsXmlSpace(c)) return Problem{code, "must not contain whitespace"};
    if (c == ',') return Problem{code, "must not contain ','"};
    if (c == '<') return Problem{code, "must not contain '<'"};
    if (c == '&') return Problem{code, "must not contain '&'"};
  }
  return std::nullopt;
}

bool ParseDecimal(std::string_view text, double* out) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  size_t int_start = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  std::string_view int_part = text.substr(int_start, i - int_start);
  std::string_view frac_part;
  if (i < text.size() && text[i] == '.') {
    size_t frac_start = ++i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    frac_part = text.substr(frac_start, i - frac_start);
  }
  if (i != text.size() || (int_part.empty() && frac_part.empty())) return false;
  std::string normal(int_part.empty() ? std::string_view("0") : int_part);
  normal += '.';
  normal += frac_part.empty() ? std::string_view("0") : frac_part;
  double value = 0;
  auto [ptr, ec] = std::from_chars(normal.data(), normal.data() + normal.size(), value);
  if (ec != std::errc() || ptr != normal.data() + normal.size()) return false;
  *out = negative ? -value : value;
  return true;
}

std::optional<Problem> PolygonProblem(std::string_view text) {
  std::vector<Point> points;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsXmlSpace(text[i])) ++i;
    if (i == text.size()) break;
    size_t start = i;
    while (i < text.size() && !IsXmlSpace(text[i])) ++i;
    std::string_view token = text.substr(start, i - start);
    Point p;
    std::string why;
    if (!ParsePair(token, &p, &why)) {
      return Problem{"INVALID_POLYGON", "pair " + std::to_string(points.size() + 1) + " " +
                                            Excerpt(token) + " " + why};
    }
    points.push_back(p);
  }
  if (points.size() < 4) {
    return Problem{"INVALID_POLYGON", "has " + std::to_string(points.size()) +
                                          " coordinate pairs; at least 4 are required"};
  }
  if (!(points.front() == points.back())) {
    return Problem{"INVALID_POLYGON",
                   "is not closed: the first and last coordinate pairs must be the same"};
  }
  std::vector<Point> ring;
  for (size_t k = 0; k + 1 < points.size(); ++k) {
    if (ring.empty() || !(ring.back() == points[k])) ring.push_back(points[k]);
  }
  while (ring.size() > 1 && ring.back() == ring.front()) ring.pop_back();
  if (ring.size() < 3) {
    return Problem{"INVALID_POLYGON", "has fewer than 3 distinct vertices"};
  }
  return RingSelfIntersection(ring);
}

std::optional<Problem> CircleProblem(std::string_view text) {
  std::string_view body = TrimXmlSpace(text);
  size_t space = body.find(' ');
  bool shape_ok = space != std::string_view::npos;
  if (shape_ok) {
    for (size_t k = 0; k < body.size(); ++k) {
      if (k != space && IsXmlSpace(body[k])) shape_ok = false;
    }
  }
  if (!shape_ok) {
    return Problem{"INVALID_CIRCLE",
                   "must be a 'lat,lon' centre, one space, then a radius in kilometres"};
  }
  Point centre;
  std::string why;
  if (!ParsePair(body.substr(0, space), &centre, &why)) {
    return Problem{"INVALID_CIRCLE", "centre " + why};
  }
  double radius = 0;
  if (!ParseDecimal(body.substr(space + 1), &radius)) {
    return Problem{"INVALID_CIRCLE", "radius must be a decimal number of kilometres"};
  }
  if (radius < 0) return Problem{"INVALID_CIRCLE", "radius must not be negative"};
  return std::nullopt;
}

bool IsLanguageTag(std::string_view text) {
  size_t i = 0;
  bool first = true;
  while (true) {
    size_t start = i;
    while (i < text.size() && (first ? IsAlpha(text[i]) : IsAlnum(text[i]))) ++i;
    size_t n = i - start;
    if (n < 1 || n > 8) return false;
    if (i == text.size()) return true;
    if (text[i] != '-') return false;
    ++i;
    first = false;
  }
}

bool IsMimeType(std::string_view text) {
  static constexpr std::array<std::string_view, 10> kTopLevel = {
      "application", "audio", "example",   "font", "image",
      "message",     "model", "multipart", "text", "video"};
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::string type;
  for (char c : text.substr(0, slash)) type += ToLower(c);
  if (std::find(kTopLevel.begin(), kTopLevel.end(), type) == kTopLevel.end()) return false;
  size_t i = slash + 1;
  size_t sub_start = i;
  if (i >= text.size() || !IsAlnum(text[i])) return false;
  while (i < text.size() && IsRestrictedNameChar(text[i])) ++i;
  if (i - sub_start > 127) return false;
  // Optional parameters: *( OWS ";" OWS token "=" ( token / quoted-string ) ).
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) return true;
    if (text[i] != ';') return false;
    ++i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t name_start = i;
    while (i < text.size() && IsMimeTokenChar(text[i])) ++i;
    if (i == name_start || i == text.size() || text[i] != '=') return false;
    ++i;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\') ++i;
        ++i;
      }
      if (i >= text.size()) return false;
      ++i;
    } else {
      size_t value_start = i;
      while (i < text.size() && IsMimeTokenChar(text[i])) ++i;
      if (i == value_start) return false;
    }
  }
}

bool IsUriReference(std::string_view text, bool* absolute) {
  *absolute = false;
  if (text.empty()) return false;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == '"') return false;
  }
  if (IsAlpha(text[0])) {
    size_t i = 1;
    while (i < text.size() &&
           (IsAlnum(text[i]) || text[i] == '+' || text[i] == '-' || text[i] == '.')) {
      ++i;
    }
    *absolute = i < text.size() && text[i] == ':';
  }
  return true;
}

bool IsBase64(std::string_view text) {
  size_t count = 0;
  size_t padding = 0;
  for (char c : text) {
    if (IsXmlSpace(c)) continue;
    if (c == '=') {
      ++padding;
    } else if (IsAlnum(c) || c == '+' || c == '/') {
      if (padding > 0) return false;  // data after padding
    } else {
      return false;
    }
    ++count;
  }
  return count > 0 && count % 4 == 0 && padding <= 2;
}

bool IsXmlUtf8(std::string_view text, size_t* bad_offset) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    auto b0 = static_cast<unsigned char>(text[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (b0 < 0x80) {
      cp = b0;
      len = 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      cp = b0 & 0x1F;
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      cp = b0 & 0x0F;
      len = 3;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      cp = b0 & 0x07;
      len = 4;
    } else {
      *bad_offset = i;
      return false;
    }
    if (i + len > n) {
      *bad_offset = i;
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) {
        *bad_offset = i;
        return false;
      }
      cp = (cp << 6) | (b & 0x3F);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    bool is_xml_char = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                       (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (overlong || !is_xml_char) {
      *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

Status CheckReferences(std::string_view refs, std::string_view own_sender,
                       std::string_view own_identifier, std::string_view empty_hint) {
  constexpr std::string_view kWhere = "references";
  size_t i = 0;
  size_t entry = 0;
  while (i < refs.size()) {
    while (i < refs.size() && IsXmlSpace(refs[i])) ++i;
    if (i == refs.size()) break;
    size_t start = i;
    while (i < refs.size() && !IsXmlSpace(refs[i])) ++i;
    std::string_view token = refs.substr(start, i - start);
    ++entry;
    std::string label = "entry " + std::to_string(entry) + " " + Excerpt(token);
    size_t c1 = token.find(',');
    size_t c2 = c1 == std::string_view::npos ? c1 : token.find(',', c1 + 1);
    if (c2 == std::string_view::npos || token.find(',', c2 + 1) != std::string_view::npos) {
      return RefuseValue("INVALID_REFERENCES", kWhere, refs,
                         label + " must be a sender,identifier,sent triple");
    }
    std::string_view sender = token.substr(0, c1);
    std::string_view identifier = token.substr(c1 + 1, c2 - c1 - 1);
    std::string_view sent = token.substr(c2 + 1);
    if (auto p = IdentifierProblem(sender, "INVALID_REFERENCES")) {
      return RefuseValue(p->code, kWhere, refs, label + ": sender " + p->detail);
    }
    if (auto p = IdentifierProblem(identifier, "INVALID_REFERENCES")) {
      return RefuseValue(p->code, kWhere, refs, label + ": identifier " + p->detail);
    }
    if (auto p = DateTimeProblem(sent)) {
      return RefuseValue("INVALID_REFERENCES", kWhere, refs, label + ": sent " + p->detail);
    }
    if (sender == own_sender && identifier == own_identifier) {
      return RefuseValue("CIRCULAR_REFERENCE", kWhere, refs, label + " names this alert itself");
    }
  }
  if (entry == 0) {
    return RefuseValue("INVALID_REFERENCES", kWhere, refs,
                       "must name at least one sender,identifier,sent triple (" + std::string(empty_hint) +
                           " when there is nothing to reference)");
  }
  return Status::Ok();
}

}  // namespace muster::cap::internal
