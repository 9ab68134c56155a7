// AuditReader: read-only access to the audit log in a store, for the auditor's tool
// (`muster-audit --db`) and for the broker's answers to audit queries. It verifies the whole log
// offline (recomputes every leaf hash and every stored tree hash, checks every checkpoint's
// signature, root and consistency with the one before, and every message record against its
// "accepted" leaf), lists checkpoints, produces inclusion and consistency proofs, and queries
// leaves through the store's indexes.
// Ownership: borrows the Store, which must outlive the reader. Thread-safety: all methods are
// const and may run concurrently (the store is thread-safe); Verify uses worker threads inside.
// Failure: a Result error means the store could not be read (IoError, ...) or the request was
// impossible (InvalidArgument, NotFound, FailedPrecondition). What Verify finds wrong with the
// log is reported in VerifyReport::problems, not as an error.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/audit/audit_log.h"
#include "broker/store/store.h"
#include "common/result.h"
#include "schemas/audit.capnp.h"
#include "security/checkpoint_note.h"
#include "security/merkle.h"
#include "security/signing_key.h"

namespace muster::audit {

// ---- Leaves ----

// "accepted", "authentication-refused", ... (the names the CLI and the protocol use).
std::string EventName(schema::AuditLeaf::Event event);
// The inverse of EventName; nullopt for an unknown name.
std::optional<schema::AuditLeaf::Event> ParseEventName(std::string_view name);
// Every event name, in enum order (for help texts).
std::vector<std::string> EventNames();

// A decoded leaf, with the exact bytes that are stored and hashed.
struct AuditRecord {
  uint64_t index = 0;
  int64_t time_ms = 0;
  schema::AuditLeaf::Event event = schema::AuditLeaf::Event::BROKER_STARTED;
  std::string actor;
  std::string org;
  uint64_t seq = 0;
  std::string digest;  // raw bytes (32 for accepted and rejected), or empty
  std::string subject;
  std::string code;
  std::string reason;
  std::string peer_address;
  std::string detail;
  std::string incident;
  std::string kind;
  std::vector<std::string> recipients;
  uint32_t attempt = 0;
  std::string leaf_bytes;
};

// Decodes canonical AuditLeaf bytes (untrusted: any bytes give a record or Corruption).
Result<AuditRecord> DecodeAuditRecord(std::string_view leaf_bytes);
// The event a record describes (for IndexTerms and re-encoding).
AuditEvent ToAuditEvent(const AuditRecord& record);

// ---- Checkpoints ----

// A checkpoint as stored (its signature not yet checked).
struct StoredCheckpoint {
  uint64_t size = 0;             // the key it is stored under
  std::string note;              // the complete signed note
  security::Checkpoint body;     // parsed from the note text
  std::string time;              // the "time <RFC 3339>" extension, or ""
};

// Parses a checkpoint note without checking its signature.
Result<StoredCheckpoint> ParseStoredCheckpoint(uint64_t size, std::string_view note);

// ---- Verification ----

struct VerifyProblem {
  uint64_t leaf = 0;   // the first leaf the problem concerns (problems are sorted by it)
  std::string what;    // one line: "leaf 4812: stored leaf hash does not match the leaf record"
};

struct VerifyOptions {
  std::vector<security::VerifierKey> more_keys;  // also trusted (e.g. the previous signing key)
  // A checkpoint note the auditor kept from an earlier look at the log (or got from a witness):
  // the log must still reproduce it.
  std::optional<std::string> seen_checkpoint;
  // Called after each block of leaves with (leaves checked, leaves in the log).
  std::function<void(uint64_t done, uint64_t total)> progress;
  int threads = 2;               // workers hashing leaves (at least 1)
  size_t max_problems = 1000;    // problems kept in the report (all are counted)
};

struct VerifyReport {
  uint64_t leaves = 0;           // size of the log: the last leaf index + 1
  uint64_t interior_hashes = 0;  // stored interior hashes recomputed
  uint64_t messages = 0;         // message records checked
  uint64_t checkpoints = 0;      // stored checkpoints
  security::Digest root{};       // recomputed root of the whole log
  std::optional<StoredCheckpoint> latest_checkpoint;  // the newest one whose signature verifies
  std::vector<VerifyProblem> problems;  // sorted by leaf; problems[0] is the first bad index
  uint64_t problem_count = 0;           // may exceed problems.size()
  double seconds = 0;

