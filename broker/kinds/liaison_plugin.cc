// The liaison assignment state machine. Validate and Apply share one decision (Decide), so a
// step that validates is exactly the step that is applied.
#include "broker/kinds/liaison_plugin.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "broker/kinds/guarded_call.h"
#include "broker/kinds/parties.h"
#include "broker/kinds/result_table.h"
#include "broker/kinds/state_record.h"
#include "broker/kinds/step_labels.h"
#include "schemas/liaison.capnp.h"
#include "schemas/state.capnp.h"

namespace muster::kinds {
namespace {

using schema::LiaisonAssignment;
using Action = LiaisonAssignment::Action;
using LState = schema::LiaisonState::State;

constexpr std::string_view kKind = "liaison";
constexpr std::string_view kPrefix = "L-";

struct Assignment {
  std::string id;
  LState state = LState::PROPOSED;
  std::string officer;
  std::string pending_officer;
  std::string proposer;
  std::string proposer_org;
  std::string from_org;
  std::string to_org;
  std::string incident;
  std::string post;
  int64_t until_ms = 0;
  bool has_location = false;
  double latitude = 0;
  double longitude = 0;
  std::vector<HistoryStep> history;
  LState state_before_handover = LState::PROPOSED;
  schema::Classification classification = schema::Classification::PUBLIC;
  uint64_t created_seq = 0;
  int64_t arrived_ms = 0;
  schema::MessageStatus status = schema::MessageStatus::ACTUAL;
};

std::string_view StateName(LState s) {
  switch (s) {
    case LState::PROPOSED:
      return "proposed";
    case LState::ACCEPTED:
      return "accepted";
    case LState::DECLINED:
      return "declined";
    case LState::ON_SITE:
      return "on-site";
    case LState::HANDOVER_PENDING:
      return "handover-pending";
    case LState::RELEASED:
      return "released";
  }
  return "unknown";
}

constexpr LState kAllStates[] = {LState::PROPOSED, LState::ACCEPTED,         LState::DECLINED,
                                 LState::ON_SITE,  LState::HANDOVER_PENDING, LState::RELEASED};

// Accepts the names above and the schema's spellings ("onSite", "handoverPending").
std::optional<LState> ParseState(std::string_view text) {
  for (LState s : kAllStates) {
    if (text == StateName(s)) return s;
  }
  if (text == "onSite") return LState::ON_SITE;
  if (text == "handoverPending") return LState::HANDOVER_PENDING;
  return std::nullopt;
}

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::PROPOSE:
      return "propose";
    case Action::ACCEPT:
      return "accept";
    case Action::DECLINE:
      return "decline";
    case Action::ARRIVE:
      return "arrive";
    case Action::HANDOVER:
      return "handover";
    case Action::RELEASE:
      return "release";
  }
  return {};
}

// The states each action (other than propose) is possible in, and how a refusal names them.
struct Legality {
  std::vector<LState> from;
  std::string_view from_text;
};

Legality LegalityOf(Action a) {
  switch (a) {
    case Action::ACCEPT:
    case Action::DECLINE:
      return {{LState::PROPOSED, LState::HANDOVER_PENDING}, "proposed or handover-pending"};
    case Action::ARRIVE:
      return {{LState::ACCEPTED}, "accepted"};
    case Action::HANDOVER:
      return {{LState::ACCEPTED, LState::ON_SITE}, "accepted or on-site"};
    case Action::RELEASE:
      return {{LState::PROPOSED, LState::ACCEPTED, LState::ON_SITE, LState::HANDOVER_PENDING},
              "proposed, accepted, on-site or handover-pending"};
    case Action::PROPOSE:
      break;
  }
  return {{}, ""};
}

// --- Record codec
// ---------------------------------------------------------------------------------

std::string Encode(const Assignment& a) {
  capnp::MallocMessageBuilder m;
  auto r = m.initRoot<schema::LiaisonState>();
  r.setId(a.id);
  r.setState(a.state);
  r.setOfficer(a.officer);
  r.setPendingOfficer(a.pending_officer);
  r.setProposer(a.proposer);
  r.setProposerOrg(a.proposer_org);
  r.setFromOrg(a.from_org);
  r.setToOrg(a.to_org);
  r.setIncident(a.incident);
  r.setPost(a.post);
  r.setUntilMillis(a.until_ms);
  auto loc = r.initLocation();
  loc.setPresent(a.has_location);
  loc.setLatitude(a.latitude);
  loc.setLongitude(a.longitude);
  WriteHistory(a.history, r.initHistory(static_cast<unsigned>(a.history.size())));
  r.setStateBeforeHandover(a.state_before_handover);
  r.setClassification(a.classification);
  r.setCreatedSeq(a.created_seq);
  r.setArrivedMillis(a.arrived_ms);
  r.setStatus(a.status);
  return EncodeRecord(r.asReader());
}

