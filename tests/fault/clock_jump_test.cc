// Clock jumps: the broker's wall clock is moved forwards and backwards while it runs (`musterd
// --clock-offset-file`, re-read every 100 ms). By design expiry and acknowledgement deadlines are
// instants on the wall clock (the sender's UTC milliseconds) compared with the broker's wall clock;
// timeouts, rates, sweeps and checkpoint cadence use the monotonic clock. So a jump may move when a
// deadline falls due on the real clock, but it must never:
//   - expire a message whose expiry the broker's clock has not reached;
//   - bring an expired message back (an expired delivery stays expired after a backward jump);
//   - fire a deadline before the broker's clock reaches it;
//   - lose a deadline across a backward jump, or fire one twice (once escalated, always once);
//   - escalate a recipient who acknowledged in time;
//   - break the audit log (leaf times never decrease; muster-audit verify passes).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "broker/store/store.h"
#include "schemas/audit.capnp.h"
#include "schemas/frame_codec.h"
#include "tests/fault/fault_support.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ClockJumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    offset_file_ = dir_.Sub("clock-offset");
    broker_ = BrokerProcess::StartDemo(dir_.Sub("demo"), 0, {"--clock-offset-file", offset_file_});
    ASSERT_NE(broker_, nullptr);
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
    auto c = client::Connection::Open(context_, broker_->Options("command"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    sender_ = std::move(c).value();
  }
  void TearDown() override {
    if (sender_) sender_->Close();
    if (broker_ && broker_->running()) {
      EXPECT_EQ(broker_->Stop(), 0) << broker_->Log();
    }
  }

  // Moves the broker's wall clock to the real time plus `offset_ms`, and waits until a new session's
  // welcome shows the broker's clock there (within 2 s) — then one more sweep.
  void Jump(int64_t offset_ms) {
    std::ofstream(offset_file_, std::ios::trunc) << offset_ms << "\n";
    bool seen = false;
    for (int64_t until = MonoMs() + 10000; !seen && MonoMs() < until;) {
      auto c = client::Connection::Open(context_, broker_->Options("auditor"));
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      const int64_t skew = (*c)->welcome().server_time_ms - (WallMs() + offset_ms);
      seen = skew > -2000 && skew < 2000;
      (*c)->Close();
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(seen) << "the broker's clock did not move by " << offset_ms << " ms";
    std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the deadline sweep runs every 500 ms
  }

  uint64_t Send(const std::string& id, const std::vector<std::string>& to, int64_t expires_ms, int64_t ack_by_ms) {
    TestAlert a;
    a.to_principals = to;
    a.headline = id;
    a.expires_ms = expires_ms;
    auto r = sender_->Publish(id, [&](schema::Envelope::Builder e) {
      FillAlert(a, e);
      e.setAckDeadlineMillis(ack_by_ms);
    });
    EXPECT_TRUE(r.ok()) << id << ": " << r.status().ToString();
    return r.ok() ? r->seq : 0;
  }

  // Each recipient's delivery state of `seq` (pending, delivered, received, acknowledged,
  // escalated, expired).
  std::map<std::string, std::string> States(uint64_t seq) {
    std::map<std::string, std::string> out;
    auto r = sender_->Query([&](schema::Query::Builder q) { q.setDeliveryStatus(seq); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return out;
    for (auto rec : (*r)->frame().getResult().getDeliveryStatus().getRecipients()) {
      out[rec.getPrincipal()] = rec.getState();
    }
    return out;
  }

  // Waits up to `timeout_ms` for `principal`'s state of `seq` to become `state`.
  bool WaitForState(uint64_t seq, const std::string& principal, const std::string& state, int timeout_ms = 10000) {
    for (int64_t until = MonoMs() + timeout_ms; MonoMs() < until;) {
      if (States(seq)[principal] == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Receives as `principal` until caught up (or, without acks, which leave it never caught up, until
  // `last` arrived: deliveries come in seq order); acks each at once if `ack`. Returns the seqs.
  std::set<uint64_t> Receive(const std::string& principal, bool ack, uint64_t last = 0) {
    std::set<uint64_t> got;
    auto c = client::Connection::Open(context_, broker_->Options(principal, true));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (!c.ok()) return got;
    for (int64_t until = MonoMs() + 10000; MonoMs() < until;) {
      auto f = (*c)->Receive(200);
      EXPECT_TRUE(f.ok());
      if (!f.ok() || *f == nullptr) continue;
      auto fr = (*f)->frame();
      if (fr.which() == schema::Frame::DELIVER) got.insert(fr.getDeliver().getSeq());
      if (fr.which() == schema::Frame::NOTICE && fr.getNotice().getKind() == schema::Notice::Kind::CAUGHT_UP) break;
      if (ack && fr.which() == schema::Frame::DELIVER) {
        EXPECT_TRUE((*c)->AckConfirmed({fr.getDeliver().getSeq()}, false).ok());
      }
      if (!ack && last != 0 && got.count(last)) break;
    }
    (*c)->Close();
    return got;
  }

  // (seq, subject) of every leaf of `event` in the log (read after a clean stop).
  std::multiset<std::pair<uint64_t, std::string>> Leaves(schema::AuditLeaf::Event event) {
    std::multiset<std::pair<uint64_t, std::string>> out;
    auto store = store::Store::Open({broker_->DataDir(), true});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return out;
    EXPECT_TRUE((*store)->Scan(store::Column::kAudit, "", "", [&](std::string_view, std::string_view v) {
      auto d = wire::DecodedStruct::Decode(v.data(), v.size());
      if (!d.ok()) return true;
      auto leaf = (*d)->Get<schema::AuditLeaf>();
      if (leaf.getEvent() == event) out.emplace(leaf.getSeq(), leaf.getSubject());
      return true;
    }).ok());
    return out;
  }

  TempDir dir_;
  std::string offset_file_;
  zmq::context_t context_{1};
  std::unique_ptr<BrokerProcess> broker_;
  std::unique_ptr<client::Connection> sender_;
};

TEST_F(ClockJumpTest, ExpiryFollowsTheBrokersClockAndAnExpiredMessageStaysExpired) {
  const int64_t t0 = WallMs();
  const uint64_t far = Send("expires-in-2h", {"msd"}, t0 + 2 * kHour, 0);
  const uint64_t near = Send("expires-in-90s", {"msd"}, t0 + 90 * 1000, 0);
  const uint64_t never = Send("never-expires", {"msd"}, 0, 0);
  ASSERT_TRUE(far && near && never);

  // Forward one hour: only the message whose expiry the clock passed expires.
  Jump(kHour);
  std::set<uint64_t> got = Receive("msd", /*ack=*/true);
  EXPECT_TRUE(got.count(far)) << "a message with an hour still to run was expired by a one-hour jump";
  EXPECT_TRUE(got.count(never));
  EXPECT_FALSE(got.count(near)) << "a message past its expiry on the broker's clock was delivered";
  EXPECT_EQ(States(near)["msd"], "expired");
  EXPECT_EQ(States(far)["msd"], "received");

  // Backward two hours (the broker's clock an hour behind): the expired one stays expired, a new
  // message expiring in 30 minutes of real time is accepted and delivered, nothing else expires.
  Jump(-kHour);
  const uint64_t later = Send("expires-in-30min", {"msd"}, WallMs() + 30 * kMinute, 0);
  ASSERT_TRUE(later);
  got = Receive("msd", /*ack=*/false, /*last=*/later);
  EXPECT_FALSE(got.count(near)) << "an expired message came back after the clock went backwards";
  EXPECT_TRUE(got.count(later));
  EXPECT_EQ(States(near)["msd"], "expired");
  // Recorded as delivered after a second's grace, although the broker's clock is an hour back.
  EXPECT_TRUE(WaitForState(later, "msd", "delivered", 5000)) << States(later)["msd"];

  // Back to the real time: the unacked delivery of `later` comes again, not expired.
  Jump(0);
  got = Receive("msd", /*ack=*/true);
  EXPECT_TRUE(got.count(later)) << "redelivery of an unacked, unexpired message";
  EXPECT_EQ(States(later)["msd"], "received");

  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  auto expired = Leaves(schema::AuditLeaf::Event::EXPIRED);
  EXPECT_EQ(expired.count({near, "msd"}), 1u) << "one 'expired' leaf for the expired message";
  EXPECT_EQ(expired.size(), 1u) << "nothing else expired";
  CommandResult v = AuditVerify(broker_->DataDir());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  std::printf("clock jumps (expiry): +1 h, -1 h, 0: expired %zu leaf(s) (the message due in 90 s), delivered "
              "the 2 h and 30 min ones; muster-audit verify exit %d\n",
              expired.size(), v.exit_code);
}

TEST_F(ClockJumpTest, DeadlinesFireOnceWhenTheBrokersClockPassesThemNeverEarlyAndAreNotLost) {
  const int64_t t0 = WallMs();
  // Both due in an hour; msd acknowledges the first in time, liaison-1 never does; msd leaves the
  // second unacknowledged.
  const uint64_t both = Send("ack-by-1h-both", {"msd", "liaison-1"}, 0, t0 + kHour);
  const uint64_t msd_only = Send("ack-by-1h-msd", {"msd"}, 0, t0 + kHour);
  ASSERT_TRUE(both && msd_only);
  {
    auto c = client::Connection::Open(context_, broker_->Options("msd", true));
    ASSERT_TRUE(c.ok());
    std::set<uint64_t> seen;
    for (int64_t until = MonoMs() + 10000; MonoMs() < until && seen.size() < 2;) {
      auto f = (*c)->Receive(200);
      ASSERT_TRUE(f.ok());
      if (*f != nullptr && (*f)->frame().which() == schema::Frame::DELIVER) seen.insert((*f)->frame().getDeliver().getSeq());
    }
    ASSERT_EQ(seen.size(), 2u);
    ASSERT_TRUE((*c)->AckConfirmed({both}, /*acknowledged=*/true).ok());
    ASSERT_TRUE((*c)->AckConfirmed({msd_only}, /*acknowledged=*/false).ok());
    (*c)->Close();
  }

  // Backward two hours, then forward to half an hour before the deadline: nothing fires early.
  Jump(-2 * kHour);
  Jump(30 * kMinute);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  EXPECT_EQ(States(both)["liaison-1"], "pending") << "escalated half an hour before its deadline";
  EXPECT_EQ(States(msd_only)["msd"], "received") << "escalated half an hour before its deadline";

  // Past the deadline: both fire, for those who did not acknowledge only.
  Jump(kHour + kMinute);
  EXPECT_TRUE(WaitForState(both, "liaison-1", "escalated")) << broker_->Log();
  EXPECT_TRUE(WaitForState(msd_only, "msd", "escalated"));
  EXPECT_EQ(States(both)["msd"], "acknowledged") << "msd acknowledged in time";

  // A deadline due in 3 s of real time, then the clock goes back an hour: it does not fire while
  // the broker's clock is short of it, and fires once the clock is back (not lost).
  Jump(0);
  const uint64_t short_one = Send("ack-by-3s", {"msd"}, 0, WallMs() + 3000);
  ASSERT_TRUE(short_one);
  std::ofstream(offset_file_, std::ios::trunc) << -kHour << "\n";  // at once, before it falls due
  std::this_thread::sleep_for(std::chrono::milliseconds(5000));
  EXPECT_EQ(States(short_one)["msd"], "pending") << "fired although the broker's clock had not reached it";
  Jump(0);
  EXPECT_TRUE(WaitForState(short_one, "msd", "escalated")) << "the deadline was lost across a backward jump";

  // Backward again after everything fired: nothing fires a second time.
  Jump(-3 * kHour);
  Jump(2 * kHour);
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));

  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  auto escalated = Leaves(schema::AuditLeaf::Event::ESCALATED);
  std::multiset<std::pair<uint64_t, std::string>> expected = {
      {both, "liaison-1"}, {msd_only, "msd"}, {short_one, "msd"}};
  EXPECT_EQ(escalated, expected) << "each missed deadline escalates exactly once, and only for who missed it";
  // The escalation messages themselves: one per missed deadline.
  auto logged = ReadLoggedMessages(broker_->DataDir());
  ASSERT_TRUE(logged.ok()) << logged.status().ToString();
  size_t notices = 0;
  for (const auto& m : *logged) notices += m.sender == "muster" ? 1 : 0;
  EXPECT_EQ(notices, 3u);
  CommandResult v = AuditVerify(broker_->DataDir());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  std::printf("clock jumps (deadlines): -2 h, +30 min, +61 min, 0, -1 h, 0, -3 h, +2 h: %zu escalated leaves "
              "(expected 3), %zu escalation messages; muster-audit verify exit %d\n",
              escalated.size(), notices, v.exit_code);
}

}  // namespace
}  // namespace muster::testing
