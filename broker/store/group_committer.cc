// Group commit thread.
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
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void GroupCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GroupCommitter::Submit(CommitItem item) {
  outstanding_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(item));
  }
  cv_.notify_one();
}

void GroupCommitter::Loop() {
  std::vector<CommitItem> group;
  std::vector<const WriteSet*> sets;
  for (;;) {
    group.clear();
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) return;
      size_t bytes = 0;
      while (!queue_.empty() && group.size() < options_.max_batch_items &&
             (group.empty() || bytes + queue_.front().writes.bytes() <= options_.max_batch_bytes)) {
        bytes += queue_.front().writes.bytes();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    sets.clear();
    size_t bytes = 0;
    for (const auto& item : group) {
      if (!item.writes.empty()) sets.push_back(&item.writes);
      bytes += item.writes.bytes();
    }
    Status status = sets.empty() ? Status::Ok() : store_.Commit(sets, /*sync=*/true);
    if (status.ok()) {
      batches_.fetch_add(sets.empty() ? 0 : 1);
      items_.fetch_add(group.size());
      bytes_.fetch_add(bytes);
    } else {
      failures_.fetch_add(1);
    }
    bool was_empty;
    {
      std::lock_guard<std::mutex> lock(done_mu_);
      was_empty = done_.empty();
      for (auto& item : group) done_.push_back(Done{std::move(item.on_done), status});
    }
    if (was_empty) {
      uint64_t one = 1;
      ssize_t n = ::write(event_fd_, &one, sizeof(one));
      (void)n;  // a full counter still leaves the fd readable
    }
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
  return CommitStats{batches_.load(), items_.load(), bytes_.load(), failures_.load()};
}

}  // namespace muster::store
