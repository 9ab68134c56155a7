// Delivery scheduling: cursors, windows, redelivery, acks and expiry.
#include "broker/delivery/delivery_scheduler.h"

#include <kj/exception.h>

#include <optional>

#include "broker/delivery/deliver_frame.h"
#include "broker/delivery/reply_frames.h"
#include "broker/store/keys.h"
#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::delivery {
namespace {

// What an ack needs to know of a stored message: its precedence (for the pending key), incident
// and kind (for the audit leaf).
struct StoredFacts {
  int precedence = 0;
  std::string incident;
  std::string kind;
};

Result<StoredFacts> ReadStoredFacts(const store::Store& store, uint64_t seq) {
  auto bytes = store.Get(store::Column::kMessages, store::MessageKey(seq));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return Status::NotFound("no message with seq " + std::to_string(seq));
  auto decoded = wire::DecodedStruct::Decode((*bytes)->data(), (*bytes)->size());
  if (!decoded.ok()) return decoded.status();
  try {
    auto env = (*decoded)->Get<schema::StoredMessage>().getEnvelope();
    return StoredFacts{static_cast<int>(env.getPrecedence()), env.getIncident(), KindOf(env)};
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("message ") + std::to_string(seq) + ": " + e.getDescription().cStr());
  }
}

}  // namespace

DeliveryScheduler::DeliveryScheduler(store::Store& store, store::GroupCommitter& committer,
                                     FrameSink& sink, const Clock& clock, Logger& log,
                                     audit::AuditLog* audit)
    : store_(store), committer_(committer), sink_(sink), clock_(clock), log_(log), audit_(audit) {}

void DeliveryScheduler::Attach(const std::string& principal, const std::string& routing_id,
                               uint32_t window) {
  Receiver& r = receivers_[principal];
  r = Receiver();
  r.routing_id = routing_id;
  r.window = window;
  r.cursor = store::PendingPrefix(principal);
  Pump(principal);
}

void DeliveryScheduler::Detach(const std::string& principal) {
  auto it = receivers_.find(principal);
  if (it == receivers_.end()) return;
  for (auto& [seq, inflight] : it->second.inflight) {
    if (!inflight.recorded) WriteRecord(seq, principal, inflight.record, false, inflight.precedence);
  }
  receivers_.erase(it);
}

void DeliveryScheduler::RecordUnackedDeliveries(int64_t grace_ms) {
  // The monotonic clock: after the wall clock steps back, a grace measured on it would last as
  // long as the step, and the delivery would show as pending all that time.
  int64_t cutoff = clock_.MonotonicMillis() - grace_ms;
  for (auto& [principal, r] : receivers_) {
    for (auto& [seq, inflight] : r.inflight) {
      if (inflight.recorded || inflight.sent_mono_ms > cutoff) continue;
      WriteRecord(seq, principal, inflight.record, false, inflight.precedence);
      inflight.recorded = true;
    }
  }
}

Result<store::DeliveryRecord> DeliveryScheduler::LoadRecord(uint64_t seq, const std::string& principal,
                                                            std::string_view matched_term) {
  if (auto it = recent_records_.find({principal, seq}); it != recent_records_.end()) return it->second.record;
  auto rec = store_.Get(store::Column::kDelivery, store::DeliveryKey(seq, principal));
  if (!rec.ok()) return rec.status();
  if (!rec->has_value()) {
    store::DeliveryRecord fresh;
    fresh.matched_term = std::string(matched_term);
    return fresh;
  }
  return store::DecodeDeliveryRecord(**rec);
}

size_t DeliveryScheduler::InflightCount(const std::string& principal) const {
  auto it = receivers_.find(principal);
  return it == receivers_.end() ? 0 : it->second.inflight.size();
}

