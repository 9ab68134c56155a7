// POST /v1/messages documents <-> envelopes.
#include "adapters/gateway/message_json.h"

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>
#include <kj/exception.h>

#include <map>
#include <set>

#include "adapters/cap/cap_validate.h"
#include "client/message_view.h"
#include "client/targets.h"
#include "common/time_text.h"
#include "security/sha256.h"

namespace muster::gateway {
namespace {

using nlohmann::json;

template <typename E>
Status Enum(const json& doc, const char* key, const std::map<std::string, E>& table, bool required,
            E* out) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(std::string(key) + ": required");
    return Status::Ok();
  }
  std::string choices;
  for (const auto& [name, value] : table) choices += (choices.empty() ? "" : ", ") + name;
  if (!it->is_string())
    return Status::InvalidArgument(std::string(key) + ": must be one of " + choices);
  auto found = table.find(it->get<std::string>());
  if (found == table.end()) {
    return Status::InvalidArgument(std::string(key) + ": '" + it->get<std::string>() +
                                   "' is not one of " + choices);
  }
  *out = found->second;
  return Status::Ok();
}

Status Text(const json& doc, const char* key, std::string* out) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Status::InvalidArgument(std::string(key) + ": must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

// An optional RFC 3339 instant; 0 when absent or null.
Status Time(const json& doc, const char* key, Instant* out) {
  std::string text;
  MUSTER_RETURN_IF_ERROR(Text(doc, key, &text));
  if (text.empty()) return Status::Ok();
  auto t = ParseInstant(text);
  if (!t.ok()) return Status::InvalidArgument(std::string(key) + ": " + t.status().message());
  *out = *t;
  return Status::Ok();
}

const std::map<std::string, schema::MessageStatus>& Statuses() {
  static const auto* const k = new std::map<std::string, schema::MessageStatus>{
      {"actual", schema::MessageStatus::ACTUAL},
      {"exercise", schema::MessageStatus::EXERCISE},
      {"test", schema::MessageStatus::TEST},
      {"system", schema::MessageStatus::SYSTEM}};
  return *k;
}

const std::map<std::string, schema::Classification>& Classifications() {
  static const auto* const k = new std::map<std::string, schema::Classification>{
      {"public", schema::Classification::PUBLIC},
      {"internal", schema::Classification::INTERNAL},
      {"restricted", schema::Classification::RESTRICTED},
      {"confidential", schema::Classification::CONFIDENTIAL}};
  return *k;
}

const std::map<std::string, schema::Precedence>& Precedences() {
  static const auto* const k =
      new std::map<std::string, schema::Precedence>{{"flash", schema::Precedence::FLASH},
                                                    {"immediate", schema::Precedence::IMMEDIATE},
                                                    {"priority", schema::Precedence::PRIORITY},
                                                    {"routine", schema::Precedence::ROUTINE}};
  return *k;
}

enum class Kind { kAlert, kLiaison, kEquipment };

const std::map<std::string, Kind>& Kinds() {
  static const auto* const k = new std::map<std::string, Kind>{
      {"alert", Kind::kAlert}, {"liaison", Kind::kLiaison}, {"equipment", Kind::kEquipment}};
  return *k;
}

schema::Alert::CapStatus CapStatusFor(schema::MessageStatus s) {
  switch (s) {
    case schema::MessageStatus::ACTUAL:
      return schema::Alert::CapStatus::ACTUAL;
    case schema::MessageStatus::EXERCISE:
      return schema::Alert::CapStatus::EXERCISE;
    case schema::MessageStatus::TEST:
      return schema::Alert::CapStatus::TEST;
    case schema::MessageStatus::SYSTEM:
      return schema::Alert::CapStatus::SYSTEM;
  }
  return schema::Alert::CapStatus::ACTUAL;
}

// The JSON codec's exception text ("expected …; Unknown field; field.getName() = colour") as a
// sentence for the agency.
std::string CodecReason(std::string text) {
  if (text.rfind("expected ", 0) == 0 && text.find("; ") != std::string::npos)
    text.erase(0, text.find("; ") + 2);
  const std::vector<std::pair<std::string, std::string>> kRewrites = {
      {"Unknown field; field.getName() = ", "unknown field '"},
      {"enum has no such enumerant; name = ", "no such enumerant '"},
      {"String does not contain valid number; s = ", "not a number: '"},
  };
  for (const auto& [from, to] : kRewrites) {
    if (text.rfind(from, 0) == 0) return to + text.substr(from.size()) + "'";
  }
  return text;
}

// Decodes `body` into `target` with Cap'n Proto's JSON codec, refusing unknown fields.
Status DecodeBody(const json& body, capnp::DynamicStruct::Builder target) {
  const std::string text = body.dump();
  try {
    capnp::JsonCodec codec;
    codec.setRejectUnknownFields(true);
    codec.setMaxNestingDepth(24);
    codec.decode(kj::ArrayPtr<const char>(text.data(), text.size()), target);
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("body: " + CodecReason(e.getDescription().cStr()) +
                                   " (the body is the " +
                                   target.getSchema().getShortDisplayName().cStr() +
                                   " struct of schemas/*.capnp in Cap'n Proto's JSON form)");
  }
  return Status::Ok();
}

// What `muster alert` fills in: only where the body left it empty.
void FillAlertDefaults(schema::Envelope::Reader envelope, const EnvelopeDefaults& d,
                       schema::Alert::Builder alert) {
  using A = schema::Alert;
  if (alert.getIdentifier().size() == 0)
    alert.setIdentifier(d.principal + "." + d.client_message_id);
  if (alert.getSender().size() == 0) alert.setSender(d.principal);
  if (alert.getSent().size() == 0) {
    alert.setSent(FormatInstant(envelope.getSent().getUnixMillis(),
                                envelope.getSent().getUtcOffsetMinutes(),
                                /*cap_utc=*/true));
  }
  if (alert.getStatus() == A::CapStatus::UNSET) alert.setStatus(CapStatusFor(envelope.getStatus()));
  if (alert.getMsgType() == A::MsgType::UNSET) alert.setMsgType(A::MsgType::ALERT);
  if (alert.getScope() == A::Scope::UNSET) {
    alert.setScope(A::Scope::RESTRICTED);
    if (alert.getRestriction().size() == 0)
      alert.setRestriction(cli::ClassificationName(envelope.getClassification()));
  }
  if (alert.getIncidents().size() == 0 && envelope.getIncident().size() > 0)
    alert.setIncidents(envelope.getIncident());
  if (envelope.getExpiresMillis() != 0) {
    for (auto info : alert.getInfos()) {
      if (info.getExpires().size() == 0) {
        info.setExpires(FormatInstant(envelope.getExpiresMillis(),
                                      envelope.getSent().getUtcOffsetMinutes(), true));
      }
    }
  }
}

json::array_t ToList(capnp::List<capnp::Text>::Reader list, const std::string& prefix) {
  json::array_t out;
  for (auto t : list) out.push_back(prefix + std::string(t.cStr()));
  return out;
}

}  // namespace

