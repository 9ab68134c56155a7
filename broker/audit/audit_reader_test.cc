// Tests for AuditReader::Verify and the proofs: logs written by AuditLog into a temp store pass;
// every kind of tampering (message record, leaf record, leaf hash, interior hash, checkpoint
// body or signature, leaves removed from the end or the middle, times going back) is reported
// with the right first index; a checkpoint the auditor kept catches truncation and rewritten
// history; inclusion and consistency proofs verify with security::VerifyInclusion and
// VerifyConsistency.
#include "broker/audit/audit_reader.h"

#include <gtest/gtest.h>

#include "broker/audit/audit_reader_testing.h"
#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::audit {
namespace {

using testing::FirstProblem;
using testing::TestLog;

std::vector<security::Digest> LeafHashes(store::Store& s) {
  std::vector<security::Digest> leaves;
  EXPECT_TRUE(s.Scan(store::Column::kAudit, "", "", [&](std::string_view, std::string_view v) {
    leaves.push_back(security::LeafHash(v));
    return true;
  }).ok());
  return leaves;
}

// The same leaf with a different actor, canonically encoded (it still decodes).
std::string ChangedLeaf(const std::string& bytes) {
  auto r = DecodeAuditRecord(bytes);
  EXPECT_TRUE(r.ok());
  AuditEvent e = ToAuditEvent(*r);
  e.actor += "-x";
  return EncodeLeaf(r->index, r->time_ms, e);
}

// The same message record with a different client message id.
std::string ChangedMessage(const std::string& bytes) {
  auto d = wire::DecodedStruct::Decode(bytes.data(), bytes.size());
  EXPECT_TRUE(d.ok());
  capnp::MallocMessageBuilder m;
  m.setRoot((*d)->Get<schema::StoredMessage>());
  m.getRoot<schema::StoredMessage>().getEnvelope().setClientMessageId("forged");
  auto words = capnp::canonicalize(m.getRoot<schema::StoredMessage>().asReader());
  return std::string(reinterpret_cast<const char*>(words.asBytes().begin()), words.asBytes().size());
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

class VerifyTest : public ::testing::Test {
 protected:
  // 1000 leaves (every third an accepted message), checkpoints at 500 and 1000.
  void SetUp() override {
    t_.AppendSimple(500);
    t_.Checkpoint();
    t_.AppendSimple(500);
    t_.Checkpoint();
  }
  TestLog t_;
};

TEST_F(VerifyTest, PassesOnTheUntamperedLog) {
  VerifyReport r = t_.Verify();
  EXPECT_TRUE(r.ok()) << FirstProblem(r);
  EXPECT_EQ(r.leaves, 1000u);
  EXPECT_EQ(r.checkpoints, 2u);
  EXPECT_EQ(r.messages, 334u);
  // Every complete subtree of level >= 1 in a tree of 1000 leaves.
  EXPECT_EQ(r.interior_hashes, 500u + 250 + 125 + 62 + 31 + 15 + 7 + 3 + 1);
  EXPECT_EQ(r.root, security::ComputeRoot(LeafHashes(t_.store())));
  ASSERT_TRUE(r.latest_checkpoint.has_value());
  EXPECT_EQ(r.latest_checkpoint->size, 1000u);
}

TEST_F(VerifyTest, ATamperedMessageRecordIsReportedAtItsAcceptedLeaf) {
  AuditReader reader(t_.store());
  ASSERT_EQ(*reader.AcceptedLeafOf(101), 300u);
  t_.Put(store::Column::kMessages, store::MessageKey(101),
         ChangedMessage(t_.Get(store::Column::kMessages, store::MessageKey(101))));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 300u);
  EXPECT_EQ(FirstProblem(r), "message 101 (leaf 300): record does not match the digest in its leaf");
  EXPECT_EQ(r.problem_count, 1u);
}

TEST_F(VerifyTest, ATamperedLeafRecordIsReportedAtItsIndexAndBreaksTheCheckpointsAfterIt) {
  t_.Put(store::Column::kAudit, store::AuditKey(412), ChangedLeaf(t_.Get(store::Column::kAudit, store::AuditKey(412))));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 412u);
  EXPECT_EQ(FirstProblem(r), "leaf 412: stored leaf hash does not match the leaf record");
  // The subtrees above it are not reported again; both signed roots no longer match.
  ASSERT_EQ(r.problem_count, 3u);
  EXPECT_TRUE(StartsWith(r.problems[1].what, "checkpoint 500: the recomputed root of its 500 leaves does not match"))
      << r.problems[1].what;
  EXPECT_TRUE(StartsWith(r.problems[2].what, "checkpoint 1000: the recomputed root")) << r.problems[2].what;
}

