// AuditLog: the broker's tamper-evident log. Every accountable event becomes a leaf (canonical
// Cap'n Proto AuditLeaf) appended to an RFC 6962 Merkle tree kept in the store: the leaf record,
// every complete-subtree hash it completes (computed from the in-memory right edge, so an append
// never recomputes the tree), and query index entries — all in the same WriteSet as the state
// change they describe (an accepted message's leaf commits in the message's own WriteBatch).
// Once a second, if the durable tree grew, it signs a C2SP checkpoint of the durable size — after
// checking that the stored tree still reproduces the previous signed checkpoint, so an
// inconsistent root is never signed.
// Ownership: owned by the broker; broker thread only. Leaves are appended in index order and each
// leaf's WriteSet is submitted before the next leaf's, so commit order is index order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/store/group_committer.h"
#include "broker/store/store.h"
#include "broker/store/write_set.h"
#include "common/clock.h"
#include "common/log.h"
#include "schemas/audit.capnp.h"
#include "security/merkle.h"
#include "security/signing_key.h"

namespace muster::audit {

struct AuditEvent {
  schema::AuditLeaf::Event event = schema::AuditLeaf::Event::BROKER_STARTED;
  std::string actor;
  std::string org;
  uint64_t seq = 0;
  std::string digest;  // 32 raw bytes, or empty
  std::string subject;
  std::string code;
  std::string reason;
  std::string peer_address;
  std::string detail;
  std::string incident;
  std::string kind;
  std::vector<std::string> recipients;
  uint32_t attempt = 0;
};

// Encodes a leaf as canonical bytes (what is stored and hashed).
std::string EncodeLeaf(uint64_t index, int64_t time_ms, const AuditEvent& event);
// The (tag, value) terms a leaf answers to in queries: 'i' incident, 'a' actor, 'o' org, 'k' kind,
// 'u' recipient. See store::IndexKey.
std::vector<std::pair<char, std::string>> IndexTerms(const AuditEvent& event);
// Whether terms with this tag have index entries in the store. Kind has three values, so an
// index on it would select nothing: queries by kind scan (by time range or another index).
bool IsIndexedTag(char tag);
// A SubtreeHashLookup over the store's tree column.
security::SubtreeHashLookup StoreLookup(const store::Store& store);

class AuditLog {
 public:
  AuditLog(store::Store& store, const Clock& clock, Logger& log);
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Loads the tree size, right edge, last leaf time and last checkpoint from the store and checks
  // that the stored tree reproduces the last signed checkpoint (Corruption if not).
  Status Recover();

  // Appends a leaf to `writes` (together with any deferred leaves, which come first). Returns
  // its index. The caller submits `writes` before appending anything else, with its completion
  // wrapped by WhenDurable().
  uint64_t Append(const AuditEvent& event, store::WriteSet* writes);
  // Appends a leaf to the deferred set, committed by the next Flush() or Append().
  uint64_t Defer(const AuditEvent& event);
  // Adds a write that must commit with the deferred leaves (e.g. the policy snapshot).
  void DeferPut(store::Column column, std::string key, std::string value) {
    deferred_.Put(column, std::move(key), std::move(value));
  }
  // The deferred writes, to add more that must commit with the deferred leaves.
  store::WriteSet* deferred_writes() { return &deferred_; }
  // Submits the deferred leaves, if any.
  void Flush(store::GroupCommitter& committer);

  // Wraps a completion: when the commit succeeds, every leaf appended so far is durable.
  std::function<void(const Status&)> WhenDurable(std::function<void(const Status&)> on_done);

  uint64_t size() const { return range_.size(); }
  uint64_t durable_size() const { return durable_size_; }
  uint64_t last_checkpoint_size() const { return last_checkpoint_size_; }
  const std::string& last_checkpoint() const { return last_checkpoint_; }
  bool checkpointing_halted() const { return halted_; }

  // Signs and submits a checkpoint of the durable tree if it grew since the last one.
  // Returns true if one was signed. Never signs a root inconsistent with the previous
  // checkpoint: that is Corruption, and checkpointing halts.
  Result<bool> MaybeCheckpoint(const security::SigningKey& key, const std::string& origin,
                               store::GroupCommitter& committer);
  // The same, signed by every key (the current one first; during a signing-key rotation also the
  // previous one, so auditors pinning either key can verify).
  Result<bool> MaybeCheckpoint(const std::vector<const security::SigningKey*>& keys, const std::string& origin,
                               store::GroupCommitter& committer);

 private:
  uint64_t AppendTo(const AuditEvent& event, store::WriteSet* writes);

  store::Store& store_;
  const Clock& clock_;
  Logger& log_;
  security::CompactRange range_;
  int64_t last_time_ms_ = 0;
  uint64_t durable_size_ = 0;
  uint64_t last_checkpoint_size_ = 0;
  security::Digest last_checkpoint_root_{};
  std::string last_checkpoint_;
  store::WriteSet deferred_;
  bool halted_ = false;
};

}  // namespace muster::audit
