// Test support for the audit reader's tests: a store in a temp directory with an AuditLog that
// writes leaves (with message records for accepted leaves, in the same WriteSet, as the publish
// pipeline does) at times the test chooses, signs checkpoints, and lets the test tamper with
// any stored record. Header-only; for tests only.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>

#include <capnp/message.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "broker/audit/audit_log.h"
#include "broker/audit/audit_reader.h"
#include "broker/store/group_committer.h"
#include "broker/store/keys.h"
#include "broker/store/record_codec.h"
#include "broker/store/store.h"
#include "schemas/envelope.capnp.h"
#include "security/checkpoint_note.h"

namespace muster::audit::testing {

// A wall clock the test sets.
class ManualClock final : public Clock {
 public:
  int64_t NowMillis() const override { return now_ms_; }
  int64_t MonotonicMillis() const override { return now_ms_; }
  void Set(int64_t ms) { now_ms_ = ms; }
  void Advance(int64_t ms) { now_ms_ += ms; }

 private:
  int64_t now_ms_ = 1'790'000'000'000;  // November 2026
};

class TestLog {
 public:
  explicit TestLog(const std::string& key_name = "muster/test") {
    char tmpl[] = "/tmp/muster-audit-reader-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Open();
    key_ = std::move(security::SigningKey::Generate(key_name)).value();
  }
  ~TestLog() {
    Close();
    std::system(("rm -rf " + dir_).c_str());
  }
  TestLog(const TestLog&) = delete;
  TestLog& operator=(const TestLog&) = delete;

  void Open() {
    store_ = std::move(store::Store::Open({dir_ + "/db"})).value();
    committer_ = std::make_unique<store::GroupCommitter>(*store_);
    EXPECT_TRUE(committer_->Start().ok());
    log_ = std::make_unique<AuditLog>(*store_, clock_, logger_);
    EXPECT_TRUE(log_->Recover().ok());
  }
  void Close() {
    if (!committer_) return;
    Settle();
    log_.reset();
    committer_->Stop();
    committer_.reset();
    store_.reset();
  }
  void Settle() {
    while (committer_ && committer_->outstanding() > 0) {
      pollfd p{committer_->notify_fd(), POLLIN, 0};
      ::poll(&p, 1, 50);
      committer_->RunCompletions();
    }
  }

  // Appends `e` to `writes`; an accepted event gets a message record (seq = e.seq) whose digest
  // goes into the leaf. Returns the leaf index.
  uint64_t AppendTo(AuditEvent e, store::WriteSet* writes) {
    if (e.event == schema::AuditLeaf::Event::ACCEPTED) {
      capnp::MallocMessageBuilder m;
      auto env = m.initRoot<schema::Envelope>();
      env.setIncident(e.incident);
      env.setClientMessageId("m" + std::to_string(e.seq));
      store::BrokerStamp stamp;
      stamp.seq = e.seq;
      stamp.client_message_id = "m" + std::to_string(e.seq);
      stamp.sender = e.actor;
      stamp.sender_org = e.org;
      stamp.received_ms = clock_.NowMillis();
      stamp.leaf_index = log_->size();
      std::vector<store::RecipientEntry> entries;
      for (const auto& r : e.recipients) entries.push_back({r, "principal:" + r});
      std::string bytes = store::EncodeStoredMessage(env.asReader(), stamp, entries);
      auto digest = security::Sha256(bytes);
      e.digest.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
      writes->Put(store::Column::kMessages, store::MessageKey(e.seq), bytes);
    }
    return log_->Append(e, writes);
  }

  // Appends events, `per_commit` to a WriteSet, waiting until they are durable.
  void Append(const std::vector<AuditEvent>& events, const std::vector<int64_t>& times = {}, size_t per_commit = 500) {
    for (size_t i = 0; i < events.size();) {
      store::CommitItem item;
      for (size_t k = 0; k < per_commit && i < events.size(); ++k, ++i) {
        if (!times.empty()) clock_.Set(times[i]);
        AppendTo(events[i], &item.writes);
      }
      item.on_done = log_->WhenDurable(nullptr);
      committer_->Submit(std::move(item));
    }
    Settle();
  }

