// The two sources of `muster-audit`: a read-only store and a broker.
#include "client/audit_source.h"

#include <chrono>
#include <thread>

namespace muster::cli {
namespace {

std::string U(uint64_t v) { return std::to_string(v); }

}  // namespace

// ---- Local ----

Result<std::unique_ptr<LocalAuditSource>> LocalAuditSource::Open(const std::string& dir) {
  // A running broker flushes and compacts: a file listed when the open starts may be gone a
  // moment later. Such a failure is transient; try again.
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    store::StoreOptions options;
    options.dir = dir;
    options.read_only = true;
    auto s = store::Store::Open(options);
    if (s.ok()) {
      std::unique_ptr<LocalAuditSource> source(new LocalAuditSource());
      source->store_ = std::move(s).value();
      source->reader_ = std::make_unique<audit::AuditReader>(*source->store_);
      return source;
    }
    last = s.status();
    if (last.code() == StatusCode::kNotFound && last.message().rfind("no Muster store", 0) == 0) break;
    if (last.code() == StatusCode::kInvalidArgument) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return last;
}

Result<audit::RecordTable> LocalAuditSource::Query(const audit::QueryFilter& filter) {
  auto r = reader_->Query(filter);
  if (!r.ok()) return r.status();
  return audit::ToRecordTable(*r);
}

Result<std::vector<audit::StoredCheckpoint>> LocalAuditSource::Checkpoints(bool latest_only, size_t limit) {
  if (latest_only) {
    auto latest = reader_->LatestCheckpoint();
    if (!latest.ok()) return latest.status();
    std::vector<audit::StoredCheckpoint> out;
    if (latest->has_value()) out.push_back(std::move(**latest));
    return out;
  }
  auto all = reader_->Checkpoints();
  if (!all.ok()) return all.status();
  if (limit != 0 && all->size() > limit) all->erase(all->begin(), all->end() - static_cast<std::ptrdiff_t>(limit));
  return all;
}

Result<audit::InclusionProofResult> LocalAuditSource::Proof(std::optional<uint64_t> seq, std::optional<uint64_t> leaf) {
  if (seq) {
    auto l = reader_->AcceptedLeafOf(*seq);
    if (!l.ok()) return l.status();
    leaf = *l;
  }
  return reader_->InclusionProof(leaf.value_or(0));
}

Result<audit::ConsistencyProofResult> LocalAuditSource::Consistency(uint64_t old_size,
                                                                    std::optional<uint64_t> new_size) {
  if (!new_size) {
    auto latest = reader_->LatestCheckpoint();
    if (!latest.ok()) return latest.status();
    if (!latest->has_value()) return Status::FailedPrecondition("no checkpoint has been signed yet");
    new_size = (*latest)->size;
  }
  return reader_->ConsistencyProof(old_size, *new_size);
}

// ---- Remote ----

RemoteAuditSource::~RemoteAuditSource() {
  if (connection_) connection_->Close();
}

Result<std::unique_ptr<wire::DecodedFrame>> RemoteAuditSource::Ask(
    const std::function<void(schema::AuditQuery::Builder)>& fill) {
  auto frame = connection_->Query([&](schema::Query::Builder q) { fill(q.initAudit()); }, timeout_ms_);
  if (!frame.ok()) return frame.status();
  auto result = (*frame)->frame().getResult();
  if (result.which() != schema::Result::TABLE) {
    return Status::InvalidArgument(result.which() == schema::Result::TEXT
                                       ? "the broker answered: " + std::string(result.getText().cStr())
                                       : std::string("the broker's answer is not a table"));
  }
  return frame;
}

Result<audit::RecordTable> RemoteAuditSource::Query(const audit::QueryFilter& filter) {
  auto frame = Ask([&](schema::AuditQuery::Builder q) { audit::FillAuditQuery(filter, q); });
  if (!frame.ok()) return frame.status();
  return audit::ReadRecordTable((*frame)->frame().getResult().getTable());
}

Result<std::vector<audit::StoredCheckpoint>> RemoteAuditSource::Checkpoints(bool latest_only, size_t limit) {
  auto frame = Ask([&](schema::AuditQuery::Builder q) {
    q.setVerb("checkpoints");
    if (latest_only) q.initArgs(1).set(0, "latest");
    q.setLimit(static_cast<uint32_t>(std::min<size_t>(limit, UINT32_MAX)));
  });
  if (!frame.ok()) return frame.status();
  return audit::ReadCheckpointTable((*frame)->frame().getResult().getTable());
}

Result<audit::InclusionProofResult> RemoteAuditSource::Proof(std::optional<uint64_t> seq,
                                                            std::optional<uint64_t> leaf) {
  auto frame = Ask([&](schema::AuditQuery::Builder q) {
    q.setVerb("proof");
    q.initArgs(1).set(0, seq ? U(*seq) : "leaf=" + U(leaf.value_or(0)));
  });
  if (!frame.ok()) return frame.status();
  return audit::ReadProofTable((*frame)->frame().getResult().getTable());
}

Result<audit::ConsistencyProofResult> RemoteAuditSource::Consistency(uint64_t old_size,
                                                                     std::optional<uint64_t> new_size) {
  auto frame = Ask([&](schema::AuditQuery::Builder q) {
    q.setVerb("consistency");
    auto args = q.initArgs(2);
    args.set(0, U(old_size));
    args.set(1, new_size ? U(*new_size) : "latest");
  });
  if (!frame.ok()) return frame.status();
  return audit::ReadConsistencyTable((*frame)->frame().getResult().getTable());
}

}  // namespace muster::cli
