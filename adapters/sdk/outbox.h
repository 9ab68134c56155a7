// Outbox: the adapter's durable queue of documents taken from its agency. A document is written
// to local disk and fsync'd before Add returns, so an adapter can tell its agency "I have it" only
// once a crash can no longer lose it; Drain then publishes the pending entries in order, each
// with its own stable client message id, until the broker's receipt arrives — across broker
// outages and adapter restarts. The broker deduplicates by (sender, client message id) forever,
// so publishing an entry again after a crash is never a duplicate.
//
// On disk (DIR is the outbox directory, private to one principal):
//   DIR/lock                    held with flock() by the one process that has the outbox open
//   DIR/entries/<order>.pending an entry waiting for its receipt (<order>: 20 decimal digits,
//                               the order of Add; entries are published in this order)
//   DIR/entries/<order>.done    the same entry after its receipt: the receipt, no envelope
//   DIR/entries/<order>.refused the same entry after a permanent refusal: the broker's reason
// Every file is written whole (temp file, fsync, rename, fsync of the directory), so a crash
// leaves either the old state or the new one; a leftover "*.tmp" is a write that never
// happened and is removed by Open. A file is a text header, a blank line, then the payload:
//   muster-outbox-entry 1
//   id: <client message id>          source: <caller's label, e.g. a file name>
//   added: <unix ms>                 state: pending | done | refused
//   seq: / leaf: / recipients: / received: / duplicate:   (done: the receipt)
//   reason: <the refusal>            (refused)
//   envelope-sha256: <hex>           envelope-bytes: <n>   (pending: then n bytes of the
//                                                           canonical Cap'n Proto Envelope)
// Header values are percent-escaped (%, CR, LF), so they stay on one line.
//
// Ownership and threads: the Outbox owns its directory lock; a second Open of the same directory
// (in this or another process) fails until the first is destroyed or its process dies. Not
// thread-safe. Errors: IoError for filesystem failures (the entry is then NOT durable and the
// caller must not acknowledge it), Corruption for a file that is not a valid entry (Open fails
// and names it: nothing is silently dropped).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sdk/connection.h"
#include "common/result.h"
#include "common/status.h"
#include "schemas/envelope.capnp.h"

namespace muster::client {

enum class OutboxState { kPending, kDone, kRefused };

// "pending", "done", "refused".
const char* OutboxStateName(OutboxState state);

struct OutboxEntry {
  uint64_t order = 0;       // entries are published in increasing order
  std::string id;           // client message id
  std::string source;       // the caller's label (e.g. the file the document came from)
  int64_t added_ms = 0;     // when Add made it durable (this machine's clock)
  OutboxState state = OutboxState::kPending;
  std::string envelope;     // pending: the canonical Envelope bytes; empty otherwise
  ReceiptInfo receipt;      // done: the broker's receipt
  std::string reason;       // refused: the broker's refusal ("forbidden: …")
};

// What one Drain did: the entries it finished, in order, and why it stopped early if it did.
struct DrainReport {
  // Now done (with receipt) or refused (with reason); here they still carry their envelope.
  std::vector<OutboxEntry> finished;
  // Ok when no entry is left pending; otherwise the transient failure (broker unreachable, no
  // receipt in time, overloaded, …) that stopped the drain. Those entries stay pending, in order.
  Status stopped;
};

// True for refusals that retrying cannot change (the broker's invalid, malformed, too-large,
// forbidden, no-recipients, conflict, not-found): the entry is then marked refused. Everything
// else (unavailable, overloaded, deadline, unauthenticated, internal) is transient.
bool IsPermanentRefusal(const Status& status);

// The id an adapter gives a document: "<prefix>-" and the first 32 hex digits of the SHA-256 of
// its bytes, so the same document always gets the same id (also after a restart).
std::string ContentMessageId(const std::string& prefix, const std::string& document);

class Outbox {
 public:
  // Opens (creating if needed) the outbox in `dir`, takes its lock, removes leftover temp files
  // and loads every entry. FailedPrecondition if another Outbox holds the lock.
  static Result<std::unique_ptr<Outbox>> Open(const std::string& dir);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  const std::string& dir() const { return dir_; }

  // Adds `envelope` under client message id `id` and returns once the entry is on disk and
  // fsync'd. Idempotent per id: an id already pending or done is returned as it is (the first
  // envelope wins); an id refused earlier is queued again, at the end, with this envelope.
  // Errors: InvalidArgument for an id that is not 1..128 printable ASCII characters without
  // spaces; IoError (not durable).
  Result<OutboxEntry> Add(const std::string& id, schema::Envelope::Reader envelope,
                          const std::string& source = "");

  std::optional<OutboxEntry> Find(const std::string& id) const;
  // Pending entries in publishing order.
  std::vector<OutboxEntry> Pending() const;
  size_t pending_count() const;

  // Records the receipt (the entry's envelope is dropped) / the permanent refusal. NotFound if
  // `id` is not pending.
  Status MarkDone(const std::string& id, const ReceiptInfo& receipt);
  Status MarkRefused(const std::string& id, const std::string& reason);

  // Publishes the pending entries in order through `connection`, waiting up to `timeout_ms` for
  // each receipt, and marks each done or refused. Stops at the first transient failure, or when
  // `stop` returns true (checked between entries).
  DrainReport Drain(Connection& connection, int timeout_ms,
                    const std::function<bool()>& stop = nullptr);

  // Deletes done and refused records added before `before_ms` (they are only kept so that a
  // re-added document finds its receipt without asking the broker).
  Status PruneFinished(int64_t before_ms);

 private:
  Outbox(std::string dir, int lock_fd);
  Status Load();
  std::string PathFor(uint64_t order, OutboxState state) const;
  Status Write(const OutboxEntry& entry);
  Status Finish(const std::string& id, OutboxState state, const ReceiptInfo& receipt,
                const std::string& reason, OutboxEntry* out);

  std::string dir_;
  std::string entries_dir_;
  int lock_fd_ = -1;
  uint64_t next_order_ = 1;
  std::map<uint64_t, OutboxEntry> entries_;    // by order
  std::map<std::string, uint64_t> by_id_;      // id -> order
};

}  // namespace muster::client
