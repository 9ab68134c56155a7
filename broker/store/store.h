// Store: the broker's RocksDB database, one directory with one column family per role of the data.
// The only code in Muster that includes RocksDB; RocksDB statuses become muster::Status here.
// Thread-safety: all methods may be called from any thread. Writes go through Commit, which the
// group committer calls from its single commit thread.
// Failure: a failed Commit marks the store unhealthy (sticky); further commits are refused with
// Unavailable until Resume() succeeds, so nothing is confirmed after a write or sync error.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/store/write_set.h"
#include "common/result.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace muster::store {

struct StoreOptions {
  std::string dir;                 // database directory; created if missing (unless read_only)
  bool read_only = false;          // open without writing (auditors, while musterd runs)
  // What the store may hold in memory: one block cache that also holds the index and filter
  // blocks of every table file and is charged for the memtables, so memory does not grow with the
  // amount stored.
  size_t memory_budget_bytes = size_t{256} << 20;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Returns nullopt when the key is absent.
  Result<std::optional<std::string>> Get(Column column, std::string_view key) const;

  // Calls `visit(key, value)` for keys in [start, end) in order (end empty = to the end) until it
  // returns false.
  Status Scan(Column column, std::string_view start, std::string_view end,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // The greatest key of a column, or nullopt when it is empty.
  Result<std::optional<std::string>> LastKey(Column column) const;

  // Writes all sets as one atomic batch; with `sync` the WAL is fsync'd before returning.
  // Without it the batch is visible at once but durable only after the next SyncWal().
  Status Commit(const std::vector<const WriteSet*>& sets, bool sync);
  // Makes every batch committed so far durable (fsync of the write-ahead log).
  Status SyncWal();

  // A consistent copy of the whole store as it is now, in `dir` (which must not exist), taken
  // online: writes continue meanwhile. Files are hard-linked where possible.
  Status CreateCheckpoint(const std::string& dir);

  bool healthy() const { return healthy_.load(); }
  // Tries to leave the unhealthy state (e.g. after disk space was freed).
  Status Resume();

  const std::string& dir() const { return dir_; }

 private:
  Store() = default;
  rocksdb::ColumnFamilyHandle* Handle(Column column) const;

  std::string dir_;
  bool read_only_ = false;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // index = Column; owned by db_
  std::atomic<bool> healthy_{true};
};

}  // namespace muster::store
