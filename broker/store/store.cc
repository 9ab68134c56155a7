// RocksDB-backed store.
#include "broker/store/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string_view>

#include "common/check.h"
#include "common/files.h"
#include "common/log.h"

namespace muster::store {
namespace {

const char* const kColumnNames[kColumnCount] = {
    "messages", "pending", "delivery", "dedup", "meta",
    "audit",    "tree",    "checkpoints", "state", "indexes",
};

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  std::string msg = what + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsIOError() || s.IsNoSpace()) return Status::IoError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return Status::Unavailable(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  return Status::Internal(msg);
}

rocksdb::Slice ToSlice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

// Most keys end in an 8-byte big-endian counter (seq, leaf index) that grows within the part
// before it (a recipient's pending queue, an index term, a tree level, or nothing at all). With
// that part as the insert-hint prefix, RocksDB inserts each new key next to the previous one of
// its prefix instead of searching the whole memtable skip list.
class AllButTheCounter : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "muster.AllButTheCounter"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 8; }
};

// RocksDB's own diagnostics, warnings and errors only, as lines of the process's log (stderr)
// instead of a LOG file in the data directory: when the disk fills that file fails too, and
// RocksDB built with assertions (Debian's is) aborts the process on the next line written to a
// file that has failed — the broker must stay up and refuse writes instead.
class RocksDiagnostics final : public rocksdb::Logger {
 public:
  RocksDiagnostics() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void LogHeader(const char*, va_list) override {}  // the options dump at open
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char line[1024];
    int n = std::vsnprintf(line, sizeof(line), format, ap);
    std::string_view text(line, n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof(line) - 1));
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    log_.Log(level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? LogLevel::kError : LogLevel::kWarn, "rocksdb", text);
  }

 private:
  muster::Logger log_{stderr, LogLevel::kWarn};
};

}  // namespace

const char* ColumnName(Column c) { return kColumnNames[static_cast<int>(c)]; }

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  store->dir_ = options.dir;
  store->read_only_ = options.read_only;
  if (!options.read_only) MUSTER_RETURN_IF_ERROR(MakeDirs(options.dir, 0700));

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.IncreaseParallelism(2);
  db_options.keep_log_file_num = 5;
  db_options.max_total_wal_size = 256 << 20;
  db_options.info_log = std::make_shared<RocksDiagnostics>();
  // Bounded memory: the index and filter blocks of table files live in one LRU cache (partitioned,
  // so only their small top levels stay pinned) instead of growing with every file opened, and the
  // memtables of all columns together are charged to the same cache and flushed at half of it.
  const size_t budget = std::max<size_t>(options.memory_budget_bytes, size_t{32} << 20);
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(budget);
  db_options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(budget / 2, cache);

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.OptimizeLevelStyleCompaction(64 << 20);
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Columns looked up by key, where most lookups of fresh data miss (dedup keys, delivery records,
  // workflow state, messages), get a bloom filter on the memtable too; append-mostly columns read
  // by scans (audit leaves, tree hashes, indexes, pending entries) do not pay for one per write.
  rocksdb::ColumnFamilyOptions point_lookup = cf_options;
  point_lookup.memtable_prefix_bloom_size_ratio = 0.05;
  point_lookup.memtable_whole_key_filtering = true;
  auto counter_hint = std::make_shared<AllButTheCounter>();
  auto options_for = [&](Column c) {
    rocksdb::ColumnFamilyOptions o;
    switch (c) {
      case Column::kDelivery:
      case Column::kDedup:
      case Column::kState:
      case Column::kMeta:
        return point_lookup;
      case Column::kMessages:
        o = point_lookup;
        break;
      default:
        o = cf_options;
        break;
    }
    if (c == Column::kMessages || c == Column::kAudit || c == Column::kTree || c == Column::kPending ||
        c == Column::kIndexes || c == Column::kCheckpoints) {
      o.memtable_insert_with_hint_prefix_extractor = counter_hint;
    }
    return o;
  };

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (int i = 0; i < kColumnCount; ++i) {
    descriptors.emplace_back(kColumnNames[i], options_for(static_cast<Column>(i)));
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    if (!PathExists(JoinPath(options.dir, "CURRENT"))) {
      return Status::NotFound("no Muster store in " + options.dir);
    }
    s = rocksdb::DB::OpenForReadOnly(db_options, options.dir, descriptors, &handles, &raw);
  } else {
    s = rocksdb::DB::Open(db_options, options.dir, descriptors, &handles, &raw);
  }
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return Status::Unavailable("store " + options.dir +
                                 " is in use by another process (is musterd already running?)");
    }
    return FromRocks(s, "open store " + options.dir);
  }
  store->db_.reset(raw);
  // handles[0] is the default column family; ours follow in Column order.
  store->handles_.assign(handles.begin(), handles.end());
  return store;
}

Store::~Store() {
  if (db_) {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    db_->Close();
  }
}

rocksdb::ColumnFamilyHandle* Store::Handle(Column column) const {
  return handles_[static_cast<size_t>(column) + 1];
}

Result<std::optional<std::string>> Store::Get(Column column, std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(column), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, std::string("read ") + ColumnName(column));
  return std::optional<std::string>(std::move(value));
}

Status Store::Scan(Column column, std::string_view start, std::string_view end,
                   const std::function<bool(std::string_view, std::string_view)>& visit) const {
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper;
  if (!end.empty()) {
    upper = ToSlice(end);
    ro.iterate_upper_bound = &upper;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, Handle(column)));
  for (it->Seek(ToSlice(start)); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key(), v = it->value();
    if (!visit(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()))) break;
  }
  return FromRocks(it->status(), std::string("scan ") + ColumnName(column));
}

Result<std::optional<std::string>> Store::LastKey(Column column) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Handle(column)));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), std::string("seek ") + ColumnName(column));
  if (!it->Valid()) return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

Status Store::Commit(const std::vector<const WriteSet*>& sets, bool sync) {
  if (read_only_) return Status::FailedPrecondition("store opened read-only");
  if (!healthy_.load()) {
    return Status::Unavailable("store is refusing writes after an earlier write failure");
  }
  // No per-key performance counters on the commit path (they cost a thread-local lookup each).
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  rocksdb::WriteBatch batch;
  for (const WriteSet* set : sets) {
    for (const auto& op : set->ops()) {
      rocksdb::Status s = op.is_delete ? batch.Delete(Handle(op.column), ToSlice(op.key))
                                       : batch.Put(Handle(op.column), ToSlice(op.key), ToSlice(op.value));
      MUSTER_CHECK(s.ok());
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) {
    healthy_.store(false);
    return FromRocks(s, "commit");
  }
  return Status::Ok();
}

Status Store::CreateCheckpoint(const std::string& dir) {
  if (PathExists(dir)) return Status::AlreadyExists("backup target " + dir + " already exists");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // Flush the memtables first so the copy needs no log replay.
  s = checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0);
  return FromRocks(s, "checkpoint into " + dir);
}

Status Store::SyncWal() {
  if (read_only_) return Status::FailedPrecondition("store opened read-only");
  if (!healthy_.load()) {
    return Status::Unavailable("store is refusing writes after an earlier write failure");
  }
  rocksdb::Status s = db_->SyncWAL();
  if (!s.ok()) {
    healthy_.store(false);
    return FromRocks(s, "sync write-ahead log");
  }
  return Status::Ok();
}

Status Store::Resume() {
  if (healthy_.load()) return Status::Ok();
  rocksdb::Status s = db_->Resume();
  if (!s.ok()) return FromRocks(s, "resume store");
  healthy_.store(true);
  return Status::Ok();
}

}  // namespace muster::store
