// EquipmentPlugin: every step of the offer state machine from every offer state, and every
// request step from every request state, made by every kind of party (transition tables), the
// over-commitment refusal, per-line-item totals, body checks, recipients and queries.
#include "broker/kinds/equipment_plugin.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "broker/kinds/test_world.h"
#include "schemas/state.capnp.h"

namespace muster::kinds {
namespace {

using Action = schema::EquipmentRequest::Action;
using Body = schema::EquipmentRequest::Builder;
using OState = schema::EquipmentOfferState::State;
using RState = schema::EquipmentRequestState::State;

// Every test starts the same way: the bureau's command system requests 4 high-capacity pumps and
// 100 boxes of water for INC-1; the military sub-district offers 2 pumps and 50 boxes
// (O-2).
constexpr char kRequest[] = "R-1";
constexpr char kOffer[] = "O-2";

struct ItemSpec {
  const char* id;
  double quantity;
};

Published Request(TestWorld& w, const std::string& who = "command",
                  const std::function<void(Body)>& more = nullptr,
                  std::vector<std::string> routed = {"msd", "rescue-1"}) {
  return w.Publish(
      who,
      [&](schema::Envelope::Builder e) {
        e.setIncident("INC-1");
        auto r = e.initBody().initEquipment();
        r.setAction(Action::REQUEST);
        auto items = r.initItems(2);
        items[0].setResourceType("pump.high-capacity");
        items[0].setQuantity(4);
        items[0].setUnit("pc");
        items[0].setDescription("high-capacity drainage pump");
        items[1].setResourceType("water.bottled");
        items[1].setQuantity(100);
        items[1].setUnit("box");
        r.setDeliverTo("Wujin levee, km 12");
        r.setNeededByMillis(w.now_ms + 6 * 3600 * 1000);
        r.setPriority("urgent");
        if (more) more(r);
      },
      std::move(routed));
}

Published Offer(TestWorld& w, const std::string& who, std::vector<ItemSpec> items,
                const std::string& request = kRequest) {
  return w.Publish(who, [&](schema::Envelope::Builder e) {
    auto r = e.initBody().initEquipment();
    r.setAction(Action::OFFER);
    r.setRequestId(request);
    auto list = r.initItems(static_cast<unsigned>(items.size()));
    for (size_t k = 0; k < items.size(); ++k) {
      list[static_cast<unsigned>(k)].setItemId(items[k].id);
      list[static_cast<unsigned>(k)].setQuantity(items[k].quantity);
    }
  });
}

// One step on an offer (offer id set) or a request (`on_request`); decline carries a reason and
// dispatch an ETA unless `more` says otherwise.
Published Step(TestWorld& w, const std::string& who, Action action, const std::string& id,
               const std::function<void(Body)>& more = nullptr) {
  return w.Publish(who, [&](schema::Envelope::Builder e) {
    auto r = e.initBody().initEquipment();
    r.setAction(action);
    if (id.rfind("O-", 0) == 0) {
      r.setOfferId(id);
    } else {
      r.setRequestId(id);
    }
    if (action == Action::DECLINE) r.setReason("not needed");
    if (action == Action::DISPATCH) r.setEtaMillis(w.now_ms + 3600 * 1000);
    if (more) more(r);
  });
}

std::function<void(Body)> Items(std::vector<ItemSpec> items) {
  return [items](Body r) {
    auto list = r.initItems(static_cast<unsigned>(items.size()));
    for (size_t k = 0; k < items.size(); ++k) {
      list[static_cast<unsigned>(k)].setItemId(items[k].id);
      list[static_cast<unsigned>(k)].setQuantity(items[k].quantity);
    }
  };
}

OState OfferState(TestWorld& w, const std::string& id = kOffer) {
  auto r = w.Record("equipment", id);
  return r ? r->Get<schema::EquipmentOfferState>().getState() : OState::OFFERED;
}

RState RequestState(TestWorld& w) {
  auto r = w.Record("equipment", kRequest);
  return r ? r->Get<schema::EquipmentRequestState>().getState() : RState::OPEN;
}

std::string Name(OState s) {
  switch (s) {
    case OState::OFFERED:
      return "offered";
    case OState::COMMITTED:
      return "committed";
    case OState::DECLINED:
      return "declined";
    case OState::DISPATCHED:
      return "dispatched";
    case OState::DELIVERED:
      return "delivered";
    case OState::RETURNED:
      return "returned";
    case OState::RELEASED:
      return "released";
  }
  return "?";
}

std::string Name(RState s) {
  switch (s) {
    case RState::OPEN:
      return "open";
    case RState::CANCELLED:
      return "cancelled";
    case RState::CLOSED:
      return "closed";
  }
  return "?";
}

std::string Name(Action a) {
  switch (a) {
    case Action::REQUEST:
      return "request";
    case Action::OFFER:
      return "offer";
    case Action::COMMIT:
      return "commit";
    case Action::DECLINE:
      return "decline";
    case Action::DISPATCH:
      return "dispatch";
    case Action::DELIVER:
      return "deliver";
    case Action::RETURN:
      return "return";
    case Action::CANCEL:
      return "cancel";
    case Action::RELEASE:
      return "release";
    case Action::STATUS_REQUEST:
      return "status-request";
    case Action::STATUS_REPORT:
      return "status-report";
  }
  return "?";
}

void Must(const Published& p) { ASSERT_TRUE(p.ok()) << p.status.ToString(); }

// Brings O-2 into `target` by legal steps.
void DriveOffer(TestWorld& w, OState target) {
  ASSERT_NO_FATAL_FAILURE(Must(Request(w)));
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "msd", {{"1", 2}, {"2", 50}})));
  auto step = [&](const std::string& who, Action a) {
    ASSERT_NO_FATAL_FAILURE(Must(Step(w, who, a, kOffer)));
  };
  switch (target) {
    case OState::OFFERED:
      break;
    case OState::DECLINED:
      step("command", Action::DECLINE);
      break;
    case OState::COMMITTED:
      step("command", Action::COMMIT);
      break;
    case OState::DISPATCHED:
      step("command", Action::COMMIT);
      step("msd", Action::DISPATCH);
      break;
    case OState::DELIVERED:
      step("command", Action::COMMIT);
      step("msd", Action::DISPATCH);
      step("command", Action::DELIVER);
      break;
    case OState::RETURNED:
      step("command", Action::COMMIT);
      step("msd", Action::DISPATCH);
      step("command", Action::DELIVER);
      step("command", Action::RETURN);
      break;
    case OState::RELEASED:
      step("command", Action::COMMIT);
      step("msd", Action::DISPATCH);
      step("command", Action::DELIVER);
      step("msd", Action::RELEASE);
      break;
  }
  ASSERT_EQ(OfferState(w), target);
}