Result<Assignment> Decode(std::string_view bytes, std::string_view id) {
  MUSTER_ASSIGN_OR_RETURN(auto decoded, DecodeRecord(bytes, "liaison record " + std::string(id)));
  auto r = decoded->Get<schema::LiaisonState>();
  Assignment a;
  a.id = r.getId();
  a.state = r.getState();
  a.officer = r.getOfficer();
  a.pending_officer = r.getPendingOfficer();
  a.proposer = r.getProposer();
  a.proposer_org = r.getProposerOrg();
  a.from_org = r.getFromOrg();
  a.to_org = r.getToOrg();
  a.incident = r.getIncident();
  a.post = r.getPost();
  a.until_ms = r.getUntilMillis();
  a.has_location = r.getLocation().getPresent();
  a.latitude = r.getLocation().getLatitude();
  a.longitude = r.getLocation().getLongitude();
  a.history = ReadHistory(r.getHistory());
  a.state_before_handover = r.getStateBeforeHandover();
  a.classification = r.getClassification();
  a.created_seq = r.getCreatedSeq();
  a.arrived_ms = r.getArrivedMillis();
  a.status = r.getStatus();
  return a;
}

Result<std::optional<Assignment>> Load(const StateView& state, std::string_view id) {
  MUSTER_ASSIGN_OR_RETURN(std::optional<std::string> bytes, state.Get(kKind, id));
  if (!bytes) return std::optional<Assignment>();
  MUSTER_ASSIGN_OR_RETURN(Assignment a, Decode(*bytes, id));
  return std::optional<Assignment>(std::move(a));
}

// --- Decision
// -------------------------------------------------------------------------------------

struct Step {
  Assignment before;  // empty id on propose
  Assignment after;
  std::string summary;
};

std::string Location(double lat, double lon) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6f,%.6f", lat, lon);
  return buf;
}

Status CheckLocation(LiaisonAssignment::GeoPoint::Reader p) {
  if (!p.getPresent()) return Status::Ok();
  double lat = p.getLatitude();
  double lon = p.getLongitude();
  if (!std::isfinite(lat) || lat < -90 || lat > 90) {
    return Status::InvalidArgument("location: latitude must be within -90..90");
  }
  if (!std::isfinite(lon) || lon < -180 || lon > 180) {
    return Status::InvalidArgument("location: longitude must be within -180..180");
  }
  return Status::Ok();
}

void Record(Assignment* a, const MessageContext& context, std::string action, std::string note) {
  a->history.push_back(HistoryStep{context.seq, std::move(action), context.publisher.principal,
                                   context.now_ms, std::move(note),
                                   std::string(StateName(a->state))});
}

