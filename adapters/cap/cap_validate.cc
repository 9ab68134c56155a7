// ValidateAlert: walks the Alert in CAP element order and applies the lexical helpers shared with
// the XML parser, producing the same reason codes and message shapes.
#include "adapters/cap/cap_validate.h"

#include <kj/exception.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "adapters/cap/internal/cap_enums.h"
#include "adapters/cap/internal/cap_lexical.h"

namespace muster::cap {
namespace {

using internal::Excerpt;
using internal::Problem;
using schema::Alert;

std::string_view View(capnp::Text::Reader text) { return {text.begin(), text.size()}; }

using internal::Refuse;

using internal::RefuseValue;

Status RefuseProblem(const Problem& p, std::string_view where, std::string_view value) {
  return RefuseValue(p.code, where, value, p.detail);
}

Status Missing(std::string_view where) {
  return Refuse("MISSING_REQUIRED_ELEMENT", where, "required element is missing or empty");
}

std::string Path(std::string_view where, std::string_view name) {
  if (where.empty()) return std::string(name);
  std::string out(where);
  out += '/';
  out += name;
  return out;
}

std::string Indexed(std::string_view where, std::string_view name, size_t index) {
  return Path(where, name) + "[" + std::to_string(index) + "]";
}

template <typename E, size_t N>
std::string Allowed(const internal::EnumSpelling<E> (&table)[N]) {
  std::string allowed;
  for (const auto& entry : table) {
    if (!allowed.empty()) allowed += ", ";
    allowed += entry.text;
  }
  return allowed;
}

// A required single enumeration: `unset` is a missing element, a value the table does not know
// (from a newer schema, or a corrupted one) is an invalid value.
template <typename E, size_t N>
Status RequiredEnum(E value, std::string_view where, const internal::EnumSpelling<E> (&table)[N]) {
  if (static_cast<uint16_t>(value) == 0) return Missing(where);
  if (internal::SpellingOf(table, value).empty()) {
    return Refuse("INVALID_ENUM_VALUE", where,
                  "value " + std::to_string(static_cast<uint16_t>(value)) + " must be one of " +
                      Allowed(table));
  }
  return Status::Ok();
}

// An element of an enumerated list: present, so `unset` is an invalid value.
template <typename E, size_t N>
Status ListEnum(E value, std::string_view where, const internal::EnumSpelling<E> (&table)[N]) {
  if (internal::SpellingOf(table, value).empty()) {
    return Refuse("INVALID_ENUM_VALUE", where,
                  (static_cast<uint16_t>(value) == 0
                       ? std::string("is unset")
                       : "value " + std::to_string(static_cast<uint16_t>(value))) +
                      "; must be one of " + Allowed(table));
  }
  return Status::Ok();
}

Status OptionalDate(capnp::Text::Reader text, std::string_view where) {
  if (text.size() == 0) return Status::Ok();
  if (auto p = internal::DateTimeProblem(View(text))) return RefuseProblem(*p, where, View(text));
  return Status::Ok();
}

template <typename List>
Status NameValues(List list, std::string_view where, std::string_view name) {
  for (unsigned k = 0; k < list.size(); ++k) {
    if (list[k].getName().size() == 0) return Missing(Path(Indexed(where, name, k), "valueName"));
  }
  return Status::Ok();
}

Status CheckResource(Alert::Resource::Reader r, std::string_view where) {
  if (r.getResourceDesc().size() == 0) return Missing(Path(where, "resourceDesc"));
  std::string mime_where = Path(where, "mimeType");
  std::string_view mime = View(r.getMimeType());
  if (mime.empty()) return Missing(mime_where);
  if (!internal::IsMimeType(mime)) {
    return RefuseValue("INVALID_MIME_TYPE", mime_where, mime,
                       "must be type/subtype with a registered top-level type (RFC 2046)");
  }
  std::string_view size = View(r.getSize());
  if (!size.empty()) {
    std::string_view digits = size;
    if (digits[0] == '+') digits.remove_prefix(1);
    bool ok = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                             [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!ok) {
      return RefuseValue("INVALID_SIZE", Path(where, "size"), size,
                         "must be a non-negative integer number of bytes");
    }
  }
  std::string_view deref = View(r.getDerefUri());
  if (!deref.empty() && !internal::IsBase64(deref)) {
    return RefuseValue("INVALID_DEREF_URI", Path(where, "derefUri"), deref,
                       "must be the base64 encoding of the resource");
  }
  std::string_view uri = View(r.getUri());
  if (!uri.empty()) {
    bool absolute = false;
    if (!internal::IsUriReference(uri, &absolute)) {
      return RefuseValue("INVALID_URI", Path(where, "uri"), uri,
                         "must be a URI without whitespace or control characters");
    }
    if (!absolute && deref.empty()) {
      return RefuseValue("RELATIVE_URI_MISSING_DEREF_URI", Path(where, "uri"), uri,
                         "a relative uri is only allowed together with derefUri");
    }
  }
  return Status::Ok();
}

Status CheckArea(Alert::Area::Reader a, std::string_view where) {
  if (a.getAreaDesc().size() == 0) return Missing(Path(where, "areaDesc"));
  auto polygons = a.getPolygons();
  for (unsigned k = 0; k < polygons.size(); ++k) {
    std::string_view text = View(polygons[k]);
    if (auto p = internal::PolygonProblem(text)) {
      return RefuseProblem(*p, Indexed(where, "polygon", k), text);
    }
  }
  auto circles = a.getCircles();
  for (unsigned k = 0; k < circles.size(); ++k) {
    std::string_view text = View(circles[k]);
    if (auto p = internal::CircleProblem(text)) {
      return RefuseProblem(*p, Indexed(where, "circle", k), text);
    }
  }
  MUSTER_RETURN_IF_ERROR(NameValues(a.getGeocodes(), where, "geocode"));

  std::string_view altitude_text = View(a.getAltitude());
  std::string_view ceiling_text = View(a.getCeiling());
  double altitude = 0;
  double ceiling = 0;
  if (!altitude_text.empty() && !internal::ParseDecimal(altitude_text, &altitude)) {
    return RefuseValue("INVALID_ALTITUDE", Path(where, "altitude"), altitude_text,
                       "must be a decimal number (feet above mean sea level)");
  }
  if (!ceiling_text.empty() && !internal::ParseDecimal(ceiling_text, &ceiling)) {
    return RefuseValue("INVALID_CEILING", Path(where, "ceiling"), ceiling_text,
                       "must be a decimal number (feet above mean sea level)");
  }
  if (!ceiling_text.empty() && altitude_text.empty()) {
    return RefuseValue("INVALID_AREA", Path(where, "ceiling"), ceiling_text,
                       "ceiling is only allowed together with altitude");
  }
  if (!ceiling_text.empty() && altitude > ceiling) {
    return RefuseValue("INVALID_ALTITUDE_CEILING_RANGE", Path(where, "ceiling"), ceiling_text,
                       "must not be below altitude " + Excerpt(altitude_text));
  }
  return Status::Ok();
}

Status CheckInfo(Alert::Info::Reader info, std::string_view where) {
  std::string_view language = View(info.getLanguage());
  if (!language.empty() && !internal::IsLanguageTag(language)) {
    return RefuseValue("INVALID_LANGUAGE", Path(where, "language"), language,
                       "must be an RFC 3066 language tag such as en-US or zh-CN");
  }
  auto categories = info.getCategories();
  if (categories.size() == 0) return Missing(Path(where, "category"));
  for (unsigned k = 0; k < categories.size(); ++k) {
    MUSTER_RETURN_IF_ERROR(
        ListEnum(categories[k], Indexed(where, "category", k), internal::kCategorySpellings));
  }
  if (info.getEvent().size() == 0) return Missing(Path(where, "event"));
  auto responses = info.getResponseTypes();
  for (unsigned k = 0; k < responses.size(); ++k) {
    MUSTER_RETURN_IF_ERROR(ListEnum(responses[k], Indexed(where, "responseType", k),
                                    internal::kResponseTypeSpellings));
  }
  MUSTER_RETURN_IF_ERROR(
      RequiredEnum(info.getUrgency(), Path(where, "urgency"), internal::kUrgencySpellings));
  MUSTER_RETURN_IF_ERROR(
      RequiredEnum(info.getSeverity(), Path(where, "severity"), internal::kSeveritySpellings));
  MUSTER_RETURN_IF_ERROR(
      RequiredEnum(info.getCertainty(), Path(where, "certainty"), internal::kCertaintySpellings));
  MUSTER_RETURN_IF_ERROR(NameValues(info.getEventCodes(), where, "eventCode"));
  MUSTER_RETURN_IF_ERROR(OptionalDate(info.getEffective(), Path(where, "effective")));
  MUSTER_RETURN_IF_ERROR(OptionalDate(info.getOnset(), Path(where, "onset")));
  MUSTER_RETURN_IF_ERROR(OptionalDate(info.getExpires(), Path(where, "expires")));
  std::string_view web = View(info.getWeb());
  if (!web.empty()) {
    bool absolute = false;
    if (!internal::IsUriReference(web, &absolute) || !absolute) {
      return RefuseValue("INVALID_WEB", Path(where, "web"), web,
                         "must be an absolute URI (scheme:...) without whitespace");
    }
  }
  MUSTER_RETURN_IF_ERROR(NameValues(info.getParameters(), where, "parameter"));
  auto resources = info.getResources();
  for (unsigned k = 0; k < resources.size(); ++k) {
    MUSTER_RETURN_IF_ERROR(CheckResource(resources[k], Indexed(where, "resource", k)));
  }
  auto areas = info.getAreas();
  for (unsigned k = 0; k < areas.size(); ++k) {
    MUSTER_RETURN_IF_ERROR(CheckArea(areas[k], Indexed(where, "area", k)));
  }
  return Status::Ok();
}

Status ValidateUnguarded(Alert::Reader alert) {
  std::string_view identifier = View(alert.getIdentifier());
  if (identifier.empty()) return Missing("identifier");
  if (auto p = internal::IdentifierProblem(identifier, "INVALID_IDENTIFIER")) {
    return RefuseProblem(*p, "identifier", identifier);
  }
  std::string_view sender = View(alert.getSender());
  if (sender.empty()) return Missing("sender");
  if (auto p = internal::IdentifierProblem(sender, "INVALID_SENDER")) {
    return RefuseProblem(*p, "sender", sender);
  }
  std::string_view sent = View(alert.getSent());
  if (sent.empty()) return Missing("sent");
  if (auto p = internal::DateTimeProblem(sent)) return RefuseProblem(*p, "sent", sent);

  MUSTER_RETURN_IF_ERROR(RequiredEnum(alert.getStatus(), "status", internal::kStatusSpellings));
  MUSTER_RETURN_IF_ERROR(RequiredEnum(alert.getMsgType(), "msgType", internal::kMsgTypeSpellings));
  MUSTER_RETURN_IF_ERROR(RequiredEnum(alert.getScope(), "scope", internal::kScopeSpellings));

  std::string_view references = View(alert.getReferences());
  if (!references.empty()) {
    MUSTER_RETURN_IF_ERROR(internal::CheckReferences(references, sender, identifier, "leave it empty"));
  }

  auto infos = alert.getInfos();
  for (unsigned k = 0; k < infos.size(); ++k) {
    MUSTER_RETURN_IF_ERROR(CheckInfo(infos[k], Indexed("", "info", k)));
  }

  Alert::MsgType msg_type = alert.getMsgType();
  bool needs_references = msg_type == Alert::MsgType::UPDATE ||
                          msg_type == Alert::MsgType::CANCEL || msg_type == Alert::MsgType::ACK ||
                          msg_type == Alert::MsgType::ERROR;
  if (needs_references && references.empty()) {
    return Refuse("UPDATE_OR_CANCEL_MUST_REFERENCE", "references",
                  "msgType " +
                      std::string(internal::SpellingOf(internal::kMsgTypeSpellings, msg_type)) +
                      " must name the earlier message(s) in references");
  }
  std::string_view restriction = View(alert.getRestriction());
  if (!restriction.empty() && alert.getScope() != Alert::Scope::RESTRICTED) {
    return RefuseValue("RESTRICTION_SCOPE_MISMATCH", "restriction", restriction,
                       "restriction is only allowed with scope Restricted");
  }
  if (alert.getScope() == Alert::Scope::PRIVATE &&
      internal::IsAllXmlSpace(View(alert.getAddresses()))) {
    return Refuse("ADDRESSES_SCOPE_MISMATCH", "addresses",
                  "scope Private requires non-empty addresses");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateAlert(Alert::Reader alert) {
  try {
    return ValidateUnguarded(alert);
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument(std::string("MALFORMED_ALERT: alert: cannot be read: ") +
                                   e.getDescription().cStr());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("MALFORMED_ALERT: alert: cannot be read: ") +
                                   e.what());
  }
}

}  // namespace muster::cap