// The parties, by what they are to R-1 and O-2.
const std::map<std::string, std::string>& Actors() {
  static const auto* kActors = new std::map<std::string, std::string>{
      {"requester", "command"},            // made R-1
      {"requester_colleague", "duty"},     // the requester's organisation, not the requester
      {"provider", "msd"},                 // made O-2
      {"provider_colleague", "msd-duty"},  // the provider's organisation, not the provider
      {"other_provider", "rescue-1"},      // received R-1, made no offer
      {"stranger", "vol-1"},
  };
  return *kActors;
}

struct OfferRow {
  OState from;
  Action action;
  std::vector<std::string> who;  // empty: not possible in this state (FailedPrecondition)
  OState to;
};

const std::vector<OfferRow>& OfferTable() {
  using A = Action;
  using S = OState;
  const std::vector<std::string> kEither = {"requester", "provider"};
  // clang-format off
  static const auto* kTable = new std::vector<OfferRow>{
      // from          action            who may         to
      {S::OFFERED,     A::COMMIT,        {"requester"},  S::COMMITTED},
      {S::OFFERED,     A::DECLINE,       {"requester"},  S::DECLINED},
      {S::OFFERED,     A::DISPATCH,      {},             S::OFFERED},
      {S::OFFERED,     A::DELIVER,       {},             S::OFFERED},
      {S::OFFERED,     A::RETURN,        {},             S::OFFERED},
      {S::OFFERED,     A::RELEASE,       {},             S::OFFERED},
      {S::OFFERED,     A::STATUS_REPORT, kEither,        S::OFFERED},

      {S::COMMITTED,   A::COMMIT,        {},             S::COMMITTED},
      {S::COMMITTED,   A::DECLINE,       {"requester"},  S::DECLINED},
      {S::COMMITTED,   A::DISPATCH,      {"provider"},   S::DISPATCHED},
      {S::COMMITTED,   A::DELIVER,       {},             S::COMMITTED},
      {S::COMMITTED,   A::RETURN,        {},             S::COMMITTED},
      {S::COMMITTED,   A::RELEASE,       {},             S::COMMITTED},
      {S::COMMITTED,   A::STATUS_REPORT, kEither,        S::COMMITTED},

      {S::DECLINED,    A::COMMIT,        {},             S::DECLINED},
      {S::DECLINED,    A::DECLINE,       {},             S::DECLINED},
      {S::DECLINED,    A::DISPATCH,      {},             S::DECLINED},
      {S::DECLINED,    A::DELIVER,       {},             S::DECLINED},
      {S::DECLINED,    A::RETURN,        {},             S::DECLINED},
      {S::DECLINED,    A::RELEASE,       {},             S::DECLINED},
      {S::DECLINED,    A::STATUS_REPORT, kEither,        S::DECLINED},

      {S::DISPATCHED,  A::COMMIT,        {},             S::DISPATCHED},
      {S::DISPATCHED,  A::DECLINE,       {},             S::DISPATCHED},
      {S::DISPATCHED,  A::DISPATCH,      {},             S::DISPATCHED},
      {S::DISPATCHED,  A::DELIVER,       {"requester"},  S::DELIVERED},
      {S::DISPATCHED,  A::RETURN,        {},             S::DISPATCHED},
      {S::DISPATCHED,  A::RELEASE,       {},             S::DISPATCHED},
      {S::DISPATCHED,  A::STATUS_REPORT, kEither,        S::DISPATCHED},

      {S::DELIVERED,   A::COMMIT,        {},             S::DELIVERED},
      {S::DELIVERED,   A::DECLINE,       {},             S::DELIVERED},
      {S::DELIVERED,   A::DISPATCH,      {},             S::DELIVERED},
      {S::DELIVERED,   A::DELIVER,       {},             S::DELIVERED},
      {S::DELIVERED,   A::RETURN,        {"requester"},  S::RETURNED},
      {S::DELIVERED,   A::RELEASE,       kEither,        S::RELEASED},
      {S::DELIVERED,   A::STATUS_REPORT, kEither,        S::DELIVERED},

      {S::RETURNED,    A::COMMIT,        {},             S::RETURNED},
      {S::RETURNED,    A::DECLINE,       {},             S::RETURNED},
      {S::RETURNED,    A::DISPATCH,      {},             S::RETURNED},
      {S::RETURNED,    A::DELIVER,       {},             S::RETURNED},
      {S::RETURNED,    A::RETURN,        {},             S::RETURNED},
      {S::RETURNED,    A::RELEASE,       kEither,        S::RELEASED},
      {S::RETURNED,    A::STATUS_REPORT, kEither,        S::RETURNED},

      {S::RELEASED,    A::COMMIT,        {},             S::RELEASED},
      {S::RELEASED,    A::DECLINE,       {},             S::RELEASED},
      {S::RELEASED,    A::DISPATCH,      {},             S::RELEASED},
      {S::RELEASED,    A::DELIVER,       {},             S::RELEASED},
      {S::RELEASED,    A::RETURN,        {},             S::RELEASED},
      {S::RELEASED,    A::RELEASE,       {},             S::RELEASED},
      {S::RELEASED,    A::STATUS_REPORT, kEither,        S::RELEASED},
  };
  // clang-format on
  return *kTable;
}