TEST_F(VerifyTest, ALeafRewrittenWithItsLeafHashIsCaughtByTheSubtreeAboveIt) {
  std::string changed = ChangedLeaf(t_.Get(store::Column::kAudit, store::AuditKey(412)));
  t_.Put(store::Column::kAudit, store::AuditKey(412), changed);
  auto h = security::LeafHash(changed);
  t_.Put(store::Column::kTree, store::TreeKey(0, 412), std::string(h.begin(), h.end()));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 412u);
  EXPECT_EQ(FirstProblem(r), "subtree (level 1, index 206) covering leaves 412..413: stored hash does not match its children");
}

TEST_F(VerifyTest, ATamperedLeafHashIsReportedAtItsIndex) {
  t_.Put(store::Column::kTree, store::TreeKey(0, 700), std::string(32, 'x'));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 700u);
  EXPECT_EQ(FirstProblem(r), "leaf 700: stored leaf hash does not match the leaf record");
  EXPECT_EQ(r.problem_count, 1u) << "the leaves still reproduce the signed roots";
}

TEST_F(VerifyTest, ATamperedInteriorHashIsReportedWithTheLeavesItCovers) {
  t_.Put(store::Column::kTree, store::TreeKey(3, 7), std::string(32, 'x'));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 56u);
  EXPECT_EQ(FirstProblem(r), "subtree (level 3, index 7) covering leaves 56..63: stored hash does not match its children");
  EXPECT_EQ(r.problem_count, 1u);
}

TEST_F(VerifyTest, AMissingInteriorHashIsReported) {
  t_.Delete(store::Column::kTree, store::TreeKey(5, 2));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(FirstProblem(r), "subtree (level 5, index 2) covering leaves 64..95: no stored hash");
}

TEST_F(VerifyTest, ATamperedCheckpointBodyFailsItsSignature) {
  std::string note = t_.Get(store::Column::kCheckpoints, store::CheckpointKey(500));
  std::string forged = note;
  forged.replace(forged.find("\n500\n"), 5, "\n400\n");
  t_.Put(store::Column::kCheckpoints, store::CheckpointKey(500), forged);
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(FirstProblem(r), "checkpoint 500: signature does not verify")) << FirstProblem(r);
  EXPECT_EQ(r.problem_count, 1u);
}

TEST_F(VerifyTest, ATamperedCheckpointSignatureIsReported) {
  std::string note = t_.Get(store::Column::kCheckpoints, store::CheckpointKey(1000));
  size_t sig = note.rfind(' ') + 20;  // inside the base64 of the signature, clear of the key ID
  note[sig] = note[sig] == 'A' ? 'B' : 'A';
  t_.Put(store::Column::kCheckpoints, store::CheckpointKey(1000), note);
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 999u);
  EXPECT_TRUE(StartsWith(FirstProblem(r), "checkpoint 1000: signature does not verify")) << FirstProblem(r);
  EXPECT_FALSE(r.latest_checkpoint && r.latest_checkpoint->size == 1000) << "a bad checkpoint is not the latest";
}

TEST_F(VerifyTest, ACheckpointByAnotherKeyDoesNotVerify) {
  auto other = std::move(security::SigningKey::Generate("muster/test")).value();
  auto root = security::RangeHash(0, 1000, StoreLookup(t_.store()));
  std::string body = security::FormatCheckpointBody("muster/test", 1000, *root);
  t_.Put(store::Column::kCheckpoints, store::CheckpointKey(1000), *security::SignCheckpoint(body, *other));
  VerifyReport r = t_.Verify();
  EXPECT_TRUE(StartsWith(FirstProblem(r), "checkpoint 1000: signature does not verify")) << FirstProblem(r);
}

TEST_F(VerifyTest, RemovedLastLeavesAreCaughtByTheLatestCheckpoint) {
  // A careful forger removes the leaves, their hashes and their messages: only the checkpoint tells.
  for (uint64_t i = 980; i < 1000; ++i) {
    t_.Delete(store::Column::kAudit, store::AuditKey(i));
    if (i % 3 == 0) t_.Delete(store::Column::kMessages, store::MessageKey(i / 3 + 1));
  }
  for (int level = 0; level < 10; ++level) {
    for (uint64_t j = 980u >> level; j <= (999u >> level); ++j) t_.Delete(store::Column::kTree, store::TreeKey(level, j));
  }
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 980u);
  EXPECT_EQ(FirstProblem(r), "the log has 980 leaves but checkpoint 1000 was signed: leaves were removed");
  EXPECT_EQ(r.leaves, 980u);
}

