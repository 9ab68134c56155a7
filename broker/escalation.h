// EscalationMonitor: enforces acknowledgement deadlines. A message published with an ack-by
// deadline has a deadline entry in the store; once the deadline passes, every recipient that
// has not acknowledged it is escalated: its delivery record says so, the audit log gets an
// `escalated` leaf, and the broker publishes an "Acknowledgement overdue" message (with the
// original's status, so a drill's escalation is a drill too) to the original sender and to the
// duty officers of each overdue recipient's organisation — or of the bureau (government sector)
// where that organisation has none. The entry is removed in the same commit, so an escalation
// happens once, also across restarts.
// Broker thread only.
#pragma once

#include <chrono>
#include <map>

#include "broker/audit/audit_log.h"
#include "broker/publish_pipeline.h"
#include "broker/store/store.h"
#include "common/clock.h"
#include "common/log.h"
#include "security/policy.h"

namespace muster::broker {

class EscalationMonitor {
 public:
  EscalationMonitor(store::Store& store, security::PolicyHolder& policy, PublishPipeline& publish,
                    const Clock& clock, Logger& log);

  // Escalates every deadline that has passed. Call periodically.
  void Tick();
  uint64_t escalations() const { return escalations_; }

 private:
  void Escalate(int64_t deadline_ms, uint64_t seq);

  store::Store& store_;
  security::PolicyHolder& policy_;
  PublishPipeline& publish_;
  const Clock& clock_;
  Logger& log_;
  // Deadlines handled whose commit may not be visible yet, with when (monotonic) they were
  // submitted. One still visible long after was not committed (the store refused writes, e.g. a
  // full disk) and is handled again.
  std::map<uint64_t, std::chrono::steady_clock::time_point> submitted_;
  uint64_t escalations_ = 0;
};

}  // namespace muster::broker
