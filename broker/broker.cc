// The broker event loop and frame dispatch.
#include "broker/broker.h"

#include <capnp/message.h>
#include <kj/exception.h>
#include <zmq_addon.hpp>

#include "broker/audit/audit_service.h"
#include "broker/delivery/reply_frames.h"
#include "broker/policy_audit.h"
#include "broker/policy_overlay.h"
#include "broker/routing/recipient_resolver.h"
#include "security/authorization.h"
#include "security/curve_keys.h"
#include "security/policy_loader.h"
#include "common/files.h"
#include "security/sha256.h"
#include "broker/store/keys.h"
#include "common/time_text.h"
#include "broker/store/record_codec.h"
#include "broker/transport/broker_socket.h"
#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::broker {

using delivery::NoticeFrame;
using delivery::PongFrame;
using delivery::RejectCodeName;
using delivery::RejectFrame;
using delivery::TextResultFrame;

namespace {

constexpr uint32_t kProtocolVersion = 1;

std::string Gets(zmq::message_t& msg, const char* property) {
  try {
    const char* v = msg.gets(property);
    return v ? std::string(v) : std::string();
  } catch (const zmq::error_t&) {
    return std::string();  // absent property: cppzmq throws EINVAL
  }
}

}  // namespace

Broker::Broker(const BrokerConfig& config, security::PolicyHolder& policy, store::Store& store,
               Logger& log, const Clock& clock)
    : config_(config), policy_(policy), store_(store), log_(log), clock_(clock) {}

Broker::~Broker() {
  if (committer_) committer_->Stop();
  if (zap_) zap_->Stop();
}

Status Broker::Start(zmq::context_t& context, const std::string& secret_key_z85,
                     std::unique_ptr<security::SigningKey> signing_key,
                     std::vector<std::unique_ptr<security::SigningKey>> previous_signing_keys) {
  started_mono_ms_ = clock_.MonotonicMillis();
  signing_key_ = std::move(signing_key);
  previous_signing_keys_ = std::move(previous_signing_keys);
  // The ZAP handler must be bound in this context before any public bind.
  zap_ = std::make_unique<transport::ZapHandler>(context, policy_, log_, this);
  MUSTER_RETURN_IF_ERROR(zap_->Start());

  committer_ = std::make_unique<store::GroupCommitter>(store_);
  MUSTER_RETURN_IF_ERROR(committer_->Start());
  audit_ = std::make_unique<audit::AuditLog>(store_, clock_, log_);
  if (Status s = audit_->Recover(); !s.ok()) {
    if (s.code() != StatusCode::kCorruption) return s;
    // Keep serving (this is an emergency broker) but sign nothing: auditors see checkpoints stop.
    log_.Error("audit", "AUDIT LOG FAILED ITS CONSISTENCY CHECK; no checkpoints will be signed",
               {{"error", s.ToString()}});
  }
  scheduler_ = std::make_unique<delivery::DeliveryScheduler>(store_, *committer_, *this, clock_, log_, audit_.get());
  publish_ = std::make_unique<PublishPipeline>(config_, policy_, kinds_, store_, *committer_, *scheduler_, *audit_,
                                               *this, clock_, log_);
  MUSTER_RETURN_IF_ERROR(publish_->Recover());
  scheduler_->SetDurableSeq(publish_->last_seq());
  escalation_ = std::make_unique<EscalationMonitor>(store_, policy_, *publish_, clock_, log_);
  // The read side: nothing is delivered that the policy in force would not route to the recipient
  // now (a revocation or a narrowed rule also holds back what was already pending).
  scheduler_->SetReceiveGate([this](const std::string& principal, const delivery::DeliverFrame& m,
                                    const std::string& matched_term) {
    auto policy = policy_.Get();
    const security::Principal* p = policy->FindPrincipal(principal);
    if (p == nullptr || p->revoked) return false;
    if (matched_term.rfind("escalation:", 0) == 0) {  // the broker's own notices: clearance only
      return static_cast<int>(p->clearance) >= m.classification;
    }
    return security::MayReceive(*policy, *p, m.kind, m.status, static_cast<security::Clearance>(m.classification),
                                routing::TermTypeOf(matched_term), m.action);
  });
  audit::AuditEvent started;
  started.event = schema::AuditLeaf::Event::BROKER_STARTED;
  started.detail = config_.name;
  audit_->Defer(started);
  overrides_ = LoadOverrides(store_);
  if (!overrides_.revoked.empty() || !overrides_.keys.empty()) policy_.Set(WithOverrides(*policy_.Get(), overrides_));
  RecordPolicy("start", "");
  audit_->Flush(*committer_);

  if (Status counted = scheduler_->CountPendingInStore(); !counted.ok()) return counted;
  if (!config_.metrics.empty()) {
    metrics_ = std::make_unique<transport::MetricsServer>();
    MUSTER_RETURN_IF_ERROR(metrics_->Start(config_.metrics));
    metrics_->Publish(RenderMetrics());
    log_.Info("broker", "metrics", {{"address", "http://" + config_.metrics + "/metrics"}});
  }

  transport::BrokerSocketOptions options;
  options.endpoint = config_.bind;
  options.secret_key_z85 = secret_key_z85;
  options.max_frame_bytes = config_.max_frame_bytes;
  options.heartbeat_ms = static_cast<int>(config_.heartbeat_ms);
  auto socket = transport::BindBrokerSocket(context, options);
  if (!socket.ok()) return socket.status();
  socket_ = std::move(socket).value();
  endpoint_ = socket_->get(zmq::sockopt::last_endpoint);
  log_.Info("broker", "listening", {{"endpoint", endpoint_}, {"name", config_.name},
                                    {"last_seq", std::to_string(publish_->last_seq())},
                                    {"audit_size", std::to_string(audit_->size())}});
  return Status::Ok();
}

