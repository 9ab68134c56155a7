// Where `muster-audit` reads the audit log from: a store opened read-only (`--db DIR`, also while
// musterd runs) or a broker over the protocol (`--broker`, as a principal with role auditor).
// Both give the same answers, so every subcommand is written once. Answers are data: proofs
// are checked by the caller (CheckInclusion, CheckConsistency) with the verifier key it pins.
// Ownership: a LocalAuditSource owns its read-only store; a RemoteAuditSource owns its
// connection (the zmq context must outlive it). Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "adapters/sdk/connection.h"
#include "broker/audit/audit_reader.h"
#include "broker/audit/audit_service.h"
#include "broker/store/store.h"
#include "common/result.h"

namespace muster::cli {

class AuditSource {
 public:
  virtual ~AuditSource() = default;

  virtual Result<audit::RecordTable> Query(const audit::QueryFilter& filter) = 0;
  // The newest `limit` checkpoints (0: all the source gives), oldest first; or only the latest.
  virtual Result<std::vector<audit::StoredCheckpoint>> Checkpoints(bool latest_only, size_t limit) = 0;
  // Inclusion of the accepted leaf of message `seq` (or of leaf `leaf`) in the latest checkpoint.
  virtual Result<audit::InclusionProofResult> Proof(std::optional<uint64_t> seq, std::optional<uint64_t> leaf) = 0;
  // Consistency between two tree sizes; new_size nullopt: the latest checkpoint.
  virtual Result<audit::ConsistencyProofResult> Consistency(uint64_t old_size, std::optional<uint64_t> new_size) = 0;
};

class LocalAuditSource final : public AuditSource {
 public:
  // Opens the store in `dir` read-only, retrying briefly when a running broker is in the middle
  // of replacing files. NotFound if there is no store there.
  static Result<std::unique_ptr<LocalAuditSource>> Open(const std::string& dir);

  Result<audit::RecordTable> Query(const audit::QueryFilter& filter) override;
  Result<std::vector<audit::StoredCheckpoint>> Checkpoints(bool latest_only, size_t limit) override;
  Result<audit::InclusionProofResult> Proof(std::optional<uint64_t> seq, std::optional<uint64_t> leaf) override;
  Result<audit::ConsistencyProofResult> Consistency(uint64_t old_size, std::optional<uint64_t> new_size) override;

  const audit::AuditReader& reader() const { return *reader_; }

 private:
  LocalAuditSource() = default;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditReader> reader_;
};

class RemoteAuditSource final : public AuditSource {
 public:
  RemoteAuditSource(std::unique_ptr<client::Connection> connection, int timeout_ms)
      : connection_(std::move(connection)), timeout_ms_(timeout_ms) {}
  ~RemoteAuditSource() override;

  Result<audit::RecordTable> Query(const audit::QueryFilter& filter) override;
  Result<std::vector<audit::StoredCheckpoint>> Checkpoints(bool latest_only, size_t limit) override;
  Result<audit::InclusionProofResult> Proof(std::optional<uint64_t> seq, std::optional<uint64_t> leaf) override;
  Result<audit::ConsistencyProofResult> Consistency(uint64_t old_size, std::optional<uint64_t> new_size) override;

 private:
  // Sends an audit query (filled by `fill`) and returns the table of its answer.
  Result<std::unique_ptr<wire::DecodedFrame>> Ask(const std::function<void(schema::AuditQuery::Builder)>& fill);

  std::unique_ptr<client::Connection> connection_;
  int timeout_ms_;
};

}  // namespace muster::cli