struct OfferCase {
  OfferRow row;
  std::string actor;
};

void PrintTo(const OfferCase& c, std::ostream* os) {
  *os << Name(c.row.from) << " " << Name(c.row.action) << " by " << c.actor;
}

std::vector<OfferCase> AllOfferCases() {
  std::vector<OfferCase> out;
  for (const auto& row : OfferTable()) {
    for (const auto& [actor, principal] : Actors()) out.push_back(OfferCase{row, actor});
  }
  return out;
}

std::string Identifier(std::string s) {
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

class OfferTransition : public testing::TestWithParam<OfferCase> {};

TEST_P(OfferTransition, FollowsTheTable) {
  const OfferCase& c = GetParam();
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(DriveOffer(w, c.row.from));
  std::string principal = Actors().at(c.actor);
  Published p = Step(w, principal, c.row.action, kOffer);

  bool legal = !c.row.who.empty();
  bool allowed = std::find(c.row.who.begin(), c.row.who.end(), c.actor) != c.row.who.end();
  if (!legal) {
    EXPECT_EQ(p.status.code(), StatusCode::kFailedPrecondition) << p.status.ToString();
    std::string expected =
        "offer O-2 is " + Name(c.row.from) + ": " + Name(c.row.action) + " is only possible when ";
    EXPECT_EQ(p.status.message().substr(0, expected.size()), expected) << p.status.message();
    EXPECT_EQ(OfferState(w), c.row.from);
  } else if (!allowed) {
    EXPECT_EQ(p.status.code(), StatusCode::kPermissionDenied) << p.status.ToString();
    EXPECT_EQ(p.status.message().substr(0, 9), "only the ") << p.status.message();
    EXPECT_NE(p.status.message().find("offer O-2"), std::string::npos) << p.status.message();
    EXPECT_EQ(OfferState(w), c.row.from);
  } else {
    ASSERT_TRUE(p.ok()) << p.status.ToString();
    EXPECT_EQ(OfferState(w), c.row.to);
    EXPECT_EQ(p.effect.object_id, kOffer);
    // The request's offer list follows the offer.
    auto q = w.Record("equipment", kRequest);
    auto offers = q->Get<schema::EquipmentRequestState>().getOffers();
    ASSERT_EQ(offers.size(), 1u);
    EXPECT_EQ(offers[0].getState(), c.row.to);
    // The other party hears of it.
    std::string other = principal == "command" ? "msd" : "command";
    EXPECT_EQ(p.effect.extra_recipients, std::vector<std::string>{other});
  }
}

INSTANTIATE_TEST_SUITE_P(StateActionActor, OfferTransition, testing::ValuesIn(AllOfferCases()),
                         [](const testing::TestParamInfo<OfferCase>& info) {
                           return Identifier(Name(info.param.row.from) + "_" +
                                             Name(info.param.row.action) + "_by_" +
                                             info.param.actor);
                         });

// Request steps: offer and decline (anyone but the requester), cancel and release (the
// requester), from each request state. Setup: R-1 with O-2 offered by msd; cancelled and closed
// are reached by the requester.
struct RequestRow {
  RState from;
  Action action;
  std::vector<std::string> who;
  RState to;
};

const std::vector<RequestRow>& RequestTable() {
  using A = Action;
  using S = RState;
  const std::vector<std::string> kNotRequester = {
      "requester_colleague", "provider", "provider_colleague", "other_provider", "stranger"};
  // clang-format off
  static const auto* kTable = new std::vector<RequestRow>{
      // from         action       who may          to
      {S::OPEN,       A::OFFER,    kNotRequester,   S::OPEN},
      {S::OPEN,       A::DECLINE,  kNotRequester,   S::OPEN},
      {S::OPEN,       A::CANCEL,   {"requester"},   S::CANCELLED},
      {S::OPEN,       A::RELEASE,  {"requester"},   S::CLOSED},
      {S::CANCELLED,  A::OFFER,    {},              S::CANCELLED},
      {S::CANCELLED,  A::DECLINE,  {},              S::CANCELLED},
      {S::CANCELLED,  A::CANCEL,   {},              S::CANCELLED},
      {S::CANCELLED,  A::RELEASE,  {},              S::CANCELLED},
      {S::CLOSED,     A::OFFER,    {},              S::CLOSED},
      {S::CLOSED,     A::DECLINE,  {},              S::CLOSED},
      {S::CLOSED,     A::CANCEL,   {},              S::CLOSED},
      {S::CLOSED,     A::RELEASE,  {},              S::CLOSED},
  };
  // clang-format on
  return *kTable;
}

struct RequestCase {
  RequestRow row;
  std::string actor;
};

void PrintTo(const RequestCase& c, std::ostream* os) {
  *os << Name(c.row.from) << " " << Name(c.row.action) << " by " << c.actor;
}

std::vector<RequestCase> AllRequestCases() {
  std::vector<RequestCase> out;
  for (const auto& row : RequestTable()) {
    for (const auto& [actor, principal] : Actors()) out.push_back(RequestCase{row, actor});
  }
  return out;
}

class RequestTransition : public testing::TestWithParam<RequestCase> {};

TEST_P(RequestTransition, FollowsTheTable) {
  const RequestCase& c = GetParam();
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Must(Request(w)));
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "msd", {{"1", 2}})));
  if (c.row.from == RState::CANCELLED) {
    ASSERT_NO_FATAL_FAILURE(Must(Step(w, "command", Action::CANCEL, kRequest)));
  }
  if (c.row.from == RState::CLOSED) {
    ASSERT_NO_FATAL_FAILURE(Must(Step(w, "command", Action::RELEASE, kRequest)));
  }
  ASSERT_EQ(RequestState(w), c.row.from);
  std::string principal = Actors().at(c.actor);

  Published p = c.row.action == Action::OFFER ? Offer(w, principal, {{"2", 10}})
                                              : Step(w, principal, c.row.action, kRequest);
  bool legal = !c.row.who.empty();
  bool allowed = std::find(c.row.who.begin(), c.row.who.end(), c.actor) != c.row.who.end();
  if (!legal) {
    EXPECT_EQ(p.status.code(), StatusCode::kFailedPrecondition) << p.status.ToString();
    EXPECT_EQ(p.status.message(), "request R-1 is " + Name(c.row.from) + ": " + Name(c.row.action) +
                                      " is only possible when open");
  } else if (!allowed) {
    EXPECT_EQ(p.status.code(), StatusCode::kPermissionDenied) << p.status.ToString();
    EXPECT_NE(p.status.message().find("request R-1"), std::string::npos) << p.status.message();
  } else {
    ASSERT_TRUE(p.ok()) << p.status.ToString();
    if (c.row.action == Action::OFFER) {
      EXPECT_EQ(p.effect.object_id, "O-3");
      EXPECT_EQ(OfferState(w, "O-3"), OState::OFFERED);
    } else {
      EXPECT_EQ(p.effect.object_id, kRequest);
    }
  }
  EXPECT_EQ(RequestState(w), allowed ? c.row.to : c.row.from);
}

