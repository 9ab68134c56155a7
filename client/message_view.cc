// Rendering of deliveries as text and JSON.
#include "client/message_view.h"

#include <capnp/compat/json.h>

#include "client/cli_common.h"
#include "common/time_text.h"

namespace muster::cli {
namespace {

template <typename Reader>
nlohmann::ordered_json ToJson(Reader reader) {
  capnp::JsonCodec codec;
  kj::String text = codec.encode(reader);
  return nlohmann::ordered_json::parse(text.cStr(), nullptr, /*allow_exceptions=*/false);
}

const char* CapName(schema::Alert::Severity s) {
  switch (s) {
    case schema::Alert::Severity::EXTREME: return "Extreme";
    case schema::Alert::Severity::SEVERE: return "Severe";
    case schema::Alert::Severity::MODERATE: return "Moderate";
    case schema::Alert::Severity::MINOR: return "Minor";
    default: return "Unknown";
  }
}
const char* CapName(schema::Alert::Urgency u) {
  switch (u) {
    case schema::Alert::Urgency::IMMEDIATE: return "Immediate";
    case schema::Alert::Urgency::EXPECTED: return "Expected";
    case schema::Alert::Urgency::FUTURE: return "Future";
    case schema::Alert::Urgency::PAST: return "Past";
    default: return "Unknown";
  }
}
const char* CapName(schema::Alert::Certainty c) {
  switch (c) {
    case schema::Alert::Certainty::OBSERVED: return "Observed";
    case schema::Alert::Certainty::LIKELY: return "Likely";
    case schema::Alert::Certainty::POSSIBLE: return "Possible";
    case schema::Alert::Certainty::UNLIKELY: return "Unlikely";
    default: return "Unknown";
  }
}

std::string Indent(const std::string& text) {
  std::string out = "   ";
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out += "   ";
  }
  return out;
}

}  // namespace

std::string KindName(schema::Envelope::Reader e) {
  switch (e.getBody().which()) {
    case schema::Envelope::Body::ALERT: return "alert";
    case schema::Envelope::Body::LIAISON: return "liaison";
    case schema::Envelope::Body::EQUIPMENT: return "equipment";
    default: return "none";
  }
}

std::string StatusName(schema::MessageStatus s) {
  switch (s) {
    case schema::MessageStatus::ACTUAL: return "actual";
    case schema::MessageStatus::EXERCISE: return "exercise";
    case schema::MessageStatus::TEST: return "test";
    case schema::MessageStatus::SYSTEM: return "system";
  }
  return "actual";
}

std::string PrecedenceName(schema::Precedence p) {
  switch (p) {
    case schema::Precedence::FLASH: return "flash";
    case schema::Precedence::IMMEDIATE: return "immediate";
    case schema::Precedence::PRIORITY: return "priority";
    case schema::Precedence::ROUTINE: return "routine";
  }
  return "routine";
}

std::string ClassificationName(schema::Classification c) { return client::ClearanceText(c); }

nlohmann::ordered_json BodyJson(schema::Envelope::Reader e) {
  switch (e.getBody().which()) {
    case schema::Envelope::Body::ALERT: return ToJson(e.getBody().getAlert());
    case schema::Envelope::Body::LIAISON: return ToJson(e.getBody().getLiaison());
    case schema::Envelope::Body::EQUIPMENT: return ToJson(e.getBody().getEquipment());
    default: return nullptr;
  }
}

