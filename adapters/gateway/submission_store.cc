// The agency's outbox behind a mutex, keyed by Idempotency-Key.
#include "adapters/gateway/submission_store.h"

#include <algorithm>

#include "security/sha256.h"

namespace muster::gateway {
namespace {

constexpr char kFingerprintPrefix[] = "request-sha256:";

}  // namespace

std::string ClientMessageIdForKey(const std::string& key) {
  return "gw-" + security::ToHex(security::Sha256(key)).substr(0, 32);
}

bool ValidIdempotencyKey(const std::string& key) {
  return !key.empty() && key.size() <= 255 &&
         std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

Result<std::unique_ptr<SubmissionStore>> SubmissionStore::Open(const std::string& dir) {
  auto outbox = client::Outbox::Open(dir);
  if (!outbox.ok()) return outbox.status();
  return std::unique_ptr<SubmissionStore>(new SubmissionStore(std::move(outbox).value()));
}

std::string SubmissionStore::FingerprintOf(const client::OutboxEntry& entry) {
  const size_t n = sizeof(kFingerprintPrefix) - 1;
  if (entry.source.compare(0, n, kFingerprintPrefix) != 0) return "";
  return entry.source.substr(n);
}

Result<client::OutboxEntry> SubmissionStore::Add(const std::string& id,
                                                 schema::Envelope::Reader envelope,
                                                 const std::string& fingerprint,
                                                 size_t max_pending) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto known = outbox_->Find(id)) return *known;
  if (outbox_->pending_count() >= max_pending) {
    return Status::Overloaded(std::to_string(outbox_->pending_count()) +
                              " documents of this agency are waiting for the broker already");
  }
  return outbox_->Add(id, envelope, kFingerprintPrefix + fingerprint);
}

std::optional<client::OutboxEntry> SubmissionStore::Find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return outbox_->Find(id);
}

std::vector<client::OutboxEntry> SubmissionStore::Pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outbox_->Pending();
}

size_t SubmissionStore::pending_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outbox_->pending_count();
}

Status SubmissionStore::MarkDone(const std::string& id, const client::ReceiptInfo& receipt) {
  Status s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = outbox_->MarkDone(id, receipt);
  }
  finished_.notify_all();
  return s;
}

Status SubmissionStore::MarkRefused(const std::string& id, const std::string& reason) {
  Status s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = outbox_->MarkRefused(id, reason);
  }
  finished_.notify_all();
  return s;
}

std::optional<client::OutboxEntry> SubmissionStore::WaitFinished(
    const std::string& id, std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    auto entry = outbox_->Find(id);
    if (!entry || entry->state != client::OutboxState::kPending) return entry;
    if (finished_.wait_until(lock, deadline) == std::cv_status::timeout) return outbox_->Find(id);
  }
}

Status SubmissionStore::PruneFinished(int64_t before_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  return outbox_->PruneFinished(before_ms);
}

}  // namespace muster::gateway
