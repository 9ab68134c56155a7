// LiaisonPlugin: every transition of the assignment state machine from every state, made by
// every kind of party (a transition table: state x action x actor -> ok with the new state,
// FailedPrecondition or PermissionDenied), then propose, handover targets, recipients and
// queries.
#include "broker/kinds/liaison_plugin.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "broker/kinds/test_world.h"
#include "schemas/state.capnp.h"

namespace muster::kinds {
namespace {

using Action = schema::LiaisonAssignment::Action;
using LState = schema::LiaisonState::State;
using Body = schema::LiaisonAssignment::Builder;

// The assignment every test starts from: msd's duty officer proposes liaison-1 (msd) to the
// fire brigade for incident INC-1. It is always L-1.
constexpr char kId[] = "L-1";

Published Propose(TestWorld& w, const std::string& who = "msd-duty",
                  const std::function<void(Body)>& more = nullptr,
                  const std::string& incident = "INC-1") {
  return w.Publish(who, [&](schema::Envelope::Builder e) {
    e.setIncident(incident);
    auto l = e.initBody().initLiaison();
    l.setAction(Action::PROPOSE);
    l.setOfficer("liaison-1");
    l.setToOrg("fire-1");
    l.setPost("forward command post");
    if (more) more(l);
  });
}

// One step on an assignment; decline carries a reason and handover names liaison-2 unless
// `more` says otherwise.
Published Step(TestWorld& w, const std::string& who, Action action,
               const std::function<void(Body)>& more = nullptr, const std::string& id = kId) {
  return w.Publish(who, [&](schema::Envelope::Builder e) {
    auto l = e.initBody().initLiaison();
    l.setAction(action);
    l.setAssignmentId(id);
    if (action == Action::DECLINE) l.setReason("not available");
    if (action == Action::HANDOVER) l.setHandoverTo("liaison-2");
    if (more) more(l);
  });
}

LState StateOf(TestWorld& w, const std::string& id = kId) {
  auto r = w.Record("liaison", id);
  return r ? r->Get<schema::LiaisonState>().getState() : LState::PROPOSED;
}

std::string Name(LState s) {
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
  return "?";
}

std::string Name(Action a) {
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
  return "?";
}

// Brings L-1 into `target` by legal steps.
void Drive(TestWorld& w, LState target) {
  auto must = [](const Published& p) { ASSERT_TRUE(p.ok()) << p.status.ToString(); };
  must(Propose(w));
  switch (target) {
    case LState::PROPOSED:
      break;
    case LState::DECLINED:
      must(Step(w, "liaison-1", Action::DECLINE));
      break;
    case LState::ACCEPTED:
      must(Step(w, "liaison-1", Action::ACCEPT));
      break;
    case LState::ON_SITE:
      must(Step(w, "liaison-1", Action::ACCEPT));
      must(Step(w, "liaison-1", Action::ARRIVE));
      break;
    case LState::HANDOVER_PENDING:
      must(Step(w, "liaison-1", Action::ACCEPT));
      must(Step(w, "liaison-1", Action::ARRIVE));
      must(Step(w, "liaison-1", Action::HANDOVER));
      break;
    case LState::RELEASED:
      must(Step(w, "liaison-1", Action::ACCEPT));
      must(Step(w, "msd-duty", Action::RELEASE));
      break;
  }
  ASSERT_EQ(StateOf(w), target);
}

// The parties, by what they are to L-1.
const std::map<std::string, std::string>& Actors() {
  static const auto* kActors = new std::map<std::string, std::string>{
      {"officer", "liaison-1"},        // the assigned officer
      {"incoming", "liaison-2"},       // the handover target (another msd officer elsewhere)
      {"proposer", "msd-duty"},        // msd's duty officer, who proposed
      {"officer_org_adapter", "msd"},  // msd's system: neither officer nor proposer
      {"bureau", "duty"},              // the bureau's duty officer (government sector)
      {"bureau_command", "command"},   // the bureau's command system (government sector)
      {"bureau_admin", "admin"},       // an admin of the bureau: no workflow role
      {"to_org_duty", "fire-duty"},    // the receiving organisation's duty officer
      {"stranger", "rescue-1"},        // a party with nothing to do with it
      {"auditor", "auditor"},
  };
  return *kActors;
}

// The transition table. `who` lists the actors that may make the step; an empty list means the
// action is not possible in that state for anyone (FailedPrecondition). Any actor not listed gets
// PermissionDenied and the state stays.
struct Row {
  LState from;
  Action action;
  std::vector<std::string> who;
  LState to;
};

const std::vector<Row>& Table() {
  using A = Action;
  using S = LState;
  const std::vector<std::string> kReleasers = {"proposer", "bureau", "bureau_command"};
  // clang-format off
  static const auto* kTable = new std::vector<Row>{
      // from               action       who may                   to
      {S::PROPOSED,         A::ACCEPT,   {"officer"},              S::ACCEPTED},
      {S::PROPOSED,         A::DECLINE,  {"officer"},              S::DECLINED},
      {S::PROPOSED,         A::ARRIVE,   {},                       S::PROPOSED},
      {S::PROPOSED,         A::HANDOVER, {},                       S::PROPOSED},
      {S::PROPOSED,         A::RELEASE,  kReleasers,               S::RELEASED},

      {S::ACCEPTED,         A::ACCEPT,   {},                       S::ACCEPTED},
      {S::ACCEPTED,         A::DECLINE,  {},                       S::ACCEPTED},
      {S::ACCEPTED,         A::ARRIVE,   {"officer"},              S::ON_SITE},
      {S::ACCEPTED,         A::HANDOVER, {"officer", "proposer"},  S::HANDOVER_PENDING},
      {S::ACCEPTED,         A::RELEASE,  kReleasers,               S::RELEASED},

      {S::DECLINED,         A::ACCEPT,   {},                       S::DECLINED},
      {S::DECLINED,         A::DECLINE,  {},                       S::DECLINED},
      {S::DECLINED,         A::ARRIVE,   {},                       S::DECLINED},
      {S::DECLINED,         A::HANDOVER, {},                       S::DECLINED},
      {S::DECLINED,         A::RELEASE,  {},                       S::DECLINED},

      {S::ON_SITE,          A::ACCEPT,   {},                       S::ON_SITE},
      {S::ON_SITE,          A::DECLINE,  {},                       S::ON_SITE},
      {S::ON_SITE,          A::ARRIVE,   {},                       S::ON_SITE},
      {S::ON_SITE,          A::HANDOVER, {"officer", "proposer"},  S::HANDOVER_PENDING},
      {S::ON_SITE,          A::RELEASE,  kReleasers,               S::RELEASED},

      {S::HANDOVER_PENDING, A::ACCEPT,   {"incoming"},             S::ACCEPTED},
      {S::HANDOVER_PENDING, A::DECLINE,  {"incoming"},             S::ON_SITE},
      {S::HANDOVER_PENDING, A::ARRIVE,   {},                       S::HANDOVER_PENDING},
      {S::HANDOVER_PENDING, A::HANDOVER, {},                       S::HANDOVER_PENDING},
      {S::HANDOVER_PENDING, A::RELEASE,  kReleasers,               S::RELEASED},

      {S::RELEASED,         A::ACCEPT,   {},                       S::RELEASED},
      {S::RELEASED,         A::DECLINE,  {},                       S::RELEASED},
      {S::RELEASED,         A::ARRIVE,   {},                       S::RELEASED},
      {S::RELEASED,         A::HANDOVER, {},                       S::RELEASED},
      {S::RELEASED,         A::RELEASE,  {},                       S::RELEASED},
  };
  // clang-format on
  return *kTable;
}

struct Case {
  Row row;
  std::string actor;
};

std::vector<Case> AllCases() {
  std::vector<Case> out;
  for (const Row& row : Table()) {
    for (const auto& [actor, principal] : Actors()) out.push_back(Case{row, actor});
  }
  return out;
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << Name(c.row.from) << " " << Name(c.row.action) << " by " << c.actor;
}

std::string CaseName(const testing::TestParamInfo<Case>& info) {
  std::string name =
      Name(info.param.row.from) + "_" + Name(info.param.row.action) + "_by_" + info.param.actor;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

class LiaisonTransition : public testing::TestWithParam<Case> {};

TEST_P(LiaisonTransition, FollowsTheTable) {
  const Case& c = GetParam();
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Drive(w, c.row.from));
  size_t history_before = w.Record("liaison", kId)->Get<schema::LiaisonState>().getHistory().size();
  std::string principal = Actors().at(c.actor);

  Published p = Step(w, principal, c.row.action);

  bool legal = !c.row.who.empty();
  bool allowed = std::find(c.row.who.begin(), c.row.who.end(), c.actor) != c.row.who.end();
  if (!legal) {
    EXPECT_EQ(p.status.code(), StatusCode::kFailedPrecondition) << p.status.ToString();
    std::string expected = "assignment L-1 is " + Name(c.row.from) + ": " + Name(c.row.action) +
                           " is only possible when ";
    EXPECT_EQ(p.status.message().substr(0, expected.size()), expected) << p.status.message();
    EXPECT_EQ(StateOf(w), c.row.from);
  } else if (!allowed) {
    EXPECT_EQ(p.status.code(), StatusCode::kPermissionDenied) << p.status.ToString();
    EXPECT_EQ(p.status.message().substr(0, 9), "only the ") << p.status.message();
    EXPECT_NE(p.status.message().find("assignment L-1"), std::string::npos) << p.status.message();
    EXPECT_EQ(StateOf(w), c.row.from);
  } else {
    ASSERT_TRUE(p.ok()) << p.status.ToString();
    EXPECT_EQ(StateOf(w), c.row.to);
    EXPECT_EQ(p.effect.object_id, kId);
    auto record = w.Record("liaison", kId);
    auto history = record->Get<schema::LiaisonState>().getHistory();
    ASSERT_EQ(history.size(), history_before + 1);
    EXPECT_EQ(history[history.size() - 1].getBy().cStr(), principal);
    EXPECT_EQ(history[history.size() - 1].getState().cStr(), Name(c.row.to));
    EXPECT_EQ(history[history.size() - 1].getSeq(), p.seq);
  }
}

INSTANTIATE_TEST_SUITE_P(StateActionActor, LiaisonTransition, testing::ValuesIn(AllCases()),
                         CaseName);

// The table covers every state and every action but propose.
TEST(LiaisonTableTest, CoversEveryStateAndAction) {
  EXPECT_EQ(Table().size(), 6u * 5u);
  EXPECT_EQ(AllCases().size(), 6u * 5u * Actors().size());
}

TEST(LiaisonPluginTest, ReasonsNameTheStateAndTheParty) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Drive(w, LState::ON_SITE));
  EXPECT_EQ(Step(w, "liaison-1", Action::ACCEPT).status.message(),
            "assignment L-1 is on-site: accept is only possible when proposed or handover-pending");
  EXPECT_EQ(Step(w, "liaison-1", Action::ARRIVE).status.message(),
            "assignment L-1 is on-site: arrive is only possible when accepted");
  EXPECT_EQ(Step(w, "rescue-1", Action::HANDOVER).status.message(),
            "only the officer liaison-1 or the proposer msd-duty may hand over assignment L-1");
  EXPECT_EQ(Step(w, "liaison-1", Action::RELEASE).status.message(),
            "only the proposer msd-duty or the bureau (a government-sector organisation) may "
            "release assignment L-1");