INSTANTIATE_TEST_SUITE_P(StateActionActor, RequestTransition, testing::ValuesIn(AllRequestCases()),
                         [](const testing::TestParamInfo<RequestCase>& info) {
                           return Identifier(Name(info.param.row.from) + "_" +
                                             Name(info.param.row.action) + "_req_by_" +
                                             info.param.actor);
                         });

TEST(EquipmentTableTest, CoversEveryStateAndAction) {
  EXPECT_EQ(OfferTable().size(), 7u * 7u);
  EXPECT_EQ(RequestTable().size(), 3u * 4u);
}

TEST(EquipmentPluginTest, ReasonsNameTheStateAndTheParty) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(DriveOffer(w, OState::OFFERED));
  EXPECT_EQ(Step(w, "msd", Action::DISPATCH, kOffer).status.message(),
            "offer O-2 is offered: dispatch is only possible when committed");
  EXPECT_EQ(Step(w, "msd", Action::COMMIT, kOffer).status.message(),
            "only the requester command may commit offer O-2");
  ASSERT_TRUE(Step(w, "command", Action::COMMIT, kOffer).ok());
  EXPECT_EQ(Step(w, "command", Action::DISPATCH, kOffer).status.message(),
            "only the provider msd may dispatch offer O-2");
  ASSERT_TRUE(Step(w, "msd", Action::DISPATCH, kOffer).ok());
  EXPECT_EQ(Step(w, "msd", Action::DELIVER, kOffer).status.message(),
            "only the requester command may confirm delivery of offer O-2");
  EXPECT_EQ(Step(w, "command", Action::RELEASE, kOffer).status.message(),
            "offer O-2 is dispatched: release is only possible when delivered or returned");
  EXPECT_EQ(Step(w, "command", Action::CANCEL, kRequest).status.message(),
            "request R-1 cannot be cancelled: offer O-2 is dispatched (cancel is only possible "
            "while nothing is dispatched)");
  EXPECT_EQ(Step(w, "command", Action::RELEASE, kRequest).status.message(),
            "request R-1 cannot be closed: offer O-2 is dispatched (release is only possible when "
            "no offer is committed or in transit)");
  ASSERT_TRUE(Step(w, "command", Action::DELIVER, kOffer).ok());
  EXPECT_EQ(Step(w, "vol-1", Action::RELEASE, kOffer).status.message(),
            "only the requester command or the provider msd may release offer O-2");
  EXPECT_EQ(Step(w, "command", Action::DECLINE, kRequest).status.message(),
            "the requester command cannot decline its own request R-1; cancel it instead");
  EXPECT_EQ(Offer(w, "command", {{"1", 1}}).status.message(),
            "the requester command cannot offer against its own request R-1");
  EXPECT_EQ(Step(w, "msd", Action::CANCEL, kRequest).status.message(),
            "only the requester command may cancel request R-1");
}

TEST(EquipmentPluginTest, CommittingMoreThanRequestedIsRefusedWithTheNumbers) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Must(Request(w)));                   // 4 pumps, 100 boxes
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "msd", {{"1", 3}})));  // O-2
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "rescue-1", {{"1", 2}, {"2", 100}})));  // O-3
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "fire-1", {{"1", 1}})));                // O-4
  ASSERT_TRUE(Step(w, "command", Action::COMMIT, "O-2").ok());
  Published over = Step(w, "command", Action::COMMIT, "O-3");
  EXPECT_EQ(over.status.ToString(),
            "failed-precondition: committing offer O-3 would commit 5 pc of line item 1 "
            "(pump.high-capacity) of request R-1: 4 requested, 3 already committed (O-2), this "
            "offer 2");
  EXPECT_EQ(OfferState(w, "O-3"), OState::OFFERED);
  // Exactly the requested total is fine.
  ASSERT_TRUE(Step(w, "command", Action::COMMIT, "O-4").ok());
  // Declining a committed offer frees its quantity.
  ASSERT_TRUE(Step(w, "command", Action::DECLINE, "O-2").ok());
  EXPECT_TRUE(Step(w, "command", Action::COMMIT, "O-3").ok());
  auto q = w.Record("equipment", kRequest);
  auto items = q->Get<schema::EquipmentRequestState>().getItems();
  EXPECT_EQ(items[0].getCommitted(), 3);  // O-3 (2) + O-4 (1)
  EXPECT_EQ(items[0].getOffered(), 3);    // O-2 declined
  EXPECT_EQ(items[1].getCommitted(), 100);
}

