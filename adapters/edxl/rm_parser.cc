// EDXL-RM 1.0 XML -> RmMessage: byte screening, a pugixml parse without DTD processing or entity
// expansion, then a walk that checks structure and values while filling the message.
#include "adapters/edxl/rm_parser.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <pugixml.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "adapters/cap/internal/cap_lexical.h"
#include "adapters/cap/internal/safe_xml.h"
#include "common/time_text.h"

namespace muster::edxl {
namespace {

using cap::internal::Excerpt;
using cap::internal::IsAllXmlSpace;
using cap::internal::TrimXmlSpace;

constexpr std::string_view kResponseTypes[] = {"Accept", "Decline", "Provisional"};
constexpr std::string_view kScheduleTypes[] = {"RequestedArrival",
                                               "EstimatedArrival",
                                               "ActualArrival",
                                               "RequestedDeparture",
                                               "EstimatedDeparture",
                                               "ActualDeparture",
                                               "RequestedReturnDeparture",
                                               "EstimatedReturnDeparture",
                                               "ActualReturnDeparture",
                                               "RequestedReturnArrival",
                                               "EstimatedReturnArrival",
                                               "ActualReturnArrival",
                                               "BeginAvailable",
                                               "EndAvailable",
                                               "Committed",
                                               "Current",
                                               "ReportTo",
                                               "Route"};

// --- Errors ---------------------------------------------------------------------------------

using cap::internal::Refuse;

using cap::internal::RefuseValue;

// --- Names and namespaces -------------------------------------------------------------------

using cap::internal::DisplayName;
using cap::internal::NamespaceOf;
using cap::internal::QName;
using cap::internal::SplitName;

bool IsRmNamespace(std::string_view uri) { return uri == kRmMsgNamespace || uri == kRmNamespace; }

// --- Structure ------------------------------------------------------------------------------

constexpr int kUnbounded = -1;

struct Slot {
  std::string_view name;
  int min;
  int max;  // kUnbounded for no limit
};

using Children = std::vector<std::vector<pugi::xml_node>>;

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

// Sorts the element children of `parent` into `slots`, checking in this order: unknown or
// foreign elements, stray text, duplicates, order (when `ordered`), required ones.
Status Collect(pugi::xml_node parent, std::string_view where, std::span<const Slot> slots,
               bool ordered, Children* out) {
  out->assign(slots.size(), {});
  std::vector<size_t> order;
  std::string parent_name(SplitName(parent.name()).local);
  std::string here = where.empty() ? "<" + parent_name + ">" : std::string(where);
  for (pugi::xml_node child : parent.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      if (!IsAllXmlSpace(child.value())) {
        return RefuseValue(
            "INVALID_CONTENT", here, child.value(),
            "text is not allowed between the child elements of <" + parent_name + ">");
      }
      continue;
    }
    if (child.type() != pugi::node_element) continue;
    QName q = SplitName(child.name());
    std::string_view ns = NamespaceOf(child);
    if (!IsRmNamespace(ns)) {
      return Refuse("UNSUPPORTED_ELEMENT", here,
                    DisplayName(child) + " in namespace '" + std::string(ns) +
                        "' is not allowed in <" + parent_name + "> (only EDXL-RM elements)");
    }
    auto it =
        std::find_if(slots.begin(), slots.end(), [&](const Slot& s) { return s.name == q.local; });
    if (it == slots.end()) {
      if (q.local == "MessageRecall" && where.empty()) {
        return Refuse("UNSUPPORTED_ELEMENT", "MessageRecall",
                      "recalling (updating or cancelling) an earlier message is not supported; "
                      "cancel a request with a ReportResourceDeploymentStatus whose "
                      "DeploymentStatus is " +
                          std::string(kStepList) + " 'cancel'");
      }
      return Refuse("UNSUPPORTED_ELEMENT", here,
                    DisplayName(child) + " is not an EDXL-RM 1.0 child of <" + parent_name + ">");
    }
    size_t slot = static_cast<size_t>(it - slots.begin());
    (*out)[slot].push_back(child);
    order.push_back(slot);
  }
  for (size_t s = 0; s < slots.size(); ++s) {
    size_t count = (*out)[s].size();
    if (slots[s].max != kUnbounded && count > static_cast<size_t>(slots[s].max)) {
      return Refuse("DUPLICATE_ELEMENT", here,
                    "<" + std::string(slots[s].name) + "> appears " + std::to_string(count) +
                        " times; at most " + std::to_string(slots[s].max) + " allowed");
    }
  }
  if (ordered) {
    for (size_t k = 1; k < order.size(); ++k) {
      if (order[k] < order[k - 1]) {
        return Refuse("INVALID_SEQUENCE", here,
                      "<" + std::string(slots[order[k]].name) + "> must come before <" +
                          std::string(slots[order[k - 1]].name) +
                          "> (EDXL-RM elements are ordered)");
      }
    }
  }
  for (size_t s = 0; s < slots.size(); ++s) {
    if ((*out)[s].size() < static_cast<size_t>(slots[s].min)) {
      return Refuse("MISSING_REQUIRED_ELEMENT", here,
                    "required element <" + std::string(slots[s].name) + "> is missing");
    }
  }
  return Status::Ok();
}

// --- Values ---------------------------------------------------------------------------------

Result<std::string> ReadText(pugi::xml_node node, std::string_view where) {
  return cap::internal::ReadLeafText(node, where, kMaxTextBytes);
}

Result<std::string> ReadOptionalText(const std::vector<pugi::xml_node>& nodes,
                                     std::string_view where) {
  if (nodes.empty()) return std::string();
  return ReadText(nodes[0], where);
}

Result<std::string> ReadToken(pugi::xml_node node, std::string_view where) {
  MUSTER_ASSIGN_OR_RETURN(std::string text, ReadText(node, where));
  return std::string(TrimXmlSpace(text));
}

Result<std::string> ReadId(pugi::xml_node node, std::string_view where) {
  MUSTER_ASSIGN_OR_RETURN(std::string id, ReadToken(node, where));
  if (id.empty()) return Refuse("INVALID_ID", where, "is empty");
  if (id.size() > kMaxIdBytes) {
    return RefuseValue("INVALID_ID", where, id,
                       "is longer than " + std::to_string(kMaxIdBytes) + " bytes");
  }
  for (char c : id) {
    if (cap::internal::IsXmlSpace(c)) {
      return RefuseValue("INVALID_ID", where, id, "an id contains no whitespace");
    }
  }
  return id;
}

template <size_t N>
Result<std::string> ReadEnum(pugi::xml_node node, std::string_view where,
                             const std::string_view (&allowed)[N]) {
  MUSTER_ASSIGN_OR_RETURN(std::string text, ReadToken(node, where));
  for (std::string_view a : allowed) {
    if (a == text) return text;
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  return RefuseValue("INVALID_ENUM_VALUE", where, text,
                     std::string(text.empty() ? "is empty; " : "") + "must be one of " + list +
                         " (exact spelling)");
}

Result<RmDateTime> ReadDate(pugi::xml_node node, std::string_view where) {
  MUSTER_ASSIGN_OR_RETURN(std::string text, ReadToken(node, where));
  if (auto p = cap::internal::DateTimeProblem(text)) {
    std::string detail = p->detail;
    if (text.size() == 19) detail += " (EDXL-RM times carry their UTC offset, e.g. +08:00)";
    return RefuseValue("INVALID_DATE", where, text, detail);
  }
  auto instant = ParseInstant(text);
  if (!instant.ok()) return RefuseValue("INVALID_DATE", where, text, instant.status().message());
  RmDateTime out;
  out.text = text;
  out.unix_millis = instant->unix_millis;
  out.utc_offset_minutes = instant->utc_offset_minutes;
  return out;
}

// xs:double without INF and NaN.
bool ParseAmount(std::string_view text, double* out) {
  if (text.empty() || text.size() > 64) return false;
  size_t i = 0;
  if (text[i] == '+' || text[i] == '-') ++i;
  size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != text.size()) return false;
  std::string copy(text);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// --- Elements -------------------------------------------------------------------------------

enum ValueListSlot : size_t { kVlUrn, kVlValue };
constexpr Slot kValueListSlots[] = {{"ValueListURN", 1, 1}, {"Value", 1, kUnbounded}};
static_assert(std::size(kValueListSlots) == kVlValue + 1);

// A value list; the first Value is read (further Values are kept verbatim).
Result<RmValue> ReadValueList(pugi::xml_node node, std::string_view where) {
  Children c;
  MUSTER_RETURN_IF_ERROR(Collect(node, where, kValueListSlots, true, &c));
  RmValue v;
  MUSTER_ASSIGN_OR_RETURN(v.list_urn, ReadToken(c[kVlUrn][0], Path(where, "ValueListURN")));
  if (v.list_urn.empty()) {
    return Refuse("MISSING_REQUIRED_ELEMENT", Path(where, "ValueListURN"), "is present but empty");
  }
  for (size_t k = 0; k < c[kVlValue].size(); ++k) {
    MUSTER_ASSIGN_OR_RETURN(std::string value,
                            ReadText(c[kVlValue][k], Indexed(where, "Value", k)));
    if (k == 0) v.value = std::move(value);
  }
  return v;
}

enum ResponseSlot : size_t { kRsPreceding, kRsType, kRsReasonCode, kRsReason };
constexpr Slot kResponseSlots[] = {{"PrecedingResourceInfoElementID", 1, 1},
                                   {"ResponseType", 1, 1},
                                   {"ReasonCode", 0, 1},
                                   {"ResponseReason", 0, 1}};
static_assert(std::size(kResponseSlots) == kRsReason + 1);

Result<RmResponse> ReadResponse(pugi::xml_node node, std::string_view where) {
  Children c;
  MUSTER_RETURN_IF_ERROR(Collect(node, where, kResponseSlots, true, &c));
  RmResponse r;
  MUSTER_ASSIGN_OR_RETURN(
      r.preceding_element_id,
      ReadId(c[kRsPreceding][0], Path(where, "PrecedingResourceInfoElementID")));
  MUSTER_ASSIGN_OR_RETURN(r.type,
                          ReadEnum(c[kRsType][0], Path(where, "ResponseType"), kResponseTypes));
  if (!c[kRsReasonCode].empty()) {
    MUSTER_RETURN_IF_ERROR(ReadValueList(c[kRsReasonCode][0], Path(where, "ReasonCode")).status());
    r.has_reason_code = true;
  }
  MUSTER_ASSIGN_OR_RETURN(r.reason, ReadOptionalText(c[kRsReason], Path(where, "ResponseReason")));
  if (r.type == "Provisional" && !r.has_reason_code && r.reason.empty()) {
    return Refuse("MISSING_REASON", where,
                  "a Provisional response needs a ReasonCode or a ResponseReason");
  }
  return r;
}

enum StatusSlot : size_t { kStRefresh, kStDeployment, kStAvailability };
constexpr Slot kResourceStatusSlots[] = {
    {"InventoryRefreshDateTime", 0, 1}, {"DeploymentStatus", 0, 1}, {"Availability", 0, 1}};
static_assert(std::size(kResourceStatusSlots) == kStAvailability + 1);

enum ResourceSlot : size_t {
  kResId,
  kResName,
  kResType,
  kResTypeInfo,
  kResKeyword,
  kResDescription,
  kResCredentials,
  kResCertifications,
  kResSpecial,
  kResResponsible,
  kResOwnership,
  kResStatus
};
constexpr Slot kResourceSlots[] = {{"ResourceID", 0, 1},
                                   {"Name", 0, 1},
                                   {"TypeStructure", 0, 1},
                                   {"TypeInfo", 0, 1},
                                   {"Keyword", 0, kUnbounded},
                                   {"Description", 0, 1},
                                   {"Credentials", 0, kUnbounded},
                                   {"Certifications", 0, kUnbounded},
                                   {"SpecialRequirements", 0, kUnbounded},
                                   {"ResponsibleParty", 0, kUnbounded},
                                   {"OwnershipInformation", 0, 1},
                                   {"ResourceStatus", 0, 1}};
static_assert(std::size(kResourceSlots) == kResStatus + 1);

Status ReadResource(pugi::xml_node node, std::string_view where, RmResourceInfo* out) {
  Children c;
  MUSTER_RETURN_IF_ERROR(Collect(node, where, kResourceSlots, false, &c));
  out->has_resource = true;
  if (!c[kResType].empty()) {
    MUSTER_ASSIGN_OR_RETURN(out->type, ReadValueList(c[kResType][0], Path(where, "TypeStructure")));
  }
  for (size_t k = 0; k < c[kResKeyword].size(); ++k) {
    MUSTER_ASSIGN_OR_RETURN(RmValue keyword,
                            ReadValueList(c[kResKeyword][k], Indexed(where, "Keyword", k)));
    if (keyword.list_urn == kPriorityList && out->priority.empty()) out->priority = keyword.value;
  }
  MUSTER_ASSIGN_OR_RETURN(out->description,
                          ReadOptionalText(c[kResDescription], Path(where, "Description")));
  if (!c[kResStatus].empty()) {
    std::string sw = Path(where, "ResourceStatus");
    Children s;
    MUSTER_RETURN_IF_ERROR(Collect(c[kResStatus][0], sw, kResourceStatusSlots, false, &s));
    if (!s[kStRefresh].empty()) {
      MUSTER_RETURN_IF_ERROR(
          ReadDate(s[kStRefresh][0], Path(sw, "InventoryRefreshDateTime")).status());
    }
    if (!s[kStDeployment].empty()) {
      MUSTER_ASSIGN_OR_RETURN(RmValue status,
                              ReadValueList(s[kStDeployment][0], Path(sw, "DeploymentStatus")));
      if (status.list_urn == kStepList) out->step = std::string(TrimXmlSpace(status.value));
    }
  }
  return Status::Ok();
}

enum MeasuredSlot : size_t { kMqAmount, kMqUnit };
constexpr Slot kMeasuredSlots[] = {{"Amount", 1, 1}, {"UnitOfMeasure", 0, 1}};
static_assert(std::size(kMeasuredSlots) == kMqUnit + 1);

enum QuantitySlot : size_t { kQtText, kQtMeasured };
constexpr Slot kQuantitySlots[] = {{"QuantityText", 0, kUnbounded}, {"MeasuredQuantity", 0, 1}};
static_assert(std::size(kQuantitySlots) == kQtMeasured + 1);

enum AssignmentSlot : size_t { kAsQuantity };
constexpr Slot kAssignmentSlots[] = {
    {"Quantity", 0, 1},   {"Restrictions", 0, 1}, {"AnticipatedFunction", 0, 1},
    {"PriceQuote", 0, 1}, {"OrderID", 0, 1},      {"AssignmentInstructions", 0, 1}};

Status ReadAssignment(pugi::xml_node node, std::string_view where, RmResourceInfo* out) {
  Children c;
  MUSTER_RETURN_IF_ERROR(Collect(node, where, kAssignmentSlots, false, &c));
  if (c[kAsQuantity].empty()) return Status::Ok();
  std::string qw = Path(where, "Quantity");
  Children q;
  MUSTER_RETURN_IF_ERROR(Collect(c[kAsQuantity][0], qw, kQuantitySlots, false, &q));
  for (size_t k = 0; k < q[kQtText].size(); ++k) {
    MUSTER_RETURN_IF_ERROR(ReadText(q[kQtText][k], Indexed(qw, "QuantityText", k)).status());
  }
  if (q[kQtMeasured].empty()) {
    out->has_quantity_text_only = !q[kQtText].empty();
    return Status::Ok();
  }
  std::string mw = Path(qw, "MeasuredQuantity");
  Children m;
  MUSTER_RETURN_IF_ERROR(Collect(q[kQtMeasured][0], mw, kMeasuredSlots, true, &m));
  RmQuantity quantity;
  MUSTER_ASSIGN_OR_RETURN(quantity.amount_text, ReadToken(m[kMqAmount][0], Path(mw, "Amount")));
  if (!ParseAmount(quantity.amount_text, &quantity.amount)) {
    return RefuseValue("INVALID_QUANTITY", Path(mw, "Amount"), quantity.amount_text,
                       "must be a decimal number (e.g. 4 or 2.5)");
  }
  if (!m[kMqUnit].empty()) {
    MUSTER_ASSIGN_OR_RETURN(quantity.unit, ReadValueList(m[kMqUnit][0], Path(mw, "UnitOfMeasure")));
  }
  out->quantity = std::move(quantity);
  return Status::Ok();
}

enum ScheduleSlot : size_t { kScType, kScDateTime, kScLocation };
constexpr Slot kScheduleSlots[] = {{"ScheduleType", 1, 1}, {"DateTime", 0, 1}, {"Location", 0, 1}};
static_assert(std::size(kScheduleSlots) == kScLocation + 1);

// Location: LocationDescription is read; its other children (xAL addresses, GML areas) are kept
// verbatim and not checked.
Result<std::string> ReadLocation(pugi::xml_node node, std::string_view where) {
  std::string description;
  bool seen = false;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      if (!IsAllXmlSpace(child.value())) {
        return RefuseValue("INVALID_CONTENT", where, child.value(),
                           "text is not allowed between the child elements of <Location>");
      }
      continue;
    }
    if (child.type() != pugi::node_element) continue;
    if (SplitName(child.name()).local == "LocationDescription" &&
        IsRmNamespace(NamespaceOf(child))) {
      if (seen) {
        return Refuse("DUPLICATE_ELEMENT", where, "<LocationDescription> appears more than once");
      }
      seen = true;
      MUSTER_ASSIGN_OR_RETURN(description, ReadText(child, Path(where, "LocationDescription")));
    }
  }
  return description;
}