  // `n` simple events: every third one an accepted message (seq 1, 2, ...), the others
  // delivered/received, 10 ms apart.
  void AppendSimple(uint64_t n) {
    std::vector<AuditEvent> events;
    for (uint64_t i = 0; i < n; ++i) {
      AuditEvent e;
      uint64_t index = log_->size() + i;
      if (index % 3 == 0) {
        e.event = schema::AuditLeaf::Event::ACCEPTED;
        e.actor = "command";
        e.org = "ema";
        e.seq = ++last_seq_;
        e.recipients = {"msd", "rescue-1"};
        e.kind = "alert";
        e.incident = "INC-" + std::to_string(index % 7);
      } else {
        e.event = index % 3 == 1 ? schema::AuditLeaf::Event::DELIVERED : schema::AuditLeaf::Event::RECEIVED;
        e.actor = index % 3 == 1 ? "" : "msd";
        e.subject = "msd";
        e.seq = last_seq_;
        e.kind = "alert";
      }
      events.push_back(std::move(e));
    }
    std::vector<int64_t> times;
    for (uint64_t i = 0; i < n; ++i) times.push_back(clock_.NowMillis() + 10 * static_cast<int64_t>(i + 1));
    Append(events, times);
  }

  // Signs a checkpoint of the durable tree; returns its note.
  std::string Checkpoint() {
    auto signed_one = log_->MaybeCheckpoint(*key_, key_->name(), *committer_);
    EXPECT_TRUE(signed_one.ok()) << signed_one.status().ToString();
    Settle();
    return log_->last_checkpoint();
  }

  // Signs with the same key as `other` (to build a second history of "the same" log).
  void UseKeyOf(const TestLog& other) {
    key_ = std::move(security::SigningKey::Parse(other.key_->FormatSecret())).value();
  }

  void Put(store::Column column, const std::string& key, const std::string& value) {
    store::WriteSet w;
    w.Put(column, key, value);
    ASSERT_TRUE(store_->Commit({&w}, true).ok());
  }
  void Delete(store::Column column, const std::string& key) {
    store::WriteSet w;
    w.Delete(column, key);
    ASSERT_TRUE(store_->Commit({&w}, true).ok());
  }
  std::string Get(store::Column column, const std::string& key) {
    auto v = store_->Get(column, key);
    EXPECT_TRUE(v.ok() && v->has_value());
    return v.ok() && v->has_value() ? **v : std::string();
  }

  // Verifies with the log's key on 2 threads (and checks 1 thread agrees).
  VerifyReport Verify(const VerifyOptions& options = {}) {
    AuditReader reader(*store_);
    auto report = reader.Verify(key_->verifier_key(), options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    VerifyOptions one = options;
    one.threads = 1;
    auto single = reader.Verify(key_->verifier_key(), one);
    EXPECT_TRUE(single.ok());
    if (report.ok() && single.ok()) {
      EXPECT_EQ(report->problem_count, single->problem_count);
      EXPECT_EQ(report->root, single->root);
    }
    return report.ok() ? std::move(report).value() : VerifyReport();
  }

  store::Store& store() { return *store_; }
  AuditLog& log() { return *log_; }
  ManualClock& clock() { return clock_; }
  security::SigningKey& key() { return *key_; }
  const std::string& dir() const { return dir_; }
  uint64_t last_seq() const { return last_seq_; }

 private:
  std::string dir_;
  ManualClock clock_;
  Logger logger_{stderr, LogLevel::kError};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::GroupCommitter> committer_;
  std::unique_ptr<AuditLog> log_;
  std::unique_ptr<security::SigningKey> key_;
  uint64_t last_seq_ = 0;
};

// The first problem's text, or "" when the log verified.
inline std::string FirstProblem(const VerifyReport& r) { return r.problems.empty() ? "" : r.problems[0].what; }

}  // namespace muster::audit::testing
