// Tests for AuditReader::Query: over a generated log of 100,000 events (random actors, orgs,
// recipients, incidents, kinds, events and times), every combination of filters returns exactly
// what a brute-force filter over the generated events returns, in leaf order, with limits and
// continuation.
#include <gtest/gtest.h>

#include <random>

#include "broker/audit/audit_reader.h"
#include "broker/audit/audit_reader_testing.h"

namespace muster::audit {
namespace {

using schema::AuditLeaf;

struct Generated {
  AuditEvent event;
  int64_t time_ms = 0;
};

// What a query means, written from the event semantics rather than from the store's indexes.
bool BruteForceMatch(const QueryFilter& f, const Generated& g, uint64_t index) {
  const AuditEvent& e = g.event;
  if (index < f.first_leaf) return false;
  if (f.from_ms && g.time_ms < *f.from_ms) return false;
  if (f.to_ms && g.time_ms >= *f.to_ms) return false;
  if (f.event && e.event != *f.event) return false;
  if (!f.sender.empty() && e.actor != f.sender) return false;
  if (!f.org.empty() && e.org != f.org) return false;
  if (!f.incident.empty() && e.incident != f.incident) return false;
  if (!f.kind.empty() && e.kind != f.kind) return false;
  if (!f.recipient.empty()) {
    bool delivery_event = e.event == AuditLeaf::Event::DELIVERED || e.event == AuditLeaf::Event::RECEIVED ||
                          e.event == AuditLeaf::Event::ACKNOWLEDGED || e.event == AuditLeaf::Event::ESCALATED ||
                          e.event == AuditLeaf::Event::EXPIRED;
    bool hit = false;
    if (e.event == AuditLeaf::Event::ACCEPTED) {
      for (const auto& r : e.recipients) hit = hit || r == f.recipient;
    } else if (delivery_event) {
      hit = e.subject == f.recipient;
    }
    if (!hit) return false;
  }
  return true;
}

class QueryTest : public ::testing::Test {
 protected:
  static constexpr int kEvents = 100000;

  static void SetUpTestSuite() {
    log_ = new testing::TestLog();
    std::mt19937_64 rng(4);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
    const auto events = EventNames();
    int64_t t = log_->clock().NowMillis();
    uint64_t seq = 0;
    std::vector<AuditEvent> list;
    std::vector<int64_t> times;
    for (int i = 0; i < kEvents; ++i) {
      Generated g;
      AuditEvent& e = g.event;
      e.event = *ParseEventName(events[static_cast<size_t>(pick(static_cast<int>(events.size())))]);
      e.actor = pick(10) == 0 ? "" : "p" + std::to_string(pick(40));
      e.org = pick(8) == 0 ? "" : "org" + std::to_string(pick(6));
      e.incident = pick(3) == 0 ? "" : "INC-" + std::to_string(pick(300));
      static const char* const kKinds[] = {"", "alert", "liaison", "equipment"};
      e.kind = kKinds[pick(4)];
      e.subject = pick(4) == 0 ? "" : "p" + std::to_string(pick(40));
      if (e.event == AuditLeaf::Event::ACCEPTED) {
        e.seq = ++seq;
        for (int r = pick(4); r >= 0; --r) e.recipients.push_back("p" + std::to_string(pick(40)));
      }
      t += pick(4) == 0 ? 0 : pick(50);  // many equal times
      g.time_ms = t;
      list.push_back(e);
      times.push_back(t);
      generated_.push_back(std::move(g));
    }
    log_->Append(list, times, 1000);
    first_time_ = generated_.front().time_ms;
    last_time_ = generated_.back().time_ms;
  }
  static void TearDownTestSuite() {
    delete log_;
    log_ = nullptr;
    generated_.clear();
  }

  std::vector<uint64_t> Expected(const QueryFilter& f) const {
    std::vector<uint64_t> out;
    for (size_t i = 0; i < generated_.size(); ++i) {
      if (BruteForceMatch(f, generated_[i], i)) out.push_back(i);
      if (f.limit != 0 && out.size() == f.limit) break;
    }
    return out;
  }
  static std::vector<uint64_t> Indexes(const QueryResult& r) {
    std::vector<uint64_t> out;
    for (const auto& rec : r.records) out.push_back(rec.index);
    return out;
  }