TEST(EquipmentPluginTest, EveryLineItemKnowsItsFulfilment) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Must(Request(w)));
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "msd", {{"1", 2}, {"2", 50}})));  // O-2
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "rescue-1", {{"1", 2}})));        // O-3
  ASSERT_TRUE(Step(w, "command", Action::COMMIT, "O-2").ok());
  ASSERT_TRUE(Step(w, "command", Action::COMMIT, "O-3").ok());
  ASSERT_TRUE(Step(w, "msd", Action::DISPATCH, "O-2").ok());
  ASSERT_TRUE(Step(w, "command", Action::DELIVER, "O-2", Items({{"1", 2}, {"2", 48}})).ok());
  ASSERT_TRUE(Step(w, "command", Action::RETURN, "O-2", Items({{"1", 1}})).ok());

  QueryTable show = w.Query("command", schema::Kind::EQUIPMENT, kRequest);
  ASSERT_TRUE(show.status.ok()) << show.status.ToString();
  // Rows: 2 line items, 2 offers, then the history.
  ASSERT_GE(show.rows.size(), 4u);
  EXPECT_EQ(show.Cell(0, "item.id"), "1");
  EXPECT_EQ(show.Cell(0, "item.type"), "pump.high-capacity");
  EXPECT_EQ(show.Cell(0, "item.requested"), "4");
  EXPECT_EQ(show.Cell(0, "item.offered"), "4");
  EXPECT_EQ(show.Cell(0, "item.committed"), "4");
  EXPECT_EQ(show.Cell(0, "item.dispatched"), "2");
  EXPECT_EQ(show.Cell(0, "item.delivered"), "2");
  EXPECT_EQ(show.Cell(0, "item.returned"), "1");
  EXPECT_EQ(show.Cell(1, "item.id"), "2");
  EXPECT_EQ(show.Cell(1, "item.requested"), "100");
  EXPECT_EQ(show.Cell(1, "item.offered"), "50");
  EXPECT_EQ(show.Cell(1, "item.committed"), "50");
  EXPECT_EQ(show.Cell(1, "item.dispatched"), "50");
  EXPECT_EQ(show.Cell(1, "item.delivered"), "48");
  EXPECT_EQ(show.Cell(1, "item.returned"), "0");
  EXPECT_EQ(show.Cell(1, "offer.id"), "");
  EXPECT_EQ(show.Cell(2, "offer.id"), "O-2");
  EXPECT_EQ(show.Cell(2, "offer.state"), "returned");
  EXPECT_EQ(show.Cell(2, "offer.items"), "1:2, 2:50");
  EXPECT_EQ(show.Cell(2, "item.id"), "");
  EXPECT_EQ(show.Cell(3, "offer.id"), "O-3");
  EXPECT_EQ(show.Cell(3, "offer.state"), "committed");
  EXPECT_EQ(show.Cell(4, "history.action"), "request");
  EXPECT_EQ(show.Cell(4, "state"), "open");

  // The offer itself.
  QueryTable offer = w.Query("msd", schema::Kind::EQUIPMENT, "O-2");
  ASSERT_TRUE(offer.status.ok()) << offer.status.ToString();
  EXPECT_EQ(offer.Cell(0, "state"), "returned");
  EXPECT_EQ(offer.Cell(0, "item.quantity"), "2");
  EXPECT_EQ(offer.Cell(0, "item.received"), "2");
  EXPECT_EQ(offer.Cell(0, "item.returned"), "1");
  EXPECT_EQ(offer.Cell(1, "item.received"), "48");
  EXPECT_EQ(offer.Cell(2, "history.action"), "offer");
  EXPECT_EQ(offer.Cell(6, "history.action"), "return");
  EXPECT_EQ(offer.Cell(6, "history.note"), "returned item 1: 1 pc, item 2: 0 box");
}

