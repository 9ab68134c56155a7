// The gateway's endpoints: messages in (idempotent, durable before answered), submissions,
// delivery status, the event stream and acks.
#include <capnp/message.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <zmq.hpp>

#include "adapters/gateway/agency.h"
#include "adapters/gateway/event_stream.h"
#include "adapters/gateway/gateway_server.h"
#include "adapters/gateway/internal/http_reply.h"
#include "adapters/gateway/message_json.h"
#include "adapters/gateway/response_json.h"
#include "common/time_text.h"

namespace muster::gateway {
namespace {

using internal::IsJsonRequest;
using internal::ReplyError;
using internal::ReplyJson;

constexpr int kBrokerCallMs = 8000;
constexpr size_t kMaxAckSeqs = 10000;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool ParseSeq(const std::string& text, uint64_t* out) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno != 0 || v == 0) return false;
  *out = v;
  return true;
}

// The answer for an outbox entry: 201 with the receipt, the refusal's error, or 202.
void ReplyEntry(httplib::Response& res, const client::OutboxEntry& entry, bool replayed) {
  if (replayed) res.set_header("Idempotent-Replayed", "true");
  switch (entry.state) {
    case client::OutboxState::kDone: {
      client::ReceiptInfo r = entry.receipt;
      r.client_message_id = entry.id;
      res.set_header("Location", StatusUrl(r.seq));
      return ReplyJson(res, 201, ReceiptJson(r));
    }
    case client::OutboxState::kRefused:
      return ReplyError(res, ApiErrorFromRefusal(entry.reason));
    case client::OutboxState::kPending:
      res.set_header("Location", SubmissionUrl(entry.id));
      return ReplyJson(res, 202, SubmissionJson(entry));
  }
}

}  // namespace

void GatewayServer::PostMessage(Agency& agency, const httplib::Request& req,
                                httplib::Response& res) {
  if (!IsJsonRequest(req)) {
    return ReplyError(res, 415, "unsupported-media-type",
                      "send the message as Content-Type: application/json");
  }
  const std::string key = req.get_header_value("Idempotency-Key");
  if (!ValidIdempotencyKey(key)) {
    return ReplyError(
        res, 400, "invalid",
        "Idempotency-Key header required: 1..255 printable ASCII characters, unique per message "
        "(reuse it only to retry the same message)");
  }
  auto document = ParseJsonObject(req.body);
  if (!document.ok()) return ReplyError(res, ApiErrorFromStatus(document.status()));
  const std::string fingerprint = DocumentFingerprint(*document);
  const std::string id = ClientMessageIdForKey(key);
  auto wait_and_reply = [&](client::OutboxEntry entry, bool replayed) {
    if (SubmissionStore::FingerprintOf(entry) != fingerprint) {
      return ReplyError(
          res, 409, "idempotency-key-reused",
          "this Idempotency-Key was used for a different message; use a new key for a new message");
    }
    // While the broker is known to be unreachable there is no receipt to wait for: 202 at once.
    if (entry.state == client::OutboxState::kPending && !agency.link->unreachable() &&
        config_.publish_wait_ms > 0) {
      auto deadline =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.publish_wait_ms);
      if (auto now = agency.submissions->WaitFinished(id, deadline)) entry = *now;
    }
    ReplyEntry(res, entry, replayed);
  };
  if (auto known = agency.submissions->Find(id)) return wait_and_reply(*known, /*replayed=*/true);

  capnp::MallocMessageBuilder message(1024);
  auto envelope = message.initRoot<schema::Envelope>();
  EnvelopeDefaults defaults;
  defaults.principal = agency.config.name;
  defaults.client_message_id = id;
  defaults.now_ms = WallMs();
  defaults.utc_offset_minutes = LocalUtcOffsetMinutes();
  Status filled = FillEnvelopeFromJson(*document, defaults, envelope);
  if (!filled.ok()) return ReplyError(res, ApiErrorFromStatus(filled));
  auto entry = agency.submissions->Add(id, envelope.asReader(), fingerprint, config_.max_pending);
  if (!entry.ok()) {
    if (entry.status().code() == StatusCode::kIoError) {
      log_.Error("gateway", "cannot store a document; answered 503",
                 {{"agency", agency.config.name}, {"reason", entry.status().message()}});
    }
    return ReplyError(res, ApiErrorFromStatus(entry.status()));
  }
  // A concurrent request with the same key may have stored it first: then it is a replay.
  const bool replayed = entry->added_ms < defaults.now_ms - 1 ||
                        SubmissionStore::FingerprintOf(*entry) != fingerprint;
  if (!replayed) {
    log_.Info(
        "gateway", "taken in",
        {{"agency", agency.config.name}, {"id", id}, {"bytes", std::to_string(req.body.size())}});
    agency.link->Wake();
  }
  wait_and_reply(*entry, replayed);
}

void GatewayServer::GetSubmission(Agency& agency, const httplib::Request& req,
                                  httplib::Response& res) {
  auto entry = agency.submissions->Find(req.matches[1]);
  if (!entry)
    return ReplyError(res, 404, "not-found",
                      "no submission " + std::string(req.matches[1]) + " of this agency");
  ReplyJson(res, 200, SubmissionJson(*entry));
}