  static testing::TestLog* log_;
  static std::vector<Generated> generated_;
  static int64_t first_time_, last_time_;
};

testing::TestLog* QueryTest::log_ = nullptr;
std::vector<Generated> QueryTest::generated_;
int64_t QueryTest::first_time_ = 0;
int64_t QueryTest::last_time_ = 0;

TEST_F(QueryTest, RandomFilterCombinationsMatchABruteForceFilter) {
  AuditReader reader(log_->store());
  std::mt19937_64 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const auto events = EventNames();
  int nonempty = 0;
  for (int round = 0; round < 300; ++round) {
    QueryFilter f;
    // Each filter present with some probability; values drawn from the generated ones so
    // that results are usually not empty.
    const Generated& sample = generated_[static_cast<size_t>(pick(kEvents))];
    if (pick(3) == 0) f.sender = sample.event.actor.empty() ? "p1" : sample.event.actor;
    if (pick(4) == 0) f.org = sample.event.org.empty() ? "org1" : sample.event.org;
    if (pick(3) == 0) f.incident = sample.event.incident.empty() ? "INC-7" : sample.event.incident;
    if (pick(4) == 0) f.kind = sample.event.kind.empty() ? "alert" : sample.event.kind;
    if (pick(4) == 0) f.recipient = "p" + std::to_string(pick(40));
    if (pick(3) == 0) f.event = *ParseEventName(events[static_cast<size_t>(pick(static_cast<int>(events.size())))]);
    if (pick(2) == 0) {
      int64_t a = first_time_ + pick(static_cast<int>(last_time_ - first_time_ + 1));
      int64_t b = first_time_ + pick(static_cast<int>(last_time_ - first_time_ + 1));
      if (pick(3) != 0) f.from_ms = std::min(a, b);
      if (pick(3) != 0) f.to_ms = std::max(a, b) + pick(2);
    }
    if (pick(5) == 0) f.limit = static_cast<size_t>(1 + pick(20));
    auto got = reader.Query(f);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const auto expected = Expected(f);
    ASSERT_EQ(Indexes(*got), expected) << "round " << round << " plan: " << got->plan;
    if (!expected.empty()) ++nonempty;
    for (const auto& rec : got->records) ASSERT_TRUE(Matches(f, rec));
  }
  EXPECT_GT(nonempty, 150) << "the random filters should mostly find something";
}

TEST_F(QueryTest, TheMostSelectiveIndexIsUsed) {
  AuditReader reader(log_->store());
  QueryFilter f;
  f.kind = "alert";
  f.incident = "INC-42";
  auto r = reader.Query(f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plan.rfind("index incident=INC-42", 0), 0u) << r->plan;
  EXPECT_LT(r->examined, 400u) << "only the incident's leaves are decoded";
  EXPECT_EQ(Indexes(*r), Expected(f));

  QueryFilter only_time;
  only_time.from_ms = generated_[5000].time_ms;
  only_time.to_ms = generated_[5100].time_ms;
  r = reader.Query(only_time);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plan.rfind("scan of leaves", 0), 0u) << r->plan;
  EXPECT_LE(r->examined, 200u) << "the time range is found by binary search";
  EXPECT_EQ(Indexes(*r), Expected(only_time));
}

TEST_F(QueryTest, LimitsAndContinuationReturnEverythingOnce) {
  AuditReader reader(log_->store());
  for (bool by_index : {true, false}) {
    QueryFilter f;
    if (by_index) {
      f.org = "org2";
    } else {
      f.event = AuditLeaf::Event::ACCEPTED;
    }
    const auto all = Expected(f);
    std::vector<uint64_t> paged;
    f.limit = 997;
    f.max_examined = 5000;
    for (int pages = 0; pages < 1000; ++pages) {
      auto r = reader.Query(f);
      ASSERT_TRUE(r.ok());
      EXPECT_LE(r->records.size(), 997u);
      EXPECT_LE(r->examined, 5000u);
      for (const auto& rec : r->records) paged.push_back(rec.index);
      if (!r->resume_at) break;
      f.first_leaf = *r->resume_at;
    }
    EXPECT_EQ(paged, all) << (by_index ? "by index" : "by scan");
  }
}

TEST_F(QueryTest, EmptyRangesAndUnknownValues) {
  AuditReader reader(log_->store());
  QueryFilter f;
  f.from_ms = last_time_ + 1;
  EXPECT_TRUE(reader.Query(f)->records.empty());
  f = QueryFilter();
  f.to_ms = first_time_;
  EXPECT_TRUE(reader.Query(f)->records.empty());
  f = QueryFilter();
  f.incident = "INC-none";
  EXPECT_TRUE(reader.Query(f)->records.empty());
  f = QueryFilter();
  f.end_leaf = 10;
  EXPECT_EQ(reader.Query(f)->records.size(), 10u);
  EXPECT_EQ(ParseEventName("authentication-refused"), AuditLeaf::Event::AUTHENTICATION_REFUSED);
  EXPECT_EQ(EventName(AuditLeaf::Event::PRINCIPAL_CHANGED), "principal-changed");
  EXPECT_FALSE(ParseEventName("exploded").has_value());
}

}  // namespace
}  // namespace muster::audit
