// PublishPipeline: the life of a publish, in one place —
//   1. availability  (the store takes writes, or the publish is refused with `unavailable`)
//   2. dedup         (a retried client message id gets the original receipt)
//   3. validate      (EnvelopeCheck: bounds, enumerations, body)
//   4. authorise     (admitted; within its rate limit; a send rule allows this kind, status,
//                     classification and these addressing terms)
//   5. workflow      (the kind's plugin: valid against the object's current state? what changes,
//                     and which parties must hear of it)
//   6. route         (RecipientResolver: addressing + parties -> recipients with the matching term)
//   7. commit        (one WriteBatch: message, dedup key, a pending entry per recipient, workflow
//                     state, audit leaf; group-committed with fsync by the GroupCommitter)
//   8. confirm       (receipt to the sender, and to any retry that arrived meanwhile)
//   9. deliver       (DeliveryScheduler, at once to connected recipients)
// Nothing is confirmed before step 7 is durable. Owned by the broker; broker thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "broker/audit/audit_log.h"
#include "broker/config.h"
#include "broker/delivery/delivery_scheduler.h"
#include "broker/delivery/session_table.h"
#include "broker/envelope_check.h"
#include "broker/kinds/kind_registry.h"
#include "broker/workflow_state.h"
#include "broker/rate_limiter.h"
#include "broker/delivery/frame_sink.h"
#include "broker/delivery/reply_frames.h"
#include "broker/store/group_committer.h"
#include "broker/store/store.h"
#include "common/clock.h"
#include "common/log.h"
#include "schemas/protocol.capnp.h"
#include "security/policy.h"

namespace muster::broker {

// The sender id of messages the broker itself publishes (escalations). Not a principal id a
// policy may use.
inline constexpr char kBrokerSender[] = "muster";

struct PublishCounters {
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  std::map<std::string, uint64_t> rejected_by_code;
};

class PublishPipeline {
 public:
  PublishPipeline(const BrokerConfig& config, security::PolicyHolder& policy,
                  const kinds::KindRegistry& kinds, store::Store& store,
                  store::GroupCommitter& committer, delivery::DeliveryScheduler& scheduler,
                  audit::AuditLog& audit, delivery::FrameSink& sink, const Clock& clock, Logger& log);
  PublishPipeline(const PublishPipeline&) = delete;
  PublishPipeline& operator=(const PublishPipeline&) = delete;

  // Reads the last committed seq from the store; call at start and after the store recovers.
  Status Recover();

  // `frame`: the raw frame the publish came in (its size bounds the checks; its hash goes into
  // the audit leaf of a refusal).
  void Handle(const delivery::Session& session, schema::Publish::Reader publish, std::string_view frame);

  // Publishes a message from the broker itself (sender "muster"), e.g. an escalation: `fill` sets
  // the envelope; `recipients` are final (the caller chose and filtered them); `writes` and
  // `leaves` commit in the same WriteBatch. Returns the seq. With a null `fill` only the writes
  // and leaves are committed (returns 0).
  uint64_t PublishFromBroker(const std::function<void(schema::Envelope::Builder)>& fill,
                             const std::vector<store::RecipientEntry>& recipients, store::WriteSet writes,
                             const std::vector<audit::AuditEvent>& leaves);

  uint64_t last_seq() const { return next_seq_ - 1; }
  // The workflow state as the kind plugins see it (for state queries).
  const WorkflowState& workflow_state() const { return state_; }
  // Forgets idle rate-limit buckets. Call now and then.
  void TrimRateLimits() { limiter_.Trim(clock_.MonotonicMillis()); }
  const PublishCounters& counters() const { return counters_; }
  // Publishes submitted whose commit has not completed.
  size_t in_flight() const { return inflight_.size(); }

 private:
  struct InflightPublish {
    delivery::ReceiptFields receipt;
    std::vector<std::string> waiters;  // routing ids: the original sender first, then retries
  };

  void Reject(const delivery::Session& session, schema::RejectCode code, const std::string& reason,
              const std::string& client_message_id, std::string_view frame);
  void OnCommitted(const std::string& dedup_key, const delivery::CommittedMessage& message,
                   const Status& status);

  const BrokerConfig& config_;
  security::PolicyHolder& policy_;
  const kinds::KindRegistry& kinds_;
  WorkflowState state_;
  store::Store& store_;
  store::GroupCommitter& committer_;
  delivery::DeliveryScheduler& scheduler_;
  audit::AuditLog& audit_;
  delivery::FrameSink& sink_;
  const Clock& clock_;
  Logger& log_;
  EnvelopeLimits limits_;
  EnvelopeChecker checker_;
  RateLimiter limiter_;
  uint64_t next_seq_ = 1;
  std::map<std::string, InflightPublish> inflight_;  // by dedup key
  PublishCounters counters_;
};

}  // namespace muster::broker
