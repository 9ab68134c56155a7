// The agency's sending session: publish the outbox, run queries and acks.
#include "adapters/gateway/broker_link.h"

#include <capnp/message.h>
#include <kj/exception.h>

#include <chrono>
#include <set>

#include "schemas/frame_codec.h"

namespace muster::gateway {
namespace {

constexpr int64_t kResendMs = 5000;   // no receipt by then: send again (the broker dedups)
constexpr int64_t kScanMs = 1000;     // how often the store is looked at without a Wake
constexpr size_t kMaxInFlight = 128;  // sent, not yet answered
constexpr int kReceiveSliceMs = 5;    // how long the thread blocks on the socket at a time

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Refusals that retrying cannot change (the entry is then marked refused).
bool Permanent(schema::RejectCode code) {
  switch (code) {
    case schema::RejectCode::MALFORMED:
    case schema::RejectCode::UNKNOWN_COMMAND:
    case schema::RejectCode::TOO_LARGE:
    case schema::RejectCode::INVALID:
    case schema::RejectCode::FORBIDDEN:
    case schema::RejectCode::NO_RECIPIENTS:
    case schema::RejectCode::NOT_FOUND:
    case schema::RejectCode::CONFLICT:
      return true;
    default:
      return false;
  }
}

}  // namespace

BrokerLink::BrokerLink(zmq::context_t& context, client::ConnectOptions options, std::string agency,
                       SubmissionStore& store, Logger& log)
    : context_(context),
      options_(std::move(options)),
      agency_(std::move(agency)),
      store_(store),
      log_(log) {}

BrokerLink::~BrokerLink() { Stop(); }

void BrokerLink::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void BrokerLink::Stop() {
  stopping_ = true;
  work_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BrokerLink::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  work_.notify_all();
}

Result<nlohmann::ordered_json> BrokerLink::Call(Job job, int timeout_ms) {
  if (!connected_) {
    std::lock_guard<std::mutex> lock(mu_);
    return Status::Unavailable(
        "unavailable: " +
        (last_problem_.empty() ? std::string("not connected to the broker yet") : last_problem_));
  }
  auto call = std::make_shared<PendingCall>();
  call->job = std::move(job);
  call->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto answer = call->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(call);
  }
  work_.notify_all();
  // The job itself is bounded by `timeout_ms`; the margin covers the wait for its turn.
  if (answer.wait_for(std::chrono::milliseconds(timeout_ms + 2000)) != std::future_status::ready) {
    return Status::DeadlineExceeded("unavailable: the broker did not answer within " +
                                    std::to_string(timeout_ms / 1000) + " s");
  }
  return answer.get();
}

void BrokerLink::WaitForStop(int ms) {
  std::unique_lock<std::mutex> lock(mu_);
  work_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load(); });
}

void BrokerLink::FailCalls(const Status& why) {
  std::deque<std::shared_ptr<PendingCall>> calls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    calls.swap(calls_);
  }
  for (auto& c : calls) c->done.set_value(why);
}

void BrokerLink::RunCalls() {
  for (;;) {
    std::shared_ptr<PendingCall> call;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (calls_.empty()) return;
      call = calls_.front();
      calls_.pop_front();
    }
    if (std::chrono::steady_clock::now() >= call->deadline) {
      call->done.set_value(
          Status::DeadlineExceeded("unavailable: the gateway was busy; try again"));
      continue;
    }
    Result<nlohmann::ordered_json> answer = Status::Internal("internal: no answer");
    try {
      answer = call->job(*conn_);
    } catch (const kj::Exception& e) {
      answer = Status::Internal(std::string("internal: unreadable answer from the broker: ") +
                                e.getDescription().cStr());
    }
    call->done.set_value(std::move(answer));
  }
}

