// SubmissionStore: an agency's outbox (adapters/sdk/outbox.h) shared between the HTTP threads
// that take documents in and the BrokerLink thread that publishes them. It is also the record of
// Idempotency-Keys: each key becomes the client message id "gw-" + the first 32 hex digits of
// SHA-256(key), and the entry remembers the request's fingerprint, so a retry with the same key
// finds the first request's outcome (pending, the receipt, or the refusal) — after a restart too.
//
// Ownership: owns the Outbox (and so its directory lock). Thread-safe: every call takes one
// mutex; none waits on the network. Errors are the Outbox's (IoError: not durable).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sdk/outbox.h"
#include "common/result.h"

namespace muster::gateway {

// "gw-" and the first 32 hex digits of SHA-256(idempotency key).
std::string ClientMessageIdForKey(const std::string& idempotency_key);

// Idempotency-Key values the gateway takes: 1..255 printable ASCII characters.
bool ValidIdempotencyKey(const std::string& key);

class SubmissionStore {
 public:
  static Result<std::unique_ptr<SubmissionStore>> Open(const std::string& dir);
  SubmissionStore(const SubmissionStore&) = delete;
  SubmissionStore& operator=(const SubmissionStore&) = delete;

  // The fingerprint a request was stored with ("" for an entry not made by the gateway).
  static std::string FingerprintOf(const client::OutboxEntry& entry);

  // Stores `envelope` under `id` (fsync'd before it returns) with the request's fingerprint.
  // An id that is known already is returned as it is, whatever its state: the first request
  // wins. Overloaded when `max_pending` entries are waiting already.
  Result<client::OutboxEntry> Add(const std::string& id, schema::Envelope::Reader envelope,
                                  const std::string& fingerprint, size_t max_pending);

  std::optional<client::OutboxEntry> Find(const std::string& id) const;
  std::vector<client::OutboxEntry> Pending() const;
  size_t pending_count() const;

  // Record the broker's answer and wake every WaitFinished.
  Status MarkDone(const std::string& id, const client::ReceiptInfo& receipt);
  Status MarkRefused(const std::string& id, const std::string& reason);

  // Waits until entry `id` is done or refused, or until `deadline`; returns it as it then is.
  std::optional<client::OutboxEntry> WaitFinished(
      const std::string& id, std::chrono::steady_clock::time_point deadline) const;

  Status PruneFinished(int64_t before_ms);

 private:
  explicit SubmissionStore(std::unique_ptr<client::Outbox> outbox) : outbox_(std::move(outbox)) {}

  mutable std::mutex mu_;
  mutable std::condition_variable finished_;
  std::unique_ptr<client::Outbox> outbox_;  // guarded by mu_
};

}  // namespace muster::gateway
