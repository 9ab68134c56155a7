// AlertPlugin: CAP checks and envelope consistency, the reference rules of update, cancel, ack
// and error, who an update or cancel reaches, and alert queries with their visibility.
#include "broker/kinds/alert_plugin.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "broker/kinds/test_world.h"
#include "schemas/state.capnp.h"

namespace muster::kinds {
namespace {

using schema::Alert;
using Change = std::function<void(schema::Envelope::Builder, Alert::Builder)>;

// The CAP identity of the alert published as `seq` by `who` (see Send).
std::string CapSender(const std::string& who) { return who + "@city.example"; }
std::string Identifier(uint64_t seq) { return "CITY-" + std::to_string(seq); }
constexpr char kSent[] = "2027-01-15T16:00:00+08:00";
std::string Triple(const std::string& who, uint64_t seq) {
  return CapSender(who) + "," + Identifier(seq) + "," + kSent;
}

// Publishes a valid alert from `who` (msgType Alert, status actual, incident INC-1) that
// `change` may alter, routed to `routed`.
Published Send(TestWorld& w, const std::string& who, const Change& change = nullptr,
               std::vector<std::string> routed = {"msd", "fire-1"}) {
  uint64_t seq = w.next_seq;
  return w.Publish(
      who,
      [&](schema::Envelope::Builder e) {
        e.setIncident("INC-1");
        auto a = e.initBody().initAlert();
        a.setIdentifier(Identifier(seq));
        a.setSender(CapSender(who));
        a.setSent(kSent);
        a.setStatus(Alert::CapStatus::ACTUAL);
        a.setMsgType(Alert::MsgType::ALERT);
        a.setScope(Alert::Scope::RESTRICTED);
        a.setRestriction("internal");
        auto info = a.initInfos(1)[0];
        info.initCategories(1).set(0, Alert::Category::MET);
        info.setEvent("Flood");
        info.setUrgency(Alert::Urgency::IMMEDIATE);
        info.setSeverity(Alert::Severity::SEVERE);
        info.setCertainty(Alert::Certainty::LIKELY);
        info.setHeadline("River above warning level");
        if (change) change(e, a);
      },
      std::move(routed));
}

// An update (or cancel, ack, error) of the alert `original_seq` sent by `original_sender`.
Change Referring(Alert::MsgType type, uint64_t original_seq, const std::string& original_sender) {
  return [=](schema::Envelope::Builder e, Alert::Builder a) {
    a.setMsgType(type);
    a.setReferences(Triple(original_sender, original_seq));
    e.initReferences(1).set(0, original_seq);
  };
}

schema::AlertState::Reader State(std::unique_ptr<wire::DecodedStruct>& r) {
  return r->Get<schema::AlertState>();
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(AlertPluginTest, AcceptsAnAlertAndRecordsIt) {
  TestWorld w;
  Published p = Send(w, "command");
  ASSERT_TRUE(p.ok()) << p.status.ToString();
  EXPECT_EQ(p.effect.object_id, "1");
  EXPECT_TRUE(p.effect.extra_recipients.empty());
  ASSERT_EQ(p.effect.writes.size(), 1u);
  EXPECT_EQ(p.effect.writes[0].incident, "INC-1");
  auto r = w.Record("alert", "1");
  auto a = State(r);
  EXPECT_EQ(a.getSeq(), 1u);
  EXPECT_STREQ(a.getSender().cStr(), "command");
  EXPECT_STREQ(a.getSenderOrg().cStr(), "ema");
  EXPECT_STREQ(a.getIdentifier().cStr(), "CITY-1");
  EXPECT_STREQ(a.getCapSender().cStr(), "command@city.example");
  EXPECT_EQ(a.getMsgType(), Alert::MsgType::ALERT);
  EXPECT_EQ(a.getClassification(), schema::Classification::INTERNAL);
  EXPECT_STREQ(a.getEvent().cStr(), "Flood");
  EXPECT_FALSE(a.getCancelled());
  EXPECT_EQ(a.getUpdatedBySeq(), 0u);
}

TEST(AlertPluginTest, RefusesWhatCapRefusesWithItsCode) {
  TestWorld w;
  Published p = Send(w, "command", [](schema::Envelope::Builder, Alert::Builder a) {
    a.getInfos()[0].setEvent("");
  });
  EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status.message().rfind("MISSING_REQUIRED_ELEMENT: info[0]/event", 0), 0u)
      << p.status.message();
  p = Send(w, "command",
           [](schema::Envelope::Builder, Alert::Builder a) { a.setSent("2027-01-15T08:00:00Z"); });
  EXPECT_EQ(p.status.message().rfind("INVALID_DATE: sent", 0), 0u) << p.status.message();
  p = Send(w, "command", [](schema::Envelope::Builder, Alert::Builder a) {
    a.setMsgType(Alert::MsgType::UPDATE);
  });
  EXPECT_EQ(p.status.message().rfind("UPDATE_OR_CANCEL_MUST_REFERENCE: references", 0), 0u)
      << p.status.message();
  EXPECT_EQ(w.state().size(), 0u);
}

TEST(AlertPluginTest, StatusMustAgreeWithTheEnvelopeAndDraftsAreRefused) {
  struct Pair {
    schema::MessageStatus envelope;
    Alert::CapStatus cap;
    bool ok;
  };
  const Pair kPairs[] = {
      {schema::MessageStatus::ACTUAL, Alert::CapStatus::ACTUAL, true},
      {schema::MessageStatus::EXERCISE, Alert::CapStatus::EXERCISE, true},
      {schema::MessageStatus::TEST, Alert::CapStatus::TEST, true},
      {schema::MessageStatus::SYSTEM, Alert::CapStatus::SYSTEM, true},
      {schema::MessageStatus::ACTUAL, Alert::CapStatus::EXERCISE, false},
      {schema::MessageStatus::EXERCISE, Alert::CapStatus::ACTUAL, false},
      {schema::MessageStatus::TEST, Alert::CapStatus::SYSTEM, false},
      {schema::MessageStatus::SYSTEM, Alert::CapStatus::TEST, false},
  };
  for (const auto& pair : kPairs) {
    TestWorld w;
    Published p = Send(w, "command", [&](schema::Envelope::Builder e, Alert::Builder a) {
      e.setStatus(pair.envelope);
      a.setStatus(pair.cap);
    });
    EXPECT_EQ(p.ok(), pair.ok) << p.status.ToString();
    if (!pair.ok) {
      EXPECT_EQ(p.status.code(), StatusCode::kInvalidArgument);
    }
  }
  TestWorld w;
  EXPECT_EQ(Send(w, "command",
                 [](schema::Envelope::Builder, Alert::Builder a) {
                   a.setStatus(Alert::CapStatus::DRAFT);
                 })
                .status.ToString(),
            "invalid-argument: status: CAP status Draft is not accepted by the broker (drafts are "
            "not exchanged); send it as Test or Exercise");
  EXPECT_EQ(Send(w, "command",
                 [](schema::Envelope::Builder e, Alert::Builder a) {
                   e.setStatus(schema::MessageStatus::EXERCISE);
                 })
                .status.message(),
            "status: the CAP status Actual disagrees with the envelope status exercise; they must "
            "be the same");
}

TEST(AlertPluginTest, ReferenceRules) {
  struct RefCase {
    const char* name;
    Change change;
    StatusCode code;
    const char* reason;
  };
  // Seq 1: an actual alert by command (ema). Seq 2: an exercise alert by command. Seq 3: an
  // alert by msd. Seq 4: a liaison proposal (not an alert).
  const RefCase kCases[] = {
      {"update without envelope references",
       [](schema::Envelope::Builder, Alert::Builder a) {
         a.setMsgType(Alert::MsgType::UPDATE);
         a.setReferences(Triple("command", 1));
       },
       StatusCode::kInvalidArgument,
       "references: msgType Update must name the seq of the earlier alert in the envelope's "
       "references"},
      {"unknown seq", Referring(Alert::MsgType::UPDATE, 99, "command"), StatusCode::kNotFound,
       "references: alert 99 not found"},
      {"a liaison message", Referring(Alert::MsgType::UPDATE, 4, "command"), StatusCode::kNotFound,
       "references: alert 4 not found"},
      {"another organisation's alert", Referring(Alert::MsgType::UPDATE, 3, "msd"),
       StatusCode::kPermissionDenied,
       "only organisation msd (the sender of alert 3) may update it"},
      {"cancel another organisation's alert", Referring(Alert::MsgType::CANCEL, 3, "msd"),
       StatusCode::kPermissionDenied,
       "only organisation msd (the sender of alert 3) may cancel it"},
      {"a drill updates a real alert",
       [](schema::Envelope::Builder e, Alert::Builder a) {
         Referring(Alert::MsgType::UPDATE, 1, "command")(e, a);
         e.setStatus(schema::MessageStatus::EXERCISE);
         a.setStatus(Alert::CapStatus::EXERCISE);
       },
       StatusCode::kInvalidArgument,
       "references: alert 1 is actual traffic; a message referring to it must be actual too"},
      {"a real update of a drill", Referring(Alert::MsgType::UPDATE, 2, "command"),
       StatusCode::kInvalidArgument,
       "references: alert 2 is exercise traffic; a message referring to it must be exercise too"},
      {"CAP references name another alert",
       [](schema::Envelope::Builder e, Alert::Builder a) {
         Referring(Alert::MsgType::UPDATE, 1, "command")(e, a);
         a.setReferences(Triple("command", 77));
       },
       StatusCode::kInvalidArgument,
       "references: the CAP references do not name alert 1 "
       "(command@city.example,CITY-1,2027-01-15T16:00:00+08:00)"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    TestWorld w;
    ASSERT_TRUE(Send(w, "command").ok());
    ASSERT_TRUE(Send(w, "command", [](schema::Envelope::Builder e, Alert::Builder a) {
                  e.setStatus(schema::MessageStatus::EXERCISE);
                  a.setStatus(Alert::CapStatus::EXERCISE);
                }).ok());
    ASSERT_TRUE(Send(w, "msd").ok());
    ASSERT_TRUE(w.Publish("msd-duty", [](schema::Envelope::Builder e) {
                   e.setIncident("INC-1");
                   auto l = e.initBody().initLiaison();
                   l.setAction(schema::LiaisonAssignment::Action::PROPOSE);
                   l.setOfficer("liaison-1");
                   l.setToOrg("ema");
                 }).ok());
    Published p = Send(w, "command", c.change);
    EXPECT_EQ(p.status.code(), c.code) << p.status.ToString();
    EXPECT_EQ(p.status.message(), c.reason);
  }
}

TEST(AlertPluginTest, CancelledAlertsCannotBeUpdatedOrCancelledAgain) {
  TestWorld w;
  ASSERT_TRUE(Send(w, "command").ok());                                                // 1
  ASSERT_TRUE(Send(w, "duty", Referring(Alert::MsgType::CANCEL, 1, "command")).ok());  // 2
  auto r = w.Record("alert", "1");
  EXPECT_TRUE(State(r).getCancelled());
  EXPECT_EQ(State(r).getCancelledBySeq(), 2u);

  Published p = Send(w, "command", Referring(Alert::MsgType::UPDATE, 1, "command"));
  EXPECT_EQ(p.status.ToString(),
            "failed-precondition: alert 1 was cancelled by 2; it can no longer be updated");
  p = Send(w, "command", Referring(Alert::MsgType::CANCEL, 1, "command"));
  EXPECT_EQ(p.status.ToString(),
            "failed-precondition: alert 1 was cancelled by 2; it is already cancelled");
  // A Cancel message itself is neither updated nor cancelled.
  p = Send(w, "command", Referring(Alert::MsgType::UPDATE, 2, "duty"));
  EXPECT_EQ(
      p.status.ToString(),
      "failed-precondition: alert 2 is Cancel: only Alert and Update messages can be updated");
  // But a recipient may still acknowledge the cancelled alert.
  EXPECT_TRUE(Send(w, "msd", Referring(Alert::MsgType::ACK, 1, "command")).ok());
}

TEST(AlertPluginTest, UpdateAndCancelReachEveryOriginalRecipient) {
  TestWorld w;
  // 1: duty's alert to msd, fire-1, vol-1 and rescue-1.
  ASSERT_TRUE(Send(w, "duty", nullptr, {"msd", "fire-1", "vol-1", "rescue-1"}).ok());
  // 2: command (same organisation) updates it, addressed to msd only.
  Published update = Send(w, "command", Referring(Alert::MsgType::UPDATE, 1, "duty"), {"msd"});
  ASSERT_TRUE(update.ok()) << update.status.ToString();
  EXPECT_EQ(update.effect.extra_recipients, Sorted({"duty", "fire-1", "msd", "rescue-1", "vol-1"}));
  ASSERT_EQ(update.effect.writes.size(), 2u);
  EXPECT_EQ(update.effect.writes[0].id, "2");
  EXPECT_EQ(update.effect.writes[1].id, "1");
  auto r1 = w.Record("alert", "1");
  EXPECT_EQ(State(r1).getUpdatedBySeq(), 2u);
  auto r2 = w.Record("alert", "2");
  EXPECT_EQ(State(r2).getMsgType(), Alert::MsgType::UPDATE);
  ASSERT_EQ(State(r2).getReferences().size(), 1u);
  EXPECT_EQ(State(r2).getReferences()[0], 1u);

  // 3: duty cancels the update, addressed to nobody in particular: it reaches everyone who got
  // the update, and through it everyone who got the original.
  Published cancel = Send(w, "duty", Referring(Alert::MsgType::CANCEL, 2, "command"), {});
  ASSERT_TRUE(cancel.ok()) << cancel.status.ToString();
  EXPECT_EQ(cancel.effect.extra_recipients,
            Sorted({"command", "fire-1", "msd", "rescue-1", "vol-1"}));
  auto recipients = w.state().RecipientsOf(cancel.seq);
  ASSERT_TRUE(recipients.ok());
  EXPECT_EQ(Sorted(*recipients), Sorted({"command", "fire-1", "msd", "rescue-1", "vol-1"}));
  auto r = w.Record("alert", "2");
  EXPECT_TRUE(State(r).getCancelled());

  // An update naming two earlier alerts reaches the recipients of both.
  TestWorld two;
  ASSERT_TRUE(Send(two, "duty", nullptr, {"msd"}).ok());
  ASSERT_TRUE(Send(two, "duty", nullptr, {"fire-1"}).ok());
  Published both = Send(two, "duty", [](schema::Envelope::Builder e, Alert::Builder a) {
    a.setMsgType(Alert::MsgType::UPDATE);
    a.setReferences(Triple("duty", 1) + " " + Triple("duty", 2));
    auto refs = e.initReferences(3);
    refs.set(0, 1);
    refs.set(1, 2);
    refs.set(2, 1);  // repeated: counted once
  });
  ASSERT_TRUE(both.ok()) << both.status.ToString();
  EXPECT_EQ(both.effect.extra_recipients, Sorted({"fire-1", "msd"}));
  EXPECT_EQ(both.effect.writes.size(), 3u);
}

TEST(AlertPluginTest, AckAndErrorComeFromRecipients) {
  TestWorld w;
  ASSERT_TRUE(Send(w, "command", nullptr, {"msd", "fire-1"}).ok());  // 1
  Published ack = Send(w, "msd", Referring(Alert::MsgType::ACK, 1, "command"), {"command"});
  ASSERT_TRUE(ack.ok()) << ack.status.ToString();
  EXPECT_EQ(ack.effect.extra_recipients, std::vector<std::string>{"command"});
  ASSERT_EQ(ack.effect.writes.size(), 1u);  // the original is not changed
  Published error = Send(w, "fire-1", Referring(Alert::MsgType::ERROR, 1, "command"));
  EXPECT_TRUE(error.ok()) << error.status.ToString();
  EXPECT_TRUE(Send(w, "duty", Referring(Alert::MsgType::ACK, 1, "command")).ok());  // same org
  Published stranger = Send(w, "rescue-1", Referring(Alert::MsgType::ACK, 1, "command"));
  EXPECT_EQ(stranger.status.ToString(),
            "permission-denied: only the recipients of alert 1 may answer it with Ack");
  auto r = w.Record("alert", "1");
  EXPECT_FALSE(State(r).getCancelled());
  EXPECT_EQ(State(r).getUpdatedBySeq(), 0u);
}

TEST(AlertPluginTest, AnAlertMayReferToEarlierAlertsThatExist) {
  TestWorld w;
  ASSERT_TRUE(Send(w, "command").ok());
  EXPECT_TRUE(Send(w, "msd", [](schema::Envelope::Builder e, Alert::Builder) {
                e.initReferences(1).set(0, 1);
              }).ok());
  EXPECT_EQ(Send(w, "msd",
                 [](schema::Envelope::Builder e, Alert::Builder) { e.initReferences(1).set(0, 9); })
                .status.code(),
            StatusCode::kNotFound);
  auto r = w.Record("alert", "1");
  EXPECT_EQ(State(r).getUpdatedBySeq(), 0u);
}

TEST(AlertPluginTest, ListAndShowWithVisibility) {
  TestWorld w;
  ASSERT_TRUE(Send(w, "command", nullptr, {"msd"}).ok());                                     // 1
  ASSERT_TRUE(Send(w, "command", Referring(Alert::MsgType::UPDATE, 1, "command"), {}).ok());  // 2
  ASSERT_TRUE(Send(w, "msd",
                   [](schema::Envelope::Builder e, Alert::Builder) {  // 3
                     e.setIncident("INC-2");
                     e.setClassification(schema::Classification::CONFIDENTIAL);
                   },
                   {"duty"})
                  .ok());

  QueryTable all = w.Query("auditor", schema::Kind::ALERT);
  ASSERT_TRUE(all.status.ok()) << all.status.ToString();
  ASSERT_EQ(all.rows.size(), 3u);
  EXPECT_EQ(all.Cell(0, "seq"), "1");
  EXPECT_EQ(all.Cell(0, "state"), "updated");
  EXPECT_EQ(all.Cell(0, "updated_by"), "2");
  EXPECT_EQ(all.Cell(1, "type"), "Update");
  EXPECT_EQ(all.Cell(1, "references"), "1");
  EXPECT_EQ(all.Cell(1, "state"), "active");
  EXPECT_EQ(all.Cell(2, "classification"), "confidential");
  EXPECT_EQ(all.Cell(2, "event"), "Flood");
  EXPECT_EQ(all.Cell(2, "severity"), "Severe");

  EXPECT_EQ(w.Query("auditor", schema::Kind::ALERT, "", "INC-2").rows.size(), 1u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::ALERT, "", "", "updated").rows.size(), 1u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::ALERT, "", "", "active").rows.size(), 2u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::ALERT, "", "", "cancelled").rows.size(), 0u);
  EXPECT_EQ(w.Query("auditor", schema::Kind::ALERT, "", "", "gone").status.code(),
            StatusCode::kInvalidArgument);