void BrokerLink::Connect() {
  client::ConnectOptions o = options_;
  o.receive = false;
  auto c = client::Connection::Open(context_, o);
  std::string problem;
  if (!c.ok()) {
    problem = c.status().message();
  } else if ((*c)->welcome().principal != agency_) {
    problem = "the key " + options_.key_file + " belongs to principal '" +
              (*c)->welcome().principal + "', not to agency '" + agency_ +
              "': fix key_file or name in the configuration";
    (*c)->Close();
    log_.Error("gateway", "wrong key for the agency", {{"agency", agency_}, {"reason", problem}});
    backoff_ms_ = 30000;
  }
  if (!problem.empty()) {
    bool first;
    {
      std::lock_guard<std::mutex> lock(mu_);
      first = problem != last_problem_;
      last_problem_ = problem;
    }
    if (first)
      log_.Warn("gateway", "not connected to the broker; submissions wait in the outbox",
                {{"agency", agency_}, {"reason", problem}});
    unreachable_ = true;
    next_connect_ms_ = MonoMs() + backoff_ms_;
    backoff_ms_ = std::min<int64_t>(backoff_ms_ * 2, 5000);
    FailCalls(Status::Unavailable("unavailable: " + problem));
    return;
  }
  conn_ = std::move(c).value();
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_problem_.clear();
  }
  connected_ = true;
  unreachable_ = false;
  backoff_ms_ = 500;
  resend_at_.clear();  // everything pending goes (again) on this connection
  next_scan_ms_ = 0;
  log_.Info("gateway", "connected to the broker",
            {{"agency", agency_},
             {"broker", options_.broker},
             {"pending", std::to_string(store_.pending_count())}});
}

void BrokerLink::Disconnect(const Status& why) {
  log_.Warn("gateway", "connection to the broker dropped",
            {{"agency", agency_}, {"reason", why.message()}});
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_problem_ = why.message();
  }
  connected_ = false;
  conn_.reset();
  next_connect_ms_ = MonoMs() + 1000;
  FailCalls(Status::Unavailable("unavailable: " + why.message()));
}

void BrokerLink::SendDue() {
  const int64_t now = MonoMs();
  bool woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken = woken_;
    woken_ = false;
  }
  if (!woken && now < next_scan_ms_) return;
  next_scan_ms_ = now + kScanMs;
  std::vector<client::OutboxEntry> pending = store_.Pending();
  std::set<std::string> ids;
  for (const auto& e : pending) ids.insert(e.id);
  size_t in_flight = 0;
  for (auto it = resend_at_.begin(); it != resend_at_.end();) {
    if (!ids.count(it->first)) {
      it = resend_at_.erase(it);
      continue;
    }
    if (it->second > now) ++in_flight;
    ++it;
  }
  for (const auto& e : pending) {
    auto at = resend_at_.find(e.id);
    if (at != resend_at_.end() && at->second > now) continue;
    if (in_flight >= kMaxInFlight) break;
    auto decoded = wire::DecodedStruct::Decode(e.envelope.data(), e.envelope.size());
    if (!decoded.ok()) {
      log_.Error("gateway", "unreadable outbox entry; refused",
                 {{"agency", agency_}, {"id", e.id}});
      (void)store_.MarkRefused(
          e.id, "internal: the stored document is unreadable: " + decoded.status().message());
      continue;
    }
    std::string bytes;
    try {
      capnp::MallocMessageBuilder m(1024);
      auto publish = m.initRoot<schema::Frame>().initPublish();
      publish.setClientMessageId(e.id);
      publish.setEnvelope((*decoded)->Get<schema::Envelope>());
      publish.getEnvelope().setClientMessageId(e.id);
      bytes = wire::EncodeFrame(m);
    } catch (const kj::Exception& ex) {
      (void)store_.MarkRefused(e.id, std::string("internal: the stored document is unreadable: ") +
                                         ex.getDescription().cStr());
      continue;
    }
    if (!conn_->SendEncoded(bytes).ok()) break;  // the queue to the broker is full: next round
    resend_at_[e.id] = now + kResendMs;
    ++in_flight;
  }
}