  TestWorld fresh;
  ASSERT_NO_FATAL_FAILURE(Drive(fresh, LState::PROPOSED));
  EXPECT_EQ(Step(fresh, "liaison-2", Action::ACCEPT).status.message(),
            "only the officer liaison-1 may accept assignment L-1");
  EXPECT_EQ(Step(fresh, "msd-duty", Action::ARRIVE).status.message(),
            "assignment L-1 is proposed: arrive is only possible when accepted");

  TestWorld pending;
  ASSERT_NO_FATAL_FAILURE(Drive(pending, LState::HANDOVER_PENDING));
  EXPECT_EQ(Step(pending, "liaison-1", Action::ACCEPT).status.message(),
            "only the incoming officer liaison-2 may accept assignment L-1 (handover from "
            "liaison-1 pending)");

  TestWorld released;
  ASSERT_NO_FATAL_FAILURE(Drive(released, LState::RELEASED));
  EXPECT_EQ(Step(released, "msd-duty", Action::RELEASE).status.message(),
            "assignment L-1 is released: release is only possible when proposed, accepted, "
            "on-site or handover-pending");
}

TEST(LiaisonPluginTest, HandoverAcceptedMakesTheIncomingOfficerTheOfficer) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Drive(w, LState::HANDOVER_PENDING));
  auto r = w.Record("liaison", kId);
  EXPECT_STREQ(r->Get<schema::LiaisonState>().getPendingOfficer().cStr(), "liaison-2");
  EXPECT_EQ(r->Get<schema::LiaisonState>().getStateBeforeHandover(), LState::ON_SITE);

  ASSERT_TRUE(Step(w, "liaison-2", Action::ACCEPT).ok());
  r = w.Record("liaison", kId);
  auto a = r->Get<schema::LiaisonState>();
  EXPECT_EQ(a.getState(), LState::ACCEPTED);
  EXPECT_STREQ(a.getOfficer().cStr(), "liaison-2");
  EXPECT_STREQ(a.getPendingOfficer().cStr(), "");
  EXPECT_STREQ(a.getHistory()[a.getHistory().size() - 1].getAction().cStr(), "accept (handover)");

  // The old officer is no longer the officer; the new one checks in.
  EXPECT_EQ(Step(w, "liaison-1", Action::ARRIVE).status.code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(Step(w, "liaison-2", Action::ARRIVE).ok());
  EXPECT_EQ(StateOf(w), LState::ON_SITE);
  // A further handover goes back to liaison-1, by the new officer.
  ASSERT_TRUE(
      Step(w, "liaison-2", Action::HANDOVER, [](Body l) { l.setHandoverTo("liaison-1"); }).ok());
  EXPECT_EQ(Step(w, "liaison-2", Action::ACCEPT).status.code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(Step(w, "liaison-1", Action::ACCEPT).ok());
  EXPECT_STREQ(w.Record("liaison", kId)->Get<schema::LiaisonState>().getOfficer().cStr(),
               "liaison-1");
}

TEST(LiaisonPluginTest, HandoverDeclinedReturnsToThePreviousOfficerAndState) {
  for (LState before : {LState::ACCEPTED, LState::ON_SITE}) {
    SCOPED_TRACE(Name(before));
    TestWorld w;
    ASSERT_NO_FATAL_FAILURE(Drive(w, before));
    ASSERT_TRUE(Step(w, "msd-duty", Action::HANDOVER).ok());  // the proposer hands over
    EXPECT_EQ(StateOf(w), LState::HANDOVER_PENDING);
    EXPECT_EQ(Step(w, "liaison-2", Action::DECLINE, [](Body l) { l.setReason(""); }).status.code(),
              StatusCode::kInvalidArgument);
    ASSERT_TRUE(Step(w, "liaison-2", Action::DECLINE).ok());
    auto r = w.Record("liaison", kId);
    auto a = r->Get<schema::LiaisonState>();
    EXPECT_EQ(a.getState(), before);
    EXPECT_STREQ(a.getOfficer().cStr(), "liaison-1");
    EXPECT_STREQ(a.getPendingOfficer().cStr(), "");
    auto last = a.getHistory()[a.getHistory().size() - 1];
    EXPECT_STREQ(last.getAction().cStr(), "decline (handover)");
    EXPECT_EQ(std::string(last.getNote().cStr()), "not available; stays with liaison-1");
  }
}

TEST(LiaisonPluginTest, HandoverTargetMustBeAnotherOfficerOfTheSameOrganisation) {
  struct TargetCase {
    const char* target;
    StatusCode code;
    const char* reason;
  };
  const TargetCase kCases[] = {
      {"nobody", StatusCode::kNotFound, "handoverTo: no principal 'nobody'"},
      {"fire-officer", StatusCode::kInvalidArgument,
       "handoverTo: fire-officer belongs to fire-1; the incoming officer must be of msd"},
      {"msd", StatusCode::kInvalidArgument, "handoverTo: msd has role adapter, not officer"},
      {"liaison-x", StatusCode::kInvalidArgument, "handoverTo: liaison-x is revoked"},
      {"liaison-1", StatusCode::kInvalidArgument,
       "handoverTo: liaison-1 already holds assignment L-1"},
      {"", StatusCode::kInvalidArgument, "handoverTo: handover needs the incoming officer"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.target);
    TestWorld w;
    ASSERT_NO_FATAL_FAILURE(Drive(w, LState::ACCEPTED));
    Published p =
        Step(w, "liaison-1", Action::HANDOVER, [&](Body l) { l.setHandoverTo(c.target); });
    EXPECT_EQ(p.status.code(), c.code);
    EXPECT_EQ(p.status.message(), c.reason);
    EXPECT_EQ(StateOf(w), LState::ACCEPTED);
  }
}

TEST(LiaisonPluginTest, WhoMayPropose) {
  const std::map<std::string, StatusCode> kWho = {
      {"liaison-1", StatusCode::kOk},                // the officer itself
      {"msd", StatusCode::kOk},                      // its organisation's adapter
      {"msd-duty", StatusCode::kOk},                 // its organisation's duty officer
      {"duty", StatusCode::kOk},                     // the bureau's duty officer
      {"command", StatusCode::kOk},                  // the bureau's command system
      {"liaison-2", StatusCode::kPermissionDenied},  // a colleague
      {"admin", StatusCode::kPermissionDenied},      // the bureau's admin: no workflow role
      {"fire-1", StatusCode::kPermissionDenied},     // the receiving organisation
      {"fire-duty", StatusCode::kPermissionDenied},
      {"rescue-1", StatusCode::kPermissionDenied},
      {"vol-1", StatusCode::kPermissionDenied},
      {"auditor", StatusCode::kPermissionDenied},
  };
  for (const auto& [who, code] : kWho) {
    SCOPED_TRACE(who);
    TestWorld w;
    Published p = Propose(w, who);
    EXPECT_EQ(p.status.code(), code) << p.status.ToString();
    if (p.ok()) {
      EXPECT_EQ(p.effect.object_id, "L-1");
      auto r = w.Record("liaison", "L-1");
      auto a = r->Get<schema::LiaisonState>();
      EXPECT_EQ(a.getState(), LState::PROPOSED);
      EXPECT_STREQ(a.getProposer().cStr(), who.c_str());
      EXPECT_STREQ(a.getFromOrg().cStr(), "msd");
      EXPECT_STREQ(a.getToOrg().cStr(), "fire-1");
      EXPECT_STREQ(a.getIncident().cStr(), "INC-1");
    } else {
      EXPECT_EQ(p.status.message(),
                "only the officer's organisation msd (its adapters and duty officers, or liaison-1 "
                "itself) or the bureau (a government-sector organisation) may propose an "
                "assignment of liaison-1");
    }
  }
}

TEST(LiaisonPluginTest, ProposeChecksTheBody) {
  struct BodyCase {
    const char* name;
    std::function<void(Body)> change;
    std::string incident;
    StatusCode code;
    const char* reason;
  };
  const BodyCase kCases[] = {
      {"id given", [](Body l) { l.setAssignmentId("L-7"); }, "INC-1", StatusCode::kInvalidArgument,
       "assignmentId: must be empty on propose; the broker names the assignment L-<seq>"},
      {"no officer", [](Body l) { l.setOfficer(""); }, "INC-1", StatusCode::kInvalidArgument,
       "officer: propose needs the officer's principal id"},
      {"no organisation", [](Body l) { l.setToOrg(""); }, "INC-1", StatusCode::kInvalidArgument,
       "toOrg: propose needs the organisation the officer is assigned to"},
      {"no incident", nullptr, "", StatusCode::kInvalidArgument,
       "incident: a liaison assignment needs an incident id"},
      {"until in the past", [](Body l) { l.setUntilMillis(1000); }, "INC-1",
       StatusCode::kInvalidArgument, "untilMillis: the end of the assignment lies in the past"},
      {"unknown officer", [](Body l) { l.setOfficer("liaison-9"); }, "INC-1", StatusCode::kNotFound,
       "officer: no principal 'liaison-9'"},
      {"unknown organisation", [](Body l) { l.setToOrg("navy"); }, "INC-1", StatusCode::kNotFound,
       "toOrg: no organisation 'navy'"},
      {"officer not an officer", [](Body l) { l.setOfficer("msd"); }, "INC-1",
       StatusCode::kInvalidArgument, "officer: msd has role adapter, not officer"},
      {"officer revoked", [](Body l) { l.setOfficer("liaison-x"); }, "INC-1",
       StatusCode::kInvalidArgument, "officer: liaison-x is revoked"},
      {"own organisation", [](Body l) { l.setToOrg("msd"); }, "INC-1", StatusCode::kInvalidArgument,
       "toOrg: liaison-1 already belongs to msd; a liaison is assigned to another organisation"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    TestWorld w;
    Published p = Propose(w, "msd-duty", c.change, c.incident);
    EXPECT_EQ(p.status.code(), c.code) << p.status.ToString();
    EXPECT_EQ(p.status.message(), c.reason);
    EXPECT_EQ(w.state().size(), 0u);
  }
  TestWorld w;
  ASSERT_TRUE(Propose(w, "msd-duty", [&](Body l) { l.setUntilMillis(w.now_ms + 3600000); }).ok());
}

TEST(LiaisonPluginTest, StepsCheckIdReasonLocationAndIncident) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Drive(w, LState::PROPOSED));
  EXPECT_EQ(Step(w, "liaison-1", Action::ACCEPT, nullptr, "").status.message(),
            "assignmentId: accept needs the id of the assignment (L-<seq>)");
  EXPECT_EQ(Step(w, "liaison-1", Action::ACCEPT, nullptr, "L-99").status.ToString(),
            "not-found: no liaison assignment L-99");
  EXPECT_EQ(Step(w, "liaison-1", Action::ACCEPT, nullptr, "R-1").status.code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Step(w, "liaison-1", Action::DECLINE, [](Body l) { l.setReason(""); }).status.message(),
            "reason: decline needs a reason");
  Published other_incident = w.Publish("liaison-1", [](schema::Envelope::Builder e) {
    e.setIncident("INC-2");
    auto l = e.initBody().initLiaison();
    l.setAction(Action::ACCEPT);
    l.setAssignmentId(kId);
  });
  EXPECT_EQ(other_incident.status.message(),
            "incident: assignment L-1 belongs to incident INC-1, not INC-2");
  ASSERT_TRUE(Step(w, "liaison-1", Action::ACCEPT).ok());
  EXPECT_EQ(Step(w, "liaison-1", Action::ARRIVE,
                 [](Body l) {
                   l.getLocation().setPresent(true);
                   l.getLocation().setLatitude(91);
                 })
                .status.message(),
            "location: latitude must be within -90..90");
  EXPECT_EQ(Step(w, "liaison-1", Action::ARRIVE,
                 [](Body l) {
                   l.getLocation().setPresent(true);
                   l.getLocation().setLongitude(-181);
                 })
                .status.message(),
            "location: longitude must be within -180..180");
  ASSERT_TRUE(Step(w, "liaison-1", Action::ARRIVE, [](Body l) {
                auto loc = l.initLocation();
                loc.setPresent(true);
                loc.setLatitude(31.77);
                loc.setLongitude(119.95);
              }).ok());
  auto r = w.Record("liaison", kId);
  auto a = r->Get<schema::LiaisonState>();
  EXPECT_TRUE(a.getLocation().getPresent());
  EXPECT_DOUBLE_EQ(a.getLocation().getLatitude(), 31.77);
  EXPECT_EQ(a.getArrivedMillis(), w.now_ms);
  EXPECT_STREQ(a.getHistory()[a.getHistory().size() - 1].getNote().cStr(),
               "at 31.770000,119.950000");
}

