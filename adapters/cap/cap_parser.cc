// CAP 1.2 XML -> Alert: byte screening, then a pugixml parse with no DTD processing or entity
// expansion, then a walk over the tree that checks structure and values while filling the Alert.
#include "adapters/cap/cap_parser.h"

#include <kj/exception.h>

#include <algorithm>
#include <exception>
#include <iterator>
#include <pugixml.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "adapters/cap/internal/cap_enums.h"
#include "adapters/cap/internal/cap_lexical.h"
#include "adapters/cap/internal/safe_xml.h"
#include "adapters/cap/internal/xml_signature.h"

namespace muster::cap {
namespace {

using internal::Excerpt;
using internal::Problem;
using schema::Alert;

// --- Error messages -----------------------------------------------------------------------------

using internal::Refuse;

using internal::RefuseValue;

Status RefuseProblem(const Problem& p, std::string_view where, std::string_view value) {
  return RefuseValue(p.code, where, value, p.detail);
}

// --- Names and namespaces -----------------------------------------------------------------------

using internal::DisplayName;
using internal::LookupNamespace;
using internal::IsNamespaceDeclaration;
using internal::QName;
using internal::SplitName;

// --- Structure ----------------------------------------------------------------------------------

constexpr int kUnbounded = -1;

struct Slot {
  std::string_view name;
  int min;
  int max;  // kUnbounded for no limit
};

using Children = std::vector<std::vector<pugi::xml_node>>;

// Path of a child for messages: alert's children are named bare ("sent", "info[0]").
std::string ChildPath(std::string_view where, std::string_view name) {
  if (where == "alert") return std::string(name);
  std::string out(where);
  out += '/';
  out += name;
  return out;
}

std::string IndexedPath(std::string_view where, std::string_view name, size_t index) {
  return ChildPath(where, name) + "[" + std::to_string(index) + "]";
}

// Only namespace declarations may appear on CAP elements.
Status CheckCapAttributes(pugi::xml_node node, std::string_view where) {
  for (pugi::xml_attribute a : node.attributes()) {
    if (!IsNamespaceDeclaration(a.name())) {
      return Refuse("UNSUPPORTED_ATTRIBUTE", where,
                    "attribute '" + std::string(a.name()) + "' is not allowed on " +
                        DisplayName(node) + " (CAP elements carry no attributes)");
    }
  }
  return Status::Ok();
}

// Sorts the element children of `parent` into `slots` (in xs:sequence order) and checks, in this
// order: unknown or foreign elements, attributes, stray text, duplicates, order, required ones.
// When `allow_signature`, XML-DSig <Signature> elements may follow the last CAP child.
Status CollectChildren(pugi::xml_node parent, std::string_view where, std::span<const Slot> slots,
                       bool allow_signature, Children* out, bool* has_signature) {
  out->assign(slots.size(), {});
  std::vector<size_t> order;
  bool signature_seen = false;
  std::string_view parent_local = SplitName(parent.name()).local;
  for (pugi::xml_node child : parent.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      if (!internal::IsAllXmlSpace(child.value())) {
        return RefuseValue("INVALID_CONTENT", where, child.value(),
                           "text is not allowed between the child elements of <" +
                               std::string(parent_local) + ">");
      }
      continue;
    }
    if (child.type() != pugi::node_element) continue;
    QName q = SplitName(child.name());
    std::string_view ns;
    LookupNamespace(child, q.prefix, &ns);  // declared: checked by LoadSafeXml
    if (ns == kCap12Namespace) {
      auto it = std::find_if(slots.begin(), slots.end(),
                             [&](const Slot& s) { return s.name == q.local; });
      if (it == slots.end()) {
        return Refuse(
            "UNSUPPORTED_ELEMENT", where,
            DisplayName(child) + " is not a CAP 1.2 child of <" + std::string(parent_local) + ">");
      }
      if (signature_seen) {
        return Refuse(
            "INVALID_SEQUENCE", where,
            DisplayName(child) + " follows <Signature>, which must be the last child of <alert>");
      }
      MUSTER_RETURN_IF_ERROR(CheckCapAttributes(child, ChildPath(where, q.local)));
      size_t slot = static_cast<size_t>(it - slots.begin());
      (*out)[slot].push_back(child);
      order.push_back(slot);
      continue;
    }
    if (allow_signature && ns == kXmlDsigNamespace && q.local == "Signature") {
      signature_seen = true;
      continue;
    }
    return Refuse("UNSUPPORTED_ELEMENT", where,
                  DisplayName(child) + " in namespace '" + std::string(ns) +
                      "' is not allowed in <" + std::string(parent_local) +
                      "> (only CAP 1.2 elements" +
                      (allow_signature ? " and a trailing ds:Signature)" : ")"));
  }
  for (size_t s = 0; s < slots.size(); ++s) {
    size_t count = (*out)[s].size();
    if (slots[s].max != kUnbounded && count > static_cast<size_t>(slots[s].max)) {
      return Refuse("DUPLICATE_ELEMENT", where,
                    "<" + std::string(slots[s].name) + "> appears " + std::to_string(count) +
                        " times; at most " + std::to_string(slots[s].max) + " allowed");
    }
  }
  for (size_t k = 1; k < order.size(); ++k) {
    if (order[k] < order[k - 1]) {
      return Refuse("INVALID_SEQUENCE", where,
                    "<" + std::string(slots[order[k]].name) + "> must come before <" +
                        std::string(slots[order[k - 1]].name) + "> (CAP elements are ordered)");
    }
  }
  for (size_t s = 0; s < slots.size(); ++s) {
    if ((*out)[s].size() < static_cast<size_t>(slots[s].min)) {
      return Refuse("MISSING_REQUIRED_ELEMENT", where,
                    "required element <" + std::string(slots[s].name) + "> is missing");
    }
  }
  if (has_signature != nullptr) *has_signature = signature_seen;
  return Status::Ok();
}

// --- Values -------------------------------------------------------------------------------------

capnp::Text::Reader AsText(const std::string& s) {
  return capnp::Text::Reader(s.c_str(), s.size());
}

Result<std::string> ReadText(pugi::xml_node node, std::string_view where) {
  return internal::ReadLeafText(node, where, kMaxTextBytes);
}

// Text of an optional element; "" when absent.
Result<std::string> ReadOptionalText(const std::vector<pugi::xml_node>& nodes,
                                     std::string_view where) {
  if (nodes.empty()) return std::string();
  return ReadText(nodes[0], where);
}

// Text of a required element that must not be empty.
Result<std::string> ReadRequiredText(pugi::xml_node node, std::string_view where) {
  MUSTER_ASSIGN_OR_RETURN(std::string text, ReadText(node, where));
  if (text.empty()) {
    return Refuse("MISSING_REQUIRED_ELEMENT", where, "is present but empty");
  }
  return text;
}

template <typename E, size_t N>
Result<E> ReadEnum(pugi::xml_node node, std::string_view where,
                   const internal::EnumSpelling<E> (&table)[N]) {
  MUSTER_ASSIGN_OR_RETURN(std::string text, ReadText(node, where));
  for (const auto& entry : table) {
    if (entry.text == text) return entry.value;
  }
  std::string allowed;
  for (const auto& entry : table) {
    if (!allowed.empty()) allowed += ", ";
    allowed += entry.text;
  }
  return RefuseValue("INVALID_ENUM_VALUE", where, text,
                     std::string(text.empty() ? "is empty; " : "") + "must be one of " + allowed +
                         " (exact spelling, case-sensitive)");
}

Result<std::string> ReadDate(pugi::xml_node node, std::string_view where) {
  MUSTER_ASSIGN_OR_RETURN(std::string text, ReadText(node, where));
  if (auto p = internal::DateTimeProblem(text)) return RefuseProblem(*p, where, text);
  return text;
}

Result<std::string> ReadOptionalDate(const std::vector<pugi::xml_node>& nodes,
                                     std::string_view where) {
  if (nodes.empty()) return std::string();
  return ReadDate(nodes[0], where);
}

Result<std::string> ReadOptionalDecimal(const std::vector<pugi::xml_node>& nodes,
                                        std::string_view where, std::string_view code,
                                        double* value) {
  if (nodes.empty()) return std::string();
  MUSTER_ASSIGN_OR_RETURN(std::string text, ReadText(nodes[0], where));
  if (!internal::ParseDecimal(text, value)) {
    return RefuseValue(code, where, text, "must be a decimal number (feet above mean sea level)");
  }
  return text;
}

// --- Elements -----------------------------------------------------------------------------------

enum NameValueSlot : size_t { kNvValueName, kNvValue };
constexpr Slot kNameValueSlots[] = {{"valueName", 1, 1}, {"value", 1, 1}};
static_assert(std::size(kNameValueSlots) == kNvValue + 1, "slot table and slot names differ");

Status ReadNameValue(pugi::xml_node node, std::string_view where, schema::NameValue::Builder out) {
  Children c;
  MUSTER_RETURN_IF_ERROR(CollectChildren(node, where, kNameValueSlots, false, &c, nullptr));
  MUSTER_ASSIGN_OR_RETURN(std::string name,
                          ReadRequiredText(c[kNvValueName][0], ChildPath(where, "valueName")));
  MUSTER_ASSIGN_OR_RETURN(std::string value, ReadText(c[kNvValue][0], ChildPath(where, "value")));
  out.setName(AsText(name));
  out.setValue(AsText(value));
  return Status::Ok();
}

template <typename ListBuilder>
Status ReadNameValues(const std::vector<pugi::xml_node>& nodes, std::string_view where,
                      std::string_view name, ListBuilder list) {
  for (size_t k = 0; k < nodes.size(); ++k) {
    MUSTER_RETURN_IF_ERROR(ReadNameValue(nodes[k], IndexedPath(where, name, k), list[k]));
  }
  return Status::Ok();
}

enum ResourceSlot : size_t { kResDesc, kResMimeType, kResSize, kResUri, kResDerefUri, kResDigest };
constexpr Slot kResourceSlots[] = {{"resourceDesc", 1, 1}, {"mimeType", 1, 1}, {"size", 0, 1},
                                   {"uri", 0, 1},          {"derefUri", 0, 1}, {"digest", 0, 1}};
static_assert(std::size(kResourceSlots) == kResDigest + 1, "slot table and slot names differ");

Status ReadResource(pugi::xml_node node, std::string_view where, Alert::Resource::Builder out) {
  Children c;
  MUSTER_RETURN_IF_ERROR(CollectChildren(node, where, kResourceSlots, false, &c, nullptr));
  MUSTER_ASSIGN_OR_RETURN(std::string desc,
                          ReadRequiredText(c[kResDesc][0], ChildPath(where, "resourceDesc")));
  out.setResourceDesc(AsText(desc));

  std::string mime_where = ChildPath(where, "mimeType");
  MUSTER_ASSIGN_OR_RETURN(std::string mime, ReadText(c[kResMimeType][0], mime_where));
  if (!internal::IsMimeType(mime)) {
    return RefuseValue("INVALID_MIME_TYPE", mime_where, mime,
                       "must be type/subtype with a registered top-level type (RFC 2046)");
  }
  out.setMimeType(AsText(mime));

  std::string size_where = ChildPath(where, "size");
  MUSTER_ASSIGN_OR_RETURN(std::string size, ReadOptionalText(c[kResSize], size_where));
  if (!c[kResSize].empty()) {
    std::string_view digits = size;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    bool ok = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                             [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!ok) {
      return RefuseValue("INVALID_SIZE", size_where, size,
                         "must be a non-negative integer number of bytes");
    }
  }
  out.setSize(AsText(size));

  std::string deref_where = ChildPath(where, "derefUri");
  MUSTER_ASSIGN_OR_RETURN(std::string deref, ReadOptionalText(c[kResDerefUri], deref_where));
  if (!c[kResDerefUri].empty() && !internal::IsBase64(deref)) {
    return RefuseValue("INVALID_DEREF_URI", deref_where, deref,
                       "must be the base64 encoding of the resource");
  }

  std::string uri_where = ChildPath(where, "uri");
  MUSTER_ASSIGN_OR_RETURN(std::string uri, ReadOptionalText(c[kResUri], uri_where));
  if (!c[kResUri].empty()) {
    bool absolute = false;
    if (!internal::IsUriReference(uri, &absolute)) {
      return RefuseValue("INVALID_URI", uri_where, uri,
                         "must be a URI without whitespace or control characters");
    }
    if (!absolute && c[kResDerefUri].empty()) {
      return RefuseValue("RELATIVE_URI_MISSING_DEREF_URI", uri_where, uri,
                         "a relative uri is only allowed together with <derefUri>");
    }
  }
  out.setUri(AsText(uri));
  out.setDerefUri(AsText(deref));

  MUSTER_ASSIGN_OR_RETURN(std::string digest,
                          ReadOptionalText(c[kResDigest], ChildPath(where, "digest")));
  out.setDigest(AsText(digest));
  return Status::Ok();
}

enum AreaSlot : size_t {
  kAreaDesc,
  kAreaPolygon,
  kAreaCircle,
  kAreaGeocode,
  kAreaAltitude,
  kAreaCeiling
};
constexpr Slot kAreaSlots[] = {{"areaDesc", 1, 1},        {"polygon", 0, kUnbounded},
                               {"circle", 0, kUnbounded}, {"geocode", 0, kUnbounded},
                               {"altitude", 0, 1},        {"ceiling", 0, 1}};
static_assert(std::size(kAreaSlots) == kAreaCeiling + 1, "slot table and slot names differ");

Status ReadArea(pugi::xml_node node, std::string_view where, Alert::Area::Builder out) {
  Children c;
  MUSTER_RETURN_IF_ERROR(CollectChildren(node, where, kAreaSlots, false, &c, nullptr));
  MUSTER_ASSIGN_OR_RETURN(std::string desc,
                          ReadRequiredText(c[kAreaDesc][0], ChildPath(where, "areaDesc")));
  out.setAreaDesc(AsText(desc));

  auto polygons = out.initPolygons(static_cast<unsigned>(c[kAreaPolygon].size()));
  for (size_t k = 0; k < c[kAreaPolygon].size(); ++k) {
    std::string path = IndexedPath(where, "polygon", k);
    MUSTER_ASSIGN_OR_RETURN(std::string text, ReadText(c[kAreaPolygon][k], path));
    if (auto p = internal::PolygonProblem(text)) return RefuseProblem(*p, path, text);
    polygons.set(static_cast<unsigned>(k), AsText(text));
  }
  auto circles = out.initCircles(static_cast<unsigned>(c[kAreaCircle].size()));
  for (size_t k = 0; k < c[kAreaCircle].size(); ++k) {
    std::string path = IndexedPath(where, "circle", k);
    MUSTER_ASSIGN_OR_RETURN(std::string text, ReadText(c[kAreaCircle][k], path));
    if (auto p = internal::CircleProblem(text)) return RefuseProblem(*p, path, text);
    circles.set(static_cast<unsigned>(k), AsText(text));
  }
  MUSTER_RETURN_IF_ERROR(
      ReadNameValues(c[kAreaGeocode], where, "geocode",
                     out.initGeocodes(static_cast<unsigned>(c[kAreaGeocode].size()))));

  double altitude = 0;
  double ceiling = 0;
  std::string altitude_where = ChildPath(where, "altitude");
  std::string ceiling_where = ChildPath(where, "ceiling");
  MUSTER_ASSIGN_OR_RETURN(
      std::string altitude_text,
      ReadOptionalDecimal(c[kAreaAltitude], altitude_where, "INVALID_ALTITUDE", &altitude));
  MUSTER_ASSIGN_OR_RETURN(
      std::string ceiling_text,
      ReadOptionalDecimal(c[kAreaCeiling], ceiling_where, "INVALID_CEILING", &ceiling));
  if (!c[kAreaCeiling].empty() && c[kAreaAltitude].empty()) {
    return RefuseValue("INVALID_AREA", ceiling_where, ceiling_text,
                       "<ceiling> is only allowed together with <altitude>");
  }
  if (!c[kAreaCeiling].empty() && altitude > ceiling) {
    return RefuseValue("INVALID_ALTITUDE_CEILING_RANGE", ceiling_where, ceiling_text,
                       "must not be below altitude " + Excerpt(altitude_text));
  }
  out.setAltitude(AsText(altitude_text));
  out.setCeiling(AsText(ceiling_text));
  return Status::Ok();
}

enum InfoSlot : size_t {
  kInfoLanguage,
  kInfoCategory,
  kInfoEvent,
  kInfoResponseType,
  kInfoUrgency,
  kInfoSeverity,
  kInfoCertainty,
  kInfoAudience,
  kInfoEventCode,
  kInfoEffective,
  kInfoOnset,
  kInfoExpires,
  kInfoSenderName,
  kInfoHeadline,
  kInfoDescription,
  kInfoInstruction,
  kInfoWeb,
  kInfoContact,
  kInfoParameter,
  kInfoResource,
  kInfoArea
};
constexpr Slot kInfoSlots[] = {{"language", 0, 1},
                               {"category", 1, kUnbounded},
                               {"event", 1, 1},
                               {"responseType", 0, kUnbounded},
                               {"urgency", 1, 1},
                               {"severity", 1, 1},
                               {"certainty", 1, 1},
                               {"audience", 0, 1},
                               {"eventCode", 0, kUnbounded},
                               {"effective", 0, 1},
                               {"onset", 0, 1},
                               {"expires", 0, 1},
                               {"senderName", 0, 1},
                               {"headline", 0, 1},
                               {"description", 0, 1},
                               {"instruction", 0, 1},
                               {"web", 0, 1},
                               {"contact", 0, 1},
                               {"parameter", 0, kUnbounded},
                               {"resource", 0, kUnbounded},
                               {"area", 0, kUnbounded}};
static_assert(std::size(kInfoSlots) == kInfoArea + 1, "slot table and slot names differ");

Status ReadInfo(pugi::xml_node node, std::string_view where, Alert::Info::Builder out) {
  Children c;
  MUSTER_RETURN_IF_ERROR(CollectChildren(node, where, kInfoSlots, false, &c, nullptr));

  std::string language_where = ChildPath(where, "language");
  MUSTER_ASSIGN_OR_RETURN(std::string language, ReadOptionalText(c[kInfoLanguage], language_where));
  if (!c[kInfoLanguage].empty() && !internal::IsLanguageTag(language)) {
    return RefuseValue("INVALID_LANGUAGE", language_where, language,
                       "must be an RFC 3066 language tag such as en-US or zh-CN");
  }
  out.setLanguage(AsText(language));

  auto categories = out.initCategories(static_cast<unsigned>(c[kInfoCategory].size()));
  for (size_t k = 0; k < c[kInfoCategory].size(); ++k) {
    MUSTER_ASSIGN_OR_RETURN(Alert::Category value,
                            ReadEnum(c[kInfoCategory][k], IndexedPath(where, "category", k),
                                     internal::kCategorySpellings));
    categories.set(static_cast<unsigned>(k), value);
  }

  MUSTER_ASSIGN_OR_RETURN(std::string event,
                          ReadRequiredText(c[kInfoEvent][0], ChildPath(where, "event")));
  out.setEvent(AsText(event));

  auto responses = out.initResponseTypes(static_cast<unsigned>(c[kInfoResponseType].size()));
  for (size_t k = 0; k < c[kInfoResponseType].size(); ++k) {
    MUSTER_ASSIGN_OR_RETURN(Alert::ResponseType value,
                            ReadEnum(c[kInfoResponseType][k], IndexedPath(where, "responseType", k),
                                     internal::kResponseTypeSpellings));
    responses.set(static_cast<unsigned>(k), value);
  }

  MUSTER_ASSIGN_OR_RETURN(
      Alert::Urgency urgency,
      ReadEnum(c[kInfoUrgency][0], ChildPath(where, "urgency"), internal::kUrgencySpellings));
  out.setUrgency(urgency);
  MUSTER_ASSIGN_OR_RETURN(
      Alert::Severity severity,
      ReadEnum(c[kInfoSeverity][0], ChildPath(where, "severity"), internal::kSeveritySpellings));
  out.setSeverity(severity);

  std::string certainty_where = ChildPath(where, "certainty");
  MUSTER_ASSIGN_OR_RETURN(std::string certainty_text,
                          ReadText(c[kInfoCertainty][0], certainty_where));
  if (certainty_text == "Very Likely") {
    return RefuseValue("CERTAINTY_VERY_LIKELY_DEPRECATED", certainty_where, certainty_text,
                       "was deprecated in CAP 1.1; use Likely");
  }
  MUSTER_ASSIGN_OR_RETURN(
      Alert::Certainty certainty,
      ReadEnum(c[kInfoCertainty][0], certainty_where, internal::kCertaintySpellings));
  out.setCertainty(certainty);

  MUSTER_ASSIGN_OR_RETURN(std::string audience,
                          ReadOptionalText(c[kInfoAudience], ChildPath(where, "audience")));
  out.setAudience(AsText(audience));

  MUSTER_RETURN_IF_ERROR(
      ReadNameValues(c[kInfoEventCode], where, "eventCode",
                     out.initEventCodes(static_cast<unsigned>(c[kInfoEventCode].size()))));

  MUSTER_ASSIGN_OR_RETURN(std::string effective,
                          ReadOptionalDate(c[kInfoEffective], ChildPath(where, "effective")));
  out.setEffective(AsText(effective));
  MUSTER_ASSIGN_OR_RETURN(std::string onset,
                          ReadOptionalDate(c[kInfoOnset], ChildPath(where, "onset")));
  out.setOnset(AsText(onset));
  MUSTER_ASSIGN_OR_RETURN(std::string expires,
                          ReadOptionalDate(c[kInfoExpires], ChildPath(where, "expires")));
  out.setExpires(AsText(expires));

  MUSTER_ASSIGN_OR_RETURN(std::string sender_name,
                          ReadOptionalText(c[kInfoSenderName], ChildPath(where, "senderName")));
  out.setSenderName(AsText(sender_name));
  MUSTER_ASSIGN_OR_RETURN(std::string headline,
                          ReadOptionalText(c[kInfoHeadline], ChildPath(where, "headline")));
  out.setHeadline(AsText(headline));
  MUSTER_ASSIGN_OR_RETURN(std::string description,
                          ReadOptionalText(c[kInfoDescription], ChildPath(where, "description")));
  out.setDescription(AsText(description));
  MUSTER_ASSIGN_OR_RETURN(std::string instruction,
                          ReadOptionalText(c[kInfoInstruction], ChildPath(where, "instruction")));
  out.setInstruction(AsText(instruction));

  std::string web_where = ChildPath(where, "web");
  MUSTER_ASSIGN_OR_RETURN(std::string web, ReadOptionalText(c[kInfoWeb], web_where));
  if (!c[kInfoWeb].empty()) {
    bool absolute = false;
    if (!internal::IsUriReference(web, &absolute) || !absolute) {
      return RefuseValue("INVALID_WEB", web_where, web,
                         "must be an absolute URI (scheme:...) without whitespace");
    }
  }
  out.setWeb(AsText(web));

  MUSTER_ASSIGN_OR_RETURN(std::string contact,
                          ReadOptionalText(c[kInfoContact], ChildPath(where, "contact")));
  out.setContact(AsText(contact));

  MUSTER_RETURN_IF_ERROR(
      ReadNameValues(c[kInfoParameter], where, "parameter",
                     out.initParameters(static_cast<unsigned>(c[kInfoParameter].size()))));

  auto resources = out.initResources(static_cast<unsigned>(c[kInfoResource].size()));
  for (size_t k = 0; k < c[kInfoResource].size(); ++k) {
    MUSTER_RETURN_IF_ERROR(ReadResource(c[kInfoResource][k], IndexedPath(where, "resource", k),
                                        resources[static_cast<unsigned>(k)]));
  }
  auto areas = out.initAreas(static_cast<unsigned>(c[kInfoArea].size()));
  for (size_t k = 0; k < c[kInfoArea].size(); ++k) {
    MUSTER_RETURN_IF_ERROR(
        ReadArea(c[kInfoArea][k], IndexedPath(where, "area", k), areas[static_cast<unsigned>(k)]));
  }
  return Status::Ok();
}

enum AlertSlot : size_t {
  kIdentifier,
  kSender,
  kSent,
  kStatus,
  kMsgType,
  kSource,
  kScope,
  kRestriction,
  kAddresses,
  kCode,
  kNote,
  kReferences,
  kIncidents,
  kInfo
};
constexpr Slot kAlertSlots[] = {
    {"identifier", 1, 1}, {"sender", 1, 1},        {"sent", 1, 1},  {"status", 1, 1},
    {"msgType", 1, 1},    {"source", 0, 1},        {"scope", 1, 1}, {"restriction", 0, 1},
    {"addresses", 0, 1},  {"code", 0, kUnbounded}, {"note", 0, 1},  {"references", 0, 1},
    {"incidents", 0, 1},  {"info", 0, kUnbounded}};
static_assert(std::size(kAlertSlots) == kInfo + 1, "slot table and slot names differ");

Status ReadAlert(pugi::xml_node root, Alert::Builder out) {
  MUSTER_RETURN_IF_ERROR(CheckCapAttributes(root, "alert"));
  Children c;
  bool has_signature = false;
  MUSTER_RETURN_IF_ERROR(CollectChildren(root, "alert", kAlertSlots, true, &c, &has_signature));

  MUSTER_ASSIGN_OR_RETURN(std::string identifier, ReadText(c[kIdentifier][0], "identifier"));
  if (auto p = internal::IdentifierProblem(identifier, "INVALID_IDENTIFIER")) {
    return RefuseProblem(*p, "identifier", identifier);
  }
  out.setIdentifier(AsText(identifier));

  MUSTER_ASSIGN_OR_RETURN(std::string sender, ReadText(c[kSender][0], "sender"));
  if (auto p = internal::IdentifierProblem(sender, "INVALID_SENDER")) {
    return RefuseProblem(*p, "sender", sender);
  }
  out.setSender(AsText(sender));

  MUSTER_ASSIGN_OR_RETURN(std::string sent, ReadDate(c[kSent][0], "sent"));
  out.setSent(AsText(sent));

  MUSTER_ASSIGN_OR_RETURN(Alert::CapStatus status,
                          ReadEnum(c[kStatus][0], "status", internal::kStatusSpellings));
  out.setStatus(status);
  MUSTER_ASSIGN_OR_RETURN(Alert::MsgType msg_type,
                          ReadEnum(c[kMsgType][0], "msgType", internal::kMsgTypeSpellings));
  out.setMsgType(msg_type);

  MUSTER_ASSIGN_OR_RETURN(std::string source, ReadOptionalText(c[kSource], "source"));
  out.setSource(AsText(source));

  MUSTER_ASSIGN_OR_RETURN(Alert::Scope scope,
                          ReadEnum(c[kScope][0], "scope", internal::kScopeSpellings));
  out.setScope(scope);

  MUSTER_ASSIGN_OR_RETURN(std::string restriction,
                          ReadOptionalText(c[kRestriction], "restriction"));
  out.setRestriction(AsText(restriction));
  MUSTER_ASSIGN_OR_RETURN(std::string addresses, ReadOptionalText(c[kAddresses], "addresses"));
  out.setAddresses(AsText(addresses));

  auto codes = out.initCodes(static_cast<unsigned>(c[kCode].size()));
  for (size_t k = 0; k < c[kCode].size(); ++k) {
    MUSTER_ASSIGN_OR_RETURN(std::string code,
                            ReadText(c[kCode][k], IndexedPath("alert", "code", k)));
    codes.set(static_cast<unsigned>(k), AsText(code));
  }

  MUSTER_ASSIGN_OR_RETURN(std::string note, ReadOptionalText(c[kNote], "note"));
  out.setNote(AsText(note));

  MUSTER_ASSIGN_OR_RETURN(std::string references, ReadOptionalText(c[kReferences], "references"));
  if (!c[kReferences].empty()) {
    MUSTER_RETURN_IF_ERROR(internal::CheckReferences(references, sender, identifier, "omit the element"));
  }
  out.setReferences(AsText(references));

  MUSTER_ASSIGN_OR_RETURN(std::string incidents, ReadOptionalText(c[kIncidents], "incidents"));
  out.setIncidents(AsText(incidents));

  auto infos = out.initInfos(static_cast<unsigned>(c[kInfo].size()));
  for (size_t k = 0; k < c[kInfo].size(); ++k) {
    MUSTER_RETURN_IF_ERROR(
        ReadInfo(c[kInfo][k], IndexedPath("alert", "info", k), infos[static_cast<unsigned>(k)]));
  }

  // Rules that span several elements.
  bool needs_references = msg_type == Alert::MsgType::UPDATE ||
                          msg_type == Alert::MsgType::CANCEL || msg_type == Alert::MsgType::ACK ||
                          msg_type == Alert::MsgType::ERROR;
  if (needs_references && c[kReferences].empty()) {
    return Refuse("UPDATE_OR_CANCEL_MUST_REFERENCE", "references",
                  "msgType " +
                      std::string(internal::SpellingOf(internal::kMsgTypeSpellings, msg_type)) +
                      " must name the earlier message(s) in <references>");
  }
  if (!restriction.empty() && scope != Alert::Scope::RESTRICTED) {
    return RefuseValue("RESTRICTION_SCOPE_MISMATCH", "restriction", restriction,
                       "<restriction> is only allowed with scope Restricted");
  }
  if (scope == Alert::Scope::PRIVATE && internal::IsAllXmlSpace(addresses)) {
    return Refuse("ADDRESSES_SCOPE_MISMATCH", "addresses",
                  "scope Private requires a non-empty <addresses>");
  }
  out.setHasSignature(has_signature);
  return Status::Ok();
}

Status ParseCapUnguarded(std::string_view xml, Alert::Builder out) {
  pugi::xml_document doc;
  MUSTER_ASSIGN_OR_RETURN(
      pugi::xml_node root,
      internal::LoadSafeXml(xml,
                            {.max_bytes = kMaxDocumentBytes,
                             .max_depth = 32,
                             .max_attributes = 32,
                             .too_many_attributes_code = "UNSUPPORTED_ATTRIBUTE",
                             .allow_prolog_stylesheet = true},
                            &doc));

  QName q = SplitName(root.name());
  std::string_view ns;
  LookupNamespace(root, q.prefix, &ns);
  if (ns == kCap11Namespace || ns == kCap10Namespace) {
    return Refuse("UNSUPPORTED_VERSION", "alert",
                  "namespace " + std::string(ns) + " is an earlier CAP version; only CAP 1.2 (" +
                      std::string(kCap12Namespace) + ") is accepted");
  }
  if (ns != kCap12Namespace) {
    return Refuse("UNKNOWN_NAMESPACE", DisplayName(root),
                  ns.empty() ? "has no namespace; expected " + std::string(kCap12Namespace)
                             : "is in namespace '" + std::string(ns) + "'; expected " +
                                   std::string(kCap12Namespace));
  }
  if (q.local != "alert") {
    return Refuse("UNSUPPORTED_ELEMENT", DisplayName(root), "the root element must be <alert>");
  }
  MUSTER_RETURN_IF_ERROR(ReadAlert(root, out));
  // Only a signed alert that is valid CAP reaches the (costlier) signature check.
  if (out.getHasSignature()) MUSTER_RETURN_IF_ERROR(internal::VerifyEnvelopedSignatures(xml));
  return Status::Ok();
}

}  // namespace