  // msd received 1 and 2 (the update reached it as an original recipient) and sent 3.
  EXPECT_EQ(w.Query("msd", schema::Kind::ALERT).rows.size(), 3u);
  // fire-1 received nothing; its duty officer sees what its clearance (internal) allows.
  EXPECT_EQ(w.Query("fire-1", schema::Kind::ALERT).rows.size(), 0u);
  EXPECT_EQ(w.Query("fire-duty", schema::Kind::ALERT).rows.size(), 2u);
  // The sender sees its own.
  EXPECT_EQ(w.Query("command", schema::Kind::ALERT).rows.size(), 2u);

  QueryTable show = w.Query("msd", schema::Kind::ALERT, "2");
  ASSERT_TRUE(show.status.ok()) << show.status.ToString();
  ASSERT_EQ(show.rows.size(), 1u);
  EXPECT_EQ(show.Cell(0, "sender"), "command");
  EXPECT_EQ(show.Cell(0, "headline"), "River above warning level");
  EXPECT_EQ(w.Query("fire-1", schema::Kind::ALERT, "2").status.ToString(), "not-found: no alert 2");
  EXPECT_EQ(w.Query("auditor", schema::Kind::ALERT, "9").status.code(), StatusCode::kNotFound);
  EXPECT_EQ(w.Query("auditor", schema::Kind::ALERT, "01").status.code(), StatusCode::kNotFound);
  EXPECT_EQ(w.Query("auditor", schema::Kind::ALERT, "L-1").status.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace muster::kinds