Result<RmSchedule> ReadSchedule(pugi::xml_node node, std::string_view where) {
  Children c;
  MUSTER_RETURN_IF_ERROR(Collect(node, where, kScheduleSlots, true, &c));
  RmSchedule s;
  MUSTER_ASSIGN_OR_RETURN(s.type,
                          ReadEnum(c[kScType][0], Path(where, "ScheduleType"), kScheduleTypes));
  if (!c[kScDateTime].empty()) {
    MUSTER_ASSIGN_OR_RETURN(RmDateTime t, ReadDate(c[kScDateTime][0], Path(where, "DateTime")));
    s.date_time = std::move(t);
  }
  if (!c[kScLocation].empty()) {
    MUSTER_ASSIGN_OR_RETURN(s.location, ReadLocation(c[kScLocation][0], Path(where, "Location")));
  }
  return s;
}

enum InfoSlot : size_t { kRiElementId, kRiResponse, kRiResource, kRiAssignment, kRiSchedule };
constexpr Slot kInfoSlots[] = {{"ResourceInfoElementID", 1, 1},
                               {"ResponseInformation", 0, 1},
                               {"Resource", 0, 1},
                               {"AssignmentInformation", 0, 1},
                               {"ScheduleInformation", 0, kUnbounded}};
static_assert(std::size(kInfoSlots) == kRiSchedule + 1);

