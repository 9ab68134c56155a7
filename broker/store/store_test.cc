// Tests for the RocksDB store and the group committer against a real database directory.
#include "broker/store/store.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <cstdlib>

#include "broker/store/group_committer.h"
#include "broker/store/keys.h"

namespace muster::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/muster-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
    dir_ += "/db";
  }
  void TearDown() override { std::system(("rm -rf " + DirOf()).c_str()); }
  std::string DirOf() const { return dir_.substr(0, dir_.rfind('/')); }
  std::string dir_;
};

TEST_F(StoreTest, CommitsAndReadsBackAcrossReopen) {
  {
    auto store = Store::Open({dir_});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    WriteSet a, b;
    a.Put(Column::kMessages, MessageKey(1), "one");
    a.Put(Column::kPending, PendingKey("msd", 0, 1), "");
    b.Put(Column::kMessages, MessageKey(2), "two");
    b.Delete(Column::kPending, PendingKey("msd", 0, 1));
    ASSERT_TRUE((*store)->Commit({&a, &b}, true).ok());
    auto got = (*store)->Get(Column::kMessages, MessageKey(2));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->value_or(""), "two");
  }
  auto store = Store::Open({dir_});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get(Column::kMessages, MessageKey(1))->value_or(""), "one");
  EXPECT_FALSE((*store)->Get(Column::kPending, PendingKey("msd", 0, 1))->has_value());
  auto last = (*store)->LastKey(Column::kMessages);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ(DecodeU64(**last), 2u);
  EXPECT_FALSE((*store)->LastKey(Column::kDedup)->has_value());
}

TEST_F(StoreTest, ScansARangeInOrder) {
  auto store = Store::Open({dir_});
  ASSERT_TRUE(store.ok());
  WriteSet w;
  for (uint64_t s : {5, 3, 9}) w.Put(Column::kPending, PendingKey("vol-1", 0, s), "");
  w.Put(Column::kPending, PendingKey("vol-1", 3, 20), "");
  w.Put(Column::kPending, PendingKey("vol-2", 0, 1), "");
  ASSERT_TRUE((*store)->Commit({&w}, true).ok());
  std::vector<uint64_t> seqs;
  std::string prefix = PendingPrefix("vol-1");
  ASSERT_TRUE((*store)->Scan(Column::kPending, prefix, PrefixEnd(prefix), [&](auto k, auto) {
    PendingKeyParts p;
    EXPECT_TRUE(ParsePendingKey(k, "vol-1", &p));
    seqs.push_back(p.seq);
    return true;
  }).ok());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{20, 3, 5, 9}));
}

TEST_F(StoreTest, SecondWriterIsRefusedButReadOnlyWorks) {
  auto store = Store::Open({dir_});
  ASSERT_TRUE(store.ok());
  WriteSet w;
  w.Put(Column::kMeta, "k", "v");
  ASSERT_TRUE((*store)->Commit({&w}, true).ok());
  auto second = Store::Open({dir_});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
  auto reader = Store::Open({dir_, /*read_only=*/true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->Get(Column::kMeta, "k")->value_or(""), "v");
  EXPECT_EQ((*reader)->Commit({&w}, true).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Store::Open({dir_ + "-missing", true}).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, GroupCommitterCommitsEverythingInOrder) {
  auto store = Store::Open({dir_});
  ASSERT_TRUE(store.ok());
  GroupCommitter committer(**store);
  ASSERT_TRUE(committer.Start().ok());
  std::vector<int> done;
  const int kItems = 500;
  for (int i = 0; i < kItems; ++i) {
    CommitItem item;
    item.writes.Put(Column::kMessages, MessageKey(static_cast<uint64_t>(i)), "x");
    item.on_done = [&done, i](const Status& s) {
      EXPECT_TRUE(s.ok());
      done.push_back(i);
    };
    committer.Submit(std::move(item));
  }
  for (int spins = 0; done.size() < kItems && spins < 1000; ++spins) {
    pollfd p{committer.notify_fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    committer.RunCompletions();
  }
  ASSERT_EQ(done.size(), static_cast<size_t>(kItems));
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(done[static_cast<size_t>(i)], i);
  CommitStats st = committer.stats();
  EXPECT_EQ(st.items, static_cast<uint64_t>(kItems));
  EXPECT_GE(st.batches, 1u);
  EXPECT_GE(st.syncs, 1u);
  EXPECT_LE(st.syncs, st.batches);
  EXPECT_LE(st.batches, static_cast<uint64_t>(kItems));
  EXPECT_EQ(committer.outstanding(), 0u);
  committer.Stop();
  EXPECT_EQ(DecodeU64(**(*store)->LastKey(Column::kMessages)), static_cast<uint64_t>(kItems - 1));
}

}  // namespace
}  // namespace muster::store
