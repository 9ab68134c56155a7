// GroupCommitter: the single commit thread. Many WriteSets submitted while a commit is in flight
// are folded into the next RocksDB WriteBatch, written with sync=true: one fsync for the whole
// group (group commit). Completions are handed back to the owning thread, which polls
// notify_fd() and calls RunCompletions(), so callbacks never run on the commit thread.
// Ownership: owned by the broker; holds a reference to the Store. Thread-safety: Submit and
// stats are thread-safe; RunCompletions must be called from one owner thread.
// Failure: when a commit fails, that group and everything queued behind it completes with the
// error (the store is then unhealthy and refuses writes until resumed).
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
  uint64_t batches = 0;  // one fsync each
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
  // Commits everything already submitted, then stops the thread. Completions still need
  // RunCompletions().
  void Stop();

  void Submit(CommitItem item);

  // Readable (an eventfd) when completions are waiting.
  int notify_fd() const { return event_fd_; }
  // Runs waiting completion callbacks in commit order; returns how many ran.
  size_t RunCompletions();

  // Items submitted whose completion has not yet run.
  size_t outstanding() const { return outstanding_.load(); }
  CommitStats stats() const;

 private:
  void Loop();

  Store& store_;
  GroupCommitterOptions options_;
  int event_fd_ = -1;
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CommitItem> queue_;  // guarded by mu_
  bool stopping_ = false;         // guarded by mu_

  struct Done {
    std::function<void(const Status&)> on_done;
    Status status;
  };
  std::mutex done_mu_;
  std::vector<Done> done_;  // guarded by done_mu_

  std::atomic<size_t> outstanding_{0};
  std::atomic<uint64_t> batches_{0}, items_{0}, bytes_{0}, failures_{0};
};

}  // namespace muster::store
