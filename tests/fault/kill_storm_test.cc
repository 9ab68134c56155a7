// Kill storm: the broker is SIGKILLed again and again (4 times under ctest, 20 under
// tests/fault/run.sh) while 8 publishers publish and 3 recipients receive and ack, one of them
// disconnecting and reconnecting all the time. Publishers retry each message with the same client
// message id until it has a receipt.
//
// At-least-once, as checked here: every receipted message is in the store exactly once (no
// receipted message missing, no (sender, id) logged twice) and is delivered to every recipient;
// a delivery may come again until the recipient's ack is confirmed durable (the broker died
// before the ack was written, or the recipient went away without acking) — that is counted and
// reported as redeliveries — but never after the broker confirmed the ack. Finally the auditor's
// offline check (muster-audit verify) passes over the log the kills left behind.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <capnp/message.h>

#include "schemas/frame_codec.h"
#include "tests/fault/fault_support.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

const std::vector<std::string> kRecipients = {"msd", "liaison-1", "rescue-1"};
// Publishers: principals that receive nothing here (so their own traffic does not mix in).
const std::vector<std::string> kPublishers = {"command", "command", "command", "duty",
                                              "duty",    "duty",    "vol-1",   "vol-1"};

// What one recipient saw; written by its thread, read after it ended.
struct RecipientLedger {
  std::string principal;
  bool reconnects = false;
  std::map<uint64_t, int> deliveries;      // seq -> times delivered
  std::set<uint64_t> acked;                // acks the broker confirmed durable
  std::vector<uint64_t> after_ack;         // delivered again after a confirmed ack (must stay empty)
  uint64_t sessions = 0;                   // connections opened
  uint64_t failed_acks = 0;                // ack batches not confirmed (the broker died meanwhile)
  std::atomic<size_t> delivered_count{0};  // deliveries.size(), for the test body to watch
};

using KillStormTest = UnthrottledBrokerTest;

// Sends an ack of `seqs` that the broker answers (result or reject, quoting `request_id`) once
// it is durable.
Status SendConfirmableAck(client::Connection& c, const std::vector<uint64_t>& seqs, uint64_t request_id) {
  capnp::MallocMessageBuilder m(64);
  auto ack = m.initRoot<schema::Frame>().initAck();
  auto list = ack.initSeqs(static_cast<unsigned>(seqs.size()));
  for (size_t i = 0; i < seqs.size(); ++i) list.set(static_cast<unsigned>(i), seqs[i]);
  ack.setLevel(schema::AckLevel::RECEIVED);
  ack.setRequestId(request_id);
  return c.SendEncoded(wire::EncodeFrame(m));
}

