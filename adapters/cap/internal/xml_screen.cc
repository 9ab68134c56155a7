// Screening of raw XML bytes before parsing: size, encoding and forbidden constructs.
#include "adapters/cap/internal/xml_screen.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "adapters/cap/internal/cap_lexical.h"

namespace muster::cap::internal {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

Status Refuse(std::string_view code, std::string detail) {
  std::string message(code);
  message += ": ";
  message += detail;
  return Status::InvalidArgument(std::move(message));
}

bool StartsWith(std::string_view s, size_t pos, std::string_view prefix) {
  return pos <= s.size() && s.substr(pos, prefix.size()) == prefix;
}

std::string AtByte(size_t pos) { return "at byte " + std::to_string(pos); }

bool IsNameStartChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || u >= 0x80;
}

bool IsNameChar(char c) {
  return IsNameStartChar(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool IsXmlCodePoint(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += ToLower(c);
  return out;
}

bool IsNamespaceDeclaration(std::string_view name) {
  return name == "xmlns" || name.substr(0, 6) == "xmlns:";
}

bool IsXIncludeNamespace(std::string_view uri) {
  return uri == "http://www.w3.org/2001/XInclude" || uri == "http://www.w3.org/2003/XInclude";
}

// Decodes the predefined and numeric references of an attribute value well enough to compare it
// with an ASCII namespace name: characters outside ASCII become '?', malformed references stay.
std::string DecodeAsciiReferences(std::string_view value) {
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    if (value[i] != '&') {
      out += value[i++];
      continue;
    }
    size_t semi = value.find(';', i);
    if (semi == std::string_view::npos) {
      out += value.substr(i);
      break;
    }
    std::string_view ref = value.substr(i + 1, semi - i - 1);
    if (ref == "lt") {
      out += '<';
    } else if (ref == "gt") {
      out += '>';
    } else if (ref == "amp") {
      out += '&';
    } else if (ref == "apos") {
      out += '\'';
    } else if (ref == "quot") {
      out += '"';
    } else if (!ref.empty() && ref[0] == '#') {
      bool hex = ref.size() > 1 && ref[1] == 'x';
      uint32_t cp = 0;
      for (char c : ref.substr(hex ? 2 : 1)) {
        uint32_t digit = (c >= '0' && c <= '9')   ? static_cast<uint32_t>(c - '0')
                         : (c >= 'a' && c <= 'f') ? static_cast<uint32_t>(c - 'a' + 10)
                         : (c >= 'A' && c <= 'F') ? static_cast<uint32_t>(c - 'A' + 10)
                                                  : 0;
        cp = std::min<uint32_t>(cp * (hex ? 16 : 10) + digit, 0x110000);
      }
      out += cp < 0x80 ? static_cast<char>(cp) : '?';
    } else {
      out += value.substr(i, semi + 1 - i);
    }
    i = semi + 1;
  }
  return out;
}

// The first occurrence of each kind of problem found while scanning.
struct Findings {
  std::optional<std::string> dtd;
  std::optional<std::string> entity;
  std::optional<std::string> xinclude;
  std::optional<std::string> pi;
  std::optional<std::string> malformed;
};

// Checks the reference that starts at s[i] == '&'. Returns the index just after it.
size_t ScanReference(std::string_view s, size_t i, Findings* f) {
  size_t j = i + 1;
  if (j < s.size() && s[j] == '#') {
    bool hex = j + 1 < s.size() && s[j + 1] == 'x';
    size_t k = j + (hex ? 2 : 1);
    size_t digits_start = k;
    uint32_t cp = 0;
    bool overflow = false;
    while (k < s.size() && k - digits_start < 16) {
      char c = s[k];
      int v = -1;
      if (c >= '0' && c <= '9') v = c - '0';
      if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
      if (v < 0) break;
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      if (cp > 0x10FFFF) overflow = true;
      if (overflow) cp = 0x110000;
      ++k;
    }
    if (k == digits_start || k >= s.size() || s[k] != ';') {
      if (!f->malformed) f->malformed = AtByte(i) + ": malformed character reference";
      return i + 1;
    }
    if (overflow || !IsXmlCodePoint(cp)) {
      if (!f->malformed) {
        f->malformed = AtByte(i) + ": character reference " + std::string(s.substr(i, k + 1 - i)) +
                       " is not a legal XML character";
      }
    }
    return k + 1;
  }
  size_t k = j;
  if (k < s.size() && IsNameStartChar(s[k])) {
    while (k < s.size() && IsNameChar(s[k])) ++k;
  }
  if (k == j || k >= s.size() || s[k] != ';') {
    if (!f->malformed) {
      f->malformed =
          AtByte(i) + ": '&' must start a character or entity reference (write &amp; for '&')";
    }
    return i + 1;
  }
  std::string_view name = s.substr(j, k - j);
  if (name != "lt" && name != "gt" && name != "amp" && name != "apos" && name != "quot") {
    if (!f->entity) {
      f->entity = AtByte(i) + ": entity reference &" + std::string(name) +
                  "; (only the five predefined entities are accepted; nothing is expanded)";
    }
  }
  return k + 1;
}

// True for the target of an xml-stylesheet PI: the name exactly, followed by whitespace or "?>".
bool IsStylesheetTarget(std::string_view s, size_t target_start, size_t target_end) {
  return s.substr(target_start, target_end - target_start) == "xml-stylesheet" &&
         target_end < s.size() && (IsXmlSpace(s[target_end]) || s[target_end] == '?');
}

// Walks the markup of the document from `pos`, recording forbidden constructs. Stops at the first
// DTD (the most serious finding) or at markup that cannot be delimited.
void ScanMarkup(std::string_view s, size_t pos, const ScreenOptions& options, Findings* f) {
  size_t i = pos;
  const size_t n = s.size();
  bool root_started = false;
  while (i < n && !f->dtd) {
    char c = s[i];
    if (c == '&') {
      i = ScanReference(s, i, f);
      continue;
    }
    if (c != '<') {
      ++i;
      continue;
    }
    if (StartsWith(s, i, "<!--")) {
      size_t end = s.find("-->", i + 4);
      if (end == std::string_view::npos) {
        if (!f->malformed) f->malformed = AtByte(i) + ": unterminated comment";
        return;
      }
      i = end + 3;
      continue;
    }
    if (StartsWith(s, i, "<![CDATA[")) {
      size_t end = s.find("]]>", i + 9);
      if (end == std::string_view::npos) {
        if (!f->malformed) f->malformed = AtByte(i) + ": unterminated CDATA section";
        return;
      }
      i = end + 3;
      continue;
    }
    if (StartsWith(s, i, "<!")) {
      size_t k = i + 2;
      while (k < n && k - i < 12 && IsNameChar(s[k])) ++k;
      f->dtd = AtByte(i) + ": markup declaration <!" + std::string(s.substr(i + 2, k - i - 2)) +
               " (DOCTYPE, DTDs and entity declarations are refused; nothing is fetched or "
               "expanded)";
      return;
    }
    if (StartsWith(s, i, "<?")) {
      size_t k = i + 2;
      while (k < n && IsNameChar(s[k])) ++k;
      bool allowed =
          options.allow_prolog_stylesheet && !root_started && IsStylesheetTarget(s, i + 2, k);
      if (!f->pi && !allowed) {
        std::string target(s.substr(i + 2, k - i - 2));
        f->pi = AtByte(i) + ": processing instruction <?" + target + "?>" +
                (Lower(target) == "xml" ? " (the XML declaration must be the very first thing)"
                 : !options.allow_prolog_stylesheet ? " (only the XML declaration is accepted)"
                 : target == "xml-stylesheet"
                     ? " (xml-stylesheet is accepted only before the root element)"
                     : " (only the XML declaration and xml-stylesheet before the root element are "
                       "accepted)");
      }
      size_t end = s.find("?>", i + 2);
      if (end == std::string_view::npos) {
        if (!f->malformed) f->malformed = AtByte(i) + ": unterminated processing instruction";
        return;
      }
      i = end + 2;
      continue;
    }
    // A start or end tag: find its closing '>' outside quoted attribute values, noting the name
    // before each value so that namespace declarations can be checked for XInclude.
    root_started = true;
    size_t j = i + 1;
    char quote = 0;
    bool closed = false;
    bool in_name = false;
    size_t name_start = 0;
    std::string_view last_name;
    std::string_view attribute;
    size_t value_start = 0;
    while (j < n) {
      char d = s[j];
      if (quote != 0) {
        if (d == quote) {
          quote = 0;
          if (IsNamespaceDeclaration(attribute) && !f->xinclude &&
              IsXIncludeNamespace(DecodeAsciiReferences(s.substr(value_start, j - value_start)))) {
            f->xinclude = AtByte(value_start) + ": " + std::string(attribute) +
                          " declares the XInclude namespace (nothing is included or fetched)";
          }
        } else if (d == '&') {
          j = ScanReference(s, j, f);
          continue;
        } else if (d == '<') {
          if (!f->malformed) f->malformed = AtByte(j) + ": '<' inside an attribute value";
          return;
        }
      } else if (IsNameChar(d)) {
        if (!in_name) name_start = j;
        in_name = true;
      } else {
        if (in_name) last_name = s.substr(name_start, j - name_start);
        in_name = false;
        if (d == '"' || d == '\'') {
          quote = d;
          attribute = last_name;
          value_start = j + 1;
        } else if (d == '>') {
          closed = true;
          break;
        } else if (d == '<') {
          break;
        }
      }
      ++j;
    }
    if (!closed) {
      if (!f->malformed) f->malformed = AtByte(i) + ": unterminated tag";
      return;
    }
    i = j + 1;
  }
}

struct Declaration {
  std::string version;
  std::string encoding;
  std::string standalone;
};

// Parses "<?xml version=... encoding=... standalone=...?>" (pseudo-attributes in that order).
bool ParseDeclaration(std::string_view decl, Declaration* out, std::string* why) {
  std::string_view body = decl.substr(5, decl.size() - 7);
  size_t i = 0;
  int stage = 0;  // 0: expect version, 1: encoding or standalone, 2: standalone, 3: done
  while (true) {
    size_t ws_start = i;
    while (i < body.size() && IsXmlSpace(body[i])) ++i;
    if (i == body.size()) break;
    if (i == ws_start) {
      *why = "pseudo-attributes must be separated by whitespace";
      return false;
    }
    size_t name_start = i;
    while (i < body.size() && body[i] >= 'a' && body[i] <= 'z') ++i;
    std::string_view name = body.substr(name_start, i - name_start);
    while (i < body.size() && IsXmlSpace(body[i])) ++i;
    if (i == body.size() || body[i] != '=') {
      *why = "expected '=' after '" + std::string(name) + "'";
      return false;
    }
    ++i;
    while (i < body.size() && IsXmlSpace(body[i])) ++i;
    if (i == body.size() || (body[i] != '"' && body[i] != '\'')) {
      *why = "pseudo-attribute values must be quoted";
      return false;
    }
    char quote = body[i++];
    size_t end = body.find(quote, i);
    if (end == std::string_view::npos) {
      *why = "unterminated pseudo-attribute value";
      return false;
    }
    std::string value(body.substr(i, end - i));
    i = end + 1;
    if (name == "version" && stage == 0) {
      out->version = value;
      stage = 1;
    } else if (name == "encoding" && stage == 1) {
      out->encoding = value;
      stage = 2;
    } else if (name == "standalone" && (stage == 1 || stage == 2)) {
      out->standalone = value;
      stage = 3;
    } else {
      *why = "unexpected or misplaced pseudo-attribute '" + std::string(name) + "'";
      return false;
    }
  }
  if (stage == 0) {
    *why = "the version pseudo-attribute is required";
    return false;
  }
  if (out->version != "1.0") {
    *why = "XML version '" + out->version + "' is not accepted; only 1.0";
    return false;
  }
  if (!out->standalone.empty() && out->standalone != "yes" && out->standalone != "no") {
    *why = "standalone must be 'yes' or 'no'";
    return false;
  }
  return true;
}

}  // namespace