TEST_F(VerifyTest, RemovedLastLeavesLeaveOrphanHashes) {
  t_.Delete(store::Column::kCheckpoints, store::CheckpointKey(1000));
  for (uint64_t i = 990; i < 1000; ++i) t_.Delete(store::Column::kAudit, store::AuditKey(i));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(FirstProblem(r), "the log has 990 leaves but the tree holds a hash for leaf 990: leaves were removed from the end");
}

TEST_F(VerifyTest, TruncationIsCaughtByASeenCheckpointWhenTheCheckpointsAreGoneToo) {
  const std::string seen = t_.Get(store::Column::kCheckpoints, store::CheckpointKey(1000));
  for (uint64_t i = 900; i < 1000; ++i) {
    t_.Delete(store::Column::kAudit, store::AuditKey(i));
    if (i % 3 == 0) t_.Delete(store::Column::kMessages, store::MessageKey(i / 3 + 1));
  }
  for (int level = 0; level < 10; ++level) {
    for (uint64_t j = 900u >> level; j <= (999u >> level); ++j) t_.Delete(store::Column::kTree, store::TreeKey(level, j));
  }
  t_.Delete(store::Column::kCheckpoints, store::CheckpointKey(1000));
  // Without what the auditor kept, the shorter log is self-consistent.
  VerifyReport alone = t_.Verify();
  EXPECT_TRUE(alone.ok()) << FirstProblem(alone);
  VerifyOptions o;
  o.seen_checkpoint = seen;
  VerifyReport r = t_.Verify(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 900u);
  EXPECT_EQ(FirstProblem(r), "the log has 900 leaves but the seen checkpoint was signed for 1000: leaves were removed");
}

TEST_F(VerifyTest, ASeenCheckpointThatStillHoldsPasses) {
  VerifyOptions o;
  o.seen_checkpoint = t_.Get(store::Column::kCheckpoints, store::CheckpointKey(500));
  VerifyReport r = t_.Verify(o);
  EXPECT_TRUE(r.ok()) << FirstProblem(r);
}

TEST_F(VerifyTest, ASeenCheckpointWithABadSignatureIsAnError) {
  std::string seen = t_.Get(store::Column::kCheckpoints, store::CheckpointKey(500));
  seen.replace(seen.find("\n500\n"), 5, "\n499\n");
  VerifyOptions o;
  o.seen_checkpoint = seen;
  AuditReader reader(t_.store());
  auto r = reader.Verify(t_.key().verifier_key(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(StartsWith(r.status().message(), "the seen checkpoint:")) << r.status().message();
}

TEST_F(VerifyTest, AMissingLeafRecordIsReported) {
  t_.Delete(store::Column::kAudit, store::AuditKey(50));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(FirstProblem(r), "leaf 50: the leaf record is missing");
  EXPECT_EQ(r.problem_count, 1u) << "the stored hash stands in for it; the roots still hold";
}

TEST_F(VerifyTest, AMissingMessageRecordIsReportedAtItsLeaf) {
  t_.Delete(store::Column::kMessages, store::MessageKey(5));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(FirstProblem(r), "leaf 12 (accepted, message 5): the message record is missing");
}

TEST_F(VerifyTest, AMessageNamingAnotherLeafIsReported) {
  // Message 7's record copied under seq 9: it names leaf 18, whose message is 7.
  t_.Put(store::Column::kMessages, store::MessageKey(9), t_.Get(store::Column::kMessages, store::MessageKey(7)));
  VerifyReport r = t_.Verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].leaf, 18u);
  EXPECT_EQ(r.problems[0].what, "message 9 (leaf 18): its envelope says seq 7");
  EXPECT_EQ(r.problems[1].what, "message 9 (leaf 18): the leaf is about message 7");
  EXPECT_EQ(r.problems[2].what, "leaf 24 (accepted, message 9): the message record is missing");
}