// Receives and acks in small batches, taking every frame in the order it arrived (so a delivery
// that came before an ack's confirmation is never mistaken for one after it); a reconnecting
// recipient closes its session every 700 ms, every other time acking (unconfirmed) first.
void RunRecipient(const BrokerProcess& broker, RecipientLedger& ledger, const std::atomic<bool>& stop) {
  zmq::context_t context(1);
  std::unique_ptr<client::Connection> c;
  std::vector<uint64_t> batch;
  std::map<uint64_t, std::vector<uint64_t>> awaiting;  // request id -> seqs acked, not yet confirmed
  uint64_t next_request = 1;
  int64_t last_ack = MonoMs();
  int64_t next_reconnect = MonoMs() + 700;
  int cycle = 0;
  auto drop_session = [&] {
    c.reset();
    batch.clear();
    ledger.failed_acks += awaiting.size();  // never confirmed: these may come again, which is allowed
    awaiting.clear();
  };
  while (!stop) {
    if (c == nullptr) {
      auto o = broker.Options(ledger.principal, /*receive=*/true);
      o.timeout_ms = 2000;
      auto opened = client::Connection::Open(context, o);
      if (!opened.ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      c = std::move(opened).value();
      ++ledger.sessions;
      next_reconnect = MonoMs() + 700;
    }
    auto f = c->Receive(50);
    if (!f.ok()) {
      drop_session();
      continue;
    }
    if (*f != nullptr) {
      auto frame = (*f)->frame();
      if (frame.which() == schema::Frame::DELIVER) {
        const uint64_t seq = frame.getDeliver().getSeq();
        if (ledger.acked.count(seq)) ledger.after_ack.push_back(seq);
        ++ledger.deliveries[seq];
        ledger.delivered_count = ledger.deliveries.size();
        batch.push_back(seq);
      } else if (frame.which() == schema::Frame::RESULT || frame.which() == schema::Frame::REJECT) {
        const uint64_t id =
            frame.which() == schema::Frame::RESULT ? frame.getResult().getQueryId() : frame.getReject().getQueryId();
        auto it = awaiting.find(id);
        if (it != awaiting.end()) {
          if (frame.which() == schema::Frame::RESULT) {
            ledger.acked.insert(it->second.begin(), it->second.end());
          } else {
            ++ledger.failed_acks;
          }
          awaiting.erase(it);
        }
      }
    }
    if (!batch.empty() && (batch.size() >= 32 || MonoMs() - last_ack >= 50)) {
      const uint64_t id = next_request++;
      if (SendConfirmableAck(*c, batch, id).ok()) awaiting[id] = batch;
      batch.clear();
      last_ack = MonoMs();
    }
    if (ledger.reconnects && MonoMs() >= next_reconnect) {
      if (++cycle % 2 == 0) (void)c->Ack(batch, false);
      c->Close();  // what was not acked comes again in the next session
      drop_session();
    }
  }
  if (c != nullptr) c->Close();
}

TEST_F(KillStormTest, EveryReceiptedMessageIsLoggedOnceAndDeliveredAcrossRepeatedSigkills) {
  const int kKills = Scaled(4, 20);
  const int kReceiptsBetweenKills = Scaled(40, 100);
  const int64_t started = MonoMs();

  // Recipients.
  std::atomic<bool> stop_recipients{false};
  std::vector<RecipientLedger> ledgers(kRecipients.size());
  std::vector<std::thread> recipients;
  for (size_t i = 0; i < kRecipients.size(); ++i) {
    ledgers[i].principal = kRecipients[i];
    ledgers[i].reconnects = i + 1 == kRecipients.size();
    recipients.emplace_back([&, i] { RunRecipient(*broker_, ledgers[i], stop_recipients); });
  }

  // Publishers.
  std::atomic<bool> stop_publishers{false};
  std::atomic<int> receipted{0};
  std::mutex mu;
  std::map<std::pair<std::string, std::string>, uint64_t> receipts;  // (sender, id) -> seq
  uint64_t duplicates = 0;
  std::string failure;
  std::vector<std::thread> publishers;
  for (size_t p = 0; p < kPublishers.size(); ++p) {
    publishers.emplace_back([&, p] {
      zmq::context_t context(1);
      std::unique_ptr<client::Connection> c;
      const std::string& principal = kPublishers[p];
      for (int n = 0; !stop_publishers; ++n) {
        const std::string id = "storm-p" + std::to_string(p) + "-" + std::to_string(n);
        TestAlert a;
        a.to_principals = kRecipients;
        a.headline = id;
        a.classification = principal == "vol-1" ? schema::Classification::PUBLIC : schema::Classification::INTERNAL;
        // The message in flight is finished even after the stop: every attempted id gets a receipt.
        auto r = PublishUntilReceipt(context, *broker_, principal, c, id,
                                     [&](schema::Envelope::Builder e) { FillAlert(a, e); }, 120000);
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok()) {
          if (failure.empty()) failure = principal + " " + id + ": " + r.status().ToString();
          return;
        }
        receipts[{principal, id}] = r->seq;
        if (r->duplicate) ++duplicates;
        ++receipted;
      }
      if (c != nullptr) c->Close();
    });
  }
  struct Joiner {  // however the test body ends
    std::atomic<bool>& stop_p;
    std::atomic<bool>& stop_r;
    std::vector<std::thread>& a;
    std::vector<std::thread>& b;
    ~Joiner() {
      stop_p = true;
      for (auto& t : a) if (t.joinable()) t.join();
      stop_r = true;
      for (auto& t : b) if (t.joinable()) t.join();
    }
  } joiner{stop_publishers, stop_recipients, publishers, recipients};

  // The storm: kill whenever the publishers have made progress since the last restart, at a
  // varying moment (0-150 ms later), so kills land in every phase of a commit.
  int64_t restart_ms_total = 0;
  for (int k = 0; k < kKills; ++k) {
    const int target = receipted + kReceiptsBetweenKills;
    const int64_t deadline = MonoMs() + 90000;
    while (receipted < target && MonoMs() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu);
        ASSERT_TRUE(failure.empty()) << failure;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_GE(receipted, target) << "publishing stalled before kill " << k + 1 << "\n" << broker_->Log();
    std::this_thread::sleep_for(std::chrono::milliseconds((k * 37) % 150));
    broker_->Kill();
    const int64_t t0 = MonoMs();
    ASSERT_TRUE(broker_->Restart());
    ASSERT_TRUE(broker_->WaitReady(60)) << "restart " << k + 1 << " failed\n" << broker_->Log();
    restart_ms_total += MonoMs() - t0;
  }
  // A last stretch of load after the final restart, then the publishers finish their messages.
  const int after = receipted + kReceiptsBetweenKills;
  for (int64_t deadline = MonoMs() + 60000; receipted < after && MonoMs() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop_publishers = true;
  for (auto& t : publishers) t.join();
  ASSERT_TRUE(failure.empty()) << failure;
  ASSERT_GT(receipts.size(), 0u);

  // Every recipient gets every message (bounded wait). Each attempted id ended with a receipt, so
  // what is logged is what was receipted, and a recipient is done when it has had as many
  // distinct messages as there are receipts.
  const int64_t drain_started = MonoMs();
  auto done = [&] {
    for (const auto& l : ledgers) {
      if (l.delivered_count < receipts.size()) return false;
    }
    return true;
  };
  while (!done() && MonoMs() - drain_started < 120000) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int64_t drain_ms = MonoMs() - drain_started;
  stop_recipients = true;
  for (auto& t : recipients) t.join();
  const int64_t elapsed_ms = MonoMs() - started;

  // The store, after a clean stop: each (sender, id) once, each receipt's seq the logged one.
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  auto logged = ReadLoggedMessages(broker_->DataDir());
  ASSERT_TRUE(logged.ok()) << logged.status().ToString();
  std::map<std::pair<std::string, std::string>, std::vector<uint64_t>> copies;
  for (const auto& m : *logged) {
    if (m.sender == "muster") continue;  // the broker's own messages (none expected here)
    copies[{m.sender, m.client_message_id}].push_back(m.seq);
  }
  size_t missing = 0, twice = 0, wrong_seq = 0, unreceipted = 0;
  for (const auto& [key, seq] : receipts) {
    auto it = copies.find(key);
    if (it == copies.end()) {
      ++missing;
      ADD_FAILURE() << key.first << " " << key.second << " (seq " << seq << ") was receipted but is not in the store";
    } else if (it->second.front() != seq) {
      ++wrong_seq;
      ADD_FAILURE() << key.second << ": receipt says seq " << seq << ", the store " << it->second.front();
    }
  }
  for (const auto& [key, seqs] : copies) {
    if (seqs.size() > 1) {
      ++twice;
      ADD_FAILURE() << key.first << " " << key.second << " is in the store " << seqs.size() << " times";
    }
    if (!receipts.count(key)) ++unreceipted;
  }
  EXPECT_EQ(unreceipted, 0u) << "every attempted id ended with a receipt, so nothing else may be logged";

  // Deliveries: every receipted message to every recipient; never again after a confirmed ack.
  std::set<uint64_t> receipted_seqs;
  for (const auto& [key, seq] : receipts) receipted_seqs.insert(seq);
  std::printf("kill storm: %d SIGKILLs in %.1f s (mean restart to ready %.0f ms); %zu publishers, %zu recipients "
              "(%s reconnecting)\n",
              kKills, elapsed_ms / 1000.0, static_cast<double>(restart_ms_total) / kKills, kPublishers.size(),
              kRecipients.size(), kRecipients.back().c_str());
  std::printf("kill storm: receipted %zu (%llu of them a retry answered with the original receipt), logged %zu, "
              "missing %zu, logged twice %zu, receipt/store seq mismatch %zu, logged without receipt %zu\n",
              receipts.size(), static_cast<unsigned long long>(duplicates), copies.size(), missing, twice, wrong_seq,
              unreceipted);
  for (const auto& l : ledgers) {
    size_t distinct = 0, undelivered = 0, redelivered = 0, total = 0;
    for (const auto& [seq, n] : l.deliveries) {
      total += static_cast<size_t>(n);
      if (n > 1) redelivered += static_cast<size_t>(n - 1);
      if (receipted_seqs.count(seq)) ++distinct;
    }
    for (uint64_t seq : receipted_seqs) {
      if (!l.deliveries.count(seq)) ++undelivered;
    }
    std::printf("kill storm: %-9s delivered %zu of %zu (%zu deliveries, %zu redeliveries before a confirmed ack), "
                "acks confirmed %zu, delivered after a confirmed ack %zu, sessions %llu, unconfirmed ack batches "
                "%llu\n",
                l.principal.c_str(), distinct, receipted_seqs.size(), total, redelivered, l.acked.size(),
                l.after_ack.size(), static_cast<unsigned long long>(l.sessions),
                static_cast<unsigned long long>(l.failed_acks));
    EXPECT_EQ(undelivered, 0u) << l.principal << " never got " << undelivered << " receipted messages (waited "
                               << drain_ms << " ms)";
    EXPECT_TRUE(l.after_ack.empty()) << l.principal << " got seq " << l.after_ack.front()
                                     << " again after the broker confirmed its ack";
  }

  // The auditor's offline check of the whole log.
  CommandResult v = AuditVerify(broker_->DataDir());
  std::printf("kill storm: muster-audit verify: exit %d: %s", v.exit_code, v.out.c_str());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace muster::testing