Result<ScreenedXml> ScreenXml(std::string_view xml, size_t max_bytes) {
  return ScreenXml(xml, max_bytes, ScreenOptions{});
}

Result<ScreenedXml> ScreenXml(std::string_view xml, size_t max_bytes,
                              const ScreenOptions& options) {
  if (xml.size() > max_bytes) {
    return Refuse("DOCUMENT_TOO_LARGE", "the document has " + std::to_string(xml.size()) +
                                            " bytes; the limit is " + std::to_string(max_bytes));
  }
  if (xml.empty()) return Refuse("MALFORMED_XML", "the document is empty");
  if (StartsWith(xml, 0, "\xFE\xFF") || StartsWith(xml, 0, "\xFF\xFE") ||
      StartsWith(xml, 0, std::string_view("\x00\x00\xFE\xFF", 4))) {
    return Refuse("UNSUPPORTED_ENCODING",
                  "UTF-16 and UTF-32 documents are not accepted; send UTF-8");
  }
  size_t nul = xml.find('\0');
  if (nul != std::string_view::npos) {
    if (nul < 4) {
      return Refuse("UNSUPPORTED_ENCODING",
                    "the document looks like UTF-16 or UTF-32, which is not accepted; send UTF-8");
    }
    return Refuse("MALFORMED_XML", AtByte(nul) + ": NUL characters are not allowed in XML");
  }

  ScreenedXml screened;
  const bool bom = StartsWith(xml, 0, kUtf8Bom);
  const size_t start = bom ? kUtf8Bom.size() : 0;
  size_t markup_start = start;
  std::string_view declaration;
  Findings findings;
  if (StartsWith(xml, start, "<?xml") && start + 5 < xml.size() && IsXmlSpace(xml[start + 5])) {
    size_t end = xml.find("?>", start);
    if (end == std::string_view::npos) {
      findings.malformed = "unterminated XML declaration";
      markup_start = xml.size();
    } else {
      declaration = xml.substr(start, end + 2 - start);
      markup_start = end + 2;
    }
  }
  ScanMarkup(xml, markup_start, options, &findings);
  if (findings.dtd) return Refuse("FORBIDDEN_DTD", *findings.dtd);
  if (findings.entity) return Refuse("FORBIDDEN_ENTITY", *findings.entity);
  if (findings.xinclude) return Refuse("FORBIDDEN_XINCLUDE", *findings.xinclude);
  if (findings.pi) return Refuse("FORBIDDEN_PROCESSING_INSTRUCTION", *findings.pi);
  if (findings.malformed) return Refuse("MALFORMED_XML", *findings.malformed);

  bool ascii_only = false;
  if (!declaration.empty()) {
    Declaration decl;
    std::string why;
    if (!ParseDeclaration(declaration, &decl, &why)) {
      return Refuse("MALFORMED_XML", "XML declaration: " + why);
    }
    std::string encoding = Lower(decl.encoding);
    if (encoding.empty() || encoding == "utf-8") {
      screened.encoding = XmlEncoding::kUtf8;
    } else if (encoding == "us-ascii" || encoding == "ascii") {
      screened.encoding = XmlEncoding::kUtf8;
      ascii_only = true;
    } else if (encoding == "iso-8859-1" || encoding == "latin1" || encoding == "iso_8859-1") {
      screened.encoding = XmlEncoding::kLatin1;
    } else {
      return Refuse("UNSUPPORTED_ENCODING", "declared encoding '" + decl.encoding +
                                                "' is not accepted; use UTF-8 (or ISO-8859-1)");
    }
    if (bom && screened.encoding != XmlEncoding::kUtf8) {
      return Refuse("UNSUPPORTED_ENCODING",
                    "a UTF-8 byte-order mark contradicts the declared "
                    "encoding '" +
                        decl.encoding + "'");
    }
  }

  std::string_view body = xml.substr(start);
  if (screened.encoding == XmlEncoding::kLatin1) {
    for (size_t k = 0; k < body.size(); ++k) {
      auto u = static_cast<unsigned char>(body[k]);
      if (u < 0x20 && u != '\t' && u != '\n' && u != '\r') {
        return Refuse("MALFORMED_XML",
                      AtByte(start + k) + ": control character not allowed in XML");
      }
    }
  } else {
    size_t bad = 0;
    if (!IsXmlUtf8(body, &bad)) {
      return Refuse("MALFORMED_XML", AtByte(start + bad) +
                                         ": invalid UTF-8, or a character that XML does not allow");
    }
    if (ascii_only) {
      for (size_t k = 0; k < body.size(); ++k) {
        if (static_cast<unsigned char>(body[k]) >= 0x80) {
          return Refuse("MALFORMED_XML",
                        AtByte(start + k) + ": non-ASCII byte in a document declared US-ASCII");
        }
      }
    }
  }
  screened.body_offset = start;
  return screened;
}

}  // namespace muster::cap::internal