// Leaves written directly (not through AuditLog), to forge what AuditLog never writes.
void WriteRawLog(store::Store& s, const std::vector<std::pair<uint64_t, int64_t>>& index_and_time) {
  security::CompactRange range;
  store::WriteSet w;
  for (size_t i = 0; i < index_and_time.size(); ++i) {
    AuditEvent e;
    e.event = schema::AuditLeaf::Event::BROKER_STARTED;
    std::string bytes = EncodeLeaf(index_and_time[i].first, index_and_time[i].second, e);
    for (const auto& h : range.Append(security::LeafHash(bytes))) {
      w.Put(store::Column::kTree, store::TreeKey(h.level, h.index), std::string(h.hash.begin(), h.hash.end()));
    }
    w.Put(store::Column::kAudit, store::AuditKey(i), bytes);
  }
  ASSERT_TRUE(s.Commit({&w}, true).ok());
}

TEST(AuditReaderVerify, LeafTimesGoingBackAndWrongIndexFieldsAreReported) {
  TestLog t;
  WriteRawLog(t.store(), {{0, 1000}, {1, 1000}, {2, 1005}, {3, 1010}, {4, 1020}, {5, 1019}, {6, 1030}, {8, 1040}});
  VerifyReport r = t.Verify();
  ASSERT_EQ(r.problem_count, 2u);
  EXPECT_EQ(r.problems[0].what, "leaf 5: its time (1019 ms) is earlier than leaf 4's (1020 ms)");
  EXPECT_EQ(r.problems[1].what, "leaf 7: its index field says 8");
}

TEST(AuditReaderVerify, AnEmptyLogVerifies) {
  TestLog t;
  VerifyReport r = t.Verify();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.leaves, 0u);
  EXPECT_EQ(r.root, security::EmptyRoot());
}

TEST(AuditReaderVerify, ASeenCheckpointFromAnotherHistoryIsCaught) {
  TestLog original;
  original.AppendSimple(100);
  const std::string seen = original.Checkpoint();
  TestLog rewritten;  // the same key, a different history
  rewritten.UseKeyOf(original);
  rewritten.clock().Advance(5);
  rewritten.AppendSimple(150);
  rewritten.Checkpoint();
  EXPECT_TRUE(rewritten.Verify().ok()) << "on its own the rewritten log is consistent";
  VerifyOptions o;
  o.seen_checkpoint = seen;
  VerifyReport r = rewritten.Verify(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(FirstProblem(r), "the log does not reproduce the seen checkpoint of 100 leaves: some of those leaves have changed");
}

// Beyond one block of 2^16 leaves: subtrees above level 16 are checked across blocks.
TEST(AuditReaderVerify, LargeLogsAcrossBlocks) {
  TestLog t;
  t.AppendSimple(70000);
  t.Checkpoint();
  t.AppendSimple((1u << 17) - 70000);
  t.Checkpoint();
  t.AppendSimple(3001);
  t.Checkpoint();
  const uint64_t n = (1u << 17) + 3001;
  std::vector<uint64_t> progress;
  VerifyOptions o;
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, n);
    progress.push_back(done);
  };
  VerifyReport r = t.Verify(o);
  EXPECT_TRUE(r.ok()) << FirstProblem(r);
  EXPECT_EQ(r.root, security::ComputeRoot(LeafHashes(t.store())));
  EXPECT_EQ(progress, (std::vector<uint64_t>{65536, 131072, n, 65536, 131072, n}));  // 2 threads, then 1

  t.Put(store::Column::kTree, store::TreeKey(17, 0), std::string(32, 'x'));
  r = t.Verify();
  EXPECT_EQ(FirstProblem(r), "subtree (level 17, index 0) covering leaves 0..131071: stored hash does not match its children");
  t.Put(store::Column::kTree, store::TreeKey(0, 100000), std::string(32, 'x'));
  r = t.Verify();
  EXPECT_EQ(FirstProblem(r), "subtree (level 17, index 0) covering leaves 0..131071: stored hash does not match its children");
  EXPECT_EQ(r.problems[1].what, "leaf 100000: stored leaf hash does not match the leaf record");
}

TEST(AuditReaderVerify, AReadOnlyStoreOpenedBesideTheWriterVerifies) {
  TestLog t;
  t.AppendSimple(300);
  t.Checkpoint();
  auto ro = store::Store::Open({t.dir() + "/db", /*read_only=*/true});
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  AuditReader reader(**ro);
  auto r = reader.Verify(t.key().verifier_key());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok()) << FirstProblem(*r);
  EXPECT_EQ(r->leaves, 300u);
}

TEST(AuditReaderVerify, ProblemListIsCappedButCounted) {
  TestLog t;
  t.AppendSimple(200);
  for (uint64_t i = 0; i < 200; i += 2) t.Put(store::Column::kTree, store::TreeKey(0, i), std::string(32, 'x'));
  VerifyOptions o;
  o.max_problems = 10;
  VerifyReport r = t.Verify(o);
  EXPECT_EQ(r.problems.size(), 10u);
  EXPECT_EQ(r.problem_count, 100u);
  EXPECT_EQ(r.problems[0].leaf, 0u);
  EXPECT_EQ(r.problems[9].leaf, 18u);
}