Result<Step> Propose(schema::Envelope::Reader envelope, LiaisonAssignment::Reader body,
                     const MessageContext& context) {
  const security::Policy& policy = *context.policy;
  if (body.getAssignmentId().size() != 0) {
    return Status::InvalidArgument(
        "assignmentId: must be empty on propose; the broker names the assignment L-<seq>");
  }
  std::string officer_id = body.getOfficer();
  std::string to_org = body.getToOrg();
  if (officer_id.empty()) {
    return Status::InvalidArgument("officer: propose needs the officer's principal id");
  }
  if (to_org.empty()) {
    return Status::InvalidArgument(
        "toOrg: propose needs the organisation the officer is assigned to");
  }
  if (envelope.getIncident().size() == 0) {
    return Status::InvalidArgument("incident: a liaison assignment needs an incident id");
  }
  if (body.getUntilMillis() < 0 ||
      (body.getUntilMillis() > 0 && body.getUntilMillis() <= context.now_ms)) {
    return Status::InvalidArgument("untilMillis: the end of the assignment lies in the past");
  }
  const security::Principal* officer = policy.FindPrincipal(officer_id);
  if (officer == nullptr) return Status::NotFound("officer: no principal '" + officer_id + "'");
  if (policy.FindOrganisation(to_org) == nullptr) {
    return Status::NotFound("toOrg: no organisation '" + to_org + "'");
  }
  if (officer->role != kRoleOfficer) {
    return Status::InvalidArgument("officer: " + officer_id + " has role " + officer->role +
                                   ", not officer");
  }
  if (officer->revoked) return Status::InvalidArgument("officer: " + officer_id + " is revoked");
  if (officer->org == to_org) {
    return Status::InvalidArgument("toOrg: " + officer_id + " already belongs to " + to_org +
                                   "; a liaison is assigned to another organisation");
  }
  const Publisher& p = context.publisher;
  bool own_org = p.org == officer->org && (p.principal == officer_id || p.role == kRoleAdapter ||
                                           p.role == kRoleDutyOfficer);
  if (!own_org && !ActsForGovernment(context)) {
    return Status::PermissionDenied(
        "only the officer's organisation " + officer->org +
        " (its adapters and duty officers, or " + officer_id +
        " itself) or the bureau (a government-sector organisation) may propose an "
        "assignment of " +
        officer_id);
  }
  Step step;
  Assignment& a = step.after;
  a.id = ObjectId(kPrefix, context.seq);
  a.state = LState::PROPOSED;
  a.officer = officer_id;
  a.proposer = p.principal;
  a.proposer_org = p.org;
  a.from_org = officer->org;
  a.to_org = to_org;
  a.incident = envelope.getIncident();
  a.post = body.getPost();
  a.until_ms = body.getUntilMillis();
  a.classification = envelope.getClassification();
  a.status = envelope.getStatus();
  a.created_seq = context.seq;
  std::string note = officer_id + " of " + a.from_org + " to " + to_org;
  if (!a.post.empty()) note += ", post " + a.post;
  if (a.until_ms != 0) note += ", until " + TimeCell(a.until_ms);
  Record(&a, context, "propose", JoinNote(note, body.getNote().cStr()));
  step.summary = a.id + " proposed: " + officer_id + " (" + a.from_org + ") to " + to_org +
                 " for incident " + a.incident;
  return step;
}

