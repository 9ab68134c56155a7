// Store-and-forward against a real musterd: offline recipients, SIGKILL and restart, redelivery
// of unacked messages, dedup of retried publishes, and the crash test (publishes while the
// broker is killed repeatedly: every receipted message is in the log exactly once and delivered).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "broker/store/keys.h"
#include "broker/store/store.h"
#include "schemas/store.capnp.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

class DurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = BrokerProcess::StartDemo(dir_.Sub("demo"));
    ASSERT_NE(broker_, nullptr);
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  }
  void TearDown() override {
    if (broker_ && broker_->running()) {
      EXPECT_EQ(broker_->Stop(), 0) << broker_->Log();
    }
  }

  std::unique_ptr<client::Connection> Connect(const std::string& principal, bool receive = false,
                                              uint32_t window = 0) {
    auto o = broker_->Options(principal, receive);
    o.window = window;
    auto c = client::Connection::Open(context_, o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // Receives deliveries until caught up (or timeout), acking them if `ack`.
  // Returns seq -> (client message id, redelivery count).
  std::map<uint64_t, std::pair<std::string, uint32_t>> Drain(client::Connection& c, bool ack, int timeout_ms = 20000) {
    std::map<uint64_t, std::pair<std::string, uint32_t>> got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::vector<uint64_t> pending_acks;
    while (std::chrono::steady_clock::now() < deadline) {
      auto f = c.Receive(200);
      EXPECT_TRUE(f.ok());
      if (!f.ok()) break;
      if (*f == nullptr) continue;
      auto fr = (*f)->frame();
      if (fr.which() == schema::Frame::DELIVER) {
        auto d = fr.getDeliver();
        EXPECT_EQ(got.count(d.getSeq()), 0u) << "delivered twice in one session: " << d.getSeq();
        got[d.getSeq()] = {d.getEnvelope().getClientMessageId(), d.getRedeliveryCount()};
        if (ack) pending_acks.push_back(d.getSeq());
        if (pending_acks.size() >= 32) {
          EXPECT_TRUE(c.Ack(pending_acks, false).ok());
          pending_acks.clear();
        }
      } else if (fr.which() == schema::Frame::NOTICE &&
                 fr.getNotice().getKind() == schema::Notice::Kind::CAUGHT_UP) {
        if (!ack || pending_acks.empty()) break;
      }
      if (ack && !pending_acks.empty()) {
        EXPECT_TRUE(c.Ack(pending_acks, false).ok());
        pending_acks.clear();
      }
    }
    if (ack && !pending_acks.empty()) {
      EXPECT_TRUE(c.AckConfirmed(pending_acks, false).ok());
    }
    return got;
  }

  Result<client::ReceiptInfo> Send(client::Connection& c, const std::string& id, const std::string& to,
                                   schema::Precedence precedence = schema::Precedence::ROUTINE) {
    TestAlert a;
    a.to_principals = {to};
    a.precedence = precedence;
    a.headline = id;
    return c.Publish(id, [&](schema::Envelope::Builder e) { FillAlert(a, e); });
  }

  TempDir dir_;
  zmq::context_t context_{1};
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(DurabilityTest, OfflineRecipientGetsItsMessagesInOrderWhenItConnects) {
  auto sender = Connect("command");
  ASSERT_NE(sender, nullptr);
  std::vector<uint64_t> seqs;
  for (int i = 0; i < 300; ++i) {  // more than one delivery window (256)
    auto r = Send(*sender, "offline-" + std::to_string(i), "msd");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    seqs.push_back(r->seq);
  }
  auto urgent = Send(*sender, "urgent", "msd", schema::Precedence::FLASH);
  ASSERT_TRUE(urgent.ok());
  auto receiver = Connect("msd", /*receive=*/true);
  ASSERT_NE(receiver, nullptr);
  // The flash message comes first, then the rest in seq order.
  auto first = receiver->Receive(5000);
  ASSERT_TRUE(first.ok() && *first != nullptr);
  ASSERT_EQ((*first)->frame().which(), schema::Frame::DELIVER);
  EXPECT_EQ((*first)->frame().getDeliver().getSeq(), urgent->seq);
  ASSERT_TRUE(receiver->Ack({urgent->seq}, false).ok());
  auto got = Drain(*receiver, /*ack=*/true);
  ASSERT_EQ(got.size(), seqs.size());
  size_t i = 0;
  for (const auto& [seq, info] : got) {
    EXPECT_EQ(seq, seqs[i]);
    EXPECT_EQ(info.first, "offline-" + std::to_string(i));
    ++i;
  }
  receiver->Close();
  // Everything was acked: nothing is pending any more.
  auto again = Connect("msd", true);
  EXPECT_TRUE(Drain(*again, true, 3000).empty());
}

TEST_F(DurabilityTest, UnackedDeliveriesComeAgainWithARedeliveryCount) {
  auto sender = Connect("command");
  auto r = Send(*sender, "needs-ack", "msd");
  ASSERT_TRUE(r.ok());
  {
    auto receiver = Connect("msd", true);
    auto got = Drain(*receiver, /*ack=*/false, 3000);
    ASSERT_EQ(got.count(r->seq), 1u);
    EXPECT_EQ(got[r->seq].second, 0u);
    receiver->Close();  // gone without acking
  }
  auto receiver = Connect("msd", true);
  auto got = Drain(*receiver, /*ack=*/true);
  ASSERT_EQ(got.count(r->seq), 1u);
  EXPECT_GE(got[r->seq].second, 1u) << "a redelivery says so";
}

TEST_F(DurabilityTest, DeliveredAfterSigkillAndRestart) {
  auto sender = Connect("command");
  auto r = Send(*sender, "survives", "liaison-1");
  ASSERT_TRUE(r.ok());
  sender.reset();
  broker_->Kill();
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  CommandResult inbox = RunCli(*broker_, "liaison-1", {"--json", "inbox"});
  ASSERT_EQ(inbox.exit_code, 0) << inbox.err;
  EXPECT_NE(inbox.out.find("\"seq\":" + std::to_string(r->seq)), std::string::npos) << inbox.out;
  EXPECT_NE(inbox.out.find("survives"), std::string::npos);
}

TEST_F(DurabilityTest, RetriedPublishGetsTheOriginalReceiptAlsoAfterRestart) {
  auto sender = Connect("command");
  auto first = Send(*sender, "retry-me", "msd");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->duplicate);
  auto second = Send(*sender, "retry-me", "msd");
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->seq, first->seq);
  sender.reset();
  broker_->Kill();
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady());
  sender = Connect("command");
  auto third = Send(*sender, "retry-me", "msd");
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->duplicate);
  EXPECT_EQ(third->seq, first->seq);
  // The same id from another sender is a different message.
  auto other = Connect("duty");
  auto theirs = Send(*other, "retry-me", "msd");
  ASSERT_TRUE(theirs.ok());
  EXPECT_FALSE(theirs->duplicate);
  EXPECT_NE(theirs->seq, first->seq);
  auto receiver = Connect("msd", true);
  auto got = Drain(*receiver, true);
  EXPECT_EQ(got.size(), 2u) << "one log entry per (sender, id)";
}

