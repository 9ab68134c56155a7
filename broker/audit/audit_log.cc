// The audit log: leaves, tree hashes, index entries and signed checkpoints.
#include "broker/audit/audit_log.h"

#include <capnp/message.h>

#include "broker/store/keys.h"
#include "common/check.h"
#include "schemas/frame_codec.h"
#include "common/time_text.h"
#include "security/checkpoint_note.h"

namespace muster::audit {

std::string EncodeLeaf(uint64_t index, int64_t time_ms, const AuditEvent& e) {
  capnp::MallocMessageBuilder m(128);
  auto leaf = m.initRoot<schema::AuditLeaf>();
  leaf.setIndex(index);
  leaf.setTimeMillis(time_ms);
  leaf.setEvent(e.event);
  leaf.setActor(e.actor);
  leaf.setSeq(e.seq);
  if (!e.digest.empty()) {
    leaf.setDigest(kj::arrayPtr(reinterpret_cast<const kj::byte*>(e.digest.data()), e.digest.size()));
  }
  leaf.setSubject(e.subject);
  leaf.setCode(e.code);
  leaf.setReason(e.reason);
  leaf.setPeerAddress(e.peer_address);
  leaf.setDetail(e.detail);
  leaf.setOrg(e.org);
  leaf.setIncident(e.incident);
  leaf.setKind(e.kind);
  auto recipients = leaf.initRecipients(static_cast<unsigned>(e.recipients.size()));
  for (size_t i = 0; i < e.recipients.size(); ++i) recipients.set(static_cast<unsigned>(i), e.recipients[i]);
  leaf.setAttempt(e.attempt);
  kj::Array<capnp::word> words = capnp::canonicalize(leaf.asReader());
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

std::vector<std::pair<char, std::string>> IndexTerms(const AuditEvent& e) {
  std::vector<std::pair<char, std::string>> terms;
  if (!e.incident.empty()) terms.emplace_back('i', e.incident);
  if (!e.actor.empty()) terms.emplace_back('a', e.actor);
  if (!e.org.empty()) terms.emplace_back('o', e.org);
  if (!e.kind.empty()) terms.emplace_back('k', e.kind);
  if (e.event == schema::AuditLeaf::Event::ACCEPTED) {
    for (const auto& r : e.recipients) terms.emplace_back('u', r);
  } else if (!e.subject.empty() &&
             (e.event == schema::AuditLeaf::Event::DELIVERED || e.event == schema::AuditLeaf::Event::RECEIVED ||
              e.event == schema::AuditLeaf::Event::ACKNOWLEDGED || e.event == schema::AuditLeaf::Event::ESCALATED ||
              e.event == schema::AuditLeaf::Event::EXPIRED)) {
    terms.emplace_back('u', e.subject);
  }
  return terms;
}

bool IsIndexedTag(char tag) { return tag == 'i' || tag == 'a' || tag == 'o' || tag == 'u'; }

security::SubtreeHashLookup StoreLookup(const store::Store& store) {
  return [&store](int level, uint64_t index) -> Result<security::Digest> {
    auto value = store.Get(store::Column::kTree, store::TreeKey(level, index));
    if (!value.ok()) return value.status();
    if (!value->has_value()) {
      return Status::NotFound("no stored hash for subtree (level " + std::to_string(level) + ", index " +
                              std::to_string(index) + ")");
    }
    return security::DigestFromBytes(**value);
  };
}

AuditLog::AuditLog(store::Store& store, const Clock& clock, Logger& log)
    : store_(store), clock_(clock), log_(log) {}

Status AuditLog::Recover() {
  deferred_ = store::WriteSet();
  auto last = store_.LastKey(store::Column::kAudit);
  if (!last.ok()) return last.status();
  uint64_t size = last->has_value() ? store::DecodeU64(**last) + 1 : 0;
  auto range = security::CompactRange::Restore(size, StoreLookup(store_));
  if (!range.ok()) return range.status().WithContext("audit tree");
  range_ = std::move(range).value();
  durable_size_ = size;
  if (size > 0) {
    auto leaf = store_.Get(store::Column::kAudit, store::AuditKey(size - 1));
    if (leaf.ok() && leaf->has_value()) {
      auto decoded = wire::DecodedStruct::Decode((*leaf)->data(), (*leaf)->size());
      if (decoded.ok()) last_time_ms_ = (*decoded)->Get<schema::AuditLeaf>().getTimeMillis();
    }
  }
  auto cp_key = store_.LastKey(store::Column::kCheckpoints);
  if (!cp_key.ok()) return cp_key.status();
  if (cp_key->has_value()) {
    auto note = store_.Get(store::Column::kCheckpoints, **cp_key);
    if (!note.ok() || !note->has_value()) return Status::Corruption("unreadable last checkpoint");
    auto parsed = security::ParseSignedNote(**note);
    if (!parsed.ok()) return parsed.status().WithContext("last checkpoint");
    auto body = security::ParseCheckpointBody(parsed->text);
    if (!body.ok()) return body.status().WithContext("last checkpoint");
    last_checkpoint_ = **note;
    last_checkpoint_size_ = body->size;
    last_checkpoint_root_ = body->root;
    if (body->size > size) {
      halted_ = true;
      return Status::Corruption("the audit log has " + std::to_string(size) +
                                " leaves but a checkpoint was signed for " + std::to_string(body->size) +
                                ": leaves were removed");
    }
    auto root = security::RangeHash(0, body->size, StoreLookup(store_));
    if (body->size > 0 && (!root.ok() || *root != body->root)) {
      halted_ = true;
      return Status::Corruption("the stored audit tree no longer reproduces the checkpoint signed for size " +
                                std::to_string(body->size));
    }
  }
  return Status::Ok();
}

uint64_t AuditLog::AppendTo(const AuditEvent& event, store::WriteSet* writes) {
  uint64_t index = range_.size();
#ifdef MUSTER_BENCH_WITHOUT_AUDIT
  // A benchmark-only build (cmake -DMUSTER_BENCH_WITHOUT_AUDIT=ON) that measures what the audit
  // log costs by not writing it. Never built for deployment or tests.
  (void)event;
  (void)writes;
  return index;
#endif
  int64_t now = std::max(clock_.NowMillis(), last_time_ms_);  // time never decreases along the log
  last_time_ms_ = now;
  std::string bytes = EncodeLeaf(index, now, event);
  for (const auto& h : range_.Append(security::LeafHash(bytes))) {
    writes->Put(store::Column::kTree, store::TreeKey(h.level, h.index),
                std::string(reinterpret_cast<const char*>(h.hash.data()), h.hash.size()));
  }
  for (const auto& [tag, value] : IndexTerms(event)) {
    if (IsIndexedTag(tag)) writes->Put(store::Column::kIndexes, store::IndexKey(tag, value, index), "");
  }
  writes->Put(store::Column::kAudit, store::AuditKey(index), std::move(bytes));
  return index;
}

uint64_t AuditLog::Append(const AuditEvent& event, store::WriteSet* writes) {
  if (!deferred_.empty()) writes->Append(std::move(deferred_));
  return AppendTo(event, writes);
}

uint64_t AuditLog::Defer(const AuditEvent& event) { return AppendTo(event, &deferred_); }

void AuditLog::Flush(store::GroupCommitter& committer) {
  if (deferred_.empty()) return;
  store::CommitItem item;
  item.writes = std::move(deferred_);
  deferred_ = store::WriteSet();
  item.on_done = WhenDurable(nullptr);
  committer.Submit(std::move(item));
}

std::function<void(const Status&)> AuditLog::WhenDurable(std::function<void(const Status&)> on_done) {
  uint64_t size = range_.size();
  return [this, size, on_done = std::move(on_done)](const Status& s) {
    if (s.ok() && size > durable_size_) durable_size_ = size;
    if (on_done) on_done(s);
  };
}

Result<bool> AuditLog::MaybeCheckpoint(const security::SigningKey& key, const std::string& origin,
                                       store::GroupCommitter& committer) {
  return MaybeCheckpoint(std::vector<const security::SigningKey*>{&key}, origin, committer);
}

Result<bool> AuditLog::MaybeCheckpoint(const std::vector<const security::SigningKey*>& keys,
                                       const std::string& origin, store::GroupCommitter& committer) {
  MUSTER_CHECK(!keys.empty());
  if (halted_) return Status::Corruption("checkpointing is halted: the audit log failed a consistency check");
  uint64_t size = durable_size_;
  if (size == 0 || size == last_checkpoint_size_) return false;
  auto lookup = StoreLookup(store_);
  auto root = security::RangeHash(0, size, lookup);
  if (!root.ok()) return root.status().WithContext("checkpoint root");
  if (last_checkpoint_size_ > 0) {
    // Never sign a root that does not extend what was signed before.
    auto old_root = security::RangeHash(0, last_checkpoint_size_, lookup);
    auto proof = security::ConsistencyProof(last_checkpoint_size_, size, lookup);
    Status consistent = !old_root.ok() ? old_root.status()
                        : *old_root != last_checkpoint_root_
                            ? Status::Corruption("the stored tree no longer reproduces the checkpoint of size " +
                                                 std::to_string(last_checkpoint_size_))
                        : !proof.ok() ? proof.status()
                                      : security::VerifyConsistency(last_checkpoint_size_, size, *proof,
                                                                    last_checkpoint_root_, *root);
    if (!consistent.ok()) {
      halted_ = true;
      log_.Error("audit", "refusing to sign an inconsistent checkpoint; checkpointing halted",
                 {{"size", std::to_string(size)}, {"error", consistent.ToString()}});
      return consistent;
    }
  }
  std::string body = security::FormatCheckpointBody(origin, size, *root) + "time " +
                     FormatInstant(clock_.NowMillis(), 0) + "\n";
  auto note = security::SignCheckpoint(body, keys);
  if (!note.ok()) return note.status();
  store::CommitItem item;
  item.writes.Put(store::Column::kCheckpoints, store::CheckpointKey(size), *note);
  committer.Submit(std::move(item));
  last_checkpoint_size_ = size;
  last_checkpoint_root_ = *root;
  last_checkpoint_ = *note;
  return true;
}

}  // namespace muster::audit