Status ParseCap(std::string_view xml, Alert::Builder out) {
  try {
    return ParseCapUnguarded(xml, out);
  } catch (const kj::Exception& e) {
    return Status::Internal(std::string("building the alert failed: ") + e.getDescription().cStr());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("parsing the alert failed: ") + e.what());
  }
}

Result<std::unique_ptr<capnp::MallocMessageBuilder>> ParseCapMessage(std::string_view xml) {
  try {
    auto message = std::make_unique<capnp::MallocMessageBuilder>();
    Status status = ParseCap(xml, message->initRoot<Alert>());
    if (!status.ok()) return status;
    return Result<std::unique_ptr<capnp::MallocMessageBuilder>>(std::move(message));
  } catch (const kj::Exception& e) {
    return Status::Internal(std::string("building the alert failed: ") + e.getDescription().cStr());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("parsing the alert failed: ") + e.what());
  }
}

std::string_view CapReasonCode(const Status& status) {
  if (status.ok()) return {};
  std::string_view m = status.message();
  size_t colon = m.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  std::string_view code = m.substr(0, colon);
  bool all_code_chars = std::all_of(code.begin(), code.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || ch == '_' || (ch >= '0' && ch <= '9');
  });
  return all_code_chars ? code : std::string_view();
}

}  // namespace muster::cap