TEST(EquipmentPluginTest, DeliverAndReturnQuantities) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(DriveOffer(w, OState::DISPATCHED));  // O-2: 2 pumps, 50 boxes
  struct QuantityCase {
    const char* name;
    std::vector<ItemSpec> items;
    const char* reason;
  };
  const QuantityCase kBad[] = {
      {"more than dispatched",
       {{"1", 3}},
       "items[0].quantity: 3 of item 1 but only 2 were dispatched"},
      {"unknown item", {{"7", 1}}, "items[0].itemId: offer O-2 has no line item '7'"},
      {"no item id on a two-item offer",
       {{"", 1}},
       "items[0].itemId: offer O-2 has 2 line items; name the item"},
      {"twice", {{"1", 1}, {"1", 1}}, "items[1].itemId: '1' appears twice"},
      {"negative", {{"1", -1}}, "items[0].quantity: must be a number >= 0"},
  };
  for (const auto& c : kBad) {
    SCOPED_TRACE(c.name);
    Published p = Step(w, "command", Action::DELIVER, kOffer, Items(c.items));
    EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(p.status.message(), c.reason);
    EXPECT_EQ(OfferState(w), OState::DISPATCHED);
  }
  ASSERT_TRUE(Step(w, "command", Action::DELIVER, kOffer, Items({{"2", 45}})).ok());
  auto o = w.Record("equipment", kOffer);
  auto items = o->Get<schema::EquipmentOfferState>().getItems();
  EXPECT_EQ(items[0].getReceived(), 0);  // not listed: nothing received
  EXPECT_EQ(items[1].getReceived(), 45);
  EXPECT_EQ(Step(w, "command", Action::RETURN, kOffer, Items({{"2", 46}})).status.message(),
            "items[0].quantity: 46 of item 2 but only 45 were received");
  ASSERT_TRUE(Step(w, "command", Action::RETURN, kOffer).ok());  // everything received goes back
  o = w.Record("equipment", kOffer);
  EXPECT_EQ(o->Get<schema::EquipmentOfferState>().getItems()[1].getReturned(), 45);

  // A single-item offer may leave the item id out.
  TestWorld single;
  ASSERT_NO_FATAL_FAILURE(Must(Request(single)));
  ASSERT_NO_FATAL_FAILURE(Must(Offer(single, "msd", {{"2", 50}})));
  ASSERT_TRUE(Step(single, "command", Action::COMMIT, kOffer).ok());
  ASSERT_TRUE(Step(single, "msd", Action::DISPATCH, kOffer).ok());
  ASSERT_TRUE(Step(single, "command", Action::DELIVER, kOffer, Items({{"", 49}})).ok());
  auto q = single.Record("equipment", kRequest);
  EXPECT_EQ(q->Get<schema::EquipmentRequestState>().getItems()[1].getDelivered(), 49);
}

TEST(EquipmentPluginTest, CancelDeclinesLiveOffersAndReachesEveryone) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(
      Must(Request(w, "command", nullptr, {"msd", "rescue-1", "fire-1"})));
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "msd", {{"1", 2}})));                // O-2
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "rescue-1", {{"2", 10}})));          // O-3
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "vol-1", {{"2", 5}})));              // O-4
  ASSERT_TRUE(Step(w, "command", Action::COMMIT, "O-2").ok());
  ASSERT_TRUE(Step(w, "command", Action::DECLINE, "O-4").ok());
  Published cancel =
      Step(w, "command", Action::CANCEL, kRequest, [](Body r) { r.setReason("river fell"); });
  ASSERT_TRUE(cancel.ok()) << cancel.status.ToString();
  EXPECT_EQ(RequestState(w), RState::CANCELLED);
  EXPECT_EQ(OfferState(w, "O-2"), OState::DECLINED);
  EXPECT_EQ(OfferState(w, "O-3"), OState::DECLINED);
  EXPECT_EQ(OfferState(w, "O-4"), OState::DECLINED);
  // Everyone who received the request and every provider.
  EXPECT_EQ(cancel.effect.extra_recipients,
            (std::vector<std::string>{"fire-1", "msd", "rescue-1", "vol-1"}));
  // Writes: the two offers that were live, then the request.
  ASSERT_EQ(cancel.effect.writes.size(), 3u);
  EXPECT_EQ(cancel.effect.writes[0].id, "O-2");
  EXPECT_EQ(cancel.effect.writes[1].id, "O-3");
  EXPECT_EQ(cancel.effect.writes[2].id, "R-1");
  auto q = w.Record("equipment", kRequest);
  auto items = q->Get<schema::EquipmentRequestState>().getItems();
  EXPECT_EQ(items[0].getCommitted(), 0);
  EXPECT_EQ(items[0].getOffered(), 0);
  auto history = q->Get<schema::EquipmentRequestState>().getHistory();
  EXPECT_STREQ(history[history.size() - 1].getAction().cStr(), "cancel");
  EXPECT_STREQ(history[history.size() - 1].getNote().cStr(), "river fell");
}

TEST(EquipmentPluginTest, ReleaseClosesARequestOnceNothingIsOutstanding) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(DriveOffer(w, OState::DELIVERED));        // O-2 delivered
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "rescue-1", {{"1", 1}})));  // O-6 offered
  ASSERT_TRUE(Step(w, "command", Action::RELEASE, kRequest).ok());
  EXPECT_EQ(RequestState(w), RState::CLOSED);
  EXPECT_EQ(OfferState(w, "O-6"), OState::DECLINED);  // an open offer is turned down
  EXPECT_EQ(OfferState(w), OState::DELIVERED);        // the delivery stands
  // The delivered equipment can still go back and be released.
  EXPECT_TRUE(Step(w, "command", Action::RETURN, kOffer).ok());
  EXPECT_TRUE(Step(w, "msd", Action::RELEASE, kOffer).ok());
  EXPECT_EQ(OfferState(w), OState::RELEASED);
}

TEST(EquipmentPluginTest, DeclineOfARequestIsRecordedOnce) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Must(Request(w)));
  Published p = Step(w, "rescue-1", Action::DECLINE, kRequest);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.effect.extra_recipients, std::vector<std::string>{"command"});
  EXPECT_EQ(Step(w, "rescue-1", Action::DECLINE, kRequest).status.ToString(),
            "failed-precondition: rescue-1 has already declined request R-1");
  auto q = w.Record("equipment", kRequest);
  auto declined = q->Get<schema::EquipmentRequestState>().getDeclinedBy();
  ASSERT_EQ(declined.size(), 1u);
  EXPECT_STREQ(declined[0].cStr(), "rescue-1");
  EXPECT_EQ(RequestState(w), RState::OPEN);
}