void BrokerLink::HandleFrame(const wire::DecodedFrame& frame) {
  auto f = frame.frame();
  switch (f.which()) {
    case schema::Frame::RECEIPT: {
      auto r = f.getReceipt();
      const std::string id = r.getClientMessageId();
      resend_at_.erase(id);
      auto entry = store_.Find(id);
      if (!entry || entry->state != client::OutboxState::kPending) return;
      client::ReceiptInfo info{id,
                               r.getSeq(),
                               r.getLeafIndex(),
                               r.getDuplicate(),
                               r.getRecipients(),
                               r.getReceivedMillis()};
      Status s = store_.MarkDone(id, info);
      if (!s.ok()) {
        // Not recorded: it stays pending and is sent again; the broker repeats the receipt.
        log_.Error("gateway", "cannot record a receipt",
                   {{"agency", agency_}, {"id", id}, {"reason", s.message()}});
        return;
      }
      log_.Info("gateway", "published",
                {{"agency", agency_},
                 {"id", id},
                 {"seq", std::to_string(info.seq)},
                 {"recipients", std::to_string(info.recipients)}});
      return;
    }
    case schema::Frame::REJECT: {
      auto r = f.getReject();
      const int64_t now = MonoMs();
      if (r.getCode() == schema::RejectCode::HELLO_REQUIRED) {
        // The broker lost the session (it restarted); the connection says hello again: send
        // everything unanswered once more shortly.
        for (auto& [id, at] : resend_at_) at = now + 500;
        return;
      }
      const std::string id = r.getClientMessageId();
      if (id.empty() || !resend_at_.count(id)) return;
      if (Permanent(r.getCode())) {
        resend_at_.erase(id);
        const std::string reason = client::RejectToStatus(r).message();
        Status s = store_.MarkRefused(id, reason);
        if (!s.ok()) {
          log_.Error("gateway", "cannot record a refusal",
                     {{"agency", agency_}, {"id", id}, {"reason", s.message()}});
          return;
        }
        log_.Warn("gateway", "refused by the broker",
                  {{"agency", agency_}, {"id", id}, {"reason", reason}});
      } else {
        resend_at_[id] = now + std::max<int64_t>(1000, r.getRetryAfterMillis());
      }
      return;
    }
    case schema::Frame::NOTICE: {
      auto n = f.getNotice();
      if (n.getKind() == schema::Notice::Kind::REVOKED) {
        log_.Error("gateway", "the agency's principal was revoked",
                   {{"agency", agency_}, {"text", n.getText().cStr()}});
      }
      return;
    }
    default:
      return;  // late results of calls that timed out
  }
}

void BrokerLink::ReceiveFor(int ms) {
  auto frame = conn_->Receive(ms);
  for (int i = 0; i < 256; ++i) {
    if (!frame.ok()) return Disconnect(frame.status());
    if (*frame == nullptr) return;
    try {
      HandleFrame(**frame);
    } catch (const kj::Exception& e) {
      log_.Warn("gateway", "unreadable frame from the broker",
                {{"agency", agency_}, {"reason", e.getDescription().cStr()}});
    }
    frame = conn_->Receive(0);
  }
}

void BrokerLink::Loop() {
  while (!stopping_) {
    if (!conn_) {
      int64_t wait = next_connect_ms_ - MonoMs();
      if (wait > 0) {
        FailCalls(Status::Unavailable("unavailable: not connected to the broker"));
        WaitForStop(static_cast<int>(std::min<int64_t>(wait, 200)));
        continue;
      }
      Connect();
      continue;
    }
    RunCalls();
    if (!conn_) continue;
    SendDue();
    ReceiveFor(kReceiveSliceMs);
  }
  FailCalls(Status::Unavailable("unavailable: the gateway is stopping"));
  if (conn_) conn_->Close();
  conn_.reset();
  connected_ = false;
}

}  // namespace muster::gateway
