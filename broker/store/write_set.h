// WriteSet: the writes of one logical operation (a publish, an ack, a delivery) as plain data, so
// the broker can prepare them on its own thread and the group committer can fold many WriteSets
// into one atomic, fsync'd RocksDB WriteBatch. No RocksDB types appear here.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace muster::store {

// Column families, one per role of the data.
enum class Column {
  kMessages = 0,  // seq -> StoredMessage (canonical Cap'n Proto)
  kPending,       // recipient \0 precedence seq -> "" (what is still to be delivered)
  kDelivery,      // seq recipient -> DeliveryRecord
  kDedup,         // sender \0 client message id -> DedupRecord
  kMeta,          // named counters and settings
  kAudit,         // leaf index -> audit leaf bytes
  kTree,          // (level, index) -> complete-subtree hash
  kCheckpoints,   // tree size -> signed checkpoint note
  kState,         // workflow state per kind
  kIndexes,       // secondary indexes for queries
};
constexpr int kColumnCount = 10;
const char* ColumnName(Column c);

class WriteSet {
 public:
  struct Op {
    Column column;
    bool is_delete;
    std::string key;
    std::string value;
  };

  void Put(Column column, std::string key, std::string value) {
    bytes_ += key.size() + value.size();
    ops_.push_back(Op{column, false, std::move(key), std::move(value)});
  }
  void Delete(Column column, std::string key) {
    bytes_ += key.size();
    ops_.push_back(Op{column, true, std::move(key), {}});
  }
  // Appends all of `other`'s operations after this set's own.
  void Append(WriteSet&& other) {
    for (auto& op : other.ops_) ops_.push_back(std::move(op));
    bytes_ += other.bytes_;
    other.ops_.clear();
    other.bytes_ = 0;
  }

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t bytes() const { return bytes_; }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

}  // namespace muster::store