TEST(LiaisonPluginTest, StepsCarryTheAssignmentsStatusAndClassification) {
  TestWorld w;
  ASSERT_TRUE(w.Publish("msd-duty",
                        [](schema::Envelope::Builder e) {  // L-1: an exercise, restricted
                          e.setIncident("DRILL-7");
                          e.setStatus(schema::MessageStatus::EXERCISE);
                          e.setClassification(schema::Classification::RESTRICTED);
                          auto l = e.initBody().initLiaison();
                          l.setAction(Action::PROPOSE);
                          l.setOfficer("liaison-1");
                          l.setToOrg("fire-1");
                        })
                  .ok());
  auto accept = [&](schema::MessageStatus status, schema::Classification classification) {
    return w.Publish("liaison-1", [&](schema::Envelope::Builder e) {
      e.setStatus(status);
      e.setClassification(classification);
      auto l = e.initBody().initLiaison();
      l.setAction(Action::ACCEPT);
      l.setAssignmentId(kId);
    });
  };
  EXPECT_EQ(
      accept(schema::MessageStatus::ACTUAL, schema::Classification::RESTRICTED).status.ToString(),
      "invalid-argument: status: assignment L-1 is exercise traffic; its steps must be "
      "exercise too, not actual");
  EXPECT_EQ(
      accept(schema::MessageStatus::EXERCISE, schema::Classification::INTERNAL).status.ToString(),
      "invalid-argument: classification: assignment L-1 is restricted; its steps must be "
      "classified restricted or higher, not internal");
  EXPECT_EQ(StateOf(w), LState::PROPOSED);
  EXPECT_TRUE(accept(schema::MessageStatus::EXERCISE, schema::Classification::CONFIDENTIAL).ok());
  EXPECT_EQ(StateOf(w), LState::ACCEPTED);
  QueryTable show = w.Query("liaison-1", schema::Kind::LIAISON, kId);
  EXPECT_EQ(show.Cell(0, "status"), "exercise");
  EXPECT_EQ(show.Cell(0, "classification"), "restricted");
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(LiaisonPluginTest, EveryPartyHearsEveryStep) {
  // The receiving organisation's duty officer and adapter hear every step; so do the officers
  // and the proposer; the publisher never gets its own message back.
  TestWorld w;
  Published p = Propose(w);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.effect.extra_recipients, Sorted({"fire-1", "fire-duty", "liaison-1"}));
  EXPECT_EQ(p.effect.summary, "L-1 proposed: liaison-1 (msd) to fire-1 for incident INC-1");
  p = Step(w, "liaison-1", Action::ACCEPT);
  EXPECT_EQ(p.effect.extra_recipients, Sorted({"fire-1", "fire-duty", "msd-duty"}));
  EXPECT_EQ(p.effect.summary, "L-1: accept by liaison-1, now accepted (was proposed)");
  p = Step(w, "liaison-1", Action::HANDOVER);
  EXPECT_EQ(p.effect.extra_recipients, Sorted({"fire-1", "fire-duty", "liaison-2", "msd-duty"}));
  p = Step(w, "liaison-2", Action::ACCEPT);
  EXPECT_EQ(p.effect.extra_recipients, Sorted({"fire-1", "fire-duty", "liaison-1", "msd-duty"}));
  p = Step(w, "duty", Action::RELEASE, [](Body l) { l.setReason("incident closed"); });
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.effect.extra_recipients, Sorted({"fire-1", "fire-duty", "liaison-2", "msd-duty"}));
  ASSERT_EQ(p.effect.writes.size(), 1u);
  EXPECT_EQ(p.effect.writes[0].id, "L-1");
  EXPECT_EQ(p.effect.writes[0].incident, "INC-1");
  // The committed recipients are the routed ones plus the extra ones: not the publisher.
  auto recipients = w.state().RecipientsOf(p.seq);
  ASSERT_TRUE(recipients.ok());
  EXPECT_EQ(std::count(recipients->begin(), recipients->end(), "duty"), 0);
}

