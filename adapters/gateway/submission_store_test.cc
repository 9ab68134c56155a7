// Submissions: an Idempotency-Key always maps to the same client message id; the first request
// under a key wins and is found again after a reopen with its fingerprint; the pending bound
// answers Overloaded; WaitFinished returns as soon as the broker's answer is recorded.
#include "adapters/gateway/submission_store.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace muster::gateway {
namespace {

namespace fs = std::filesystem;

class SubmissionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/muster-submissions-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::unique_ptr<SubmissionStore> Open() {
    auto s = SubmissionStore::Open(dir_ + "/outbox");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static Result<client::OutboxEntry> Add(SubmissionStore& store, const std::string& key,
                                         const std::string& incident,
                                         const std::string& fingerprint, size_t max_pending = 100) {
    capnp::MallocMessageBuilder m;
    auto e = m.initRoot<schema::Envelope>();
    e.setIncident(incident);
    return store.Add(ClientMessageIdForKey(key), e.asReader(), fingerprint, max_pending);
  }
  std::string dir_;
};

TEST_F(SubmissionStoreTest, KeysMapToStableIds) {
  EXPECT_EQ(ClientMessageIdForKey("order-42"), ClientMessageIdForKey("order-42"));
  EXPECT_NE(ClientMessageIdForKey("order-42"), ClientMessageIdForKey("order-43"));
  EXPECT_EQ(ClientMessageIdForKey("order-42").size(), 3u + 32u);
  EXPECT_EQ(ClientMessageIdForKey("order-42").rfind("gw-", 0), 0u);
  EXPECT_TRUE(ValidIdempotencyKey("2f1c6a9e-5b0d-4c3e-9a77-1d2e3f405162"));
  EXPECT_TRUE(ValidIdempotencyKey("with space"));
  EXPECT_FALSE(ValidIdempotencyKey(""));
  EXPECT_FALSE(ValidIdempotencyKey(std::string(256, 'k')));
  EXPECT_FALSE(ValidIdempotencyKey("tab\there"));
}

TEST_F(SubmissionStoreTest, FirstRequestWinsAndSurvivesReopen) {
  {
    auto store = Open();
    auto first = Add(*store, "k1", "INC-1", "fp-1");
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(SubmissionStore::FingerprintOf(*first), "fp-1");
    auto second = Add(*store, "k1", "INC-2", "fp-2");
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->order, first->order);
    EXPECT_EQ(SubmissionStore::FingerprintOf(*second), "fp-1");
    client::ReceiptInfo r;
    r.seq = 12;
    r.leaf_index = 40;
    r.recipients = 3;
    ASSERT_TRUE(store->MarkDone(first->id, r).ok());
  }
  auto store = Open();
  auto found = store->Find(ClientMessageIdForKey("k1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->state, client::OutboxState::kDone);
  EXPECT_EQ(found->receipt.seq, 12u);
  EXPECT_EQ(SubmissionStore::FingerprintOf(*found), "fp-1");
  // A refused entry is answered as refused, not queued again.
  auto refused = Add(*store, "k2", "INC-3", "fp-3");
  ASSERT_TRUE(store->MarkRefused(refused->id, "forbidden: no").ok());
  auto again = Add(*store, "k2", "INC-3", "fp-3");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, client::OutboxState::kRefused);
  EXPECT_EQ(store->pending_count(), 0u);
}

TEST_F(SubmissionStoreTest, PendingBoundAnswersOverloaded) {
  auto store = Open();
  ASSERT_TRUE(Add(*store, "a", "1", "f", 2).ok());
  ASSERT_TRUE(Add(*store, "b", "2", "f", 2).ok());
  auto third = Add(*store, "c", "3", "f", 2);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kOverloaded);
  // A retry of a key already held is still answered.
  EXPECT_TRUE(Add(*store, "a", "1", "f", 2).ok());
}

TEST_F(SubmissionStoreTest, WaitFinishedWakesOnTheAnswer) {
  auto store = Open();
  auto entry = Add(*store, "k", "INC", "f");
  ASSERT_TRUE(entry.ok());
  auto start = std::chrono::steady_clock::now();
  auto timed_out = store->WaitFinished(entry->id, start + std::chrono::milliseconds(100));
  ASSERT_TRUE(timed_out.has_value());
  EXPECT_EQ(timed_out->state, client::OutboxState::kPending);
  std::thread answer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    client::ReceiptInfo r;
    r.seq = 5;
    EXPECT_TRUE(store->MarkDone(entry->id, r).ok());
  });
  auto done =
      store->WaitFinished(entry->id, std::chrono::steady_clock::now() + std::chrono::seconds(10));
  answer.join();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->state, client::OutboxState::kDone);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace muster::gateway