void GatewayServer::GetStatus(Agency& agency, const httplib::Request& req, httplib::Response& res) {
  uint64_t seq = 0;
  if (!ParseSeq(req.matches[1], &seq))
    return ReplyError(res, 400, "invalid", "the seq must be a positive integer");
  auto answer = agency.link->Call(
      [seq](client::Connection& c) -> Result<nlohmann::ordered_json> {
        auto r =
            c.Query([seq](schema::Query::Builder q) { q.setDeliveryStatus(seq); }, kBrokerCallMs);
        if (!r.ok()) return r.status();
        auto result = (*r)->frame().getResult();
        if (result.which() != schema::Result::DELIVERY_STATUS) {
          return Status::Internal(
              "internal: the broker answered the status query with something else");
        }
        return DeliveryStatusJson(result.getDeliveryStatus());
      },
      kBrokerCallMs);
  if (!answer.ok()) return ReplyError(res, ApiErrorFromStatus(answer.status()));
  ReplyJson(res, 200, *answer);
}

void GatewayServer::PostAcks(Agency& agency, const httplib::Request& req, httplib::Response& res) {
  if (!IsJsonRequest(req)) {
    return ReplyError(res, 415, "unsupported-media-type",
                      "send the acks as Content-Type: application/json");
  }
  auto document = ParseJsonObject(req.body);
  if (!document.ok()) return ReplyError(res, ApiErrorFromStatus(document.status()));
  const nlohmann::json& doc = *document;
  for (const auto& [k, v] : doc.items()) {
    if (k != "seqs" && k != "level")
      return ReplyError(res, 400, "invalid", "unknown field '" + k + "' (fields: seqs, level)");
  }
  auto level = doc.find("level");
  if (level == doc.end() || !level->is_string() ||
      (level->get<std::string>() != "received" && level->get<std::string>() != "acknowledged")) {
    return ReplyError(res, 400, "invalid", "level: required, \"received\" or \"acknowledged\"");
  }
  const bool acknowledged = level->get<std::string>() == "acknowledged";
  auto list = doc.find("seqs");
  if (list == doc.end() || !list->is_array() || list->empty() || list->size() > kMaxAckSeqs) {
    return ReplyError(
        res, 400, "invalid",
        "seqs: required, a list of 1.." + std::to_string(kMaxAckSeqs) + " broker seqs");
  }
  std::vector<uint64_t> seqs;
  for (const auto& s : *list) {
    if (!s.is_number_unsigned() || s.get<uint64_t>() == 0) {
      return ReplyError(res, 400, "invalid",
                        "seqs: every item is a broker seq (a positive integer)");
    }
    seqs.push_back(s.get<uint64_t>());
  }
  auto answer = agency.link->Call(
      [seqs, acknowledged](client::Connection& c) -> Result<nlohmann::ordered_json> {
        MUSTER_RETURN_IF_ERROR(c.AckConfirmed(seqs, acknowledged, kBrokerCallMs));
        return nlohmann::ordered_json();
      },
      kBrokerCallMs);
  if (!answer.ok()) return ReplyError(res, ApiErrorFromStatus(answer.status()));
  // The client has these events: a resumed stream does not send them again.
  Status marked = agency.journal->MarkAcked(seqs);
  if (!marked.ok()) {
    log_.Warn("gateway", "cannot record acks in the event journal",
              {{"agency", agency.config.name}, {"reason", marked.message()}});
  }
  nlohmann::ordered_json body;
  body["acked"] = seqs;
  body["level"] = acknowledged ? "acknowledged" : "received";
  ReplyJson(res, 200, body);
}

void GatewayServer::GetEvents(Agency& agency, const httplib::Request& req, httplib::Response& res) {
  std::optional<uint64_t> last_event_id;
  std::string last = req.get_header_value("Last-Event-ID");
  if (last.empty() && req.has_param("last_event_id")) last = req.get_param_value("last_event_id");
  if (!last.empty()) {
    uint64_t seq = 0;
    if (!ParseSeq(last, &seq))
      return ReplyError(res, 400, "invalid",
                        "Last-Event-ID must be the id (broker seq) of an event");
    last_event_id = seq;
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  Agency* a = &agency;
  res.set_chunked_content_provider(
      "text/event-stream", [this, a, last_event_id](size_t, httplib::DataSink& sink) {
        const uint64_t ticket = a->stream_slot.Acquire(std::chrono::milliseconds(5000));
        if (ticket == 0) {
          const std::string busy = EventStream::Event(
              0, "unavailable",
              ApiErrorBody({503, "unavailable",
                            "another event stream of this agency did not end; reconnect", 5}));
          sink.write(busy.data(), busy.size());
          sink.done();
          return true;
        }
        EventStream::Options options;
        options.connect = a->connect;
        options.agency = a->config.name;
        options.heartbeat_ms = static_cast<int>(config_.sse_heartbeat_ms);
        EventStream stream(*context_, options, *a->journal, log_);
        stream.Run(
            last_event_id,
            [&sink](const std::string& bytes) { return sink.write(bytes.data(), bytes.size()); },
            [&] { return !stopping_ && a->stream_slot.Holds(ticket) && sink.is_writable(); });
        a->stream_slot.Release(ticket);
        sink.done();
        return true;
      });
}

}  // namespace muster::gateway
