// Alerts: CAP checks, reference rules for update, cancel, ack and error, and the alert records.
// Validate and Apply share one decision (Decide).
#include "broker/kinds/alert_plugin.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "adapters/cap/cap_validate.h"
#include "broker/kinds/guarded_call.h"
#include "broker/kinds/parties.h"
#include "broker/kinds/result_table.h"
#include "broker/kinds/state_record.h"
#include "broker/kinds/step_labels.h"
#include "schemas/alert.capnp.h"
#include "schemas/state.capnp.h"

namespace muster::kinds {
namespace {

using schema::Alert;
using MsgType = Alert::MsgType;

constexpr std::string_view kKind = "alert";

struct AlertRecord {
  uint64_t seq = 0;
  std::string sender;
  std::string sender_org;
  std::string identifier;
  MsgType msg_type = MsgType::UNSET;
  std::vector<uint64_t> references;
  bool cancelled = false;
  uint64_t updated_by_seq = 0;
  std::string incident;
  schema::Classification classification = schema::Classification::PUBLIC;
  uint64_t cancelled_by_seq = 0;
  schema::MessageStatus status = schema::MessageStatus::ACTUAL;
  std::string cap_sender;
  std::string sent;
  std::string event;
  std::string headline;
  Alert::Severity severity = Alert::Severity::UNSET;
  Alert::Urgency urgency = Alert::Urgency::UNSET;
  int64_t received_ms = 0;
  int64_t expires_ms = 0;
};

std::string_view MsgTypeName(MsgType t) {
  switch (t) {
    case MsgType::ALERT:
      return "Alert";
    case MsgType::UPDATE:
      return "Update";
    case MsgType::CANCEL:
      return "Cancel";
    case MsgType::ACK:
      return "Ack";
    case MsgType::ERROR:
      return "Error";
    case MsgType::UNSET:
      break;
  }
  return "unset";
}

std::string_view SeverityName(Alert::Severity s) {
  switch (s) {
    case Alert::Severity::EXTREME:
      return "Extreme";
    case Alert::Severity::SEVERE:
      return "Severe";
    case Alert::Severity::MODERATE:
      return "Moderate";
    case Alert::Severity::MINOR:
      return "Minor";
    case Alert::Severity::UNKNOWN:
      return "Unknown";
    case Alert::Severity::UNSET:
      break;
  }
  return "";
}

std::string_view UrgencyName(Alert::Urgency u) {
  switch (u) {
    case Alert::Urgency::IMMEDIATE:
      return "Immediate";
    case Alert::Urgency::EXPECTED:
      return "Expected";
    case Alert::Urgency::FUTURE:
      return "Future";
    case Alert::Urgency::PAST:
      return "Past";
    case Alert::Urgency::UNKNOWN:
      return "Unknown";
    case Alert::Urgency::UNSET:
      break;
  }
  return "";
}

// The CAP status that corresponds to an envelope status.
Alert::CapStatus CapStatusFor(schema::MessageStatus s) {
  switch (s) {
    case schema::MessageStatus::ACTUAL:
      return Alert::CapStatus::ACTUAL;
    case schema::MessageStatus::EXERCISE:
      return Alert::CapStatus::EXERCISE;
    case schema::MessageStatus::TEST:
      return Alert::CapStatus::TEST;
    case schema::MessageStatus::SYSTEM:
      return Alert::CapStatus::SYSTEM;
  }
  return Alert::CapStatus::UNSET;
}

std::string_view CapStatusName(Alert::CapStatus s) {
  switch (s) {
    case Alert::CapStatus::ACTUAL:
      return "Actual";
    case Alert::CapStatus::EXERCISE:
      return "Exercise";
    case Alert::CapStatus::SYSTEM:
      return "System";
    case Alert::CapStatus::TEST:
      return "Test";
    case Alert::CapStatus::DRAFT:
      return "Draft";
    case Alert::CapStatus::UNSET:
      break;
  }
  return "unset";
}

std::string_view StateName(const AlertRecord& r) {
  if (r.cancelled) return "cancelled";
  if (r.updated_by_seq != 0) return "updated";
  return "active";
}

// --- Record codec
// ---------------------------------------------------------------------------------

std::string Encode(const AlertRecord& a) {
  capnp::MallocMessageBuilder m;
  auto r = m.initRoot<schema::AlertState>();
  r.setSeq(a.seq);
  r.setSender(a.sender);
  r.setSenderOrg(a.sender_org);
  r.setIdentifier(a.identifier);
  r.setMsgType(a.msg_type);
  auto refs = r.initReferences(static_cast<unsigned>(a.references.size()));
  for (size_t i = 0; i < a.references.size(); ++i)
    refs.set(static_cast<unsigned>(i), a.references[i]);
  r.setCancelled(a.cancelled);
  r.setUpdatedBySeq(a.updated_by_seq);
  r.setIncident(a.incident);
  r.setClassification(a.classification);
  r.setCancelledBySeq(a.cancelled_by_seq);
  r.setStatus(a.status);
  r.setCapSender(a.cap_sender);
  r.setSent(a.sent);
  r.setEvent(a.event);
  r.setHeadline(a.headline);
  r.setSeverity(a.severity);
  r.setUrgency(a.urgency);
  r.setReceivedMillis(a.received_ms);
  r.setExpiresMillis(a.expires_ms);
  return EncodeRecord(r.asReader());
}

Result<AlertRecord> Decode(std::string_view bytes, std::string_view id) {
  MUSTER_ASSIGN_OR_RETURN(auto decoded, DecodeRecord(bytes, "alert record " + std::string(id)));
  auto r = decoded->Get<schema::AlertState>();
  AlertRecord a;
  a.seq = r.getSeq();
  a.sender = r.getSender();
  a.sender_org = r.getSenderOrg();
  a.identifier = r.getIdentifier();
  a.msg_type = r.getMsgType();
  for (uint64_t ref : r.getReferences()) a.references.push_back(ref);
  a.cancelled = r.getCancelled();
  a.updated_by_seq = r.getUpdatedBySeq();
  a.incident = r.getIncident();
  a.classification = r.getClassification();
  a.cancelled_by_seq = r.getCancelledBySeq();
  a.status = r.getStatus();
  a.cap_sender = r.getCapSender();
  a.sent = r.getSent();
  a.event = r.getEvent();
  a.headline = r.getHeadline();
  a.severity = r.getSeverity();
  a.urgency = r.getUrgency();
  a.received_ms = r.getReceivedMillis();
  a.expires_ms = r.getExpiresMillis();
  return a;
}

Result<std::optional<AlertRecord>> Load(const StateView& state, uint64_t seq) {
  std::string id = std::to_string(seq);
  MUSTER_ASSIGN_OR_RETURN(std::optional<std::string> bytes, state.Get(kKind, id));
  if (!bytes) return std::optional<AlertRecord>();
  MUSTER_ASSIGN_OR_RETURN(AlertRecord a, Decode(*bytes, id));
  return std::optional<AlertRecord>(std::move(a));
}

// Whether CAP references (sender,identifier,sent triples) name this CAP sender and identifier.
bool CapReferencesName(std::string_view refs, std::string_view sender,
                       std::string_view identifier) {
  size_t i = 0;
  while (i < refs.size()) {
    while (i < refs.size() &&
           (refs[i] == ' ' || refs[i] == '\t' || refs[i] == '\n' || refs[i] == '\r'))
      ++i;
    size_t start = i;
    while (i < refs.size() &&
           !(refs[i] == ' ' || refs[i] == '\t' || refs[i] == '\n' || refs[i] == '\r'))
      ++i;
    std::string_view token = refs.substr(start, i - start);
    size_t c1 = token.find(',');
    size_t c2 = c1 == std::string_view::npos ? c1 : token.find(',', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    if (token.substr(0, c1) == sender && token.substr(c1 + 1, c2 - c1 - 1) == identifier)
      return true;
  }
  return false;
}

// --- Decision
// -------------------------------------------------------------------------------------

struct Plan {
  AlertRecord record;
  std::vector<AlertRecord> originals;  // changed originals (update, cancel)
  std::vector<std::string> extra_recipients;
  std::string summary;
};

Result<Plan> Decide(schema::Envelope::Reader envelope, const MessageContext& context,
                    const StateView& state) {
  if (envelope.getBody().which() != schema::Envelope::Body::ALERT) {
    return Status::InvalidArgument("body: not an alert");
  }
  Alert::Reader alert = envelope.getBody().getAlert();
  MUSTER_RETURN_IF_ERROR(cap::ValidateAlert(alert));

  if (alert.getStatus() == Alert::CapStatus::DRAFT) {
    return Status::InvalidArgument(
        "status: CAP status Draft is not accepted by the broker (drafts are not exchanged); "
        "send it as Test or Exercise");
  }
  if (alert.getStatus() != CapStatusFor(envelope.getStatus())) {
    return Status::InvalidArgument(
        "status: the CAP status " + std::string(CapStatusName(alert.getStatus())) +
        " disagrees with the envelope status " + std::string(StatusName(envelope.getStatus())) +
        "; they must be the same");
  }

  MsgType type = alert.getMsgType();
  std::string type_name(MsgTypeName(type));
  bool changes = type == MsgType::UPDATE || type == MsgType::CANCEL;
  bool answers = type == MsgType::ACK || type == MsgType::ERROR;
  std::vector<uint64_t> refs;
  for (uint64_t seq : envelope.getReferences()) {
    if (std::find(refs.begin(), refs.end(), seq) == refs.end()) refs.push_back(seq);
  }
  if ((changes || answers) && refs.empty()) {
    return Status::InvalidArgument("references: msgType " + type_name +
                                   " must name the seq of the earlier alert in the envelope's "
                                   "references");
  }

  Plan plan;
  RecipientSet extra(context.publisher.principal);
  std::string verb = type == MsgType::UPDATE ? "update" : type == MsgType::CANCEL ? "cancel" : "";
  for (uint64_t seq : refs) {
    std::optional<AlertRecord> original;
    if (seq != 0 && seq < context.seq) {
      MUSTER_ASSIGN_OR_RETURN(original, Load(state, seq));
    }
    if (!original)
      return Status::NotFound("references: alert " + std::to_string(seq) + " not found");
    if (!changes && !answers) continue;
    std::string name = "alert " + std::to_string(seq);
    if (original->status != envelope.getStatus()) {
      return Status::InvalidArgument("references: " + name + " is " +
                                     std::string(StatusName(original->status)) +
                                     " traffic; a message referring to it must be " +
                                     std::string(StatusName(original->status)) + " too");
    }
    if (!CapReferencesName(alert.getReferences().cStr(), original->cap_sender,
                           original->identifier)) {
      return Status::InvalidArgument("references: the CAP references do not name " + name + " (" +
                                     original->cap_sender + "," + original->identifier + "," +
                                     original->sent + ")");
    }
    MUSTER_ASSIGN_OR_RETURN(std::vector<std::string> recipients, state.RecipientsOf(seq));
    if (changes) {
      if (context.publisher.org != original->sender_org) {
        return Status::PermissionDenied("only organisation " + original->sender_org +
                                        " (the sender of " + name + ") may " + verb + " it");
      }
      if (original->msg_type != MsgType::ALERT && original->msg_type != MsgType::UPDATE) {
        return Status::FailedPrecondition(name + " is " +
                                          std::string(MsgTypeName(original->msg_type)) +
                                          ": only Alert and Update messages can be " +
                                          (type == MsgType::UPDATE ? "updated" : "cancelled"));
      }
      if (original->cancelled) {
        return Status::FailedPrecondition(name + " was cancelled by " +
                                          std::to_string(original->cancelled_by_seq) +
                                          (type == MsgType::UPDATE ? "; it can no longer be updated"
                                                                   : "; it is already cancelled"));
      }
      if (type == MsgType::UPDATE) {
        original->updated_by_seq = context.seq;
      } else {
        original->cancelled = true;
        original->cancelled_by_seq = context.seq;
      }
      plan.originals.push_back(*original);
      extra.AddAll(recipients);
      extra.Add(original->sender);
    } else {
      bool received = std::find(recipients.begin(), recipients.end(),
                                context.publisher.principal) != recipients.end();
      if (!received && context.publisher.org != original->sender_org) {
        return Status::PermissionDenied("only the recipients of " + name + " may answer it with " +
                                        type_name);
      }
      extra.Add(original->sender);
    }
  }

  AlertRecord& r = plan.record;
  r.seq = context.seq;
  r.sender = context.publisher.principal;
  r.sender_org = context.publisher.org;
  r.identifier = alert.getIdentifier();
  r.msg_type = type;
  r.references = refs;
  r.incident = envelope.getIncident();
  r.classification = envelope.getClassification();
  r.status = envelope.getStatus();
  r.cap_sender = alert.getSender();
  r.sent = alert.getSent();
  if (alert.getInfos().size() > 0) {
    auto info = alert.getInfos()[0];
    r.event = info.getEvent();
    r.headline = info.getHeadline();
    r.severity = info.getSeverity();
    r.urgency = info.getUrgency();
  }
  r.received_ms = context.now_ms;
  r.expires_ms = envelope.getExpiresMillis();
  plan.extra_recipients = extra.Take();
  plan.summary = "alert " + std::to_string(r.seq) + " (" + type_name + ")";
  if (!refs.empty()) {
    plan.summary += " referring to";
    for (uint64_t seq : refs) plan.summary += " " + std::to_string(seq);
  }
  return plan;
}

// --- Query
// ----------------------------------------------------------------------------------------

Result<bool> Sees(const AlertRecord& a, const Viewer& v, const StateView& state) {
  if (v.principal == a.sender) return true;
  if (SeesByRole(v, ClearanceFor(a.classification))) return true;
  MUSTER_ASSIGN_OR_RETURN(std::vector<std::string> recipients, state.RecipientsOf(a.seq));
  return std::find(recipients.begin(), recipients.end(), v.principal) != recipients.end();
}

std::vector<std::string> Columns() {
  return {"seq",      "state",   "type",       "status",     "sender",       "org",
          "incident", "event",   "headline",   "severity",   "urgency",      "sent",
          "received", "expires", "references", "updated_by", "cancelled_by", "classification",
          "identifier", "cap_sender"};
}

std::vector<std::string> Cells(const AlertRecord& a) {
  std::string refs;
  for (uint64_t seq : a.references) refs += (refs.empty() ? "" : " ") + std::to_string(seq);
  auto seq_or_empty = [](uint64_t seq) { return seq == 0 ? std::string() : std::to_string(seq); };
  return {std::to_string(a.seq),
          std::string(StateName(a)),
          std::string(MsgTypeName(a.msg_type)),
          std::string(StatusName(a.status)),
          a.sender,
          a.sender_org,
          a.incident,
          a.event,
          a.headline,
          std::string(SeverityName(a.severity)),
          std::string(UrgencyName(a.urgency)),
          a.sent,
          TimeCell(a.received_ms),
          TimeCell(a.expires_ms),
          refs,
          seq_or_empty(a.updated_by_seq),
          seq_or_empty(a.cancelled_by_seq),
          std::string(ClassificationName(a.classification)),
          a.identifier,
          a.cap_sender};
}

Status Show(std::string_view id, const Viewer& viewer, const StateView& state,
            schema::Table::Builder out) {
  std::optional<AlertRecord> a;
  // The same form as object ids: decimal digits, no leading zero.
  std::optional<uint64_t> seq = SeqOfObjectId(id, "");
  if (seq) {
    MUSTER_ASSIGN_OR_RETURN(a, Load(state, *seq));
  }
  bool visible = false;
  if (a) {
    MUSTER_ASSIGN_OR_RETURN(visible, Sees(*a, viewer, state));
  }
  if (!visible) return Status::NotFound("no alert " + std::string(id));
  ResultTable table(Columns());
  table.AddRow(Cells(*a));
  table.WriteTo(out);
  return Status::Ok();
}

Status List(std::string_view incident, std::string_view state_filter, const Viewer& viewer,
            const StateView& state, schema::Table::Builder out) {
  if (!state_filter.empty() && state_filter != "active" && state_filter != "updated" &&
      state_filter != "cancelled") {
    return Status::InvalidArgument("state: unknown alert state '" + std::string(state_filter) +
                                   "'; use active, updated or cancelled");
  }
  ResultTable table(Columns());
  Status inner;
  Status listed = state.List(kKind, incident, [&](std::string_view id, std::string_view record) {
    auto a = Decode(record, id);
    if (!a.ok()) {
      inner = a.status();
      return false;
    }
    if (!state_filter.empty() && StateName(*a) != state_filter) return true;
    auto visible = Sees(*a, viewer, state);
    if (!visible.ok()) {
      inner = visible.status();
      return false;
    }
    if (*visible) table.AddRow(Cells(*a));
    return true;
  });
  MUSTER_RETURN_IF_ERROR(listed);
  MUSTER_RETURN_IF_ERROR(inner);
  table.WriteTo(out);
  return Status::Ok();
}


}  // namespace

Status AlertPlugin::Validate(schema::Envelope::Reader envelope, const MessageContext& context,
                             const StateView& state) const {
  return GuardedCall(name(), [&]() -> Status {
    return Decide(envelope, context, state).status();
  });
}

Result<Effect> AlertPlugin::Apply(schema::Envelope::Reader envelope, const MessageContext& context,
                                  const StateView& state) const {
  return GuardedCall(name(), [&]() -> Result<Effect> {
    MUSTER_ASSIGN_OR_RETURN(Plan plan, Decide(envelope, context, state));
    Effect effect;
    effect.object_id = std::to_string(plan.record.seq);
    effect.writes.push_back(
        StateWrite{effect.object_id, Encode(plan.record), plan.record.incident});
    for (const AlertRecord& original : plan.originals) {
      effect.writes.push_back(
          StateWrite{std::to_string(original.seq), Encode(original), original.incident});
    }
    effect.extra_recipients = std::move(plan.extra_recipients);
    effect.summary = std::move(plan.summary);
    return effect;
  });
}

Status AlertPlugin::Query(schema::WorkflowQuery::Reader query, const Viewer& viewer,
                          const StateView& state, schema::Table::Builder table) const {
  return GuardedCall(name(), [&]() -> Status {
    if (query.getId().size() != 0) return Show(query.getId().cStr(), viewer, state, table);
    return List(query.getIncident().cStr(), query.getState().cStr(), viewer, state, table);
  });
}

}  // namespace muster::kinds
