// Tests for the protocol answers to audit queries: each verb's table reads back (with the
// client-side readers) into what the reader computes directly, proofs from the answers verify
// on the client, answers stay within the frame size, and bad queries are refused.
#include "broker/audit/audit_service.h"

#include <gtest/gtest.h>

#include <capnp/message.h>

#include "broker/audit/audit_export.h"
#include "broker/audit/audit_reader_testing.h"
#include "schemas/frame_codec.h"

namespace muster::audit {
namespace {

using schema::AuditLeaf;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.AppendSimple(600);
    t_.Checkpoint();
    t_.AppendSimple(400);
    t_.Checkpoint();
  }

  // Answers a query built by `fill`; returns the encoded frame size in *bytes.
  Status Ask(const std::function<void(schema::AuditQuery::Builder)>& fill, capnp::MallocMessageBuilder* m,
             const AuditServiceOptions& options = {}) {
    capnp::MallocMessageBuilder q;
    auto query = q.initRoot<schema::AuditQuery>();
    fill(query);
    auto result = m->initRoot<schema::Frame>().initResult();
    return AnswerAuditQuery(t_.store(), query.asReader(), result, options);
  }
  static schema::Table::Reader TableOf(capnp::MallocMessageBuilder& m) {
    return m.getRoot<schema::Frame>().asReader().getResult().getTable();
  }

  testing::TestLog t_;
};

TEST_F(ServiceTest, QueryRowsAreTheReadersRecords) {
  capnp::MallocMessageBuilder m;
  QueryFilter f;
  f.incident = "INC-3";
  f.sender = "command";
  ASSERT_TRUE(Ask([&](auto q) { FillAuditQuery(f, q); }, &m).ok());
  auto table = ReadRecordTable(TableOf(m));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  AuditReader reader(t_.store());
  RecordTable direct = ToRecordTable(*reader.Query(f));
  EXPECT_EQ(table->rows, direct.rows);
  EXPECT_EQ(table->rows.size(), 48u);  // accepted leaves 0, 3, ... with index % 7 == 3
  EXPECT_FALSE(table->resume_at.has_value());
}

TEST_F(ServiceTest, EventsTimesAndLimitsTravel) {
  QueryFilter f;
  f.event = AuditLeaf::Event::RECEIVED;
  AuditReader reader(t_.store());
  auto all = reader.Query(f);
  f.from_ms = all->records[10].time_ms;
  f.to_ms = all->records[200].time_ms;
  f.limit = 50;
  capnp::MallocMessageBuilder m;
  ASSERT_TRUE(Ask([&](auto q) { FillAuditQuery(f, q); }, &m).ok());
  auto table = ReadRecordTable(TableOf(m));
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->rows.size(), 50u);
  EXPECT_EQ(table->rows[0][0], std::to_string(all->records[10].index));
  EXPECT_EQ(table->rows[0][2], "received");
  ASSERT_TRUE(table->resume_at.has_value());
  // Continue where it stopped.
  f.first_leaf = *table->resume_at;
  capnp::MallocMessageBuilder next;
  ASSERT_TRUE(Ask([&](auto q) { FillAuditQuery(f, q); }, &next).ok());
  EXPECT_EQ(ReadRecordTable(TableOf(next))->rows[0][0], std::to_string(all->records[60].index));
}

TEST_F(ServiceTest, LargeAnswersStayWithinAFrame) {
  capnp::MallocMessageBuilder m;
  ASSERT_TRUE(Ask([](auto q) { q.setVerb("query"); }, &m).ok());
  EXPECT_LT(wire::EncodeFrame(m).size(), wire::FrameLimits().max_frame_bytes);
  EXPECT_EQ(ReadRecordTable(TableOf(m))->rows.size(), 1000u);

  AuditServiceOptions small;
  small.max_answer_bytes = 64 * 1024;
  capnp::MallocMessageBuilder m1;
  ASSERT_TRUE(Ask([](auto q) { q.setVerb("query"); }, &m1, small).ok());
  auto table = ReadRecordTable(TableOf(m1));
  ASSERT_TRUE(table.ok());
  ASSERT_TRUE(table->resume_at.has_value()) << "1000 leaves do not fit in 64 KiB of text";
  EXPECT_EQ(*table->resume_at, table->rows.size());
  EXPECT_LT(table->rows.size(), 1000u);

  AuditServiceOptions few;
  few.max_examined = 10;
  capnp::MallocMessageBuilder m2;
  ASSERT_TRUE(Ask([](auto q) { q.setIncident("INC-1"); q.setEvent("delivered"); }, &m2, few).ok());
  table = ReadRecordTable(TableOf(m2));
  EXPECT_TRUE(table->rows.empty());
  EXPECT_TRUE(table->resume_at.has_value()) << "stopped after decoding 10 leaves";
}

