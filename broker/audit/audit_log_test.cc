// Tests for the audit log writer against a real store: leaves and tree hashes match the RFC 6962
// reference root, recovery resumes the tree, checkpoints are signed for the durable size only and
// never for a tree that no longer reproduces the previous checkpoint.
#include "broker/audit/audit_log.h"

#include <gtest/gtest.h>
#include <poll.h>

#include "broker/store/keys.h"
#include "schemas/frame_codec.h"
#include "security/checkpoint_note.h"

namespace muster::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/muster-audit-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Open();
    key_ = std::move(security::SigningKey::Generate("muster/test")).value();
  }
  void TearDown() override {
    Close();
    std::system(("rm -rf " + dir_).c_str());
  }
  void Open() {
    store_ = std::move(store::Store::Open({dir_ + "/db"})).value();
    committer_ = std::make_unique<store::GroupCommitter>(*store_);
    ASSERT_TRUE(committer_->Start().ok());
    log_ = std::make_unique<AuditLog>(*store_, clock_, logger_);
    ASSERT_TRUE(log_->Recover().ok());
  }
  void Close() {
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
  AuditEvent Event(int i) {
    AuditEvent e;
    e.event = i % 3 == 0 ? schema::AuditLeaf::Event::ACCEPTED : schema::AuditLeaf::Event::DELIVERED;
    e.actor = "command";
    e.seq = static_cast<uint64_t>(i);
    e.subject = "msd";
    e.incident = i % 2 ? "INC-1" : "";
    e.recipients = {"msd"};
    return e;
  }
  // Appends n leaves, committing each group of `per_item` in one WriteSet.
  void AppendLeaves(int n, int per_item = 1) {
    for (int i = 0; i < n;) {
      store::CommitItem item;
      for (int k = 0; k < per_item && i < n; ++k, ++i) log_->Append(Event(i), &item.writes);
      item.on_done = log_->WhenDurable(nullptr);
      committer_->Submit(std::move(item));
    }
    Settle();
  }
  security::Digest ReferenceRoot() {
    std::vector<security::Digest> leaves;
    EXPECT_TRUE(store_->Scan(store::Column::kAudit, "", "", [&](std::string_view, std::string_view v) {
      leaves.push_back(security::LeafHash(v));
      return true;
    }).ok());
    return security::ComputeRoot(leaves);
  }

  std::string dir_;
  OffsetClock clock_;
  Logger logger_{stderr, LogLevel::kError};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::GroupCommitter> committer_;
  std::unique_ptr<AuditLog> log_;
  std::unique_ptr<security::SigningKey> key_;
};

TEST_F(AuditLogTest, StoredTreeMatchesTheReferenceRootAtEverySize) {
  for (int n = 1; n <= 70; ++n) {
    AppendLeaves(1);
    auto root = security::RangeHash(0, log_->size(), StoreLookup(*store_));
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, ReferenceRoot()) << "size " << n;
  }
  EXPECT_EQ(log_->durable_size(), 70u);
}

TEST_F(AuditLogTest, DeferredLeavesCommitBeforeLaterOnes) {
  log_->Defer(Event(0));
  log_->Defer(Event(1));
  store::CommitItem item;
  EXPECT_EQ(log_->Append(Event(2), &item.writes), 2u);
  item.on_done = log_->WhenDurable(nullptr);
  committer_->Submit(std::move(item));
  Settle();
  EXPECT_EQ(log_->durable_size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) EXPECT_TRUE(store_->Get(store::Column::kAudit, store::AuditKey(i))->has_value());
}

TEST_F(AuditLogTest, RecoveryResumesTheTreeAndTheLeafTimesNeverGoBack) {
  AppendLeaves(37, 5);
  Close();
  clock_.set_offset_ms(-3600 * 1000);  // the clock jumps back an hour across the restart
  Open();
  EXPECT_EQ(log_->size(), 37u);
  AppendLeaves(20, 3);
  EXPECT_EQ(*security::RangeHash(0, 57, StoreLookup(*store_)), ReferenceRoot());
  int64_t previous = 0;
  ASSERT_TRUE(store_->Scan(store::Column::kAudit, "", "", [&](std::string_view, std::string_view v) {
    auto d = wire::DecodedStruct::Decode(v.data(), v.size());
    int64_t t = (*d)->Get<schema::AuditLeaf>().getTimeMillis();
    EXPECT_GE(t, previous);
    previous = t;
    return true;
  }).ok());
}