void DeliveryScheduler::Pump(const std::string& principal) {
  auto it = receivers_.find(principal);
  if (it == receivers_.end()) return;
  Receiver& r = it->second;
  const std::string prefix = store::PendingPrefix(principal);
  const std::string end = store::PrefixEnd(prefix);
  while (r.inflight.size() < r.window && !r.caught_up) {
    size_t need = r.window - r.inflight.size();
    struct Candidate {
      int precedence;
      uint64_t seq;
      std::string matched_term;
    };
    std::vector<Candidate> batch;
    std::string next_cursor = r.cursor;
    bool reached_end = true;
    bool blocked = false;  // reached a message that is not durable yet: its commit will pump
    Status s = store_.Scan(store::Column::kPending, r.cursor, end, [&](std::string_view key, std::string_view value) {
      store::PendingKeyParts parts;
      if (!store::ParsePendingKey(key, principal, &parts)) return true;
      if (parts.seq > durable_seq_) {
        next_cursor.assign(key.data(), key.size());
        reached_end = false;
        blocked = true;
        return false;
      }
      next_cursor.assign(key.data(), key.size());
      next_cursor.push_back('\0');
      if (r.inflight.count(parts.seq) || acks_in_flight_.count({principal, parts.seq})) return true;
      batch.push_back({parts.precedence, parts.seq, std::string(value)});
      if (batch.size() >= need) {
        reached_end = false;
        return false;
      }
      return true;
    });
    if (!s.ok()) {
      log_.Error("delivery", "pending scan failed", {{"principal", principal}, {"error", s.ToString()}});
      return;
    }
    r.cursor = next_cursor;
    if (reached_end) r.caught_up = true;
    if (blocked && batch.empty()) break;
    for (const auto& [precedence, seq, matched_term] : batch) {
      auto bytes = store_.Get(store::Column::kMessages, store::MessageKey(seq));
      if (!bytes.ok() || !bytes->has_value()) {
        log_.Error("delivery", "pending entry without message", {{"principal", principal}, {"seq", std::to_string(seq)}});
        continue;
      }
      auto record = LoadRecord(seq, principal, matched_term);
      if (!record.ok()) {
        log_.Error("delivery", "unreadable delivery record", {{"seq", std::to_string(seq)}, {"error", record.status().ToString()}});
        continue;
      }
      if (!Deliver(principal, r, precedence, seq, **bytes, *record)) {
        auto again = receivers_.find(principal);
        if (again == receivers_.end()) return;  // the session went away
        // Not taken now: resume from here next time.
        std::string key = store::PendingKey(principal, precedence, seq);
        if (key < again->second.cursor) again->second.cursor = key;
        again->second.caught_up = false;
        return;
      }
    }
  }
  MaybeAnnounce(r);
}

bool DeliveryScheduler::Deliver(const std::string& principal, Receiver& r, int precedence,
                                uint64_t seq, const std::string& stored_bytes,
                                store::DeliveryRecord record) {
  auto frame = BuildDeliverFrame(stored_bytes, record.attempts, record.matched_term);
  if (!frame.ok()) {
    log_.Error("delivery", "unreadable stored message", {{"seq", std::to_string(seq)}, {"error", frame.status().ToString()}});
    return true;  // skip it; nothing else is affected
  }
  int64_t now = clock_.NowMillis();
  if (frame->expires_ms != 0 && now >= frame->expires_ms) {
    record.state = store::DeliveryState::kExpired;
    record.expired_ms = now;
    AddPending(principal, -1);
    WriteRecord(seq, principal, record, /*delete_pending=*/true, precedence);
    acks_in_flight_.insert({principal, seq});
    ++stats_.expired;
    log_.Info("delivery", "expired, not delivered", {{"seq", std::to_string(seq)}, {"recipient", principal}});
    if (audit_) {
      audit::AuditEvent e;
      e.event = schema::AuditLeaf::Event::EXPIRED;
      e.seq = seq;
      e.subject = principal;
      e.incident = frame->incident;
      e.kind = frame->kind;
      audit_->Defer(e);
    }
    return true;
  }
  if (gate_ && !gate_(principal, *frame, record.matched_term)) {
    log_.Info("delivery", "withheld by the policy in force", {{"seq", std::to_string(seq)}, {"recipient", principal}});
    return true;  // stays pending; delivered if the policy allows it again
  }
  switch (sink_.Send(r.routing_id, frame->bytes)) {
    case FrameSink::SendResult::kSent:
      break;
    case FrameSink::SendResult::kFull:
      return false;
    case FrameSink::SendResult::kGone:
      receivers_.erase(principal);
      return false;
  }
  ++stats_.deliveries;
  if (record.attempts > 0) ++stats_.redeliveries;
  record.attempts += 1;
  record.delivered_ms = now;
  if (record.state == store::DeliveryState::kPending) record.state = store::DeliveryState::kDelivered;
  r.inflight[seq] = Inflight{precedence, frame->incident, frame->kind, record, false, clock_.MonotonicMillis()};
  if (audit_) {
    audit::AuditEvent e;
    e.event = schema::AuditLeaf::Event::DELIVERED;
    e.seq = seq;
    e.subject = principal;
    e.incident = frame->incident;
    e.kind = frame->kind;
    e.attempt = record.attempts;
    audit_->Defer(e);
  }
  r.announced = false;
  return true;
}

