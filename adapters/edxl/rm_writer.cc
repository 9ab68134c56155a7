// RmMessage -> EDXL-RM 1.0 XML through pugixml, which escapes text and attribute values.
#include "adapters/edxl/rm_writer.h"

#include <charconv>
#include <cstdint>
#include <pugixml.hpp>
#include <sstream>
#include <string_view>

#include "adapters/cap/internal/cap_lexical.h"
#include "common/time_text.h"

namespace muster::edxl {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// `text` with everything XML 1.0 cannot carry (bad UTF-8, control characters, U+FFFE/U+FFFF)
// replaced by U+FFFD, one per offending byte.
std::string XmlSafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t bad = 0;
  while (!cap::internal::IsXmlUtf8(text, &bad)) {
    out.append(text.substr(0, bad));
    out += kReplacement;
    text.remove_prefix(bad + 1);
  }
  out.append(text);
  return out;
}

std::string AmountText(const RmQuantity& q) {
  if (!q.amount_text.empty()) return q.amount_text;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), q.amount);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

std::string DateText(const RmDateTime& t) {
  if (!t.text.empty()) return t.text;
  return FormatInstant(t.unix_millis, t.utc_offset_minutes);
}

// Children in the message namespace (no prefix) and in the common types' namespace ("rm:").
pugi::xml_node Msg(pugi::xml_node parent, std::string_view name) {
  return parent.append_child(std::string(name).c_str());
}

pugi::xml_node Rm(pugi::xml_node parent, std::string_view name) {
  return parent.append_child(("rm:" + std::string(name)).c_str());
}

void SetText(pugi::xml_node node, std::string_view text) {
  node.append_child(pugi::node_pcdata).set_value(XmlSafe(text).c_str());
}

void MsgText(pugi::xml_node parent, std::string_view name, std::string_view text) {
  SetText(Msg(parent, name), text);
}

void RmText(pugi::xml_node parent, std::string_view name, std::string_view text) {
  SetText(Rm(parent, name), text);
}

void ValueList(pugi::xml_node node, const RmValue& v) {
  RmText(node, "ValueListURN", v.list_urn);
  RmText(node, "Value", v.value);
}

void WriteResourceInfo(pugi::xml_node parent, const RmResourceInfo& r) {
  pugi::xml_node info = Msg(parent, "ResourceInformation");
  MsgText(info, "ResourceInfoElementID", r.element_id);
  if (r.response) {
    pugi::xml_node response = Msg(info, "ResponseInformation");
    RmText(response, "PrecedingResourceInfoElementID", r.response->preceding_element_id);
    RmText(response, "ResponseType", r.response->type);
    if (!r.response->reason.empty()) RmText(response, "ResponseReason", r.response->reason);
  }
  bool has_type = !r.type.list_urn.empty() || !r.type.value.empty();
  if (r.has_resource || has_type || !r.description.empty() || !r.priority.empty() ||
      !r.step.empty()) {
    pugi::xml_node resource = Msg(info, "Resource");
    if (has_type) ValueList(Msg(resource, "TypeStructure"), r.type);
    if (!r.priority.empty()) ValueList(Msg(resource, "Keyword"), {std::string(kPriorityList), r.priority});
    if (!r.description.empty()) MsgText(resource, "Description", r.description);
    if (!r.step.empty()) {
      pugi::xml_node status = Msg(resource, "ResourceStatus");
      ValueList(Msg(status, "DeploymentStatus"), {std::string(kStepList), r.step});
    }
  }
  if (r.quantity) {
    pugi::xml_node measured = Rm(Msg(Msg(info, "AssignmentInformation"), "Quantity"), "MeasuredQuantity");
    RmText(measured, "Amount", AmountText(*r.quantity));
    if (!r.quantity->unit.list_urn.empty() || !r.quantity->unit.value.empty()) {
      ValueList(Rm(measured, "UnitOfMeasure"), r.quantity->unit);
    }
  }
  for (const RmSchedule& s : r.schedules) {
    pugi::xml_node schedule = Msg(info, "ScheduleInformation");
    MsgText(schedule, "ScheduleType", s.type);
    if (s.date_time) MsgText(schedule, "DateTime", DateText(*s.date_time));
    if (!s.location.empty()) RmText(Msg(schedule, "Location"), "LocationDescription", s.location);
  }
}

}  // namespace

std::string WriteRm(const RmMessage& m) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child(std::string(RmTypeName(m.type)).c_str());
  root.append_attribute("xmlns") = std::string(kRmMsgNamespace).c_str();
  root.append_attribute("xmlns:rm") = std::string(kRmNamespace).c_str();
  MsgText(root, "MessageID", m.message_id);
  MsgText(root, "SentDateTime", DateText(m.sent));
  MsgText(root, "MessageContentType", RmTypeName(m.type));
  if (!m.description.empty()) MsgText(root, "MessageDescription", m.description);
  MsgText(root, "OriginatingMessageID", m.originating_id);
  if (!m.preceding_id.empty()) MsgText(root, "PrecedingMessageID", m.preceding_id);
  if (!m.incident_id.empty()) RmText(Msg(root, "IncidentInformation"), "IncidentID", m.incident_id);
  if (m.contacts.empty()) {
    RmText(Msg(root, "ContactInformation"), "ContactRole", "Sender");
  }
  for (const RmContact& c : m.contacts) {
    pugi::xml_node contact = Msg(root, "ContactInformation");
    if (!c.description.empty()) RmText(contact, "ContactDescription", c.description);
    if (!c.role.empty()) RmText(contact, "ContactRole", c.role);
  }
  for (const RmResourceInfo& r : m.resources) WriteResourceInfo(root, r);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

}  // namespace muster::edxl