TEST_F(AuditLogTest, CheckpointsCoverTheDurableTreeAndVerify) {
  EXPECT_FALSE(*log_->MaybeCheckpoint(*key_, "muster/test", *committer_)) << "nothing to sign yet";
  AppendLeaves(10);
  ASSERT_TRUE(*log_->MaybeCheckpoint(*key_, "muster/test", *committer_));
  EXPECT_FALSE(*log_->MaybeCheckpoint(*key_, "muster/test", *committer_)) << "no growth, no new checkpoint";
  AppendLeaves(5);
  ASSERT_TRUE(*log_->MaybeCheckpoint(*key_, "muster/test", *committer_));
  Settle();
  auto cp = security::ParseAndVerifyCheckpoint(log_->last_checkpoint(), key_->verifier_key());
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(cp->origin, "muster/test");
  EXPECT_EQ(cp->size, 15u);
  EXPECT_EQ(cp->root, ReferenceRoot());
  ASSERT_EQ(cp->extensions.size(), 1u);
  EXPECT_EQ(cp->extensions[0].rfind("time ", 0), 0u);
  EXPECT_TRUE(store_->Get(store::Column::kCheckpoints, store::CheckpointKey(10))->has_value());
}

TEST_F(AuditLogTest, NeverSignsATreeThatNoLongerReproducesTheLastCheckpoint) {
  AppendLeaves(8);
  ASSERT_TRUE(*log_->MaybeCheckpoint(*key_, "muster/test", *committer_));
  Settle();
  // Tamper with the stored hash of the subtree the signed checkpoint covers (leaves 0..7).
  // (Hashes below it are checked by `muster-audit verify`, which recomputes from the leaves.)
  store::WriteSet w;
  w.Put(store::Column::kTree, store::TreeKey(3, 0), std::string(32, 'x'));
  ASSERT_TRUE(store_->Commit({&w}, true).ok());
  AppendLeaves(3);
  auto r = log_->MaybeCheckpoint(*key_, "muster/test", *committer_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(log_->checkpointing_halted());
  Close();
  store_ = std::move(store::Store::Open({dir_ + "/db"})).value();
  committer_ = std::make_unique<store::GroupCommitter>(*store_);
  ASSERT_TRUE(committer_->Start().ok());
  log_ = std::make_unique<AuditLog>(*store_, clock_, logger_);
  EXPECT_EQ(log_->Recover().code(), StatusCode::kCorruption) << "a restart finds it too";
}

TEST_F(AuditLogTest, RecoveryRefusesALogShorterThanItsCheckpoint) {
  AppendLeaves(6);
  ASSERT_TRUE(*log_->MaybeCheckpoint(*key_, "muster/test", *committer_));
  Settle();
  store::WriteSet w;
  w.Delete(store::Column::kAudit, store::AuditKey(5));
  ASSERT_TRUE(store_->Commit({&w}, true).ok());
  Close();
  store_ = std::move(store::Store::Open({dir_ + "/db"})).value();
  committer_ = std::make_unique<store::GroupCommitter>(*store_);
  ASSERT_TRUE(committer_->Start().ok());
  log_ = std::make_unique<AuditLog>(*store_, clock_, logger_);
  Status s = log_->Recover();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("leaves were removed"), std::string::npos) << s.message();
}

TEST_F(AuditLogTest, IndexEntriesPointAtTheirLeaves) {
  AppendLeaves(10);
  std::vector<uint64_t> hits;
  std::string prefix = store::IndexPrefix('i', "INC-1");
  ASSERT_TRUE(store_->Scan(store::Column::kIndexes, prefix, store::PrefixEnd(prefix), [&](std::string_view k, std::string_view) {
    hits.push_back(store::DecodeU64(k.substr(prefix.size())));
    return true;
  }).ok());
  EXPECT_EQ(hits, (std::vector<uint64_t>{1, 3, 5, 7, 9}));
}

}  // namespace
}  // namespace muster::audit