TEST(LiaisonPluginTest, ListAndShow) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Drive(w, LState::ON_SITE));      // L-1, INC-1
  ASSERT_TRUE(Propose(w, "duty", nullptr, "INC-2").ok());  // L-4, INC-2
  ASSERT_TRUE(w.Publish("msd",
                        [](schema::Envelope::Builder e) {  // L-5, INC-2, confidential
                          e.setIncident("INC-2");
                          e.setClassification(schema::Classification::CONFIDENTIAL);
                          auto l = e.initBody().initLiaison();
                          l.setAction(Action::PROPOSE);
                          l.setOfficer("liaison-3");
                          l.setToOrg("ema");
                        })
                  .ok());

  QueryTable all = w.Query("auditor", schema::Kind::LIAISON);
  ASSERT_TRUE(all.status.ok()) << all.status.ToString();
  ASSERT_EQ(all.rows.size(), 3u);
  EXPECT_EQ(all.Cell(0, "id"), "L-1");
  EXPECT_EQ(all.Cell(0, "state"), "on-site");
  EXPECT_EQ(all.Cell(0, "officer"), "liaison-1");
  EXPECT_EQ(all.Cell(0, "to_org"), "fire-1");
  EXPECT_EQ(all.Cell(0, "post"), "forward command post");

  QueryTable inc2 = w.Query("auditor", schema::Kind::LIAISON, "", "INC-2");
  ASSERT_EQ(inc2.rows.size(), 2u);
  QueryTable on_site = w.Query("auditor", schema::Kind::LIAISON, "", "", "on-site");
  ASSERT_EQ(on_site.rows.size(), 1u);
  EXPECT_EQ(on_site.Cell(0, "id"), "L-1");
  EXPECT_EQ(w.Query("auditor", schema::Kind::LIAISON, "", "", "onSite").rows.size(), 1u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::LIAISON, "", "", "proposed").rows.size(), 2u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::LIAISON, "", "", "lost").status.code(),
            StatusCode::kInvalidArgument);

  // Visibility: the receiving organisation's adapter sees L-1 and L-4 (internal, to fire-1) but
  // not the confidential L-5 to the bureau; the officers' organisation sees all three; a rescue
  // officer and a volunteer station, no party to any, see nothing.
  QueryTable fire = w.Query("fire-1", schema::Kind::LIAISON);
  ASSERT_EQ(fire.rows.size(), 2u);
  EXPECT_EQ(fire.Cell(0, "id"), "L-1");
  EXPECT_EQ(fire.Cell(1, "id"), "L-4");
  EXPECT_EQ(w.Query("liaison-3", schema::Kind::LIAISON).rows.size(), 3u);
  EXPECT_EQ(w.Query("rescue-2", schema::Kind::LIAISON).rows.size(), 0u);
  EXPECT_EQ(w.Query("vol-1", schema::Kind::LIAISON).rows.size(), 0u);
  EXPECT_EQ(w.Query("vol-1", schema::Kind::LIAISON, "L-1").status.ToString(),
            "not-found: no liaison assignment L-1");
  EXPECT_EQ(w.Query("fire-1", schema::Kind::LIAISON, "L-5").status.code(), StatusCode::kNotFound);
  EXPECT_TRUE(w.Query("command", schema::Kind::LIAISON, "L-5").status.ok());  // the target org

  QueryTable show = w.Query("liaison-1", schema::Kind::LIAISON, "L-1");
  ASSERT_TRUE(show.status.ok()) << show.status.ToString();
  ASSERT_EQ(show.rows.size(), 3u);  // propose, accept, arrive
  EXPECT_EQ(show.Cell(0, "history.action"), "propose");
  EXPECT_EQ(show.Cell(0, "history.by"), "msd-duty");
  EXPECT_EQ(show.Cell(0, "history.seq"), "1");
  EXPECT_EQ(show.Cell(1, "history.action"), "accept");
  EXPECT_EQ(show.Cell(2, "history.action"), "arrive");
  EXPECT_EQ(show.Cell(2, "history.state"), "on-site");
  EXPECT_EQ(show.Cell(2, "state"), "on-site");
  EXPECT_EQ(show.Cell(2, "history.at"), "2027-01-15T08:00:00+00:00");
  EXPECT_EQ(w.Query("auditor", schema::Kind::LIAISON, "L-9").status.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace muster::kinds
