// DeliveryScheduler: gets every committed message to each connected recipient, per recipient in
// (precedence, seq) order, with at most a window of unacked deliveries in flight; keeps the rest
// in the store. A fresh message goes straight from memory to a caught-up recipient; a recipient
// with a backlog is fed by scanning its pending entries from a cursor. Acks delete the pending
// entry and advance the delivery record; a session that ends leaves its unacked deliveries
// pending, so they are sent again on the next attach (also after a restart).
// Expired messages are not delivered: they are recorded as expired and removed from pending.
// A delivery's "delivered" record (attempts, time) is written only if it stays unacked past a
// grace period, or when its session ends — the common case, an ack within milliseconds, costs no
// extra write.
// Owned by the broker; used only on the broker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "broker/audit/audit_log.h"
#include "broker/delivery/deliver_frame.h"
#include "broker/delivery/frame_sink.h"
#include "broker/store/group_committer.h"
#include "broker/store/record_codec.h"
#include "broker/store/store.h"
#include "common/clock.h"
#include "common/log.h"

namespace muster::delivery {

struct CommittedMessage {
  uint64_t seq = 0;
  int precedence = 0;
  std::shared_ptr<const std::string> stored_bytes;
  std::vector<store::RecipientEntry> recipients;
};

struct DeliveryStats {
  uint64_t deliveries = 0;
  uint64_t redeliveries = 0;
  uint64_t acks = 0;
  uint64_t expired = 0;
};

class DeliveryScheduler {
 public:
  // `audit` may be null (no audit leaves; for tests of delivery alone).
  DeliveryScheduler(store::Store& store, store::GroupCommitter& committer, FrameSink& sink,
                    const Clock& clock, Logger& log, audit::AuditLog* audit = nullptr);
  DeliveryScheduler(const DeliveryScheduler&) = delete;
  DeliveryScheduler& operator=(const DeliveryScheduler&) = delete;

  // `routing_id` now receives for `principal`; everything pending is (re)delivered from the start.
  void Attach(const std::string& principal, const std::string& routing_id, uint32_t window);
  // The principal's receiving session ended; its in-flight deliveries return to pending (and
  // their delivery attempts are recorded).
  void Detach(const std::string& principal);
  // Records deliveries unacked for longer than `grace_ms` (monotonic time) as delivered. Call
  // periodically.
  void RecordUnackedDeliveries(int64_t grace_ms);

  // A message is durable (its receipt is going out): deliver it to connected recipients.
  // Messages are only ever delivered once durable, even though the store shows them earlier.
  void OnCommitted(const CommittedMessage& message);
  // The read-side check: may `principal` receive this message now (under the policy in force)?
  // A message it may not receive is not delivered and stays pending.
  using ReceiveGate = std::function<bool(const std::string& principal, const DeliverFrame& message,
                                         const std::string& matched_term)>;
  void SetReceiveGate(ReceiveGate gate) { gate_ = std::move(gate); }
  // Every seq up to `seq` is durable (at start: the last seq in the store).
  void SetDurableSeq(uint64_t seq) { durable_seq_ = seq; }
  // Retries receivers that have room and undelivered messages (e.g. after a full send queue).
  void PumpStalled();

  // Records that `principal` has received (and, with `acknowledged`, read) the messages `seqs`.
  // `on_durable(status, count)` runs once the records are written. Errors (returned at once):
  // NotFound when a seq was never delivered to this principal.
  Status Ack(const std::string& principal, const std::vector<uint64_t>& seqs, bool acknowledged,
             std::function<void(const Status&, size_t)> on_durable);

  size_t InflightCount(const std::string& principal) const;
  const DeliveryStats& stats() const { return stats_; }

  // Messages waiting per recipient (not yet received), kept in memory for metrics: counted once
  // from the store at start (CountPendingInStore), then maintained as messages commit and acks land.
  Status CountPendingInStore();
  const std::map<std::string, uint64_t>& pending_counts() const { return pending_counts_; }
  // When the oldest delivery still waiting for its ack was sent (0 if none).
  int64_t OldestUnackedDeliveryMs() const;

 private:
  struct Inflight {
    int precedence = 0;
    std::string incident;  // of the message, for audit leaves
    std::string kind;
    store::DeliveryRecord record;
    bool recorded = false;  // the delivered record has been written
    int64_t sent_mono_ms = 0;  // when it went out, on the monotonic clock (wall-clock jumps aside)
  };
  struct Receiver {
    std::string routing_id;
    uint32_t window = 0;
    std::map<uint64_t, Inflight> inflight;
    std::string cursor;       // resume scanning pending entries from this key
    bool caught_up = false;   // no undelivered pending entry at or after the cursor
    bool announced = false;   // a caught-up notice was sent since the last delivery
  };

  void Pump(const std::string& principal);
  // Sends one message; returns false if the receiver can take no more now (full or gone).
  bool Deliver(const std::string& principal, Receiver& r, int precedence, uint64_t seq,
               const std::string& stored_bytes, store::DeliveryRecord record);
  // The delivery record of (seq, principal) from the store, or a fresh pending one.
  Result<store::DeliveryRecord> LoadRecord(uint64_t seq, const std::string& principal,
                                           std::string_view matched_term);
  void MaybeAnnounce(Receiver& r);
  void WriteRecord(uint64_t seq, const std::string& principal, const store::DeliveryRecord& record,
                   bool delete_pending, int precedence);

  store::Store& store_;
  store::GroupCommitter& committer_;
  FrameSink& sink_;
  const Clock& clock_;
  Logger& log_;
  audit::AuditLog* audit_;
  std::map<std::string, Receiver> receivers_;
  std::set<std::pair<std::string, uint64_t>> acks_in_flight_;
  // Delivery records submitted but not yet durable, so reads see the latest (read-your-writes).
  struct RecentRecord {
    store::DeliveryRecord record;
    uint64_t version = 0;
  };
  std::map<std::pair<std::string, uint64_t>, RecentRecord> recent_records_;
  uint64_t next_record_version_ = 1;
  DeliveryStats stats_;
  uint64_t durable_seq_ = 0;
  ReceiveGate gate_;
  std::map<std::string, uint64_t> pending_counts_;
  void AddPending(const std::string& principal, int64_t delta);
};

}  // namespace muster::delivery