TEST(EquipmentPluginTest, RequestBodyChecks) {
  struct BodyCase {
    const char* name;
    std::function<void(Body)> change;
    const char* reason;
  };
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  const BodyCase kCases[] = {
      {"id given", [](Body r) { r.setRequestId("R-9"); },
       "requestId: must be empty on request; the broker names the request R-<seq>"},
      {"no items", [](Body r) { r.initItems(0); }, "items: a request needs at least one line item"},
      {"some ids", [](Body r) { r.getItems()[0].setItemId("a"); },
       "items[1].itemId: give every line item an id, or none"},
      {"same ids",
       [](Body r) {
         r.getItems()[0].setItemId("a");
         r.getItems()[1].setItemId("a");
       },
       "items[1].itemId: 'a' appears twice"},
      {"no type", [](Body r) { r.getItems()[1].setResourceType(""); },
       "items[1].resourceType: a line item needs a resource type"},
      {"zero", [](Body r) { r.getItems()[0].setQuantity(0); },
       "items[0].quantity: must be a positive number"},
      {"not a number", [=](Body r) { r.getItems()[0].setQuantity(kNaN); },
       "items[0].quantity: must be a positive number"},
      {"no unit", [](Body r) { r.getItems()[0].setUnit(""); },
       "items[0].unit: a line item needs a unit"},
      {"no place", [](Body r) { r.setDeliverTo(""); },
       "deliverTo: a request needs a place of delivery"},
      {"negative time", [](Body r) { r.setNeededByMillis(-1); },
       "neededByMillis: must be a time (or 0 for not stated)"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    TestWorld w;
    Published p = Request(w, "command", c.change);
    EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(p.status.message(), c.reason);
    EXPECT_EQ(w.state().size(), 0u);
  }
  // Named line items keep their names.
  TestWorld w;
  ASSERT_TRUE(Request(w, "command", [](Body r) {
                r.getItems()[0].setItemId("pumps");
                r.getItems()[1].setItemId("water");
              }).ok());
  EXPECT_TRUE(Offer(w, "msd", {{"water", 10}}).ok());
  EXPECT_EQ(Offer(w, "msd", {{"1", 10}}).status.message(),
            "items[0].itemId: request R-1 has no line item '1'");
}

TEST(EquipmentPluginTest, OfferAndStepBodyChecks) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Must(Request(w)));
  EXPECT_EQ(Offer(w, "msd", {{"1", 1}}, "").status.message(),
            "requestId: offer needs the request id (R-<seq>)");
  EXPECT_EQ(Offer(w, "msd", {}).status.message(), "items: an offer needs at least one line item");
  EXPECT_EQ(Offer(w, "msd", {{"", 1}}).status.message(),
            "items[0].itemId: an offer names the request's line item");
  EXPECT_EQ(Offer(w, "msd", {{"1", 0}}).status.message(),
            "items[0].quantity: must be a positive number");
  EXPECT_EQ(Offer(w, "msd", {{"1", 1}, {"1", 2}}).status.message(),
            "items[1].itemId: '1' appears twice");
  EXPECT_EQ(Offer(w, "msd", {{"1", 1}}, "R-9").status.ToString(),
            "not-found: no equipment request R-9");
  EXPECT_EQ(Offer(w, "msd", {{"1", 1}}, "O-1").status.code(), StatusCode::kNotFound);
  ASSERT_TRUE(Offer(w, "msd", {{"1", 1}}).ok());  // O-2

  EXPECT_EQ(Step(w, "command", Action::COMMIT, "O-9").status.ToString(),
            "not-found: no equipment offer O-9");
  EXPECT_EQ(Step(w, "command", Action::COMMIT, "").status.message(),
            "offerId: commit needs the offer id (O-<seq>)");
  EXPECT_EQ(Step(w, "command", Action::COMMIT, kOffer, Items({{"1", 1}})).status.message(),
            "items: commit takes the whole offer; a different quantity is a new offer");
  EXPECT_EQ(
      Step(w, "command", Action::DECLINE, kOffer, [](Body r) { r.setReason(""); }).status.message(),
      "reason: decline needs a reason");
  EXPECT_EQ(Step(w, "command", Action::CANCEL, kOffer).status.message(),
            "offerId: cancel applies to a request; turn an offer down with decline");
  EXPECT_EQ(Step(w, "command", Action::COMMIT, kOffer, [](Body r) { r.setRequestId("R-5"); })
                .status.message(),
            "requestId: offer O-2 answers request R-1, not R-5");
  Published other_incident = w.Publish("command", [](schema::Envelope::Builder e) {
    e.setIncident("INC-2");
    auto r = e.initBody().initEquipment();
    r.setAction(Action::COMMIT);
    r.setOfferId(kOffer);
  });
  EXPECT_EQ(other_incident.status.message(),
            "incident: offer O-2 belongs to incident INC-1, not INC-2");
  ASSERT_TRUE(Step(w, "command", Action::COMMIT, kOffer).ok());
  EXPECT_EQ(
      Step(w, "msd", Action::DISPATCH, kOffer, [](Body r) { r.setEtaMillis(0); }).status.message(),
      "etaMillis: dispatch needs the estimated time of arrival");
  EXPECT_EQ(OfferState(w), OState::COMMITTED);
}