Result<nlohmann::json> ParseJsonObject(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument("the document nests deeper than " +
                                       std::to_string(max_depth) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("the body is not JSON (RFC 8259)");
  if (!doc.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  return doc;
}

Status FillEnvelopeFromJson(const json& doc, const EnvelopeDefaults& d,
                            schema::Envelope::Builder e) {
  if (!doc.is_object()) return Status::InvalidArgument("the document must be a JSON object");
  static const std::set<std::string> kFields = {
      "kind", "to",      "status", "classification", "precedence", "incident",
      "sent", "expires", "ack_by", "references",     "body"};
  for (const auto& [key, value] : doc.items()) {
    if (!kFields.count(key)) {
      return Status::InvalidArgument(
          "unknown field '" + key +
          "' (fields: kind, to, status, classification, precedence, incident, sent, "
          "expires, ack_by, references, body)");
    }
  }
  Kind kind = Kind::kAlert;
  auto status = schema::MessageStatus::ACTUAL;
  auto classification = schema::Classification::INTERNAL;
  auto precedence = schema::Precedence::ROUTINE;
  MUSTER_RETURN_IF_ERROR(Enum(doc, "kind", Kinds(), /*required=*/true, &kind));
  MUSTER_RETURN_IF_ERROR(Enum(doc, "status", Statuses(), /*required=*/true, &status));
  MUSTER_RETURN_IF_ERROR(Enum(doc, "classification", Classifications(), false, &classification));
  MUSTER_RETURN_IF_ERROR(Enum(doc, "precedence", Precedences(), false, &precedence));
  std::string incident;
  MUSTER_RETURN_IF_ERROR(Text(doc, "incident", &incident));
  Instant sent{d.now_ms, d.utc_offset_minutes}, expires, ack_by;
  MUSTER_RETURN_IF_ERROR(Time(doc, "sent", &sent));
  MUSTER_RETURN_IF_ERROR(Time(doc, "expires", &expires));
  MUSTER_RETURN_IF_ERROR(Time(doc, "ack_by", &ack_by));

  cli::Targets targets;
  if (auto to = doc.find("to"); to != doc.end() && !to->is_null()) {
    if (!to->is_array())
      return Status::InvalidArgument("to: must be a list of targets such as \"org:msd\"");
    std::vector<std::string> values;
    for (const auto& t : *to) {
      if (!t.is_string())
        return Status::InvalidArgument("to: every target is a string such as \"org:msd\"");
      std::string value = t.get<std::string>();
      if (value.find(',') != std::string::npos || value.empty()) {
        return Status::InvalidArgument("to: '" + value + "' is not one target (one per list item)");
      }
      values.push_back(value);
    }
    if (!values.empty()) {
      Status s = cli::ParseTargets(values, &targets);
      if (!s.ok()) return Status::InvalidArgument("to: " + s.message());
    }
  }
  std::vector<uint64_t> references;
  if (auto refs = doc.find("references"); refs != doc.end() && !refs->is_null()) {
    if (!refs->is_array())
      return Status::InvalidArgument("references: must be a list of broker seqs");
    for (const auto& r : *refs) {
      if (!r.is_number_unsigned() || r.get<uint64_t>() == 0) {
        return Status::InvalidArgument(
            "references: every item is a broker seq (a positive integer)");
      }
      references.push_back(r.get<uint64_t>());
    }
  }
  auto body = doc.find("body");
  if (body == doc.end() || !body->is_object()) {
    return Status::InvalidArgument("body: required, a JSON object (the " +
                                   doc.at("kind").get<std::string>() +
                                   " struct of schemas/*.capnp in Cap'n Proto's JSON form)");
  }

  e.setClientMessageId(d.client_message_id);
  e.getSent().setUnixMillis(sent.unix_millis);
  e.getSent().setUtcOffsetMinutes(static_cast<int16_t>(sent.utc_offset_minutes));
  e.setStatus(status);
  e.setPrecedence(precedence);
  e.setClassification(classification);
  e.setIncident(incident);
  e.setExpiresMillis(expires.unix_millis);
  e.setAckDeadlineMillis(ack_by.unix_millis);
  auto refs = e.initReferences(static_cast<unsigned>(references.size()));
  for (size_t i = 0; i < references.size(); ++i) refs.set(static_cast<unsigned>(i), references[i]);
  cli::FillAddressing(targets, e.initAddressing());
  switch (kind) {
    case Kind::kAlert: {
      auto alert = e.initBody().initAlert();
      MUSTER_RETURN_IF_ERROR(DecodeBody(*body, capnp::toDynamic(alert)));
      FillAlertDefaults(e.asReader(), d, alert);
      Status valid = cap::ValidateAlert(alert.asReader());
      if (!valid.ok()) return Status::InvalidArgument("body: " + valid.message());
      break;
    }
    case Kind::kLiaison:
      MUSTER_RETURN_IF_ERROR(DecodeBody(*body, capnp::toDynamic(e.initBody().initLiaison())));
      break;
    case Kind::kEquipment:
      MUSTER_RETURN_IF_ERROR(DecodeBody(*body, capnp::toDynamic(e.initBody().initEquipment())));
      break;
  }
  return Status::Ok();
}

nlohmann::ordered_json MessageJson(schema::Envelope::Reader e) {
  nlohmann::ordered_json j;
  j["kind"] = cli::KindName(e);
  json::array_t to;
  auto a = e.getAddressing();
  for (auto& part : {ToList(a.getPrincipals(), "principal:"), ToList(a.getOrganisations(), "org:"),
                     ToList(a.getSectors(), "sector:"), ToList(a.getRoles(), "role:"),
                     ToList(a.getAreas(), "area:")}) {
    to.insert(to.end(), part.begin(), part.end());
  }
  j["to"] = to;
  j["status"] = cli::StatusName(e.getStatus());
  j["classification"] = cli::ClassificationName(e.getClassification());
  j["precedence"] = cli::PrecedenceName(e.getPrecedence());
  j["incident"] = e.getIncident().cStr();
  j["sent"] = FormatInstant(e.getSent().getUnixMillis(), e.getSent().getUtcOffsetMinutes());
  j["expires"] = e.getExpiresMillis()
                     ? nlohmann::ordered_json(FormatInstant(e.getExpiresMillis(), 0))
                     : nullptr;
  j["ack_by"] = e.getAckDeadlineMillis()
                    ? nlohmann::ordered_json(FormatInstant(e.getAckDeadlineMillis(), 0))
                    : nullptr;
  json::array_t refs;
  for (uint64_t r : e.getReferences()) refs.push_back(r);
  j["references"] = refs;
  j["body"] = cli::BodyJson(e);
  return j;
}

std::string DocumentFingerprint(const json& document) {
  return security::ToHex(
      security::Sha256(document.dump(-1, ' ', false, json::error_handler_t::replace)));
}

}  // namespace muster::gateway