Result<RmResourceInfo> ReadResourceInfo(pugi::xml_node node, std::string_view where) {
  Children c;
  MUSTER_RETURN_IF_ERROR(Collect(node, where, kInfoSlots, true, &c));
  RmResourceInfo r;
  MUSTER_ASSIGN_OR_RETURN(r.element_id,
                          ReadId(c[kRiElementId][0], Path(where, "ResourceInfoElementID")));
  if (!c[kRiResponse].empty()) {
    MUSTER_ASSIGN_OR_RETURN(RmResponse response,
                            ReadResponse(c[kRiResponse][0], Path(where, "ResponseInformation")));
    r.response = std::move(response);
  }
  if (!c[kRiResource].empty()) {
    MUSTER_RETURN_IF_ERROR(ReadResource(c[kRiResource][0], Path(where, "Resource"), &r));
  }
  if (!c[kRiAssignment].empty()) {
    MUSTER_RETURN_IF_ERROR(
        ReadAssignment(c[kRiAssignment][0], Path(where, "AssignmentInformation"), &r));
  }
  for (size_t k = 0; k < c[kRiSchedule].size(); ++k) {
    MUSTER_ASSIGN_OR_RETURN(
        RmSchedule s, ReadSchedule(c[kRiSchedule][k], Indexed(where, "ScheduleInformation", k)));
    r.schedules.push_back(std::move(s));
  }
  return r;
}