TEST_F(ServiceTest, ProofAnswersVerifyOnTheClient) {
  const auto key = t_.key().verifier_key();
  capnp::MallocMessageBuilder m;
  ASSERT_TRUE(Ask([](auto q) { q.setVerb("proof"); q.initArgs(1).set(0, "101"); }, &m).ok());
  auto p = ReadProofTable(TableOf(m));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->leaf_index, 300u);
  EXPECT_EQ(p->tree_size, 1000u);
  EXPECT_TRUE(CheckInclusion(*p, &key).ok());
  auto record = DecodeAuditRecord(p->leaf_bytes);
  EXPECT_EQ(record->seq, 101u);

  capnp::MallocMessageBuilder by_leaf;
  ASSERT_TRUE(Ask([](auto q) { q.setVerb("proof"); q.initArgs(1).set(0, "leaf=999"); }, &by_leaf).ok());
  EXPECT_TRUE(CheckInclusion(*ReadProofTable(TableOf(by_leaf)), &key).ok());
}

TEST_F(ServiceTest, ConsistencyAndCheckpointAnswers) {
  const auto key = t_.key().verifier_key();
  capnp::MallocMessageBuilder m;
  ASSERT_TRUE(Ask([](auto q) {
                q.setVerb("consistency");
                auto a = q.initArgs(2);
                a.set(0, "600");
                a.set(1, "latest");
              }, &m).ok());
  auto c = ReadConsistencyTable(TableOf(m));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->old_size, 600u);
  EXPECT_EQ(c->new_size, 1000u);
  EXPECT_TRUE(CheckConsistency(*c, &key).ok());

  capnp::MallocMessageBuilder cps;
  ASSERT_TRUE(Ask([](auto q) { q.setVerb("checkpoints"); }, &cps).ok());
  auto list = ReadCheckpointTable(TableOf(cps));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].size, 1000u);
  EXPECT_TRUE(security::ParseAndVerifyCheckpoint((*list)[1].note, key).ok());

  capnp::MallocMessageBuilder latest;
  ASSERT_TRUE(Ask([](auto q) { q.setVerb("checkpoints"); q.initArgs(1).set(0, "latest"); }, &latest).ok());
  EXPECT_EQ(ReadCheckpointTable(TableOf(latest))->size(), 1u);
  capnp::MallocMessageBuilder one;
  ASSERT_TRUE(Ask([](auto q) { q.setVerb("checkpoints"); q.setLimit(1); }, &one).ok());
  EXPECT_EQ(ReadCheckpointTable(TableOf(one))->at(0).size, 1000u);
}

TEST_F(ServiceTest, BadQueriesAreRefused) {
  capnp::MallocMessageBuilder m;
  EXPECT_EQ(Ask([](auto q) { q.setVerb("delete"); }, &m).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Ask([](auto q) { q.setEvent("exploded"); }, &m).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Ask([](auto q) { q.setVerb("proof"); }, &m).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Ask([](auto q) { q.setVerb("proof"); q.initArgs(1).set(0, "x1"); }, &m).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Ask([](auto q) { q.setVerb("proof"); q.initArgs(1).set(0, "99999"); }, &m).code(), StatusCode::kNotFound);
  EXPECT_EQ(Ask([](auto q) { q.setVerb("proof"); q.initArgs(1).set(0, "leaf=1000"); }, &m).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Ask([](auto q) { q.setVerb("consistency"); q.initArgs(1).set(0, "5"); }, &m).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Ask([](auto q) { q.initArgs(1).set(0, "after=x"); }, &m).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace muster::audit