  bool ok() const { return problem_count == 0; }
};

// ---- Proofs ----

struct InclusionProofResult {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  security::Digest root{};
  std::vector<security::Digest> proof;
  std::string leaf_bytes;
  std::string checkpoint_note;   // the signed checkpoint of tree_size
};

struct ConsistencyProofResult {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  security::Digest old_root{};
  security::Digest new_root{};
  std::vector<security::Digest> proof;
  std::string old_checkpoint_note;  // "" when no checkpoint was signed for old_size
  std::string new_checkpoint_note;  // "" when no checkpoint was signed for new_size
};

// Recomputes the leaf hash from the leaf bytes and checks the proof against the root, that the
// checkpoint note carries that size and root, and, with `key`, its signature. Corruption or
// Unauthenticated say what does not hold.
Status CheckInclusion(const InclusionProofResult& r, const security::VerifierKey* key);
// Checks the proof between the two roots; each root that comes with a checkpoint note must be
// the note's root, and with `key` the notes' signatures must verify.
Status CheckConsistency(const ConsistencyProofResult& r, const security::VerifierKey* key);

// ---- Queries ----

// Leaves matching all given filters (empty or unset = any). Index filters (sender, org,
// recipient, incident, kind) mean exactly what the store's index entries mean (IndexTerms):
//   sender     the leaf's actor: the sender of accepted and rejected messages, the recipient for
//              received and acknowledged, the principal of an authentication
//   org        the actor's organisation
//   recipient  any recipient of an accepted message; the subject of delivered, received,
//              acknowledged, escalated and expired
struct QueryFilter {
  std::optional<int64_t> from_ms;  // leaf time >= from
  std::optional<int64_t> to_ms;    // leaf time < to
  std::string sender;
  std::string org;
  std::string recipient;
  std::string incident;
  std::string kind;
  std::optional<schema::AuditLeaf::Event> event;
  uint64_t first_leaf = 0;                // consider leaves >= this (to continue a query)
  std::optional<uint64_t> end_leaf;       // and < this
  size_t limit = 0;                       // at most this many records (0 = all)
  uint64_t max_examined = 0;              // stop after decoding this many leaves (0 = no limit)
};

// True if the record passes every filter (the brute-force definition of a query).
bool Matches(const QueryFilter& filter, const AuditRecord& record);

struct QueryResult {
  std::vector<AuditRecord> records;  // in leaf order
  // Set when the query stopped early (limit or max_examined) and more leaves could match:
  // continue with first_leaf = *resume_at.
  std::optional<uint64_t> resume_at;
  uint64_t examined = 0;  // leaves decoded
  std::string plan;       // how it searched, e.g. "index incident=INC-7 (37 entries)"
};

class AuditReader {
 public:
  explicit AuditReader(const store::Store& store);
  AuditReader(const AuditReader&) = delete;
  AuditReader& operator=(const AuditReader&) = delete;

  // Number of leaves: the last stored leaf index + 1 (0 for an empty log).
  Result<uint64_t> Size() const;
  Result<AuditRecord> Leaf(uint64_t index) const;

  // `key` (and options.more_keys) are the verifier keys trusted to sign checkpoints: across a
  // signing-key rotation, the new key and the old one.
  Result<VerifyReport> Verify(const security::VerifierKey& key, const VerifyOptions& options = {}) const;

  // Every stored checkpoint, by size (signatures not checked).
  Result<std::vector<StoredCheckpoint>> Checkpoints() const;
  Result<std::optional<StoredCheckpoint>> LatestCheckpoint() const;

  // The index of the accepted leaf of message `seq` (from its stored record). NotFound if there
  // is no such message; Corruption if the leaf it names is not that message's accepted leaf.
  Result<uint64_t> AcceptedLeafOf(uint64_t seq) const;
  // Inclusion of a leaf in the latest checkpoint. FailedPrecondition if no checkpoint covers it
  // yet (they are signed each second).
  Result<InclusionProofResult> InclusionProof(uint64_t leaf_index) const;
  // Consistency from the tree of old_size leaves to the tree of new_size leaves. A size with a
  // stored checkpoint uses the checkpoint's (signed) root; any other size up to the log's size
  // uses the root computed from the stored tree.
  Result<ConsistencyProofResult> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

  Result<QueryResult> Query(const QueryFilter& filter) const;

  // A lookup of stored subtree hashes that remembers what it has read (for many proofs against
  // one tree, e.g. an export: neighbouring leaves share most of their proof). Not thread-safe.
  security::SubtreeHashLookup CachingLookup() const;

 private:
  Result<uint64_t> FirstLeafAtOrAfter(int64_t time_ms, uint64_t size) const;
  Result<std::optional<StoredCheckpoint>> CheckpointOfSize(uint64_t size) const;

  const store::Store& store_;
};

}  // namespace muster::audit
