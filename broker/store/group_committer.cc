// Group commit: a writer thread and a sync thread.
#include "broker/store/group_committer.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace muster::store {

GroupCommitter::GroupCommitter(Store& store, GroupCommitterOptions options)
    : store_(store), options_(options) {}

GroupCommitter::~GroupCommitter() {
  Stop();
  if (event_fd_ >= 0) ::close(event_fd_);
}

Status GroupCommitter::Start() {
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) return Status::IoError(std::string("eventfd: ") + std::strerror(errno));
  writer_ = std::thread([this] { WriteLoop(); });
  syncer_ = std::thread([this] { SyncLoop(); });
  return Status::Ok();
}

void GroupCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (syncer_.joinable()) syncer_.join();
}

void GroupCommitter::Submit(CommitItem item) {
  outstanding_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(item));
  }
  if (held_) {
    held_submissions_ = true;
    return;
  }
  cv_.notify_one();
}

void GroupCommitter::Release() {
  held_ = false;
  if (held_submissions_) {
    held_submissions_ = false;
    cv_.notify_one();
  }
}

void GroupCommitter::WriteLoop() {
  std::vector<const WriteSet*> sets;
  for (;;) {
    Group group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) break;
      size_t bytes = 0;
      while (!queue_.empty() && group.items.size() < options_.max_batch_items &&
             (group.items.empty() || bytes + queue_.front().writes.bytes() <= options_.max_batch_bytes)) {
        bytes += queue_.front().writes.bytes();
        group.items.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    sets.clear();
    size_t bytes = 0;
    for (const auto& item : group.items) {
      if (!item.writes.empty()) sets.push_back(&item.writes);
      bytes += item.writes.bytes();
    }
    group.status = sets.empty() ? Status::Ok() : store_.Commit(sets, /*sync=*/false);
    if (group.status.ok()) {
      if (!sets.empty()) batches_.fetch_add(1);
      items_.fetch_add(group.items.size());
      bytes_.fetch_add(bytes);
    }
    {
      std::lock_guard<std::mutex> lock(written_mu_);
      written_.push_back(std::move(group));
    }
    written_cv_.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(written_mu_);
    writer_done_ = true;
  }
  written_cv_.notify_one();
}

void GroupCommitter::SyncLoop() {
  for (;;) {
    std::vector<Group> groups;
    bool done;
    {
      std::unique_lock<std::mutex> lock(written_mu_);
      written_cv_.wait(lock, [this] { return !written_.empty() || writer_done_; });
      groups.swap(written_);
      done = writer_done_;
    }
    if (!groups.empty()) {
      bool any_ok = false;
      for (const auto& g : groups) any_ok = any_ok || g.status.ok();
      // One fsync makes every group written before it durable.
      Status synced = any_ok ? store_.SyncWal() : Status::Ok();
      if (any_ok && synced.ok()) syncs_.fetch_add(1);
      for (auto& g : groups) {
        if (g.status.ok() && !synced.ok()) g.status = synced;
        if (!g.status.ok()) failures_.fetch_add(1);
      }
      Complete(groups);
    }
    if (done) {
      std::lock_guard<std::mutex> lock(written_mu_);
      if (written_.empty()) return;
    }
  }
}

void GroupCommitter::Complete(std::vector<Group>& groups) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    was_empty = done_.empty();
    for (auto& g : groups) {
      for (auto& item : g.items) done_.push_back(Done{std::move(item.on_done), g.status});
    }
  }
  if (was_empty) {
    uint64_t one = 1;
    ssize_t n = ::write(event_fd_, &one, sizeof(one));
    (void)n;  // a full counter still leaves the fd readable
  }
}

size_t GroupCommitter::RunCompletions() {
  uint64_t counter;
  ssize_t n = ::read(event_fd_, &counter, sizeof(counter));
  (void)n;
  std::vector<Done> ready;
  {
    std::lock_guard<std::mutex> lock(done_mu_);
    ready.swap(done_);
  }
  for (auto& d : ready) {
    outstanding_.fetch_sub(1);
    if (d.on_done) d.on_done(d.status);
  }
  return ready.size();
}

CommitStats GroupCommitter::stats() const {
  return CommitStats{batches_.load(), syncs_.load(), items_.load(), bytes_.load(), failures_.load()};
}

}  // namespace muster::store