Result<Step> Decide(schema::Envelope::Reader envelope, const MessageContext& context,
                    const StateView& state) {
  if (envelope.getBody().which() != schema::Envelope::Body::LIAISON) {
    return Status::InvalidArgument("body: not a liaison assignment");
  }
  if (context.policy == nullptr)
    return Status::Internal("liaison: no policy in the message context");
  auto body = envelope.getBody().getLiaison();
  Action action = body.getAction();
  if (ActionName(action).empty()) {
    return Status::InvalidArgument("action: unknown liaison action " +
                                   std::to_string(static_cast<unsigned>(action)));
  }
  if (action == Action::PROPOSE) return Propose(envelope, body, context);

  std::string action_name(ActionName(action));
  std::string id = body.getAssignmentId();
  if (id.empty()) {
    return Status::InvalidArgument("assignmentId: " + action_name +
                                   " needs the id of the assignment (L-<seq>)");
  }
  if (action == Action::DECLINE && body.getReason().size() == 0) {
    return Status::InvalidArgument("reason: decline needs a reason");
  }
  if (action == Action::HANDOVER && body.getHandoverTo().size() == 0) {
    return Status::InvalidArgument("handoverTo: handover needs the incoming officer");
  }
  if (action == Action::ARRIVE) MUSTER_RETURN_IF_ERROR(CheckLocation(body.getLocation()));

  std::optional<Assignment> loaded;
  if (SeqOfObjectId(id, kPrefix)) {
    MUSTER_ASSIGN_OR_RETURN(loaded, Load(state, id));
  }
  if (!loaded) return Status::NotFound("no liaison assignment " + id);
  if (envelope.getIncident().size() != 0 && loaded->incident != envelope.getIncident().cStr()) {
    return Status::InvalidArgument("incident: assignment " + id + " belongs to incident " +
                                   loaded->incident + ", not " + envelope.getIncident().cStr());
  }
  MUSTER_RETURN_IF_ERROR(
      CheckStepLabels(envelope, "assignment " + id, loaded->status, loaded->classification));

  Step step;
  step.before = *loaded;
  Assignment& a = step.after;
  a = *loaded;
  const std::string& who = context.publisher.principal;

  Legality legal = LegalityOf(action);
  if (std::find(legal.from.begin(), legal.from.end(), a.state) == legal.from.end()) {
    return Status::FailedPrecondition("assignment " + id + " is " +
                                      std::string(StateName(a.state)) + ": " + action_name +
                                      " is only possible when " + std::string(legal.from_text));
  }
  std::string note(body.getNote().cStr());
  std::string history_action = action_name;
  switch (action) {
    case Action::ACCEPT:
    case Action::DECLINE: {
      bool handover = a.state == LState::HANDOVER_PENDING;
      const std::string& party = handover ? a.pending_officer : a.officer;
      if (who != party) {
        return Status::PermissionDenied(
            "only the " + std::string(handover ? "incoming officer " : "officer ") + party +
            " may " + action_name + " assignment " + id +
            (handover ? " (handover from " + a.officer + " pending)" : std::string()));
      }
      if (action == Action::ACCEPT) {
        if (handover) {
          history_action = "accept (handover)";
          note = JoinNote("takes over from " + a.officer, note);
          a.officer = a.pending_officer;
          a.pending_officer.clear();
          a.has_location = false;
          a.arrived_ms = 0;
        }
        a.state = LState::ACCEPTED;
      } else {
        note = JoinNote(body.getReason().cStr(), note);
        if (handover) {
          history_action = "decline (handover)";
          note = JoinNote(note, "stays with " + a.officer);
          a.pending_officer.clear();
          a.state = a.state_before_handover;
        } else {
          a.state = LState::DECLINED;
        }
      }
      break;
    }
    case Action::ARRIVE: {
      if (who != a.officer) {
        return Status::PermissionDenied("only the officer " + a.officer +
                                        " may report arrival on assignment " + id);
      }
      auto loc = body.getLocation();
      if (loc.getPresent()) {
        a.has_location = true;
        a.latitude = loc.getLatitude();
        a.longitude = loc.getLongitude();
        note = JoinNote("at " + Location(a.latitude, a.longitude), note);
      }
      a.arrived_ms = context.now_ms;
      a.state = LState::ON_SITE;
      break;
    }
    case Action::HANDOVER: {
      if (who != a.officer && who != a.proposer) {
        return Status::PermissionDenied("only the officer " + a.officer + " or the proposer " +
                                        a.proposer + " may hand over assignment " + id);
      }
      std::string to = body.getHandoverTo();
      const security::Principal* next = context.policy->FindPrincipal(to);
      if (next == nullptr) return Status::NotFound("handoverTo: no principal '" + to + "'");
      if (next->role != kRoleOfficer) {
        return Status::InvalidArgument("handoverTo: " + to + " has role " + next->role +
                                       ", not officer");
      }
      if (next->org != a.from_org) {
        return Status::InvalidArgument("handoverTo: " + to + " belongs to " + next->org +
                                       "; the incoming officer must be of " + a.from_org);
      }
      if (next->revoked) return Status::InvalidArgument("handoverTo: " + to + " is revoked");
      if (to == a.officer) {
        return Status::InvalidArgument("handoverTo: " + to + " already holds assignment " + id);
      }
      a.state_before_handover = a.state;
      a.pending_officer = to;
      a.state = LState::HANDOVER_PENDING;
      note = JoinNote("to " + to, note);
      break;
    }
    case Action::RELEASE: {
      if (who != a.proposer && !ActsForGovernment(context)) {
        return Status::PermissionDenied("only the proposer " + a.proposer +
                                        " or the bureau (a government-sector organisation) may "
                                        "release assignment " +
                                        id);
      }
      note = JoinNote(body.getReason().cStr(), note);
      a.pending_officer.clear();
      a.state = LState::RELEASED;
      break;
    }
    case Action::PROPOSE:
      break;
  }
  Record(&a, context, history_action, note);
  step.summary = id + ": " + history_action + " by " + who + ", now " +
                 std::string(StateName(a.state)) + " (was " +
                 std::string(StateName(step.before.state)) + ")";
  return step;
}

Result<Effect> MakeEffect(const Step& step, const MessageContext& context) {
  Effect effect;
  const Assignment& a = step.after;
  effect.writes.push_back(StateWrite{a.id, Encode(a), a.incident});
  RecipientSet recipients(context.publisher.principal);
  recipients.Add(step.before.officer);
  recipients.Add(step.before.pending_officer);
  recipients.Add(a.officer);
  recipients.Add(a.pending_officer);
  recipients.Add(a.proposer);
  recipients.AddAll(PrincipalsOf(*context.policy, a.to_org, {kRoleDutyOfficer, kRoleAdapter}));
  effect.extra_recipients = recipients.Take();
  effect.object_id = a.id;
  effect.summary = step.summary;
  return effect;
}

// --- Query
// ----------------------------------------------------------------------------------------

