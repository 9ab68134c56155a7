// Client connection: CURVE, hello/welcome, publish with retry, receive, ack, query.
#include "adapters/sdk/connection.h"

#include <zmq_addon.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>

#include "security/curve_keys.h"

namespace muster::client {
namespace {

constexpr uint32_t kProtocolVersion = 1;

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string EnvOr(const std::string& value, const char* name) {
  if (!value.empty()) return value;
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

// The broker's public key: Z85 text, or a file holding it.
Result<std::string> ResolveServerKey(const std::string& text) {
  if (text.size() == 40 && security::DecodeZ85Key(text).ok()) return text;
  auto key = security::LoadCurvePublicKeyFile(text);
  if (!key.ok()) {
    return Status::InvalidArgument("server key '" + text +
                                   "' is neither a 40-character Z85 key nor a readable .pub file (" +
                                   key.status().message() + ")");
  }
  return *key;
}

}  // namespace

Status ResolveConnectOptions(ConnectOptions* o) {
  o->broker = EnvOr(o->broker, "MUSTER_BROKER");
  o->key_file = EnvOr(o->key_file, "MUSTER_KEY");
  o->server_key = EnvOr(o->server_key, "MUSTER_SERVER_KEY");
  if (o->broker.empty()) return Status::InvalidArgument("no broker: give --broker ENDPOINT or set MUSTER_BROKER");
  if (o->key_file.empty()) return Status::InvalidArgument("no key: give --key FILE or set MUSTER_KEY");
  if (o->server_key.empty()) {
    return Status::InvalidArgument("no server key: give --server-key FILE|KEY or set MUSTER_SERVER_KEY");
  }
  return Status::Ok();
}

const char* ClearanceText(schema::Classification c) {
  switch (c) {
    case schema::Classification::PUBLIC: return "public";
    case schema::Classification::INTERNAL: return "internal";
    case schema::Classification::RESTRICTED: return "restricted";
    case schema::Classification::CONFIDENTIAL: return "confidential";
  }
  return "public";
}

Status RejectToStatus(schema::Reject::Reader reject) {
  std::string reason = reject.getReason();
  switch (reject.getCode()) {
    case schema::RejectCode::MALFORMED: return Status::InvalidArgument("malformed: " + reason);
    case schema::RejectCode::UNKNOWN_COMMAND: return Status::InvalidArgument("unknown-command: " + reason);
    case schema::RejectCode::TOO_LARGE: return Status::InvalidArgument("too-large: " + reason);
    case schema::RejectCode::INVALID: return Status::InvalidArgument("invalid: " + reason);
    case schema::RejectCode::UNAUTHENTICATED: return Status::Unauthenticated("unauthenticated: " + reason);
    case schema::RejectCode::FORBIDDEN: return Status::PermissionDenied("forbidden: " + reason);
    case schema::RejectCode::NO_RECIPIENTS: return Status::FailedPrecondition("no-recipients: " + reason);
    case schema::RejectCode::OVERLOADED: {
      std::string retry = reject.getRetryAfterMillis() > 0
                              ? " (retry after " + std::to_string(reject.getRetryAfterMillis()) + " ms)"
                              : "";
      return Status::Overloaded("overloaded: " + reason + retry);
    }
    case schema::RejectCode::UNAVAILABLE: return Status::Unavailable("unavailable: " + reason);
    case schema::RejectCode::NOT_FOUND: return Status::NotFound("not-found: " + reason);
    case schema::RejectCode::CONFLICT: return Status::FailedPrecondition("conflict: " + reason);
    case schema::RejectCode::HELLO_REQUIRED: return Status::FailedPrecondition("hello-required: " + reason);
    case schema::RejectCode::UNSUPPORTED_VERSION: return Status::FailedPrecondition("unsupported-version: " + reason);
    case schema::RejectCode::INTERNAL: return Status::Internal("internal: " + reason);
  }
  return Status::Internal("rejected: " + reason);
}

Result<std::unique_ptr<Connection>> Connection::Open(zmq::context_t& context, const ConnectOptions& options) {
  std::unique_ptr<Connection> c(new Connection());
  MUSTER_RETURN_IF_ERROR(c->Setup(context, options));
  int64_t deadline = MonoMs() + options.timeout_ms;
  while (!c->welcomed_) {
    int64_t left = deadline - MonoMs();
    if (left <= 0) return c->ConnectionProblem();
    auto frame = c->Poll(static_cast<int>(std::min<int64_t>(left, 200)));
    if (!frame.ok()) return frame.status();
    if (*frame == nullptr) continue;
    auto f = (*frame)->frame();
    if (f.which() == schema::Frame::REJECT) return RejectToStatus(f.getReject());
    c->backlog_.push_back(std::move(*frame));
  }
  return c;
}

Connection::~Connection() {
  if (monitor_) {
    zmq_socket_monitor(socket_->handle(), nullptr, 0);
    monitor_->close();
  }
  if (socket_) socket_->close();
}

Status Connection::Setup(zmq::context_t& context, const ConnectOptions& options) {
  options_ = options;
  context_ = &context;
  auto mine = security::LoadCurveSecretKeyFile(options.key_file);
  if (!mine.ok()) return Status::InvalidArgument("key: " + mine.status().message());
  my_public_ = mine->public_z85;
  my_secret_ = mine->secret_z85;
  // Several server keys (comma-separated) during a broker key rotation: any of them is accepted.
  size_t start = 0;
  while (start <= options.server_key.size()) {
    size_t comma = options.server_key.find(',', start);
    std::string item = options.server_key.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? options.server_key.size() + 1 : comma + 1;
    if (item.empty()) continue;
    auto server = ResolveServerKey(item);
    if (!server.ok()) return server.status();
    server_keys_.push_back(*server);
  }
  if (server_keys_.empty()) return Status::InvalidArgument("no server key given");
  return OpenSocket(0);
}

Status Connection::OpenSocket(size_t key_index) {
  zmq::context_t& context = *context_;
  key_index_ = key_index;
  key_since_ms_ = MonoMs();
  handshake_failures_ = 0;
  handshake_ok_ = false;
  auth_refused_ = false;
  if (monitor_) {
    zmq_socket_monitor(socket_->handle(), nullptr, 0);
    monitor_->close();
    monitor_.reset();
  }
  if (socket_) {
    socket_->close();
    socket_.reset();
  }
  const std::string& server = server_keys_[key_index];
  static std::atomic<uint64_t> counter{0};
  std::string monitor_endpoint = "inproc://muster-client-monitor-" + std::to_string(counter.fetch_add(1)) +
                                 "-" + std::to_string(reinterpret_cast<uintptr_t>(this));
  try {
    socket_ = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
    socket_->set(zmq::sockopt::curve_serverkey, server);
    socket_->set(zmq::sockopt::curve_publickey, my_public_);
    socket_->set(zmq::sockopt::curve_secretkey, my_secret_);
    socket_->set(zmq::sockopt::linger, 0);
    socket_->set(zmq::sockopt::reconnect_ivl, 100);
    socket_->set(zmq::sockopt::reconnect_ivl_max, 2000);
    socket_->set(zmq::sockopt::heartbeat_ivl, 2000);
    socket_->set(zmq::sockopt::heartbeat_timeout, 6000);
    socket_->set(zmq::sockopt::sndhwm, 100000);
    socket_->set(zmq::sockopt::rcvhwm, 100000);
    int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                 ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CONNECT_RETRIED;
    if (zmq_socket_monitor(socket_->handle(), monitor_endpoint.c_str(), events) != 0) {
      return Status::Internal("cannot monitor the client socket");
    }
    monitor_ = std::make_unique<zmq::socket_t>(context, zmq::socket_type::pair);
    monitor_->set(zmq::sockopt::linger, 0);
    monitor_->connect(monitor_endpoint);
    socket_->connect(options_.broker);
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument("cannot connect to '" + options_.broker + "': " + e.what());
  }
  welcomed_ = false;
  return SendHello();
}

Status Connection::SendHello() {
  capnp::MallocMessageBuilder m(64);
  auto hello = m.initRoot<schema::Frame>().initHello();
  hello.setProtocolVersion(kProtocolVersion);
  hello.setClientName(options_.client_name);
  hello.setReceive(options_.receive);
  hello.setWindow(options_.window);
  return SendEncoded(wire::EncodeFrame(m));
}

Status Connection::SendEncoded(const std::string& bytes) {
  try {
    zmq::message_t msg(bytes.data(), bytes.size());
    if (!socket_->send(msg, zmq::send_flags::dontwait)) {
      return Status::Overloaded("the outgoing queue to the broker is full");
    }
    last_sent_mono_ms_ = MonoMs();
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::Unavailable(std::string("send: ") + e.what());
  }
}

Status Connection::ConnectionProblem() const {
  const std::string& b = options_.broker;
  if (auth_refused_) {
    return Status::Unauthenticated("the broker at " + b +
                                   " refused this key: it is not in the broker's policy, or it was revoked");
  }
  if (!handshake_ok_ && handshake_failures_ > 0) {
    return Status::Unauthenticated("the secure handshake with " + b +
                                   " failed: check that --server-key is this broker's public key");
  }
  if (!handshake_ok_ && connect_retries_ > 0) {
    return Status::Unavailable("the broker at " + b + " is unreachable (connection refused): is musterd running there?");
  }
  if (!handshake_ok_) {
    return Status::DeadlineExceeded("no secure connection to " + b + " within " +
                                    std::to_string(options_.timeout_ms / 1000) +
                                    " s: check the endpoint, the server key and that musterd is running");
  }
  return Status::DeadlineExceeded("the broker at " + b + " accepted the connection but did not answer within " +
                                  std::to_string(options_.timeout_ms / 1000) + " s");
}

void Connection::HandleMonitorEvents() {
  for (;;) {
    std::vector<zmq::message_t> parts;
    try {
      if (!zmq::recv_multipart(*monitor_, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t&) {
      return;
    }
    if (parts.empty() || parts[0].size() < 6) continue;
    uint16_t event;
    std::memcpy(&event, parts[0].data(), sizeof(event));
    switch (event) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        handshake_ok_ = true;
        auth_refused_ = false;
        if (welcomed_) {
          // A new connection (network drop or broker restart): the broker has no session for
          // it yet, so say hello again before anything else.
          welcomed_ = false;
          (void)SendHello();
        }
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        auth_refused_ = true;
        break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        ++handshake_failures_;
        break;
      case ZMQ_EVENT_CONNECT_RETRIED:
        ++connect_retries_;
        break;
      case ZMQ_EVENT_DISCONNECTED:
        // A connection that never completed its handshake counts as a failed handshake; a working
        // one that drops (the broker restarts) does not.
        if (!handshake_ok_) ++handshake_failures_;
        handshake_ok_ = false;
        break;
      default:
        break;
    }
  }
}

void Connection::MaybePing() {
  if (!welcomed_) return;
  int64_t interval = std::max<int64_t>(200, welcome_.heartbeat_ms / 2);
  if (MonoMs() - last_sent_mono_ms_ < interval) return;
  capnp::MallocMessageBuilder m(16);
  m.initRoot<schema::Frame>().initPing().setNonce(static_cast<uint64_t>(MonoMs()));
  (void)SendEncoded(wire::EncodeFrame(m));
}

Result<std::unique_ptr<wire::DecodedFrame>> Connection::Poll(int timeout_ms) {
  int64_t deadline = MonoMs() + timeout_ms;
  for (;;) {
    MaybePing();
    zmq::pollitem_t items[2] = {{socket_->handle(), 0, ZMQ_POLLIN, 0}, {monitor_->handle(), 0, ZMQ_POLLIN, 0}};
    int64_t left = std::max<int64_t>(0, deadline - MonoMs());
    int64_t wait = welcomed_ ? std::min<int64_t>(left, std::max<int64_t>(100, welcome_.heartbeat_ms / 2)) : left;
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(wait));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return Status::Unavailable(std::string("poll: ") + e.what());
    }
    if (items[1].revents & ZMQ_POLLIN) HandleMonitorEvents();
    if (server_keys_.size() > 1 && !handshake_ok_ && handshake_failures_ >= 2 && MonoMs() - key_since_ms_ > 300) {
      // This server key does not complete a handshake: the broker may have rotated its key.
      MUSTER_RETURN_IF_ERROR(OpenSocket((key_index_ + 1) % server_keys_.size()));
      continue;
    }
    if (auth_refused_ && !welcomed_) return ConnectionProblem();
    if (items[0].revents & ZMQ_POLLIN) {
      zmq::message_t msg;
      try {
        if (!socket_->recv(msg, zmq::recv_flags::dontwait)) continue;
      } catch (const zmq::error_t& e) {
        return Status::Unavailable(std::string("receive: ") + e.what());
      }
      // The broker is authenticated and trusted not to amplify; callers read results freely.
      auto decoded = wire::DecodedFrame::Decode(msg.data(), msg.size(), {64u << 20, 16, 1024});
      if (!decoded.ok()) return Status::Internal("unreadable frame from the broker: " + decoded.status().message());
      auto f = (*decoded)->frame();
      switch (f.which()) {
        case schema::Frame::PONG:
          continue;
        case schema::Frame::WELCOME: {
          auto w = f.getWelcome();
          welcome_.principal = w.getPrincipal();
          welcome_.organisation = w.getOrganisation();
          welcome_.sector = w.getSector();
          welcome_.role = w.getRole();
          welcome_.clearance = ClearanceText(w.getClearance());
          welcome_.broker_name = w.getBrokerName();
          welcome_.window = w.getWindow();
          welcome_.heartbeat_ms = w.getHeartbeatMillis() > 0 ? w.getHeartbeatMillis() : 5000;
          welcome_.server_time_ms = w.getServerTimeMillis();
          welcomed_ = true;
          continue;
        }
        case schema::Frame::REJECT:
          if (f.getReject().getCode() == schema::RejectCode::HELLO_REQUIRED) {
            // The broker lost our session (it restarted): say hello again; the caller resends.
            welcomed_ = false;
            (void)SendHello();
          }
          return std::move(*decoded);
        default:
          return std::move(*decoded);
      }
    }
    if (MonoMs() >= deadline) return std::unique_ptr<wire::DecodedFrame>();
  }
}

Result<std::unique_ptr<wire::DecodedFrame>> Connection::Receive(int timeout_ms) {
  if (!backlog_.empty()) {
    auto f = std::move(backlog_.front());
    backlog_.pop_front();
    return f;
  }
  return Poll(timeout_ms);
}

Status Connection::SendPublish(const std::string& client_message_id,
                               const std::function<void(schema::Envelope::Builder)>& fill) {
  capnp::MallocMessageBuilder m(256);
  auto publish = m.initRoot<schema::Frame>().initPublish();
  publish.setClientMessageId(client_message_id);
  fill(publish.initEnvelope());
  return SendEncoded(wire::EncodeFrame(m));
}

Result<ReceiptInfo> Connection::Publish(const std::string& client_message_id,
                                        const std::function<void(schema::Envelope::Builder)>& fill,
                                        int timeout_ms) {
  capnp::MallocMessageBuilder m(256);
  auto publish = m.initRoot<schema::Frame>().initPublish();
  publish.setClientMessageId(client_message_id);
  fill(publish.initEnvelope());
  const std::string bytes = wire::EncodeFrame(m);
  MUSTER_RETURN_IF_ERROR(SendEncoded(bytes));
  int64_t deadline = MonoMs() + timeout_ms;
  int64_t retry_ms = 2000;
  int64_t resend_at = MonoMs() + retry_ms;
  bool resend_after_welcome = false;
  while (MonoMs() < deadline) {
    int64_t wait = std::max<int64_t>(1, std::min(resend_at, deadline) - MonoMs());
    auto frame = Poll(static_cast<int>(wait));
    if (!frame.ok()) return frame.status();
    if (resend_after_welcome && welcomed_) {
      resend_after_welcome = false;
      (void)SendEncoded(bytes);
      resend_at = MonoMs() + retry_ms;
    }
    if (*frame != nullptr) {
      auto f = (*frame)->frame();
      if (f.which() == schema::Frame::RECEIPT && f.getReceipt().getClientMessageId() == client_message_id) {
        auto r = f.getReceipt();
        return ReceiptInfo{client_message_id, r.getSeq(), r.getLeafIndex(), r.getDuplicate(),
                           r.getRecipients(), r.getReceivedMillis()};
      }
      if (f.which() == schema::Frame::REJECT) {
        auto r = f.getReject();
        if (r.getCode() == schema::RejectCode::HELLO_REQUIRED) {
          resend_after_welcome = true;  // re-hello was sent by Poll; resend once welcomed
          continue;
        }
        if (r.getClientMessageId() == client_message_id) return RejectToStatus(r);
      }
      backlog_.push_back(std::move(*frame));
      continue;
    }
    if (MonoMs() >= resend_at) {
      // No answer: resend with the same id. The broker deduplicates, so this is always safe.
      if (welcomed_) (void)SendEncoded(bytes);
      else resend_after_welcome = true;
      retry_ms = std::min<int64_t>(retry_ms * 2, 8000);
      resend_at = MonoMs() + retry_ms;
    }
  }
  if (!welcomed_) return ConnectionProblem();
  return Status::DeadlineExceeded("no receipt from the broker within " + std::to_string(timeout_ms / 1000) +
                                  " s; the message may or may not have been accepted — retrying with the "
                                  "same id (" + client_message_id + ") is safe");
}

Status Connection::Ack(const std::vector<uint64_t>& seqs, bool acknowledged) {
  if (seqs.empty()) return Status::Ok();
  capnp::MallocMessageBuilder m(64);
  auto ack = m.initRoot<schema::Frame>().initAck();
  auto list = ack.initSeqs(static_cast<unsigned>(seqs.size()));
  for (size_t i = 0; i < seqs.size(); ++i) list.set(static_cast<unsigned>(i), seqs[i]);
  ack.setLevel(acknowledged ? schema::AckLevel::ACKNOWLEDGED : schema::AckLevel::RECEIVED);
  return SendEncoded(wire::EncodeFrame(m));
}

Status Connection::AckConfirmed(const std::vector<uint64_t>& seqs, bool acknowledged, int timeout_ms) {
  uint64_t id = next_request_id_++;
  capnp::MallocMessageBuilder m(64);
  auto ack = m.initRoot<schema::Frame>().initAck();
  auto list = ack.initSeqs(static_cast<unsigned>(seqs.size()));
  for (size_t i = 0; i < seqs.size(); ++i) list.set(static_cast<unsigned>(i), seqs[i]);
  ack.setLevel(acknowledged ? schema::AckLevel::ACKNOWLEDGED : schema::AckLevel::RECEIVED);
  ack.setRequestId(id);
  MUSTER_RETURN_IF_ERROR(SendEncoded(wire::EncodeFrame(m)));
  int64_t deadline = MonoMs() + timeout_ms;
  while (MonoMs() < deadline) {
    auto frame = Poll(static_cast<int>(std::max<int64_t>(1, deadline - MonoMs())));
    if (!frame.ok()) return frame.status();
    if (*frame == nullptr) continue;
    auto f = (*frame)->frame();
    if (f.which() == schema::Frame::RESULT && f.getResult().getQueryId() == id) return Status::Ok();
    if (f.which() == schema::Frame::REJECT && f.getReject().getQueryId() == id) return RejectToStatus(f.getReject());
    backlog_.push_back(std::move(*frame));
  }
  return Status::DeadlineExceeded("the broker did not confirm the ack within " + std::to_string(timeout_ms / 1000) + " s");
}

Result<std::unique_ptr<wire::DecodedFrame>> Connection::Query(
    const std::function<void(schema::Query::Builder)>& fill, int timeout_ms) {
  uint64_t id = next_request_id_++;
  capnp::MallocMessageBuilder m(64);
  auto q = m.initRoot<schema::Frame>().initQuery();
  fill(q);
  q.setQueryId(id);
  MUSTER_RETURN_IF_ERROR(SendEncoded(wire::EncodeFrame(m)));
  int64_t deadline = MonoMs() + timeout_ms;
  while (MonoMs() < deadline) {
    auto frame = Poll(static_cast<int>(std::max<int64_t>(1, deadline - MonoMs())));
    if (!frame.ok()) return frame.status();
    if (*frame == nullptr) continue;
    auto f = (*frame)->frame();
    if (f.which() == schema::Frame::RESULT && f.getResult().getQueryId() == id) return std::move(*frame);
    if (f.which() == schema::Frame::REJECT && f.getReject().getQueryId() == id) return RejectToStatus(f.getReject());
    backlog_.push_back(std::move(*frame));
  }
  return Status::DeadlineExceeded("the broker did not answer the query within " + std::to_string(timeout_ms / 1000) + " s");
}

void Connection::Close() {
  capnp::MallocMessageBuilder m(16);
  m.initRoot<schema::Frame>().setBye();
  (void)SendEncoded(wire::EncodeFrame(m));
}

}  // namespace muster::client