enum IncidentSlot : size_t { kInDescription, kInId };
constexpr Slot kIncidentSlots[] = {{"IncidentDescription", 0, 1}, {"IncidentID", 0, 1}};
static_assert(std::size(kIncidentSlots) == kInId + 1);

enum ContactSlot : size_t { kCoDescription, kCoRole };
constexpr Slot kContactSlots[] = {{"ContactDescription", 0, 1},
                                  {"ContactRole", 0, 1},
                                  {"Radio", 0, kUnbounded},
                                  {"ContactLocation", 0, 1},
                                  {"AdditionalContactInformation", 0, 1}};

enum MessageSlot : size_t {
  kMsgId,
  kMsgSent,
  kMsgContentType,
  kMsgDescription,
  kMsgOriginating,
  kMsgPreceding,
  kMsgIncident,
  kMsgFunding,
  kMsgContact,
  kMsgResource
};
constexpr Slot kMessageSlots[] = {{"MessageID", 1, 1},
                                  {"SentDateTime", 1, 1},
                                  {"MessageContentType", 1, 1},
                                  {"MessageDescription", 0, 1},
                                  {"OriginatingMessageID", 1, 1},
                                  {"PrecedingMessageID", 0, 1},
                                  {"IncidentInformation", 0, kUnbounded},
                                  {"Funding", 0, kUnbounded},
                                  {"ContactInformation", 1, kUnbounded},
                                  {"ResourceInformation", 0, kUnbounded}};