TEST_F(DurabilityTest, CrashTestEveryReceiptedMessageIsLoggedOnceAndDelivered) {
  const int kMessages = 400;
  const int kKills = 5;
  std::map<std::string, uint64_t> receipts;  // client message id -> seq
  std::atomic<int> sent{0};
  std::atomic<bool> failed{false};
  std::string failure;
  std::thread publisher([&] {
    zmq::context_t ctx(1);
    auto o = broker_->Options("command");
    o.timeout_ms = 30000;
    auto c = client::Connection::Open(ctx, o);
    if (!c.ok()) {
      failure = c.status().ToString();
      failed = true;
      return;
    }
    for (int i = 0; i < kMessages; ++i) {
      std::string id = "crash-" + std::to_string(i);
      TestAlert a;
      a.to_principals = {"msd"};
      a.headline = id;
      auto r = (*c)->Publish(id, [&](schema::Envelope::Builder e) { FillAlert(a, e); }, 60000);
      if (!r.ok()) {
        failure = id + ": " + r.status().ToString();
        failed = true;
        return;
      }
      receipts[id] = r->seq;
      sent = i + 1;
    }
  });
  for (int k = 0; k < kKills && !failed; ++k) {
    int target = (k + 1) * kMessages / (kKills + 2);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sent < target && !failed && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    broker_->Kill();
    ASSERT_TRUE(broker_->Restart());
    ASSERT_TRUE(broker_->WaitReady(20)) << broker_->Log();
  }
  publisher.join();
  ASSERT_FALSE(failed) << failure;
  ASSERT_EQ(receipts.size(), static_cast<size_t>(kMessages));

  // Delivered: every receipted message reaches the recipient with the receipted seq.
  auto receiver = Connect("msd", true);
  auto got = Drain(*receiver, true, 60000);
  receiver->Close();
  std::map<std::string, uint64_t> delivered;
  for (const auto& [seq, info] : got) delivered[info.first] = seq;
  for (const auto& [id, seq] : receipts) {
    ASSERT_EQ(delivered.count(id), 1u) << id << " was receipted but never delivered";
    EXPECT_EQ(delivered[id], seq) << id;
  }
  EXPECT_EQ(got.size(), receipts.size()) << "a message was logged twice";

  // In the log exactly once: read the store itself after a clean stop.
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  auto store = store::Store::Open({broker_->DataDir(), /*read_only=*/true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<std::string, int> copies;
  ASSERT_TRUE((*store)->Scan(store::Column::kMessages, "", "", [&](std::string_view, std::string_view v) {
    auto d = wire::DecodedStruct::Decode(v.data(), v.size());
    EXPECT_TRUE(d.ok());
    if (d.ok()) copies[(*d)->Get<schema::StoredMessage>().getEnvelope().getClientMessageId()]++;
    return true;
  }).ok());
  EXPECT_EQ(copies.size(), static_cast<size_t>(kMessages));
  for (const auto& [id, n] : copies) EXPECT_EQ(n, 1) << id << " is in the log " << n << " times";
  std::printf("crash test: %d publishes, %d broker kills, %zu receipted, %zu logged, %zu delivered\n",
              kMessages, kKills, receipts.size(), copies.size(), got.size());
}

}  // namespace
}  // namespace muster::testing