// ---- Proofs ----

class ProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.AppendSimple(100);
    t_.Checkpoint();
    t_.AppendSimple(250);
    t_.Checkpoint();
    t_.AppendSimple(427);
    t_.Checkpoint();  // 777
    t_.AppendSimple(5);
  }
  TestLog t_;
};

TEST_F(ProofTest, InclusionProofsVerifyAgainstTheLatestCheckpoint) {
  AuditReader reader(t_.store());
  const auto key = t_.key().verifier_key();
  auto latest = *reader.LatestCheckpoint();
  ASSERT_TRUE(latest.has_value());
  ASSERT_EQ(latest->size, 777u);
  for (uint64_t leaf : {0u, 1u, 400u, 511u, 512u, 776u}) {
    auto p = reader.InclusionProof(leaf);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->tree_size, 777u);
    EXPECT_TRUE(security::VerifyInclusion(leaf, 777, security::LeafHash(p->leaf_bytes), p->proof, latest->body.root).ok());
    EXPECT_TRUE(CheckInclusion(*p, &key).ok());
    auto bad = *p;
    bad.proof[0][3] ^= 1;
    EXPECT_EQ(CheckInclusion(bad, &key).code(), StatusCode::kCorruption);
    bad = *p;
    bad.leaf_bytes = ChangedLeaf(p->leaf_bytes);
    EXPECT_EQ(CheckInclusion(bad, &key).code(), StatusCode::kCorruption);
  }
  auto other = std::move(security::SigningKey::Generate("muster/test")).value();
  const auto other_key = other->verifier_key();
  EXPECT_EQ(CheckInclusion(*reader.InclusionProof(3), &other_key).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(reader.InclusionProof(777).status().code(), StatusCode::kFailedPrecondition) << "not yet in a checkpoint";
}

TEST_F(ProofTest, AcceptedLeafOfAMessage) {
  AuditReader reader(t_.store());
  EXPECT_EQ(*reader.AcceptedLeafOf(1), 0u);
  EXPECT_EQ(*reader.AcceptedLeafOf(34), 99u);
  EXPECT_EQ(reader.AcceptedLeafOf(100000).status().code(), StatusCode::kNotFound);
}

TEST_F(ProofTest, ConsistencyProofsBetweenCheckpointsVerify) {
  AuditReader reader(t_.store());
  const auto key = t_.key().verifier_key();
  const auto leaves = LeafHashes(t_.store());
  const std::vector<uint64_t> sizes = {100, 350, 777};
  for (uint64_t a : sizes) {
    for (uint64_t b : sizes) {
      if (a > b) continue;
      auto c = reader.ConsistencyProof(a, b);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      EXPECT_FALSE(c->old_checkpoint_note.empty());
      EXPECT_TRUE(security::VerifyConsistency(a, b, c->proof, c->old_root, c->new_root).ok());
      EXPECT_TRUE(CheckConsistency(*c, &key).ok());
      EXPECT_EQ(c->new_root, security::ComputeRoot({leaves.begin(), leaves.begin() + static_cast<ptrdiff_t>(b)}));
      if (!c->proof.empty()) {
        auto bad = *c;
        bad.proof.back()[0] ^= 1;
        EXPECT_FALSE(CheckConsistency(bad, &key).ok());
      }
    }
  }
  // Sizes without a checkpoint use the root of the stored tree.
  auto c = reader.ConsistencyProof(123, 780);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->old_checkpoint_note.empty());
  EXPECT_EQ(c->old_root, security::ComputeRoot({leaves.begin(), leaves.begin() + 123}));
  EXPECT_TRUE(CheckConsistency(*c, &key).ok());
  EXPECT_EQ(reader.ConsistencyProof(0, 5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.ConsistencyProof(6, 5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.ConsistencyProof(5, 783).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ProofTest, CheckpointsAreListedInOrder) {
  AuditReader reader(t_.store());
  auto list = reader.Checkpoints();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].size, 100u);
  EXPECT_EQ((*list)[2].size, 777u);
  EXPECT_EQ((*list)[2].body.origin, "muster/test");
  EXPECT_FALSE((*list)[2].time.empty());
  EXPECT_EQ(*reader.Size(), 782u);
}

}  // namespace
}  // namespace muster::audit