static_assert(std::size(kMessageSlots) == kMsgResource + 1);

bool NeedsPreceding(RmType t) {
  switch (t) {
    case RmType::kResponseToRequestResource:
    case RmType::kCommitResource:
    case RmType::kResponseToRequestInformation:
    case RmType::kResponseToRequestReturn:
    case RmType::kResponseToRequestQuote:
    case RmType::kResponseToRequestExtendedDeploymentDuration:
      return true;
    default:
      return false;
  }
}

bool IsResponse(RmType t) {
  return t == RmType::kResponseToRequestResource || t == RmType::kCommitResource;
}

// The conditional rules of standards.md §2.4 that Muster relies on.
Status CheckConditions(const RmMessage& m) {
  if (m.preceding_id == m.message_id) {
    return Refuse("INVALID_THREADING", "PrecedingMessageID",
                  "'" + m.preceding_id + "' is this message's own MessageID");
  }
  if (m.type == RmType::kRequestResource && m.originating_id != m.message_id) {
    return Refuse("INVALID_THREADING", "OriginatingMessageID",
                  "'" + m.originating_id +
                      "': a RequestResource starts a thread, so its "
                      "OriginatingMessageID is its own MessageID '" +
                      m.message_id + "'");
  }
  if (NeedsPreceding(m.type) && m.preceding_id.empty()) {
    return Refuse("MISSING_REQUIRED_ELEMENT", "PrecedingMessageID",
                  "a " + std::string(RmTypeName(m.type)) +
                      " names the message it answers in PrecedingMessageID");
  }
  std::vector<std::string_view> ids;
  for (size_t k = 0; k < m.resources.size(); ++k) {
    const RmResourceInfo& r = m.resources[k];
    std::string where = Indexed("", "ResourceInformation", k);
    if (std::find(ids.begin(), ids.end(), r.element_id) != ids.end()) {
      return RefuseValue("DUPLICATE_ELEMENT_ID", Path(where, "ResourceInfoElementID"), r.element_id,
                         "appears in more than one ResourceInformation");
    }
    ids.push_back(r.element_id);
    if (IsResponse(m.type) && !r.response) {
      return Refuse("MISSING_REQUIRED_ELEMENT", where,
                    "required element <ResponseInformation> is missing (every ResourceInformation "
                    "of a " +
                        std::string(RmTypeName(m.type)) + " answers an earlier one)");
    }
    bool accepting = IsResponse(m.type) && r.response && r.response->type != "Decline";
    bool needs_resource = m.type == RmType::kRequestResource ||
                          m.type == RmType::kReleaseResource ||
                          m.type == RmType::kRequisitionResource ||
                          m.type == RmType::kOfferUnsolicitedResource || accepting;
    if (needs_resource && !r.has_resource) {
      return Refuse("MISSING_REQUIRED_ELEMENT", where,
                    "required element <Resource> is missing in a " +
                        std::string(RmTypeName(m.type)) +
                        (accepting ? " that accepts (" + r.response->type + ")" : std::string()));
    }
    bool needs_quantity =
        m.type == RmType::kReleaseResource || m.type == RmType::kRequisitionResource || accepting;
    if (needs_quantity && !r.quantity && !r.has_quantity_text_only) {
      return Refuse("MISSING_REQUIRED_ELEMENT", Path(where, "AssignmentInformation"),
                    "required element <Quantity> is missing in a " +
                        std::string(RmTypeName(m.type)) +
                        (accepting ? " that accepts (" + r.response->type + ")" : std::string()));
    }
  }
  return Status::Ok();
}

