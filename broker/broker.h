// Broker: musterd's event loop. Owns the ZAP handler, the public CURVE ROUTER socket, the group
// committer, the session table, the delivery scheduler and the publish pipeline, and dispatches
// every frame: hello, publish, ack, query, ping, bye. Identity is the ZAP User-Id of each frame;
// a frame whose User-Id does not match its session's principal is refused.
// Ownership: built by main() from references to the config, policy, store, logger and clock.
// Threads: Run() is the broker thread; the ZAP handler and the commit thread are internal.
// Failure: a malformed frame gets a reject and is counted; the broker keeps serving everyone.
// A store failure makes publishes fail with `unavailable` until the store recovers.
#pragma once

#include <memory>
#include <map>
#include <mutex>
#include <set>
#include <vector>
#include <string>
#include <zmq.hpp>

#include "broker/audit/audit_log.h"
#include "broker/config.h"
#include "broker/delivery/delivery_scheduler.h"
#include "broker/delivery/frame_sink.h"
#include "broker/delivery/session_table.h"
#include "broker/escalation.h"
#include "broker/policy_overlay.h"
#include "broker/publish_pipeline.h"
#include "broker/store/group_committer.h"
#include "broker/store/store.h"
#include "broker/transport/metrics_server.h"
#include "broker/transport/signal_pipe.h"
#include "broker/transport/zap_handler.h"
#include "common/clock.h"
#include "common/log.h"
#include "schemas/protocol.capnp.h"
#include "security/policy.h"
#include "security/signing_key.h"

namespace muster::broker {

class Broker final : public transport::AuthListener, public delivery::FrameSink {
 public:
  Broker(const BrokerConfig& config, security::PolicyHolder& policy, store::Store& store,
         Logger& log, const Clock& clock);
  ~Broker() override;
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Starts the ZAP handler, then binds the public socket (in that order), starts the commit
  // thread and recovers counters from the store.
  // `signing_key` signs the audit log's checkpoints.
  // `previous_signing_keys` co-sign during a signing-key rotation.
  Status Start(zmq::context_t& context, const std::string& secret_key_z85,
               std::unique_ptr<security::SigningKey> signing_key,
               std::vector<std::unique_ptr<security::SigningKey>> previous_signing_keys = {});
  // Serves until SIGTERM/SIGINT, then shuts down cleanly: stops reading, makes everything already
  // accepted durable and confirmed, stops the threads.
  Status Run(transport::SignalPipe& signals);

  // The endpoint actually bound (resolves a wildcard port).
  const std::string& endpoint() const { return endpoint_; }

  // transport::AuthListener (called on the ZAP thread).
  void OnZapDecision(const security::ZapDecision& decision) override;
  // delivery::FrameSink.
  SendResult Send(const std::string& routing_id, const std::string& frame) override;

 private:
  void DrainSocket(size_t max_frames);
  void HandleFrame(const std::string& routing_id, zmq::message_t& payload, zmq::message_t& envelope);
  void HandleHello(const std::string& routing_id, const std::string& principal,
                   const std::string& peer, schema::Hello::Reader hello);
  void HandleAck(delivery::Session& session, schema::Ack::Reader ack);
  void HandleQuery(delivery::Session& session, schema::Query::Reader query);
  // Refuses the frame being handled: reply, log, and an audit leaf with the frame's hash.
  void RejectFrameFrom(const std::string& routing_id, schema::RejectCode code, const std::string& reason,
                       const std::string& principal);
  // Audit leaves for ZAP decisions queued by the ZAP thread, and for policy changes.
  void DrainAuthEvents();
  void RecordPolicy(const std::string& why, const std::string& actor);
  // Re-reads the policy file and applies it with the run-time revocations; a bad file is refused
  // (the old policy stays in force) with its line and reason.
  Status ReloadPolicy(const std::string& why, const std::string& actor);
  // Ends the sessions of principals that are no longer admitted.
  void EnforceRevocations();
  // Admin commands (role admin).
  void HandleAdmin(delivery::Session& session, uint64_t query_id, schema::AdminCommand::Reader command,
                   schema::Result::Builder result, bool* answered);
  void Checkpoint();
  void WaitForCommits();
  void EndSession(const std::string& routing_id, const std::string& reason);
  void SweepSessions();
  void MaybeRecoverStore();
  std::string StatsText() const;

  const BrokerConfig& config_;
  security::PolicyHolder& policy_;
  store::Store& store_;
  Logger& log_;
  const Clock& clock_;

  std::unique_ptr<transport::ZapHandler> zap_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<store::GroupCommitter> committer_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<security::SigningKey> signing_key_;
  std::vector<std::unique_ptr<security::SigningKey>> previous_signing_keys_;
  PolicyOverrides overrides_;  // run-time revocations and keys (muster-admin)
  std::mutex auth_mu_;
  std::vector<security::ZapDecision> auth_events_;  // guarded by auth_mu_
  delivery::SessionTable sessions_;
  std::unique_ptr<delivery::DeliveryScheduler> scheduler_;
  kinds::KindRegistry kinds_;
  std::unique_ptr<PublishPipeline> publish_;
  std::unique_ptr<EscalationMonitor> escalation_;
  std::string endpoint_;
  std::string_view current_frame_;  // the raw frame being handled (valid during HandleFrame)
  int64_t started_mono_ms_ = 0;
  uint64_t malformed_frames_ = 0;
  uint64_t refused_frames_ = 0;
  std::map<std::string, uint64_t> refused_by_code_;
  std::unique_ptr<transport::MetricsServer> metrics_;
  int64_t last_checkpoint_mono_ms_ = 0;
  std::string RenderMetrics() const;
};

}  // namespace muster::broker