Status DeliveryScheduler::CountPendingInStore() {
  pending_counts_.clear();
  return store_.Scan(store::Column::kPending, "", "", [&](std::string_view key, std::string_view) {
    auto nul = key.find('\0');
    if (nul != std::string_view::npos) ++pending_counts_[std::string(key.substr(0, nul))];
    return true;
  });
}

void DeliveryScheduler::AddPending(const std::string& principal, int64_t delta) {
  auto& n = pending_counts_[principal];
  if (delta < 0 && n < static_cast<uint64_t>(-delta)) n = 0;
  else n = static_cast<uint64_t>(static_cast<int64_t>(n) + delta);
  if (n == 0) pending_counts_.erase(principal);
}

int64_t DeliveryScheduler::OldestUnackedDeliveryMs() const {
  int64_t oldest = 0;
  for (const auto& [principal, r] : receivers_) {
    for (const auto& [seq, inflight] : r.inflight) {
      if (oldest == 0 || inflight.record.delivered_ms < oldest) oldest = inflight.record.delivered_ms;
    }
  }
  return oldest;
}

void DeliveryScheduler::PumpStalled() {
  std::vector<std::string> stalled;
  for (const auto& [principal, r] : receivers_) {
    if (!r.caught_up && r.inflight.size() < r.window) stalled.push_back(principal);
  }
  for (const auto& principal : stalled) Pump(principal);
}

void DeliveryScheduler::OnCommitted(const CommittedMessage& m) {
  if (m.seq > durable_seq_) durable_seq_ = m.seq;
  for (const auto& recipient : m.recipients) AddPending(recipient.principal, 1);
  for (const auto& recipient : m.recipients) {
    auto it = receivers_.find(recipient.principal);
    if (it == receivers_.end()) continue;
    Receiver& r = it->second;
    if (r.inflight.count(m.seq) || acks_in_flight_.count({recipient.principal, m.seq})) continue;
    if (r.caught_up && r.inflight.size() < r.window) {
      store::DeliveryRecord record;
      record.matched_term = recipient.matched_term;
      if (Deliver(recipient.principal, r, m.precedence, m.seq, *m.stored_bytes, record)) continue;
      it = receivers_.find(recipient.principal);
      if (it == receivers_.end()) continue;
    }
    Receiver& rr = it->second;
    std::string key = store::PendingKey(recipient.principal, m.precedence, m.seq);
    if (key < rr.cursor) rr.cursor = key;
    rr.caught_up = false;
    if (rr.inflight.size() < rr.window) Pump(recipient.principal);
  }
}