bool Sees(const Assignment& a, const Viewer& v) {
  const std::string& me = v.principal;
  if (me == a.officer || me == a.pending_officer || me == a.proposer) return true;
  for (const auto& h : a.history) {
    if (h.by == me) return true;
  }
  security::Clearance needed = ClearanceFor(a.classification);
  if ((v.org == a.from_org || v.org == a.to_org || v.org == a.proposer_org) &&
      v.clearance >= needed) {
    return true;
  }
  return SeesByRole(v, needed);
}

std::vector<std::string> ObjectColumns() {
  return {"id",       "state",    "officer", "pending_officer", "from_org",
          "to_org",   "incident", "post",    "until",           "proposer",
          "location", "arrived",  "updated", "status",          "classification"};
}

std::vector<std::string> ObjectCells(const Assignment& a) {
  return {a.id,
          std::string(StateName(a.state)),
          a.officer,
          a.pending_officer,
          a.from_org,
          a.to_org,
          a.incident,
          a.post,
          TimeCell(a.until_ms),
          a.proposer,
          a.has_location ? Location(a.latitude, a.longitude) : std::string(),
          TimeCell(a.arrived_ms),
          a.history.empty() ? std::string() : TimeCell(a.history.back().at_ms),
          std::string(StatusName(a.status)),
          std::string(ClassificationName(a.classification))};
}

Status Show(std::string_view id, const Viewer& viewer, const StateView& state,
            schema::Table::Builder out) {
  std::optional<Assignment> a;
  if (SeqOfObjectId(id, kPrefix)) {
    MUSTER_ASSIGN_OR_RETURN(a, Load(state, id));
  }
  if (!a || !Sees(*a, viewer)) return Status::NotFound("no liaison assignment " + std::string(id));
  std::vector<std::string> columns = ObjectColumns();
  for (const char* c : {"history.seq", "history.action", "history.by", "history.at",
                        "history.state", "history.note"}) {
    columns.push_back(c);
  }
  ResultTable table(columns);
  for (const auto& h : a->history) {
    std::vector<std::string> cells = ObjectCells(*a);
    for (std::string cell :
         {std::to_string(h.seq), h.action, h.by, TimeCell(h.at_ms), h.state, h.note}) {
      cells.push_back(std::move(cell));
    }
    table.AddRow(std::move(cells));
  }
  table.WriteTo(out);
  return Status::Ok();
}

Status List(std::string_view incident, std::string_view state_filter, const Viewer& viewer,
            const StateView& state, schema::Table::Builder out) {
  std::optional<LState> wanted;
  if (!state_filter.empty()) {
    wanted = ParseState(state_filter);
    if (!wanted) {
      return Status::InvalidArgument("state: unknown assignment state '" +
                                     std::string(state_filter) +
                                     "'; use proposed, accepted, declined, on-site, "
                                     "handover-pending or released");
    }
  }
  ResultTable table(ObjectColumns());
  Status inner;
  Status listed = state.List(kKind, incident, [&](std::string_view id, std::string_view record) {
    if (!SeqOfObjectId(id, kPrefix)) return true;
    auto a = Decode(record, id);
    if (!a.ok()) {
      inner = a.status();
      return false;
    }
    if (wanted && a->state != *wanted) return true;
    if (!Sees(*a, viewer)) return true;
    table.AddRow(ObjectCells(*a));
    return true;
  });
  MUSTER_RETURN_IF_ERROR(listed);
  MUSTER_RETURN_IF_ERROR(inner);
  table.WriteTo(out);
  return Status::Ok();
}


}  // namespace

Status LiaisonPlugin::Validate(schema::Envelope::Reader envelope, const MessageContext& context,
                               const StateView& state) const {
  return GuardedCall(name(), [&]() -> Status {
    return Decide(envelope, context, state).status();
  });
}

Result<Effect> LiaisonPlugin::Apply(schema::Envelope::Reader envelope,
                                    const MessageContext& context, const StateView& state) const {
  return GuardedCall(name(), [&]() -> Result<Effect> {
    MUSTER_ASSIGN_OR_RETURN(Step step, Decide(envelope, context, state));
    return MakeEffect(step, context);
  });
}

Status LiaisonPlugin::Query(schema::WorkflowQuery::Reader query, const Viewer& viewer,
                            const StateView& state, schema::Table::Builder table) const {
  return GuardedCall(name(), [&]() -> Status {
    if (query.getId().size() != 0) return Show(query.getId().cStr(), viewer, state, table);
    return List(query.getIncident().cStr(), query.getState().cStr(), viewer, state, table);
  });
}

}  // namespace muster::kinds
