// GroupCommitter: makes WriteSets durable in groups, one fsync per group (group commit), as a
// two-stage pipeline so that the CPU work of one group overlaps the fsync of the previous one:
//   writer thread: takes every WriteSet submitted so far, writes them as one RocksDB WriteBatch
//                  (write-ahead log + memtable, not yet synced);
//   sync thread:   fsyncs the write-ahead log, which makes every group written before it durable,
//                  then hands those groups' completions back.
// Completions run on the owning thread, which polls notify_fd() and calls RunCompletions(), in
// submission order, only after the group is durable. A written-but-unsynced group is already
// readable in the store: readers that must see only durable data (delivery) wait for its
// completion.
// Ownership: owned by the broker; holds a reference to the Store. Thread-safety: Submit and
// stats are thread-safe; RunCompletions must be called from one owner thread.
// Failure: when a write or sync fails, the affected groups and everything queued behind them
// complete with the error; the store is then unhealthy and refuses writes until resumed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "broker/store/store.h"
#include "broker/store/write_set.h"

namespace muster::store {

struct CommitItem {
  WriteSet writes;
  // Runs on the owner thread after the group containing `writes` is durable (or failed).
  std::function<void(const Status&)> on_done;
};

struct GroupCommitterOptions {
  size_t max_batch_items = 4096;        // at most this many items per WriteBatch
  size_t max_batch_bytes = 16u << 20;   // and at most this many bytes
};

struct CommitStats {
  uint64_t batches = 0;  // WriteBatches written
  uint64_t syncs = 0;    // fsyncs of the write-ahead log
  uint64_t items = 0;
  uint64_t bytes = 0;
  uint64_t failures = 0;
};

class GroupCommitter {
 public:
  GroupCommitter(Store& store, GroupCommitterOptions options = {});
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  Status Start();
  // Writes and syncs everything already submitted, then stops the threads. Completions still
  // need RunCompletions().
  void Stop();

  void Submit(CommitItem item);
  // Between Hold() and Release(), submissions only queue; Release() wakes the writer once for all
  // of them (one wake-up per burst instead of one per item). Owner thread only.
  void Hold() { held_ = true; }
  void Release();

  // Readable (an eventfd) when completions are waiting.
  int notify_fd() const { return event_fd_; }
  // Runs waiting completion callbacks in commit order; returns how many ran.
  size_t RunCompletions();

  // Items submitted whose completion has not yet run.
  size_t outstanding() const { return outstanding_.load(); }
  CommitStats stats() const;

 private:
  struct Group {
    std::vector<CommitItem> items;
    Status status;
  };
  void WriteLoop();
  void SyncLoop();
  void Complete(std::vector<Group>& groups);

  Store& store_;
  GroupCommitterOptions options_;
  int event_fd_ = -1;
  std::thread writer_;
  std::thread syncer_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CommitItem> queue_;  // guarded by mu_
  bool stopping_ = false;         // guarded by mu_

  std::mutex written_mu_;
  std::condition_variable written_cv_;
  std::vector<Group> written_;    // guarded by written_mu_: written, not yet synced
  bool writer_done_ = false;      // guarded by written_mu_

  struct Done {
    std::function<void(const Status&)> on_done;
    Status status;
  };
  std::mutex done_mu_;
  std::vector<Done> done_;  // guarded by done_mu_

  bool held_ = false;              // owner thread only
  bool held_submissions_ = false;  // owner thread only
  std::atomic<size_t> outstanding_{0};
  std::atomic<uint64_t> batches_{0}, syncs_{0}, items_{0}, bytes_{0}, failures_{0};
};

}  // namespace muster::store