nlohmann::ordered_json DeliveryJson(schema::Deliver::Reader d) {
  auto e = d.getEnvelope();
  nlohmann::ordered_json j;
  j["seq"] = d.getSeq();
  j["sender"] = e.getSender().cStr();
  j["org"] = e.getSenderOrg().cStr();
  j["kind"] = KindName(e);
  j["status"] = StatusName(e.getStatus());
  j["classification"] = ClassificationName(e.getClassification());
  j["precedence"] = PrecedenceName(e.getPrecedence());
  j["incident"] = e.getIncident().cStr();
  j["client_message_id"] = e.getClientMessageId().cStr();
  j["sent"] = FormatInstant(e.getSent().getUnixMillis(), e.getSent().getUtcOffsetMinutes());
  j["received"] = FormatInstant(e.getReceivedMillis(), 0);
  j["expires"] = e.getExpiresMillis() ? nlohmann::ordered_json(FormatInstant(e.getExpiresMillis(), 0)) : nlohmann::ordered_json();
  j["ack_deadline"] =
      e.getAckDeadlineMillis() ? nlohmann::ordered_json(FormatInstant(e.getAckDeadlineMillis(), 0)) : nlohmann::ordered_json();
  auto refs = nlohmann::ordered_json::array();
  for (auto r : e.getReferences()) refs.push_back(r);
  j["references"] = refs;
  j["matched_term"] = d.getMatchedTerm().cStr();
  j["redelivery"] = d.getRedeliveryCount();
  j["body"] = BodyJson(e);
  return j;
}

std::string DeliveryText(schema::Deliver::Reader d) {
  auto e = d.getEnvelope();
  std::string status = StatusName(e.getStatus());
  std::string out;
  bool drill = e.getStatus() != schema::MessageStatus::ACTUAL;
  std::string upper_status = status;
  for (auto& c : upper_status) c = static_cast<char>(std::toupper(c));
  if (drill) out += "*** " + upper_status + " — NOT A REAL EVENT ***\n";
  std::string kind = KindName(e);
  for (auto& c : kind) c = static_cast<char>(std::toupper(c));
  out += "#" + std::to_string(d.getSeq()) + "  " + kind + "  " + (drill ? "[" + upper_status + "]" : status) +
         "  " + ClassificationName(e.getClassification()) + "  " + PrecedenceName(e.getPrecedence()) +
         "  from " + std::string(e.getSender().cStr()) + " (" + e.getSenderOrg().cStr() + ")\n";
  out += "   sent " + LocalTime(e.getSent().getUnixMillis());
  if (e.getIncident().size() > 0) out += " · incident " + std::string(e.getIncident().cStr());
  if (d.getMatchedTerm().size() > 0) out += " · to you as " + std::string(d.getMatchedTerm().cStr());
  if (d.getRedeliveryCount() > 0) out += " · redelivery " + std::to_string(d.getRedeliveryCount());
  out += "\n";
  if (e.getExpiresMillis() != 0) out += "   expires " + LocalTime(e.getExpiresMillis()) + "\n";
  if (e.getAckDeadlineMillis() != 0) {
    out += "   ACKNOWLEDGE BY " + LocalTime(e.getAckDeadlineMillis()) + "  (muster ack " +
           std::to_string(d.getSeq()) + " --acknowledged)\n";
  }
  if (e.getBody().which() == schema::Envelope::Body::ALERT) {
    auto alert = e.getBody().getAlert();
    for (auto info : alert.getInfos()) {
      out += "   " + std::string(info.getEvent().cStr()) + "  [" + CapName(info.getSeverity()) + " / " +
             CapName(info.getUrgency()) + " / " + CapName(info.getCertainty()) + "]\n";
      if (info.getHeadline().size() > 0) out += "   " + std::string(info.getHeadline().cStr()) + "\n";
      if (info.getDescription().size() > 0) out += Indent(info.getDescription().cStr()) + "\n";
      if (info.getInstruction().size() > 0) out += "   Instruction: " + std::string(info.getInstruction().cStr()) + "\n";
      for (auto area : info.getAreas()) {
        out += "   Area: " + std::string(area.getAreaDesc().cStr());
        for (auto g : area.getGeocodes()) out += " [" + std::string(g.getName().cStr()) + " " + g.getValue().cStr() + "]";
        out += "\n";
      }
    }
  } else {
    out += "   " + BodyJson(e).dump() + "\n";
  }
  if (drill) out += "*** " + upper_status + " — NOT A REAL EVENT ***\n";
  return out;
}

}  // namespace muster::cli