Status Broker::Run(transport::SignalPipe& signals) {
  zmq::pollitem_t items[3] = {
      {socket_->handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, committer_->notify_fd(), ZMQ_POLLIN, 0},
      {nullptr, signals.fd(), ZMQ_POLLIN, 0},
  };
  int64_t next_sweep = clock_.MonotonicMillis() + 500;
  int64_t next_checkpoint = clock_.MonotonicMillis() + 1000;
  bool stopping = false;
  while (!stopping) {
    try {
      zmq::poll(items, 3, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return Status::Internal(std::string("poll: ") + e.what());
    }
    committer_->Hold();  // one wake-up of the commit thread per burst of frames
    if (items[0].revents & ZMQ_POLLIN) DrainSocket(16);
    if (items[1].revents & ZMQ_POLLIN) committer_->RunCompletions();
    DrainAuthEvents();
    audit_->Flush(*committer_);
    committer_->Release();
    if (items[2].revents & ZMQ_POLLIN) {
      transport::PendingSignals sig = signals.Drain();
      if (sig.terminate) stopping = true;
      if (sig.reload) {
        Status r = ReloadPolicy("SIGHUP", "");
        if (!r.ok()) log_.Error("policy", "reload refused; the previous policy stays in force", {{"error", r.message()}});
      }
    }
    if (clock_.MonotonicMillis() >= next_sweep) {
      SweepSessions();
      scheduler_->RecordUnackedDeliveries(/*grace_ms=*/1000);
      scheduler_->PumpStalled();
      if (store_.healthy()) escalation_->Tick();
      MaybeRecoverStore();
      next_sweep = clock_.MonotonicMillis() + 500;
    }
    if (clock_.MonotonicMillis() >= next_checkpoint) {
      Checkpoint();
      if (metrics_) metrics_->Publish(RenderMetrics());
      publish_->TrimRateLimits();
      next_checkpoint = clock_.MonotonicMillis() + 1000;
    }
  }

  // Clean shutdown: everything already accepted is made durable and confirmed.
  log_.Info("broker", "stopping", {{"in_flight", std::to_string(committer_->outstanding())}});
  WaitForCommits();
  std::vector<std::string> ids;
  for (const auto& [id, s] : sessions_.all()) ids.push_back(id);
  for (const auto& id : ids) {  // Send may end a session: iterate over a copy
    Send(id, NoticeFrame(schema::Notice::Kind::SHUTTING_DOWN, 0, "", "the broker is shutting down",
                         clock_.NowMillis()));
    EndSession(id, "broker shutting down");  // records unacked deliveries
  }
  DrainAuthEvents();
  audit::AuditEvent stopped;
  stopped.event = schema::AuditLeaf::Event::BROKER_STOPPED;
  stopped.detail = config_.name;
  audit_->Defer(stopped);
  audit_->Flush(*committer_);
  WaitForCommits();
  Checkpoint();  // the final checkpoint covers everything, the stop included
  WaitForCommits();
  committer_->Stop();
  if (metrics_) metrics_->Stop();
  socket_->close();
  zap_->Stop();
  log_.Info("broker", "stopped cleanly", {{"last_seq", std::to_string(publish_->last_seq())},
                                          {"audit_size", std::to_string(audit_->size())}});
  return Status::Ok();
}

void Broker::WaitForCommits() {
  committer_->Release();  // anything held back must reach the writer, or this would wait forever
  while (committer_->outstanding() > 0) {
    zmq::pollitem_t done{nullptr, committer_->notify_fd(), ZMQ_POLLIN, 0};
    zmq::poll(&done, 1, std::chrono::milliseconds(100));
    committer_->RunCompletions();
  }
}

std::string Broker::RenderMetrics() const {
  std::string out;
  auto metric = [&](const char* name, const char* type, const char* help, const std::string& value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + value + "\n";
  };
  auto n = [](uint64_t v) { return std::to_string(v); };
  const auto& pub = publish_->counters();
  const auto& del = scheduler_->stats();
  auto commit = committer_->stats();
  int64_t now = clock_.NowMillis();
  metric("muster_sessions", "gauge", "Authenticated sessions.", n(sessions_.size()));
  metric("muster_publishes_accepted_total", "counter", "Publishes made durable and receipted.", n(pub.accepted));
  metric("muster_publishes_duplicate_total", "counter", "Retried publishes answered with the original receipt.",
         n(pub.duplicates));
  metric("muster_receipts_total", "counter", "Receipts sent.", n(pub.accepted + pub.duplicates));
  out += "# HELP muster_rejects_total Refusals, by reject code.\n# TYPE muster_rejects_total counter\n";
  std::map<std::string, uint64_t> rejects = refused_by_code_;
  for (const auto& [code, count] : pub.rejected_by_code) rejects[code] += count;
  for (const auto& [code, count] : rejects) out += "muster_rejects_total{code=\"" + code + "\"} " + n(count) + "\n";
  metric("muster_fsyncs_total", "counter", "Syncs of the write-ahead log (one per commit group).", n(commit.syncs));
  metric("muster_commit_batches_total", "counter", "WriteBatches written.", n(commit.batches));
  metric("muster_commit_records_total", "counter", "Records committed.", n(commit.items));
  metric("muster_commit_batch_records", "gauge", "Average records per write-ahead log sync since start.",
         commit.syncs ? std::to_string(static_cast<double>(commit.items) / static_cast<double>(commit.syncs)) : "0");
  metric("muster_deliveries_total", "counter", "Deliveries sent (first and repeated).", n(del.deliveries));
  metric("muster_redeliveries_total", "counter", "Deliveries sent again after a reconnect or restart.",
         n(del.redeliveries));
  metric("muster_acks_total", "counter", "Acknowledgements recorded.", n(del.acks));
  metric("muster_expired_total", "counter", "Messages not delivered because they expired.", n(del.expired));
  metric("muster_escalations_total", "counter", "Recipients escalated for a missed acknowledgement deadline.",
         n(escalation_->escalations()));
  out += "# HELP muster_pending_messages Messages waiting for a recipient (not yet received).\n"
         "# TYPE muster_pending_messages gauge\n";
  for (const auto& [who, count] : scheduler_->pending_counts()) {
    out += "muster_pending_messages{recipient=\"" + who + "\"} " + n(count) + "\n";
  }
  int64_t oldest = scheduler_->OldestUnackedDeliveryMs();
  metric("muster_oldest_unacked_delivery_seconds", "gauge", "Age of the oldest delivery still waiting for its ack.",
         std::to_string(oldest ? static_cast<double>(now - oldest) / 1000.0 : 0.0));
  metric("muster_audit_tree_size", "gauge", "Leaves in the audit log.", n(audit_->size()));
  metric("muster_audit_checkpoint_size", "gauge", "Tree size of the last signed checkpoint.",
         n(audit_->last_checkpoint_size()));
  metric("muster_audit_last_checkpoint_age_seconds", "gauge", "Seconds since a checkpoint was last signed.",
         std::to_string(last_checkpoint_mono_ms_
                            ? static_cast<double>(clock_.MonotonicMillis() - last_checkpoint_mono_ms_) / 1000.0
                            : -1.0));
  metric("muster_audit_checkpointing_halted", "gauge", "1 if the audit log failed a consistency check.",
         audit_->checkpointing_halted() ? "1" : "0");
  metric("muster_store_healthy", "gauge", "1 if the store accepts writes.", store_.healthy() ? "1" : "0");
  metric("muster_last_seq", "gauge", "Sequence number of the last accepted message.", n(publish_->last_seq()));
  return out;
}

void Broker::Checkpoint() {
  if (!signing_key_) return;
  std::vector<const security::SigningKey*> keys = {signing_key_.get()};
  for (const auto& k : previous_signing_keys_) keys.push_back(k.get());
  auto signed_one = audit_->MaybeCheckpoint(keys, config_.origin(), *committer_);
  if (signed_one.ok() && *signed_one) last_checkpoint_mono_ms_ = clock_.MonotonicMillis();
  if (!signed_one.ok() && signed_one.status().code() != StatusCode::kCorruption) {
    log_.Warn("audit", "checkpoint not signed", {{"error", signed_one.status().ToString()}});
  }
}

void Broker::OnZapDecision(const security::ZapDecision& decision) {
  // Called on the ZAP thread: queue it; the broker thread writes the audit leaf.
  std::lock_guard<std::mutex> lock(auth_mu_);
  if (auth_events_.size() < 100000) auth_events_.push_back(decision);
}

void Broker::DrainAuthEvents() {
  std::vector<security::ZapDecision> events;
  {
    std::lock_guard<std::mutex> lock(auth_mu_);
    events.swap(auth_events_);
  }
  for (const auto& d : events) {
    audit::AuditEvent e;
    e.event = d.admitted ? schema::AuditLeaf::Event::AUTHENTICATED
                         : schema::AuditLeaf::Event::AUTHENTICATION_REFUSED;
    e.actor = d.principal;
    e.subject = d.key_z85;
    e.peer_address = d.peer_address;
    e.reason = d.reason;
    audit_->Defer(e);
  }
}

Status Broker::ReloadPolicy(const std::string& why, const std::string& actor) {
  auto loaded = security::LoadPolicyFile(config_.policy);
  if (!loaded.ok()) return loaded.status();
  policy_.Set(WithOverrides(**loaded, overrides_));
  RecordPolicy(why, actor);
  EnforceRevocations();
  log_.Info("policy", "reloaded", {{"by", actor.empty() ? why : actor},
                                   {"principals", std::to_string((*loaded)->principals().size())},
                                   {"rules", std::to_string((*loaded)->rules().size())}});
  return Status::Ok();
}

void Broker::EnforceRevocations() {
  auto policy = policy_.Get();
  std::vector<std::string> ended;
  for (const auto& [id, s] : sessions_.all()) {
    const security::Principal* p = policy->FindPrincipal(s.principal);
    if (p == nullptr || p->revoked) ended.push_back(id);
  }
  for (const auto& id : ended) {
    Send(id, NoticeFrame(schema::Notice::Kind::REVOKED, 0, "", "this principal is no longer admitted; session closed",
                         clock_.NowMillis()));
    EndSession(id, "revoked");
  }
}

void Broker::RecordPolicy(const std::string& why, const std::string& actor) {
  auto policy = policy_.Get();
  auto previous = store_.Get(store::Column::kMeta, "policy.snapshot");
  std::string before = previous.ok() && previous->has_value() ? **previous : std::string();
  for (auto e : PolicyChanges(before, *policy)) {
    e.actor = actor;
    audit_->Defer(e);
  }
  audit::AuditEvent loaded;
  loaded.event = schema::AuditLeaf::Event::POLICY_RELOADED;
  loaded.actor = actor;
  loaded.reason = why;
  auto file = ReadFile(config_.policy);
  if (file.ok()) loaded.detail = "sha256 " + security::ToHex(security::Sha256(*file));
  loaded.subject = config_.policy;
  audit_->Defer(loaded);
  audit_->DeferPut(store::Column::kMeta, "policy.snapshot", PolicySnapshot(*policy));
}

delivery::FrameSink::SendResult Broker::Send(const std::string& routing_id, const std::string& frame) {
  try {
    zmq::message_t id(routing_id.data(), routing_id.size());
    auto sent = socket_->send(id, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    if (!sent) return SendResult::kFull;
    zmq::message_t payload(frame.data(), frame.size());
    socket_->send(payload, zmq::send_flags::dontwait);
    return SendResult::kSent;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) {
      EndSession(routing_id, "peer gone");
      return SendResult::kGone;
    }
    log_.Warn("broker", "send failed", {{"error", e.what()}});
    return SendResult::kFull;
  }
}

void Broker::DrainSocket(size_t max_frames) {
  for (size_t n = 0; n < max_frames; ++n) {
    std::vector<zmq::message_t> parts;
    try {
      if (!zmq::recv_multipart(*socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t& e) {
      log_.Warn("broker", "receive failed", {{"error", e.what()}});
      return;
    }
    if (parts.size() < 2) continue;
    std::string routing_id = parts[0].to_string();
    if (parts.size() != 2) {
      ++malformed_frames_;
      current_frame_ = std::string_view(static_cast<const char*>(parts[1].data()), parts[1].size());
      Send(routing_id, RejectFrame(schema::RejectCode::MALFORMED,
                                   "one ZeroMQ frame per protocol message; got " +
                                       std::to_string(parts.size() - 1)));
      continue;
    }
    HandleFrame(routing_id, parts[1], parts[1]);
  }
}

void Broker::RejectFrameFrom(const std::string& routing_id, schema::RejectCode code,
                             const std::string& reason, const std::string& principal) {
  ++refused_frames_;
  ++refused_by_code_[RejectCodeName(code)];
  log_.Info("broker", "frame refused", {{"principal", principal}, {"code", RejectCodeName(code)}, {"reason", reason}});
  audit::AuditEvent e;
  e.event = schema::AuditLeaf::Event::REJECTED;
  e.actor = principal;
  e.code = RejectCodeName(code);
  e.reason = reason;
  auto digest = security::Sha256(current_frame_);
  e.digest.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
  audit_->Defer(e);
  Send(routing_id, RejectFrame(code, reason));
}

void Broker::HandleFrame(const std::string& routing_id, zmq::message_t& payload, zmq::message_t&) {
  current_frame_ = std::string_view(static_cast<const char*>(payload.data()), payload.size());
  // Identity comes only from the ZAP User-Id of this very frame.
  const std::string principal = Gets(payload, "User-Id");
  if (principal.empty()) {
    return RejectFrameFrom(routing_id, schema::RejectCode::UNAUTHENTICATED,
                           "no authenticated identity on this connection", "");
  }
  wire::FrameLimits limits;
  limits.max_frame_bytes = config_.max_frame_bytes;
  auto decoded = wire::DecodedFrame::Decode(payload.data(), payload.size(), limits);
  if (!decoded.ok()) {
    ++malformed_frames_;
    bool too_large = decoded.status().message().find("exceeds the limit") != std::string::npos;
    return RejectFrameFrom(routing_id, too_large ? schema::RejectCode::TOO_LARGE : schema::RejectCode::MALFORMED,
                           decoded.status().message(), principal);
  }
  {
    // Admission is checked on every frame: a revocation takes effect at once for live sessions.
    auto policy = policy_.Get();
    const security::Principal* p = policy->FindPrincipal(principal);
    if (p == nullptr || p->revoked) {
      EndSession(routing_id, "revoked");
      return RejectFrameFrom(routing_id, schema::RejectCode::UNAUTHENTICATED,
                             "principal '" + principal + "' is no longer admitted", principal);
    }
  }
  delivery::Session* session = sessions_.Find(routing_id);
  if (session != nullptr && session->principal != principal) {
    EndSession(routing_id, "identity changed on the connection");
    return RejectFrameFrom(routing_id, schema::RejectCode::UNAUTHENTICATED,
                           "the connection's identity does not match its session", principal);
  }
  if (session != nullptr) session->last_seen_mono_ms = clock_.MonotonicMillis();
  try {
    auto frame = (*decoded)->frame();
    switch (frame.which()) {
      case schema::Frame::HELLO:
        return HandleHello(routing_id, principal, Gets(payload, "Peer-Address"), frame.getHello());
      case schema::Frame::PING:
        Send(routing_id, PongFrame(frame.getPing().getNonce(), clock_.NowMillis()));
        if (session == nullptr) {
          Send(routing_id, RejectFrame(schema::RejectCode::HELLO_REQUIRED, "no session: send hello"));
        }
        return;
      case schema::Frame::BYE:
        if (session != nullptr) EndSession(routing_id, "bye");
        return;
      case schema::Frame::PUBLISH:
      case schema::Frame::ACK:
      case schema::Frame::QUERY:
        if (session == nullptr) {
          return RejectFrameFrom(routing_id, schema::RejectCode::HELLO_REQUIRED,
                                 "no session on this connection (new connection or broker restart): send hello first",
                                 principal);
        }
        if (frame.which() == schema::Frame::PUBLISH) {
          return publish_->Handle(*session, frame.getPublish(), current_frame_);
        }
        if (frame.which() == schema::Frame::ACK) return HandleAck(*session, frame.getAck());
        return HandleQuery(*session, frame.getQuery());
      case schema::Frame::WELCOME:
      case schema::Frame::RECEIPT:
      case schema::Frame::REJECT:
      case schema::Frame::DELIVER:
      case schema::Frame::PONG:
      case schema::Frame::NOTICE:
      case schema::Frame::RESULT:
        return RejectFrameFrom(routing_id, schema::RejectCode::UNKNOWN_COMMAND,
                               "that command is sent by the broker, not to it", principal);
    }
    return RejectFrameFrom(routing_id, schema::RejectCode::UNKNOWN_COMMAND,
                           "unknown command " + std::to_string(static_cast<int>(frame.which())) +
                               " (client newer than broker?)",
                           principal);
  } catch (const kj::Exception& e) {
    ++malformed_frames_;
    return RejectFrameFrom(routing_id, schema::RejectCode::MALFORMED,
                           std::string("malformed frame: ") + e.getDescription().cStr(), principal);
  }
}

void Broker::HandleHello(const std::string& routing_id, const std::string& principal,
                         const std::string& peer, schema::Hello::Reader hello) {
  if (hello.getProtocolVersion() != kProtocolVersion) {
    return RejectFrameFrom(routing_id, schema::RejectCode::UNSUPPORTED_VERSION,
                           "protocol version " + std::to_string(hello.getProtocolVersion()) +
                               " is not supported; this broker speaks version 1",
                           principal);
  }
  auto policy = policy_.Get();
  const security::Principal* p = policy->FindPrincipal(principal);
  if (p == nullptr || p->revoked) {
    return RejectFrameFrom(routing_id, schema::RejectCode::UNAUTHENTICATED,
                           "principal '" + principal + "' is no longer admitted", principal);
  }
  const security::Organisation* org = policy->FindOrganisation(p->org);
  if (sessions_.Find(routing_id) != nullptr && sessions_.Remove(routing_id)) scheduler_->Detach(principal);
  delivery::Session s;
  s.routing_id = routing_id;
  s.principal = principal;
  s.org = p->org;
  s.role = p->role;
  s.client_name = std::string(hello.getClientName()).substr(0, 128);
  s.peer_address = peer;
  s.connected_ms = clock_.NowMillis();
  s.last_seen_mono_ms = clock_.MonotonicMillis();
  s.receive = hello.getReceive();
  s.window = config_.delivery_window;
  if (hello.getWindow() > 0 && hello.getWindow() < s.window) s.window = hello.getWindow();
  sessions_.Add(s);

  capnp::MallocMessageBuilder m(64);
  auto w = m.initRoot<schema::Frame>().initWelcome();
  w.setProtocolVersion(kProtocolVersion);
  w.setPrincipal(principal);
  w.setOrganisation(p->org);
  w.setRole(p->role);
  w.setClearance(static_cast<schema::Classification>(p->clearance));
  w.setServerTimeMillis(clock_.NowMillis());
  w.setBrokerName(config_.name);
  w.setWindow(s.window);
  w.setHeartbeatMillis(config_.heartbeat_ms);
  w.setSector(org ? org->sector : "");
  Send(routing_id, wire::EncodeFrame(m));
  log_.Info("session", "opened", {{"principal", principal}, {"client", s.client_name},
                                  {"receive", s.receive ? "yes" : "no"}, {"peer", peer}});

  if (s.receive) {
    std::string previous = sessions_.SetReceiver(routing_id);
    if (!previous.empty()) {
      Send(previous, NoticeFrame(schema::Notice::Kind::SUPERSEDED, 0, principal,
                                 "another session of " + principal + " now receives its messages",
                                 clock_.NowMillis()));
    }
    scheduler_->Attach(principal, routing_id, s.window);
  }
}

void Broker::HandleAck(delivery::Session& session, schema::Ack::Reader ack) {
  std::vector<uint64_t> seqs;
  seqs.reserve(ack.getSeqs().size());
  for (uint64_t seq : ack.getSeqs()) seqs.push_back(seq);
  if (seqs.size() > 100000) {
    return RejectFrameFrom(session.routing_id, schema::RejectCode::TOO_LARGE, "too many seqs in one ack",
                           session.principal);
  }
  const uint64_t request_id = ack.getRequestId();
  const std::string routing_id = session.routing_id;
  const bool acknowledged = ack.getLevel() == schema::AckLevel::ACKNOWLEDGED;
  Status s = scheduler_->Ack(session.principal, seqs, acknowledged,
                             [this, request_id, routing_id, acknowledged](const Status& st, size_t n) {
                               if (request_id == 0) return;
                               if (st.ok()) {
                                 Send(routing_id, TextResultFrame(request_id, std::string(acknowledged ? "acknowledged " : "received ") +
                                                                                  std::to_string(n)));
                               } else {
                                 Send(routing_id, RejectFrame(schema::RejectCode::UNAVAILABLE, st.message(), "", request_id));
                               }
                             });
  if (!s.ok()) {
    auto code = s.code() == StatusCode::kNotFound ? schema::RejectCode::NOT_FOUND : schema::RejectCode::UNAVAILABLE;
    ++refused_frames_;
    Send(session.routing_id, RejectFrame(code, s.message(), "", request_id));
  }
}

void Broker::HandleQuery(delivery::Session& session, schema::Query::Reader query) {
  const uint64_t id = query.getQueryId();
  capnp::MallocMessageBuilder m(256);
  auto result = m.initRoot<schema::Frame>().initResult();
  result.setQueryId(id);
  switch (query.which()) {
    case schema::Query::STATS: {
      auto st = result.initStats();
      auto commit = committer_->stats();
      const auto& pub = publish_->counters();
      const auto& del = scheduler_->stats();
      st.setUptimeMillis(clock_.MonotonicMillis() - started_mono_ms_);
      st.setSessions(static_cast<uint32_t>(sessions_.size()));
      st.setPublishesAccepted(pub.accepted);
      st.setPublishesDuplicate(pub.duplicates);
      st.setRejects(pub.rejected + malformed_frames_ + refused_frames_);
      st.setCommitBatches(commit.batches);
      st.setFsyncs(commit.syncs);
      st.setCommitRecords(commit.items);
      st.setDeliveries(del.deliveries);
      st.setRedeliveries(del.redeliveries);
      st.setAcks(del.acks);
      st.setLastSeq(publish_->last_seq());
      st.setStoreHealthy(store_.healthy());
      break;
    }
    case schema::Query::WHOAMI:
      result.setText(session.principal + " (" + session.org + ", " + session.role + ")");
      break;
    case schema::Query::DELIVERY_STATUS: {
      uint64_t seq = query.getDeliveryStatus();
      auto bytes = store_.Get(store::Column::kMessages, store::MessageKey(seq));
      if (!bytes.ok() || !bytes->has_value()) {
        Send(session.routing_id, RejectFrame(schema::RejectCode::NOT_FOUND, "no message with seq " + std::to_string(seq), "", id));
        return;
      }
      auto decoded = wire::DecodedStruct::Decode((*bytes)->data(), (*bytes)->size());
      if (!decoded.ok()) {
        Send(session.routing_id, RejectFrame(schema::RejectCode::INTERNAL, decoded.status().message(), "", id));
        return;
      }
      auto stored = (*decoded)->Get<schema::StoredMessage>();
      auto env = stored.getEnvelope();
      auto policy = policy_.Get();
      const security::Principal* asker = policy->FindPrincipal(session.principal);
      bool entitled = env.getSender() == session.principal ||
                      (asker != nullptr && (asker->role == "duty-officer" || asker->role == "auditor") &&
                       static_cast<int>(asker->clearance) >= static_cast<int>(env.getClassification()));
      if (!entitled) {
        // Same answer as for a missing message: nothing leaks about messages one may not see.
        Send(session.routing_id, RejectFrame(schema::RejectCode::NOT_FOUND, "no message with seq " + std::to_string(seq), "", id));
        return;
      }
      auto ds = result.initDeliveryStatus();
      ds.setSeq(seq);
      ds.setSender(env.getSender());
      auto recipients = stored.getRecipients();
      auto list = ds.initRecipients(recipients.size());
      for (unsigned i = 0; i < recipients.size(); ++i) {
        std::string who = recipients[i].getPrincipal();
        list[i].setPrincipal(who);
        list[i].setMatchedTerm(recipients[i].getMatchedTerm());
        auto rec = store_.Get(store::Column::kDelivery, store::DeliveryKey(seq, who));
        store::DeliveryRecord r;
        if (rec.ok() && rec->has_value()) {
          auto d = store::DecodeDeliveryRecord(**rec);
          if (d.ok()) r = *d;
        }
        list[i].setState(store::DeliveryStateName(r.state));
        list[i].setDeliveredMillis(r.delivered_ms);
        list[i].setReceivedMillis(r.received_ms);
        list[i].setAcknowledgedMillis(r.acknowledged_ms);
        list[i].setAcknowledgedBy(r.acknowledged_by);
        list[i].setAttempts(r.attempts);
        list[i].setEscalatedMillis(r.escalated_ms);
        list[i].setExpiredMillis(r.expired_ms);
      }
      break;
    }
    case schema::Query::WORKFLOW: {
      auto q = query.getWorkflow();
      const kinds::KindPlugin* plugin = kinds_.ForKind(q.getKind());
      auto policy = policy_.Get();
      const security::Principal* asker = policy->FindPrincipal(session.principal);
      if (plugin == nullptr || asker == nullptr) {
        Send(session.routing_id, RejectFrame(schema::RejectCode::INVALID, "unknown workflow kind", "", id));
        return;
      }
      kinds::Viewer viewer{session.principal, session.org, session.role, asker->clearance};
      Status s = plugin->Query(q, viewer, publish_->workflow_state(), result.initTable());
      if (!s.ok()) {
        auto code = s.code() == StatusCode::kNotFound ? schema::RejectCode::NOT_FOUND
                    : s.code() == StatusCode::kPermissionDenied ? schema::RejectCode::FORBIDDEN
                    : s.code() == StatusCode::kInvalidArgument ? schema::RejectCode::INVALID
                                                                : schema::RejectCode::INTERNAL;
        Send(session.routing_id, RejectFrame(code, s.message(), "", id));
        return;
      }
      break;
    }
    case schema::Query::AUDIT: {
      // Auditors read the log over the protocol, read-only; every such read is itself audited.
      auto policy = policy_.Get();
      const security::Principal* asker = policy->FindPrincipal(session.principal);
      if (asker == nullptr || asker->role != "auditor") {
        ++refused_frames_;
        Send(session.routing_id, RejectFrame(schema::RejectCode::FORBIDDEN,
                                             "audit queries are for principals with role auditor", "", id));
        return;
      }
      Status answered = audit::AnswerAuditQuery(store_, query.getAudit(), result);
      audit::AuditEvent queried;
      queried.event = schema::AuditLeaf::Event::QUERIED;
      queried.actor = session.principal;
      queried.org = session.org;
      queried.detail = std::string(query.getAudit().getVerb().cStr());
      if (!answered.ok()) queried.reason = answered.message();
      audit_->Defer(queried);
      if (!answered.ok()) {
        auto code = answered.code() == StatusCode::kNotFound          ? schema::RejectCode::NOT_FOUND
                    : answered.code() == StatusCode::kInvalidArgument  ? schema::RejectCode::INVALID
                    : answered.code() == StatusCode::kFailedPrecondition ? schema::RejectCode::CONFLICT
                                                                          : schema::RejectCode::INTERNAL;
        Send(session.routing_id, RejectFrame(code, answered.message(), "", id));
        return;
      }
      break;
    }
    case schema::Query::ADMIN: {
      bool answered = false;
      HandleAdmin(session, id, query.getAdmin(), result, &answered);
      if (answered) return;
      break;
    }
    default:
      Send(session.routing_id, RejectFrame(schema::RejectCode::UNKNOWN_COMMAND,
                                           "this query is not available on this broker", "", id));
      return;
  }
  Send(session.routing_id, wire::EncodeFrame(m));
}

void Broker::HandleAdmin(delivery::Session& session, uint64_t id, schema::AdminCommand::Reader command,
                         schema::Result::Builder result, bool* answered) {
  auto refuse = [&](schema::RejectCode code, const std::string& reason) {
    *answered = true;
    ++refused_frames_;
    Send(session.routing_id, RejectFrame(code, reason, "", id));
  };
  if (session.role != "admin") {
    return refuse(schema::RejectCode::FORBIDDEN, "administration needs the admin role; " + session.principal +
                                                     " has role " + session.role);
  }
  auto table = [&](std::vector<std::string> columns) {
    auto t = result.initTable();
    auto c = t.initColumns(static_cast<unsigned>(columns.size()));
    for (size_t i = 0; i < columns.size(); ++i) c.set(static_cast<unsigned>(i), columns[i]);
    return t;
  };
  auto fill_rows = [](schema::Table::Builder t, const std::vector<std::vector<std::string>>& rows) {
    auto out = t.initRows(static_cast<unsigned>(rows.size()));
    for (size_t r = 0; r < rows.size(); ++r) {
      auto cells = out[static_cast<unsigned>(r)].initCells(static_cast<unsigned>(rows[r].size()));
      for (size_t c = 0; c < rows[r].size(); ++c) cells.set(static_cast<unsigned>(c), rows[r][c]);
    }
  };
  auto policy = policy_.Get();
  switch (command.which()) {
    case schema::AdminCommand::PRINCIPALS: {
      std::vector<std::vector<std::string>> rows;
      for (const auto& p : policy->principals()) {
        const security::Organisation* org = policy->FindOrganisation(p.org);
        rows.push_back({p.id, p.org, org ? org->sector : "", p.role, std::string(security::ClearanceName(p.clearance)),
                        p.revoked ? (overrides_.revoked.count(p.id) ? "revoked (muster-admin)" : "revoked") : "active",
                        p.public_key_z85});
      }
      fill_rows(table({"principal", "org", "sector", "role", "clearance", "state", "key"}), rows);
      return;
    }
    case schema::AdminCommand::SESSIONS: {
      std::vector<std::vector<std::string>> rows;
      for (const auto& [rid, s] : sessions_.all()) {
        size_t pending = 0;
        std::string prefix = store::PendingPrefix(s.principal);
        (void)store_.Scan(store::Column::kPending, prefix, store::PrefixEnd(prefix), [&](auto, auto) {
          return ++pending < 100000;
        });
        rows.push_back({s.principal, s.org, s.role, s.client_name, s.peer_address, FormatInstant(s.connected_ms, 0),
                        s.receive ? "yes" : "no", std::to_string(scheduler_->InflightCount(s.principal)),
                        pending >= 100000 ? "100000+" : std::to_string(pending)});
      }
      fill_rows(table({"principal", "org", "role", "client", "peer", "since", "receiving", "unacked", "pending"}),
                rows);
      return;
    }
    case schema::AdminCommand::RELOAD: {
      Status r = ReloadPolicy("muster-admin reload", session.principal);
      if (!r.ok()) {
        log_.Error("policy", "reload refused; the previous policy stays in force", {{"error", r.message()}});
        return refuse(schema::RejectCode::INVALID, r.message() + " (the previous policy stays in force)");
      }
      auto now = policy_.Get();
      result.setText("policy reloaded from " + config_.policy + ": " + std::to_string(now->principals().size()) +
                     " principals, " + std::to_string(now->rules().size()) + " rules");
      return;
    }
    case schema::AdminCommand::REVOKE:
    case schema::AdminCommand::RESTORE: {
      bool revoke = command.which() == schema::AdminCommand::REVOKE;
      std::string target = revoke ? command.getRevoke() : command.getRestore();
      if (policy->FindPrincipal(target) == nullptr) {
        return refuse(schema::RejectCode::NOT_FOUND, "no principal '" + target + "' in the policy");
      }
      if (revoke && target == session.principal) {
        return refuse(schema::RejectCode::CONFLICT, "an administrator cannot revoke itself");
      }
      if (revoke) overrides_.revoked.insert(target);
      else overrides_.revoked.erase(target);
      StoreOverrides(overrides_, audit_->deferred_writes());
      Status r = ReloadPolicy(revoke ? "muster-admin revoke " + target : "muster-admin restore " + target,
                              session.principal);
      if (!r.ok()) {
        // The file is broken: apply the change to the policy in force.
        policy_.Set(WithOverrides(*policy, overrides_));
        RecordPolicy(revoke ? "muster-admin revoke " + target : "muster-admin restore " + target, session.principal);
        EnforceRevocations();
      }
      const security::Principal* now = policy_.Get()->FindPrincipal(target);
      result.setText(target + (now && now->revoked ? " is revoked: new connections are refused, live sessions closed, "
                                                      "pending messages kept"
                                                    : " is admitted again"));
      return;
    }
    case schema::AdminCommand::SET_KEY: {
      std::string target = command.getSetKey().getPrincipal();
      std::string key = command.getSetKey().getPublicKey();
      auto raw = security::DecodeZ85Key(key);
      if (!raw.ok()) return refuse(schema::RejectCode::INVALID, "new key: " + raw.status().message());
      if (policy->FindPrincipal(target) == nullptr) {
        return refuse(schema::RejectCode::NOT_FOUND, "no principal '" + target + "' in the policy");
      }
      const security::Principal* holder = policy->FindPrincipalByKey(*raw);
      if (holder != nullptr && holder->id != target) {
        return refuse(schema::RejectCode::CONFLICT, "that key already belongs to " + holder->id);
      }
      overrides_.keys[target] = key;
      StoreOverrides(overrides_, audit_->deferred_writes());
      policy_.Set(WithOverrides(*policy_.Get(), overrides_));
      RecordPolicy("muster-admin set-key " + target, session.principal);
      // Sessions opened with the old key end; the principal reconnects with its new key and gets
      // everything still pending for it.
      for (const auto& rid : sessions_.SessionsOf(target)) {
        Send(rid, NoticeFrame(schema::Notice::Kind::REVOKED, 0, target, "this key was replaced; reconnect with the new key",
                              clock_.NowMillis()));
        EndSession(rid, "key replaced");
      }
      result.setText(target + " now authenticates with key " + key + "; pending messages are kept");
      return;
    }
    case schema::AdminCommand::BACKUP: {
      std::string dir = command.getBackup();
      if (dir.empty() || dir[0] != '/') {
        return refuse(schema::RejectCode::INVALID, "backup needs an absolute directory path on the broker's machine");
      }
      if (PathExists(dir + "/db")) return refuse(schema::RejectCode::CONFLICT, dir + " already holds a backup");
      if (Status d = MakeDirs(dir, 0700); !d.ok()) return refuse(schema::RejectCode::UNAVAILABLE, d.message());
      WaitForCommits();  // everything confirmed so far is in the backup
      Status made = store_.CreateCheckpoint(dir + "/db");
      if (!made.ok()) return refuse(schema::RejectCode::UNAVAILABLE, made.message());
      std::string manifest = "broker " + config_.name + "\ntime " + FormatInstant(clock_.NowMillis(), 0) +
                             "\nlast_seq " + std::to_string(publish_->last_seq()) + "\naudit_size " +
                             std::to_string(audit_->durable_size()) + "\n\nlast checkpoint:\n" +
                             audit_->last_checkpoint();
      Status written = WriteFileAtomic(dir + "/MANIFEST", manifest, 0644);
      if (!written.ok()) return refuse(schema::RejectCode::UNAVAILABLE, written.message());
      log_.Info("backup", "created", {{"dir", dir}, {"by", session.principal}, {"last_seq", std::to_string(publish_->last_seq())}});
      result.setText("backup written to " + dir + " (last seq " + std::to_string(publish_->last_seq()) +
                     ", audit size " + std::to_string(audit_->durable_size()) + ")");
      return;
    }
    case schema::AdminCommand::HEALTH: {
      bool healthy = store_.healthy() && !audit_->checkpointing_halted();
      result.setText(std::string(healthy ? "healthy" : "UNHEALTHY") + ": store " +
                     (store_.healthy() ? "writable" : "refusing writes") + ", audit " +
                     (audit_->checkpointing_halted() ? "checkpointing halted" : "ok") + ", " +
                     std::to_string(sessions_.size()) + " sessions, last seq " + std::to_string(publish_->last_seq()) +
                     ", audit size " + std::to_string(audit_->size()));
      return;
    }
  }
  refuse(schema::RejectCode::UNKNOWN_COMMAND, "unknown admin command");
}

void Broker::EndSession(const std::string& routing_id, const std::string& reason) {
  delivery::Session* s = sessions_.Find(routing_id);
  if (s == nullptr) return;
  std::string principal = s->principal;
  log_.Info("session", "closed", {{"principal", principal}, {"reason", reason}});
  if (sessions_.Remove(routing_id)) scheduler_->Detach(principal);
}

void Broker::SweepSessions() {
  int64_t cutoff = clock_.MonotonicMillis() - static_cast<int64_t>(config_.session_timeout_ms);
  for (const auto& id : sessions_.SilentSince(cutoff)) EndSession(id, "silent past the session timeout");
}

void Broker::MaybeRecoverStore() {
  if (store_.healthy() || committer_->outstanding() > 0) return;
  Status s = store_.Resume();
  if (!s.ok()) {
    log_.Warn("store", "still refusing writes", {{"error", s.ToString()}});
    return;
  }
  // Leaves appended while the store refused writes never reached it: take the tree's size and right
  // edge from the store again, or the next leaves would leave a hole in the log.
  if (Status a = audit_->Recover(); !a.ok()) {
    log_.Error("audit", "cannot reload the audit log after the store resumed", {{"error", a.ToString()}});
  }
  Status r = publish_->Recover();
  scheduler_->SetDurableSeq(publish_->last_seq());
  log_.Info("store", "writes resumed", {{"last_seq", std::to_string(publish_->last_seq())}, {"recover", r.ToString()}});
}

}  // namespace muster::broker