Status DeliveryScheduler::Ack(const std::string& principal, const std::vector<uint64_t>& seqs,
                              bool acknowledged, std::function<void(const Status&, size_t)> on_durable) {
  auto rit = receivers_.find(principal);
  Receiver* r = rit == receivers_.end() ? nullptr : &rit->second;
  int64_t now = clock_.NowMillis();
  store::WriteSet writes;
  std::vector<uint64_t> acked;
  std::vector<audit::AuditEvent> leaves;
  std::vector<uint64_t> newly_received;  // their pending entries go now
  for (uint64_t seq : seqs) {
    store::DeliveryRecord record;
    int precedence = 0;
    std::string incident, kind;
    if (r != nullptr && r->inflight.count(seq)) {
      record = r->inflight[seq].record;
      precedence = r->inflight[seq].precedence;
      incident = r->inflight[seq].incident;
      kind = r->inflight[seq].kind;
    } else {
      // Not in flight here (another session, or acked before): it must be addressed to this
      // principal, which a delivery record or a pending entry shows.
      auto rec = store_.Get(store::Column::kDelivery, store::DeliveryKey(seq, principal));
      if (!rec.ok()) return rec.status();
      auto p = ReadStoredFacts(store_, seq);
      if (!p.ok() && p.status().code() != StatusCode::kNotFound) return p.status();
      if (p.ok()) {
        precedence = p->precedence;
        incident = p->incident;
        kind = p->kind;
      }
      if (auto recent = recent_records_.find({principal, seq}); recent != recent_records_.end()) {
        record = recent->second.record;
      } else if (rec->has_value()) {
        auto decoded = store::DecodeDeliveryRecord(**rec);
        if (!decoded.ok()) return decoded.status();
        record = *decoded;
      } else {
        std::optional<std::string> pending;
        if (p.ok()) {
          auto entry = store_.Get(store::Column::kPending, store::PendingKey(principal, precedence, seq));
          if (!entry.ok()) return entry.status();
          pending = *entry;
        }
        if (!pending.has_value()) {
          return Status::NotFound("message " + std::to_string(seq) + " was not delivered to " + principal);
        }
        record.matched_term = *pending;
      }
    }
    if (record.state == store::DeliveryState::kExpired) continue;
    audit::AuditEvent leaf;
    leaf.actor = principal;
    leaf.subject = principal;
    leaf.seq = seq;
    leaf.incident = incident;
    leaf.kind = kind;
    if (record.received_ms == 0) {
      record.received_ms = now;
      newly_received.push_back(seq);
      leaf.event = schema::AuditLeaf::Event::RECEIVED;
      leaves.push_back(leaf);
    }
    if (record.state < store::DeliveryState::kReceived) record.state = store::DeliveryState::kReceived;
    if (acknowledged && record.acknowledged_ms == 0) {
      record.state = store::DeliveryState::kAcknowledged;
      record.acknowledged_ms = now;
      record.acknowledged_by = principal;
      leaf.event = schema::AuditLeaf::Event::ACKNOWLEDGED;
      leaves.push_back(leaf);
    }
    writes.Delete(store::Column::kPending, store::PendingKey(principal, precedence, seq));
    writes.Put(store::Column::kDelivery, store::DeliveryKey(seq, principal), store::EncodeDeliveryRecord(record));
    recent_records_[{principal, seq}] = {record, next_record_version_};
    acked.push_back(seq);
  }
  for (uint64_t seq : acked) {
    acks_in_flight_.insert({principal, seq});
    if (r != nullptr) r->inflight.erase(seq);
  }
  stats_.acks += acked.size();
  size_t count = acked.size();
  const uint64_t version = next_record_version_++;
  store::CommitItem item;
  item.writes = std::move(writes);
  if (audit_) {
    for (const auto& leaf : leaves) audit_->Append(leaf, &item.writes);
  }
  item.on_done = [this, principal, acked, count, on_durable, version, newly = newly_received.size()](const Status& s) {
    if (s.ok()) AddPending(principal, -static_cast<int64_t>(newly));
    for (uint64_t seq : acked) {
      acks_in_flight_.erase({principal, seq});
      auto it = recent_records_.find({principal, seq});
      if (it != recent_records_.end() && it->second.version == version) recent_records_.erase(it);
    }
    if (on_durable) on_durable(s, count);
  };
  if (audit_) item.on_done = audit_->WhenDurable(std::move(item.on_done));
  committer_.Submit(std::move(item));
  if (r != nullptr) Pump(principal);
  return Status::Ok();
}

void DeliveryScheduler::WriteRecord(uint64_t seq, const std::string& principal,
                                    const store::DeliveryRecord& record, bool delete_pending,
                                    int precedence) {
  const uint64_t version = next_record_version_++;
  recent_records_[{principal, seq}] = {record, version};
  store::CommitItem item;
  item.writes.Put(store::Column::kDelivery, store::DeliveryKey(seq, principal),
                  store::EncodeDeliveryRecord(record));
  if (delete_pending) {
    item.writes.Delete(store::Column::kPending, store::PendingKey(principal, precedence, seq));
  }
  item.on_done = [this, principal, seq, version, delete_pending](const Status&) {
    if (delete_pending) acks_in_flight_.erase({principal, seq});
    auto it = recent_records_.find({principal, seq});
    if (it != recent_records_.end() && it->second.version == version) recent_records_.erase(it);
  };
  committer_.Submit(std::move(item));
}

void DeliveryScheduler::MaybeAnnounce(Receiver& r) {
  if (r.caught_up && r.inflight.empty() && !r.announced) {
    r.announced = true;
    sink_.Send(r.routing_id, NoticeFrame(schema::Notice::Kind::CAUGHT_UP, 0, "", "everything pending has been delivered", clock_.NowMillis()));
  }
}

}  // namespace muster::delivery
