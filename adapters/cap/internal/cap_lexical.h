// Lexical rules of CAP 1.2 values (dateTime, identifiers, geometry, language, MIME type, URI,
// base64) shared by the parser, the writer and the profile helpers. Pure functions, thread-safe.
// Each check returns std::nullopt when the text is acceptable, or a Problem naming the stable
// reason code (google/cap-library style) and a human explanation without the value itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace muster::cap::internal {

// The refusal every CAP check returns: InvalidArgument "<code>: <where>: <detail>".
Status Refuse(std::string_view code, std::string_view where, std::string_view detail);
// The same with the offending value quoted (Excerpt): "<code>: <where> '<value>': <detail>".
Status RefuseValue(std::string_view code, std::string_view where, std::string_view value,
                   std::string_view detail);

struct Problem {
  std::string_view code;  // e.g. "INVALID_DATE"
  std::string detail;     // e.g. "fractional seconds are not allowed"
};

// XML's whitespace: space, tab, line feed, carriage return.
bool IsXmlSpace(char c);
bool IsAllXmlSpace(std::string_view text);
std::string_view TrimXmlSpace(std::string_view text);

// A short, printable rendering of `text` for error messages: at most ~60 bytes (never cutting a
// UTF-8 sequence), control characters shown as \xNN, wrapped in single quotes.
std::string Excerpt(std::string_view text);

// CAP dateTime: YYYY-MM-DDThh:mm:ss followed by a numeric offset +hh:mm or -hh:mm. Refuses
// "Z", fractional seconds, a comma as offset sign, a missing offset and out-of-range fields.
std::optional<Problem> DateTimeProblem(std::string_view text);

// identifier / sender: non-empty, no whitespace, ',', '<' or '&'. `code` is the reason code to
// report (INVALID_IDENTIFIER or INVALID_SENDER).
std::optional<Problem> IdentifierProblem(std::string_view text, std::string_view code);

// references: whitespace-separated sender,identifier,sent triples, none naming the alert itself
// (own_sender, own_identifier). INVALID_REFERENCES or CIRCULAR_REFERENCE; an empty list is refused
// with `empty_hint` saying what to do instead ("omit the element", "leave it empty").
Status CheckReferences(std::string_view refs, std::string_view own_sender, std::string_view own_identifier,
                       std::string_view empty_hint);

// An xs:decimal: [+-]? digits with an optional fraction ("1", "-2.5", ".5", "3.").
bool ParseDecimal(std::string_view text, double* out);

// polygon: whitespace-separated "lat,lon" pairs; at least 4, first == last, WGS 84 ranges, and
// no edge crossing or touching a non-adjacent edge (INVALID_POLYGON,
// INVALID_POLYGON_SELF_INTERSECTION).
std::optional<Problem> PolygonProblem(std::string_view text);

// circle: "lat,lon radius" with exactly one space, radius >= 0 in km (INVALID_CIRCLE).
// Surrounding whitespace is tolerated.
std::optional<Problem> CircleProblem(std::string_view text);

// xs:language (RFC 3066): [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*.
bool IsLanguageTag(std::string_view text);

// type/subtype with a registered top-level type, optionally followed by ;name=value parameters.
bool IsMimeType(std::string_view text);

// A URI reference with no whitespace or control characters. `absolute` is set when it starts
// with a scheme ("http:", "urn:", ...).
bool IsUriReference(std::string_view text, bool* absolute);

// xs:base64Binary: base64 alphabet, correct padding; XML whitespace between characters allowed.
bool IsBase64(std::string_view text);

// Strict UTF-8 of XML characters only (no C0 controls but tab/LF/CR, no U+FFFE/U+FFFF).
// On failure sets *bad_offset to the offending byte.
bool IsXmlUtf8(std::string_view text, size_t* bad_offset);

}  // namespace muster::cap::internal