Status ReadMessage(pugi::xml_node root, RmType type, RmMessage* m) {
  Children c;
  MUSTER_RETURN_IF_ERROR(Collect(root, "", kMessageSlots, true, &c));
  m->type = type;
  MUSTER_ASSIGN_OR_RETURN(m->message_id, ReadId(c[kMsgId][0], "MessageID"));
  MUSTER_ASSIGN_OR_RETURN(m->sent, ReadDate(c[kMsgSent][0], "SentDateTime"));
  MUSTER_ASSIGN_OR_RETURN(std::string content_type,
                          ReadToken(c[kMsgContentType][0], "MessageContentType"));
  if (content_type != RmTypeName(type)) {
    return RefuseValue(
        "CONTENT_TYPE_MISMATCH", "MessageContentType", content_type,
        "must name the message type of the root element, " + std::string(RmTypeName(type)));
  }
  MUSTER_ASSIGN_OR_RETURN(m->description,
                          ReadOptionalText(c[kMsgDescription], "MessageDescription"));
  MUSTER_ASSIGN_OR_RETURN(m->originating_id, ReadId(c[kMsgOriginating][0], "OriginatingMessageID"));
  if (!c[kMsgPreceding].empty()) {
    if (type == RmType::kRequestResource || type == RmType::kOfferUnsolicitedResource) {
      return Refuse(
          "NOT_APPLICABLE_ELEMENT", "PrecedingMessageID",
          "a " + std::string(RmTypeName(type)) + " starts a thread; no message precedes it");
    }
    MUSTER_ASSIGN_OR_RETURN(m->preceding_id, ReadId(c[kMsgPreceding][0], "PrecedingMessageID"));
  }
  for (size_t k = 0; k < c[kMsgIncident].size(); ++k) {
    std::string where = Indexed("", "IncidentInformation", k);
    Children in;
    MUSTER_RETURN_IF_ERROR(Collect(c[kMsgIncident][k], where, kIncidentSlots, true, &in));
    MUSTER_RETURN_IF_ERROR(
        ReadOptionalText(in[kInDescription], Path(where, "IncidentDescription")).status());
    if (!in[kInId].empty()) {
      MUSTER_ASSIGN_OR_RETURN(std::string id, ReadToken(in[kInId][0], Path(where, "IncidentID")));
      if (k == 0) m->incident_id = std::move(id);
    }
  }
  for (size_t k = 0; k < c[kMsgContact].size(); ++k) {
    std::string where = Indexed("", "ContactInformation", k);
    Children co;
    MUSTER_RETURN_IF_ERROR(Collect(c[kMsgContact][k], where, kContactSlots, false, &co));
    RmContact contact;
    MUSTER_ASSIGN_OR_RETURN(
        contact.description,
        ReadOptionalText(co[kCoDescription], Path(where, "ContactDescription")));
    if (!co[kCoRole].empty()) {
      MUSTER_ASSIGN_OR_RETURN(contact.role, ReadToken(co[kCoRole][0], Path(where, "ContactRole")));
    }
    m->contacts.push_back(std::move(contact));
  }
  for (size_t k = 0; k < c[kMsgResource].size(); ++k) {
    MUSTER_ASSIGN_OR_RETURN(
        RmResourceInfo r,
        ReadResourceInfo(c[kMsgResource][k], Indexed("", "ResourceInformation", k)));
    m->resources.push_back(std::move(r));
  }
  return CheckConditions(*m);
}

