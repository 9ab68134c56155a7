// The per-agency journal of written events and its cursor.
#include "adapters/gateway/event_journal.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/files.h"

namespace muster::gateway {
namespace {

constexpr char kCursorMagic[] = "muster-gateway-cursor 1";

bool ParseU64(const std::string& text, uint64_t* out) {
  if (text.empty() || text.size() > 20 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno != 0) return false;
  *out = v;
  return true;
}

}  // namespace

Result<std::unique_ptr<EventJournal>> EventJournal::Open(const std::string& dir,
                                                         size_t max_events) {
  MUSTER_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  std::unique_ptr<EventJournal> j(new EventJournal(dir, std::max<size_t>(1, max_events)));
  MUSTER_RETURN_IF_ERROR(j->Load());
  return j;
}

std::string EventJournal::PathFor(uint64_t order, bool acked) const {
  char name[40];
  std::snprintf(name, sizeof(name), "%020llu%s", static_cast<unsigned long long>(order),
                acked ? ".acked" : ".event");
  return JoinPath(dir_, name);
}

Status EventJournal::Load() {
  const std::string cursor_path = JoinPath(dir_, "cursor");
  if (PathExists(cursor_path)) {
    MUSTER_ASSIGN_OR_RETURN(std::string text, ReadFile(cursor_path, 4096));
    uint64_t order = 0, seq = 0;
    char magic[64] = {0};
    unsigned long long o = 0, s = 0;
    if (std::sscanf(text.c_str(), "%63[^\n]\norder: %llu\nseq: %llu", magic, &o, &s) != 3 ||
        std::string(magic) != kCursorMagic) {
      return Status::Corruption("event journal cursor " + cursor_path +
                                " is unreadable; move it away to re-send "
                                "every kept event");
    }
    order = o;
    seq = s;
    cursor_order_ = order;
    cursor_seq_ = seq;
  }
  next_order_ = cursor_order_ + 1;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return Status::IoError("open directory " + dir_ + ": " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d)) names.push_back(ent->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  bool removed = false;
  for (const std::string& name : names) {
    if (name == "." || name == ".." || name == "cursor") continue;
    const std::string path = JoinPath(dir_, name);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      MUSTER_RETURN_IF_ERROR(RemoveFile(path));  // a write that never happened
      removed = true;
      continue;
    }
    size_t dot = name.find('.');
    std::string suffix = dot == std::string::npos ? "" : name.substr(dot);
    uint64_t order = 0;
    if ((suffix != ".event" && suffix != ".acked") || !ParseU64(name.substr(0, dot), &order)) {
      return Status::Corruption("unexpected file in the event journal: " + path);
    }
    if (order <= cursor_order_) {
      MUSTER_RETURN_IF_ERROR(RemoveFile(path));  // confirmed before a crash removed it
      removed = true;
      continue;
    }
    MUSTER_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, 64u << 20));
    size_t nl = bytes.find('\n');
    Event e;
    e.order = order;
    e.acked = suffix == ".acked";
    if (nl == std::string::npos || !ParseU64(bytes.substr(0, nl), &e.seq)) {
      return Status::Corruption("event journal entry " + path +
                                " is unreadable; move it away to continue");
    }
    e.data = bytes.substr(nl + 1);
    if (auto it = events_.find(order); it != events_.end()) {
      // Both names after a crash in MarkAcked: the acked one is the truth.
      if (e.acked) {
        MUSTER_RETURN_IF_ERROR(RemoveFile(PathFor(order, false)));
        it->second.acked = true;
      } else {
        MUSTER_RETURN_IF_ERROR(RemoveFile(path));
      }
      removed = true;
      continue;
    }
    by_seq_[e.seq] = order;
    next_order_ = std::max(next_order_, order + 1);
    events_[order] = std::move(e);
  }
  if (removed) MUSTER_RETURN_IF_ERROR(SyncDir(dir_));
  return Status::Ok();
}

Status EventJournal::AdvanceTo(uint64_t order) {
  if (order <= cursor_order_) return Status::Ok();
  auto it = events_.find(order);
  uint64_t seq = it != events_.end() ? it->second.seq : cursor_seq_;
  std::string text = std::string(kCursorMagic) + "\norder: " + std::to_string(order) +
                     "\nseq: " + std::to_string(seq) + "\n";
  MUSTER_RETURN_IF_ERROR(WriteFileAtomic(JoinPath(dir_, "cursor"), text, 0600));
  cursor_order_ = order;
  cursor_seq_ = seq;
  // The cursor is durable: the files it passed are tidying (Open removes leftovers).
  for (auto e = events_.begin(); e != events_.end() && e->first <= order;) {
    (void)RemoveFile(PathFor(e->first, e->second.acked));
    by_seq_.erase(e->second.seq);
    e = events_.erase(e);
  }
  return Status::Ok();
}

Status EventJournal::AdvanceOverAcked() {
  uint64_t to = 0;
  for (const auto& [order, e] : events_) {
    if (!e.acked) break;
    to = order;
  }
  return to ? AdvanceTo(to) : Status::Ok();
}

Result<EventJournal::AppendOutcome> EventJournal::Append(uint64_t seq, const std::string& data) {
  std::lock_guard<std::mutex> lock(mu_);
  AppendOutcome out;
  if (by_seq_.count(seq)) return out;
  Event e;
  e.order = next_order_;
  e.seq = seq;
  e.data = data;
  MUSTER_RETURN_IF_ERROR(
      WriteFileAtomic(PathFor(e.order, false), std::to_string(seq) + "\n" + data, 0600));
  ++next_order_;
  by_seq_[seq] = e.order;
  events_[e.order] = std::move(e);
  out.added = true;
  if (events_.size() > max_events_) {
    auto it = events_.begin();
    std::advance(it, static_cast<long>(events_.size() - max_events_ - 1));
    out.dropped = events_.size() - max_events_;
    MUSTER_RETURN_IF_ERROR(AdvanceTo(it->first));
  }
  return out;
}

Result<bool> EventJournal::ConfirmThrough(uint64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_seq_.find(seq);
  if (it == by_seq_.end()) return false;
  MUSTER_RETURN_IF_ERROR(AdvanceTo(it->second));
  return true;
}

Status EventJournal::MarkAcked(const std::vector<uint64_t>& seqs) {
  std::lock_guard<std::mutex> lock(mu_);
  bool changed = false;
  for (uint64_t seq : seqs) {
    auto it = by_seq_.find(seq);
    if (it == by_seq_.end()) continue;
    Event& e = events_[it->second];
    if (e.acked) continue;
    if (::rename(PathFor(e.order, false).c_str(), PathFor(e.order, true).c_str()) != 0) {
      return Status::IoError("rename " + PathFor(e.order, false) + ": " + std::strerror(errno));
    }
    e.acked = true;
    changed = true;
  }
  if (!changed) return Status::Ok();
  MUSTER_RETURN_IF_ERROR(SyncDir(dir_));
  return AdvanceOverAcked();
}

std::vector<EventJournal::Event> EventJournal::Unconfirmed() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Event> out;
  for (const auto& [order, e] : events_) {
    if (!e.acked) out.push_back(e);
  }
  return out;
}

bool EventJournal::Contains(uint64_t seq) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_seq_.count(seq) > 0;
}

size_t EventJournal::kept() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_.size();
}

uint64_t EventJournal::cursor_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cursor_seq_;
}

}  // namespace muster::gateway
