// Alert -> CAP 1.2 XML, in schema order, escaped, UTF-8.
#include "adapters/cap/cap_writer.h"

#include <cstdint>
#include <string_view>
#include <utility>

#include "adapters/cap/cap_parser.h"
#include "adapters/cap/internal/cap_enums.h"

namespace muster::cap {
namespace {

using schema::Alert;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string_view View(capnp::Text::Reader text) { return {text.cStr(), text.size()}; }

// Appends `text` escaped for XML character data, replacing what XML cannot carry by U+FFFD.
void AppendEscaped(std::string_view text, std::string* out) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      switch (b0) {
        case '&':
          *out += "&amp;";
          break;
        case '<':
          *out += "&lt;";
          break;
        case '>':
          *out += "&gt;";
          break;
        case '\r':
          *out += "&#13;";
          break;
        case '\t':
        case '\n':
          *out += static_cast<char>(b0);
          break;
        default:
          if (b0 < 0x20) {
            *out += kReplacement;
          } else {
            *out += static_cast<char>(b0);
          }
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: copy when valid and an XML character, else one U+FFFD per bad byte.
    size_t len = 0;
    uint32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
      cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      cp = b0 & 0x07;
    }
    bool valid = len > 0 && i + len <= n;
    for (size_t k = 1; valid && k < len; ++k) {
      auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) {
        valid = false;
      } else {
        cp = (cp << 6) | (b & 0x3F);
      }
    }
    if (valid) {
      bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
      bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
      valid = !overlong && !surrogate && cp != 0xFFFE && cp != 0xFFFF && cp <= 0x10FFFF;
    }
    if (valid) {
      out->append(text.substr(i, len));
      i += len;
    } else {
      *out += kReplacement;
      ++i;
    }
  }
}

class XmlOut {
 public:
  void Raw(std::string_view text) { out_ += text; }
  // Opens `name`, declaring `default_namespace` on it when given.
  void Open(std::string_view name, std::string_view default_namespace = {}) {
    Indent();
    out_ += '<';
    out_ += name;
    if (!default_namespace.empty()) {
      out_ += " xmlns=\"";
      out_ += default_namespace;
      out_ += '"';
    }
    out_ += ">\n";
    ++depth_;
  }
  void Close(std::string_view name) {
    --depth_;
    Indent();
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void Leaf(std::string_view name, std::string_view text) {
    Indent();
    out_ += '<';
    out_ += name;
    out_ += '>';
    AppendEscaped(text, &out_);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void Optional(std::string_view name, capnp::Text::Reader text) {
    if (text.size() > 0) Leaf(name, View(text));
  }
  void Required(std::string_view name, capnp::Text::Reader text) { Leaf(name, View(text)); }
  template <typename E, size_t N>
  void Enum(std::string_view name, const internal::EnumSpelling<E> (&table)[N], E value) {
    std::string_view spelling = internal::SpellingOf(table, value);
    if (!spelling.empty()) Leaf(name, spelling);
  }
  void NameValue(std::string_view name, schema::NameValue::Reader nv) {
    Open(name);
    Required("valueName", nv.getName());
    Required("value", nv.getValue());
    Close(name);
  }

  std::string Take() { return std::move(out_); }

 private:
  void Indent() { out_.append(static_cast<size_t>(depth_) * 2, ' '); }

  std::string out_;
  int depth_ = 0;
};

void WriteResource(Alert::Resource::Reader r, XmlOut* x) {
  x->Open("resource");
  x->Required("resourceDesc", r.getResourceDesc());
  x->Required("mimeType", r.getMimeType());
  x->Optional("size", r.getSize());
  x->Optional("uri", r.getUri());
  x->Optional("derefUri", r.getDerefUri());
  x->Optional("digest", r.getDigest());
  x->Close("resource");
}

void WriteArea(Alert::Area::Reader a, XmlOut* x) {
  x->Open("area");
  x->Required("areaDesc", a.getAreaDesc());
  for (auto polygon : a.getPolygons()) x->Required("polygon", polygon);
  for (auto circle : a.getCircles()) x->Required("circle", circle);
  for (auto geocode : a.getGeocodes()) x->NameValue("geocode", geocode);
  x->Optional("altitude", a.getAltitude());
  x->Optional("ceiling", a.getCeiling());
  x->Close("area");
}

void WriteInfo(Alert::Info::Reader info, XmlOut* x) {
  x->Open("info");
  x->Optional("language", info.getLanguage());
  for (auto category : info.getCategories()) {
    x->Enum("category", internal::kCategorySpellings, category);
  }
  x->Required("event", info.getEvent());
  for (auto response : info.getResponseTypes()) {
    x->Enum("responseType", internal::kResponseTypeSpellings, response);
  }
  x->Enum("urgency", internal::kUrgencySpellings, info.getUrgency());
  x->Enum("severity", internal::kSeveritySpellings, info.getSeverity());
  x->Enum("certainty", internal::kCertaintySpellings, info.getCertainty());
  x->Optional("audience", info.getAudience());
  for (auto code : info.getEventCodes()) x->NameValue("eventCode", code);
  x->Optional("effective", info.getEffective());
  x->Optional("onset", info.getOnset());
  x->Optional("expires", info.getExpires());
  x->Optional("senderName", info.getSenderName());
  x->Optional("headline", info.getHeadline());
  x->Optional("description", info.getDescription());
  x->Optional("instruction", info.getInstruction());
  x->Optional("web", info.getWeb());
  x->Optional("contact", info.getContact());
  for (auto parameter : info.getParameters()) x->NameValue("parameter", parameter);
  for (auto resource : info.getResources()) WriteResource(resource, x);
  for (auto area : info.getAreas()) WriteArea(area, x);
  x->Close("info");
}

}  // namespace

std::string WriteCap(Alert::Reader alert) {
  XmlOut x;
  x.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  x.Open("alert", kCap12Namespace);
  x.Required("identifier", alert.getIdentifier());
  x.Required("sender", alert.getSender());
  x.Required("sent", alert.getSent());
  x.Enum("status", internal::kStatusSpellings, alert.getStatus());
  x.Enum("msgType", internal::kMsgTypeSpellings, alert.getMsgType());
  x.Optional("source", alert.getSource());
  x.Enum("scope", internal::kScopeSpellings, alert.getScope());
  x.Optional("restriction", alert.getRestriction());
  x.Optional("addresses", alert.getAddresses());
  for (auto code : alert.getCodes()) x.Required("code", code);
  x.Optional("note", alert.getNote());
  x.Optional("references", alert.getReferences());
  x.Optional("incidents", alert.getIncidents());
  for (auto info : alert.getInfos()) WriteInfo(info, &x);
  x.Close("alert");
  return x.Take();
}

}  // namespace muster::cap