Result<RmMessage> Parse(std::string_view xml) {
  pugi::xml_document doc;
  MUSTER_ASSIGN_OR_RETURN(pugi::xml_node root,
                          cap::internal::LoadSafeXml(xml,
                                                     {.max_bytes = kMaxDocumentBytes,
                                                      .max_depth = 48,
                                                      .max_attributes = 32,
                                                      .too_many_attributes_code = "MALFORMED_XML",
                                                      .allow_prolog_stylesheet = false},
                                                     &doc));
  std::string_view ns = NamespaceOf(root);
  std::string_view local = SplitName(root.name()).local;
  if (ns != kRmMsgNamespace) {
    return Refuse("UNKNOWN_NAMESPACE", DisplayName(root),
                  "namespace '" + std::string(ns) + "' is not EDXL-RM 1.0 (" +
                      std::string(kRmMsgNamespace) + ")");
  }
  std::optional<RmType> type = RmTypeByName(local);
  if (!type) {
    return Refuse("UNKNOWN_MESSAGE_TYPE", DisplayName(root),
                  "'" + std::string(local) + "' is not one of the 16 EDXL-RM 1.0 message types");
  }
  RmMessage m;
  MUSTER_RETURN_IF_ERROR(ReadMessage(root, *type, &m));
  return m;
}

}  // namespace

Result<RmMessage> ParseRm(std::string_view xml) {
  try {
    return Parse(xml);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("MALFORMED_XML: document: ") + e.what());
  }
}

std::string_view RmReasonCode(const Status& status) {
  if (status.ok()) return {};
  std::string_view m = status.message();
  size_t colon = m.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (size_t i = 0; i < colon; ++i) {
    char c = m[i];
    if (!((c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9'))) return {};
  }
  return m.substr(0, colon);
}

}  // namespace muster::edxl
