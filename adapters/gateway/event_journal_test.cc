// The event journal against a real directory: what a stream wrote is kept across reopen until
// confirmed (Last-Event-ID or acks), confirmed events are never offered again, a seq is kept
// once, the bound drops the oldest, and crash leftovers are tidied on open.
#include "adapters/gateway/event_journal.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "common/files.h"

namespace muster::gateway {
namespace {

namespace fs = std::filesystem;

class EventJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/muster-journal-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::unique_ptr<EventJournal> Open(size_t max = 100) {
    auto j = EventJournal::Open(dir_ + "/events", max);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? std::move(j).value() : nullptr;
  }
  static std::vector<uint64_t> Seqs(const EventJournal& j) {
    std::vector<uint64_t> out;
    for (const auto& e : j.Unconfirmed()) out.push_back(e.seq);
    return out;
  }
  std::string dir_;
};

TEST_F(EventJournalTest, KeepsWrittenEventsInStreamOrderAcrossReopen) {
  {
    auto j = Open();
    // Delivery order is by precedence: seq 9 (flash) went before 4 and 5.
    for (uint64_t seq : {9, 4, 5}) {
      auto r = j->Append(seq, "{\"seq\":" + std::to_string(seq) + "}");
      ASSERT_TRUE(r.ok());
      EXPECT_TRUE(r->added);
    }
    auto again = j->Append(4, "{}");
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->added);
  }
  auto j = Open();
  EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{9, 4, 5}));
  EXPECT_EQ(j->Unconfirmed()[1].data, "{\"seq\":4}");
}

TEST_F(EventJournalTest, LastEventIdConfirmsEverythingUpToIt) {
  {
    auto j = Open();
    for (uint64_t seq : {9, 4, 5, 6}) ASSERT_TRUE(j->Append(seq, "d").ok());
    auto found = j->ConfirmThrough(4);  // the client read 9 and 4
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(*found);
    EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{5, 6}));
    EXPECT_EQ(j->cursor_seq(), 4u);
    // An id at or before the cursor, or never written here, changes nothing.
    EXPECT_FALSE(*j->ConfirmThrough(9));
    EXPECT_FALSE(*j->ConfirmThrough(77));
    EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{5, 6}));
  }
  auto j = Open();
  EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{5, 6}));
  EXPECT_EQ(j->cursor_seq(), 4u);
  EXPECT_FALSE(j->Contains(9));
  // New events continue after the kept ones.
  ASSERT_TRUE(j->Append(7, "d").ok());
  EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{5, 6, 7}));
}

TEST_F(EventJournalTest, AckedEventsAreNotOfferedAgainButKeepTheirPlace) {
  auto j = Open();
  for (uint64_t seq : {1, 2, 3, 4}) ASSERT_TRUE(j->Append(seq, "d").ok());
  ASSERT_TRUE(j->MarkAcked({3, 99}).ok());
  EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{1, 2, 4}));
  EXPECT_TRUE(j->Contains(3));
  // Last-Event-ID 3 (acked, still kept): everything up to it is confirmed.
  EXPECT_TRUE(*j->ConfirmThrough(3));
  EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{4}));
  // Acking the head moves the cursor over it.
  ASSERT_TRUE(j->MarkAcked({4}).ok());
  EXPECT_EQ(j->kept(), 0u);
  EXPECT_EQ(j->cursor_seq(), 4u);
  j.reset();
  EXPECT_EQ(Open()->kept(), 0u);
}

TEST_F(EventJournalTest, BoundDropsTheOldest) {
  auto j = Open(3);
  for (uint64_t seq = 1; seq <= 3; ++seq) ASSERT_EQ(j->Append(seq, "d")->dropped, 0u);
  auto r = j->Append(4, "d");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dropped, 1u);
  EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{2, 3, 4}));
}

TEST_F(EventJournalTest, CrashLeftoversAreTidiedAndDamageIsNamed) {
  {
    auto j = Open();
    for (uint64_t seq : {1, 2, 3}) ASSERT_TRUE(j->Append(seq, "d").ok());
    ASSERT_TRUE(j->ConfirmThrough(1).ok());
  }
  const std::string events = dir_ + "/events";
  // A write that never completed, and a confirmed file a crash left behind.
  ASSERT_TRUE(WriteFileAtomic(events + "/00000000000000000004.event.tmp", "4\nd").ok());
  ASSERT_TRUE(WriteFileAtomic(events + "/00000000000000000001.event", "1\nd").ok());
  {
    auto j = Open();
    EXPECT_EQ(Seqs(*j), (std::vector<uint64_t>{2, 3}));
    EXPECT_FALSE(fs::exists(events + "/00000000000000000004.event.tmp"));
    EXPECT_FALSE(fs::exists(events + "/00000000000000000001.event"));
  }
  ASSERT_TRUE(WriteFileAtomic(events + "/00000000000000000009.event", "not a seq").ok());
  auto j = EventJournal::Open(events, 100);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kCorruption);
  EXPECT_NE(j.status().message().find("00000000000000000009.event"), std::string::npos);
}

}  // namespace
}  // namespace muster::gateway