TEST(EquipmentPluginTest, StepsCarryTheirObjectsStatusAndClassification) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Must(Request(w, "command", nullptr, {"msd"})));  // actual, internal
  Published drill_offer = w.Publish("msd", [](schema::Envelope::Builder e) {
    e.setStatus(schema::MessageStatus::EXERCISE);
    auto r = e.initBody().initEquipment();
    r.setAction(Action::OFFER);
    r.setRequestId(kRequest);
    auto items = r.initItems(1);
    items[0].setItemId("1");
    items[0].setQuantity(1);
  });
  EXPECT_EQ(drill_offer.status.ToString(),
            "invalid-argument: status: request R-1 is actual traffic; its steps must be actual "
            "too, not exercise");
  Published public_offer = w.Publish("msd", [](schema::Envelope::Builder e) {
    e.setClassification(schema::Classification::PUBLIC);
    auto r = e.initBody().initEquipment();
    r.setAction(Action::OFFER);
    r.setRequestId(kRequest);
    auto items = r.initItems(1);
    items[0].setItemId("1");
    items[0].setQuantity(1);
  });
  EXPECT_EQ(public_offer.status.ToString(),
            "invalid-argument: classification: request R-1 is internal; its steps must be "
            "classified internal or higher, not public");
  ASSERT_NO_FATAL_FAILURE(
      Must(w.Publish("msd", [](schema::Envelope::Builder e) {  // O-2, restricted
        e.setClassification(schema::Classification::RESTRICTED);
        auto r = e.initBody().initEquipment();
        r.setAction(Action::OFFER);
        r.setRequestId(kRequest);
        auto items = r.initItems(1);
        items[0].setItemId("1");
        items[0].setQuantity(1);
      })));
  EXPECT_EQ(Step(w, "command", Action::COMMIT, kOffer).status.message(),
            "classification: offer O-2 is restricted; its steps must be classified restricted or "
            "higher, not internal");
  EXPECT_TRUE(w.Publish("command", [](schema::Envelope::Builder e) {
                 e.setClassification(schema::Classification::CONFIDENTIAL);
                 auto r = e.initBody().initEquipment();
                 r.setAction(Action::COMMIT);
                 r.setOfferId(kOffer);
               }).ok());
  // A request step is labelled after the request, whatever its offers' labels.
  EXPECT_TRUE(Step(w, "command", Action::CANCEL, kRequest).ok());
  EXPECT_EQ(OfferState(w), OState::DECLINED);
}

TEST(EquipmentPluginTest, ListAndVisibility) {
  TestWorld w;
  ASSERT_NO_FATAL_FAILURE(Must(Request(w, "command", nullptr, {"msd"})));  // R-1, INC-1
  ASSERT_NO_FATAL_FAILURE(Must(Offer(w, "rescue-1", {{"1", 1}})));         // O-2
  ASSERT_NO_FATAL_FAILURE(Must(w.Publish("msd",
                                         [](schema::Envelope::Builder e) {  // R-3, INC-2
                                           e.setIncident("INC-2");
                                           e.setClassification(
                                               schema::Classification::CONFIDENTIAL);
                                           auto r = e.initBody().initEquipment();
                                           r.setAction(Action::REQUEST);
                                           auto items = r.initItems(1);
                                           items[0].setResourceType("generator");
                                           items[0].setQuantity(1);
                                           items[0].setUnit("pc");
                                           r.setDeliverTo("barracks");
                                         },
                                         {"command"})));
  ASSERT_TRUE(w.Publish("msd", [](schema::Envelope::Builder e) {
                 e.setClassification(schema::Classification::CONFIDENTIAL);
                 auto r = e.initBody().initEquipment();
                 r.setAction(Action::CANCEL);
                 r.setRequestId("R-3");
               }).ok());

  QueryTable all = w.Query("auditor", schema::Kind::EQUIPMENT);
  ASSERT_TRUE(all.status.ok()) << all.status.ToString();
  ASSERT_EQ(all.rows.size(), 2u);  // requests only
  EXPECT_EQ(all.Cell(0, "id"), "R-1");
  EXPECT_EQ(all.Cell(0, "state"), "open");
  EXPECT_EQ(all.Cell(0, "offers"), "O-2 offered");
  EXPECT_EQ(all.Cell(0, "items"),
            "1 pump.high-capacity 0/4 pc delivered; 2 water.bottled 0/100 box delivered");
  EXPECT_EQ(all.Cell(1, "id"), "R-3");
  EXPECT_EQ(all.Cell(1, "state"), "cancelled");
  EXPECT_EQ(w.Query("auditor", schema::Kind::EQUIPMENT, "", "INC-2").rows.size(), 1u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::EQUIPMENT, "", "", "open").rows.size(), 1u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::EQUIPMENT, "", "", "cancelled").rows.size(), 1u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::EQUIPMENT, "", "", "closed").rows.size(), 0u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::EQUIPMENT, "", "", "done").status.code(),
            StatusCode::kInvalidArgument);

  // msd received R-1 and made R-3; rescue-1 offered against R-1; rescue-2 is rescue-1's
  // colleague (its organisation provided O-2); fire-1 and vol-1 have nothing to do with either.
  EXPECT_EQ(w.Query("msd", schema::Kind::EQUIPMENT).rows.size(), 2u);
  EXPECT_EQ(w.Query("rescue-1", schema::Kind::EQUIPMENT).rows.size(), 1u);
  EXPECT_EQ(w.Query("rescue-2", schema::Kind::EQUIPMENT).rows.size(), 1u);
  EXPECT_EQ(w.Query("fire-1", schema::Kind::EQUIPMENT).rows.size(), 0u);
  EXPECT_EQ(w.Query("vol-1", schema::Kind::EQUIPMENT, kRequest).status.ToString(),
            "not-found: no equipment request R-1");
  EXPECT_TRUE(w.Query("rescue-1", schema::Kind::EQUIPMENT, "O-2").status.ok());
  EXPECT_TRUE(w.Query("command", schema::Kind::EQUIPMENT, "O-2").status.ok());
  EXPECT_EQ(w.Query("msd", schema::Kind::EQUIPMENT, "O-2").status.ToString(),
            "not-found: no equipment offer O-2");
  EXPECT_EQ(w.Query("auditor", schema::Kind::EQUIPMENT, "X-1").status.code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace muster::kinds
