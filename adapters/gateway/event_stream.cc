// One SSE stream: journal replay, then live deliveries acked once written.
#include "adapters/gateway/event_stream.h"

#include <kj/exception.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "client/message_view.h"
#include "common/time_text.h"

namespace muster::gateway {
namespace {

constexpr int kSliceMs = 200;  // how long the stream blocks on the socket at a time

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* NoticeKind(schema::Notice::Kind kind) {
  switch (kind) {
    case schema::Notice::Kind::INFO:
      return "info";
    case schema::Notice::Kind::ESCALATION:
      return "escalation";
    case schema::Notice::Kind::EXPIRED:
      return "expired";
    case schema::Notice::Kind::STATE_CHANGE:
      return "state-change";
    case schema::Notice::Kind::SUPERSEDED:
      return "superseded";
    case schema::Notice::Kind::REVOKED:
      return "revoked";
    case schema::Notice::Kind::SHUTTING_DOWN:
      return "shutting-down";
    case schema::Notice::Kind::CAUGHT_UP:
      return "caught-up";
  }
  return "info";
}

std::string NoticeData(schema::Notice::Reader n) {
  nlohmann::ordered_json j;
  j["kind"] = NoticeKind(n.getKind());
  j["seq"] = n.getSeq();
  j["subject"] = n.getSubject().cStr();
  j["text"] = n.getText().cStr();
  j["at"] = n.getAtMillis() ? nlohmann::ordered_json(FormatInstant(n.getAtMillis(), 0)) : nullptr;
  return Dump(j);
}

}  // namespace

std::string EventStream::Event(uint64_t id, const std::string& event, const std::string& data) {
  std::string out;
  if (id != 0) out += "id: " + std::to_string(id) + "\n";
  out += "event: " + event + "\ndata: " + data + "\n\n";
  return out;
}

void EventStream::Run(std::optional<uint64_t> last_event_id, const Writer& write,
                      const std::function<bool()>& keep_going) {
  const std::string& agency = options_.agency;
  int64_t last_write_ms = MonoMs();
  auto send = [&](const std::string& text) {
    if (!write(text)) return false;
    last_write_ms = MonoMs();
    return true;
  };
  if (last_event_id) {
    auto found = journal_.ConfirmThrough(*last_event_id);
    if (!found.ok()) {
      // Not recorded: the confirmed events are re-sent, which is safe (at least once).
      log_.Error("gateway", "cannot record the event cursor",
                 {{"agency", agency}, {"reason", found.status().message()}});
    }
  }
  if (!send("retry: 2000\n\n")) return;
  std::set<uint64_t> written;
  std::vector<EventJournal::Event> replay = journal_.Unconfirmed();
  for (const auto& e : replay) {
    if (!send(Event(e.seq, "delivery", e.data))) return;
    written.insert(e.seq);
  }
  log_.Info("gateway", "event stream opened",
            {{"agency", agency},
             {"last_event_id", last_event_id ? std::to_string(*last_event_id) : std::string("-")},
             {"replayed", std::to_string(replay.size())}});

  std::unique_ptr<client::Connection> conn;
  int64_t next_connect_ms = 0;
  std::string last_problem;
  std::vector<uint64_t> to_ack;
  std::vector<uint64_t> last_acked;  // the last batch sent without confirmation
  bool ending = false;
  std::string end_reason = "client gone";

  // Handles one frame; false ends the stream.
  auto handle = [&](const wire::DecodedFrame& frame) -> bool {
    auto f = frame.frame();
    if (f.which() == schema::Frame::DELIVER) {
      auto d = f.getDeliver();
      const uint64_t seq = d.getSeq();
      if (written.count(seq) || journal_.Contains(seq)) {
        to_ack.push_back(seq);  // the client has it, or it was re-sent from the journal above
        return true;
      }
      const std::string data = Dump(cli::DeliveryJson(d));
      auto added = journal_.Append(seq, data);
      if (!added.ok()) {
        log_.Error("gateway", "cannot journal a delivery; ending the stream without acking it",
                   {{"agency", agency},
                    {"seq", std::to_string(seq)},
                    {"reason", added.status().message()}});
        end_reason = "journal failure";
        return false;
      }
      if (added->dropped > 0) {
        log_.Warn("gateway",
                  "event journal full: the oldest unconfirmed events can no longer be re-sent",
                  {{"agency", agency}, {"dropped", std::to_string(added->dropped)}});
      }
      if (!send(Event(seq, "delivery", data))) return false;
      written.insert(seq);
      to_ack.push_back(seq);
      return true;
    }
    if (f.which() == schema::Frame::NOTICE) {
      auto n = f.getNotice();
      switch (n.getKind()) {
        case schema::Notice::Kind::CAUGHT_UP:
          return send(Event(0, "caught-up", NoticeData(n)));
        case schema::Notice::Kind::SUPERSEDED:
          (void)send(Event(0, "superseded", NoticeData(n)));
          end_reason = "another session receives for the principal";
          return false;
        case schema::Notice::Kind::REVOKED:
          (void)send(Event(0, "notice", NoticeData(n)));
          end_reason = "principal revoked";
          return false;
        default:
          return send(Event(0, "notice", NoticeData(n)));
      }
    }
    return true;  // receipts, results: not for this session
  };

  while (!ending && keep_going()) {
    if (!conn && MonoMs() >= next_connect_ms) {
      client::ConnectOptions o = options_.connect;
      o.receive = true;
      o.client_name = "muster-gateway events";
      auto c = client::Connection::Open(context_, o);
      std::string problem;
      if (!c.ok()) {
        problem = c.status().message();
      } else if ((*c)->welcome().principal != agency) {
        problem = "the key belongs to principal '" + (*c)->welcome().principal +
                  "', not to agency '" + agency + "'";
        (*c)->Close();
      } else {
        conn = std::move(c).value();
        last_problem.clear();
      }
      if (!problem.empty()) {
        if (problem != last_problem) {
          log_.Warn("gateway", "event stream not connected to the broker; retrying",
                    {{"agency", agency}, {"reason", problem}});
        }
        last_problem = problem;
        next_connect_ms = MonoMs() + 2000;
      }
    }
    if (conn) {
      auto frame = conn->Receive(kSliceMs);
      while (frame.ok() && *frame != nullptr && !ending) {
        try {
          if (!handle(**frame)) ending = true;
        } catch (const kj::Exception& e) {
          log_.Warn("gateway", "unreadable frame from the broker",
                    {{"agency", agency}, {"reason", e.getDescription().cStr()}});
        }
        if (!ending) frame = conn->Receive(0);
      }
      if (!frame.ok()) {
        log_.Warn("gateway", "event stream lost the broker; reconnecting",
                  {{"agency", agency}, {"reason", frame.status().message()}});
        conn.reset();
        to_ack.clear();  // unacked deliveries come again on the next session
        last_acked.clear();
        next_connect_ms = MonoMs() + 1000;
        continue;
      }
      if (!to_ack.empty()) {
        (void)conn->Ack(to_ack,
                        /*acknowledged=*/false);  // a lost ack: delivered again, not re-written
        last_acked.swap(to_ack);
        to_ack.clear();
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(kSliceMs));
    }
    if (!ending && MonoMs() - last_write_ms >= options_.heartbeat_ms && !send(": keep-alive\n\n"))
      ending = true;
  }
  if (conn) {
    // The socket drops unsent frames when it closes: wait until the broker has the last acks
    // (frames are handled in order, so a confirmed ack means the earlier ones arrived too).
    if (to_ack.empty()) to_ack.swap(last_acked);
    if (!to_ack.empty()) (void)conn->AckConfirmed(to_ack, /*acknowledged=*/false, 2000);
    conn->Close();
  }
  log_.Info("gateway", "event stream closed",
            {{"agency", agency},
             {"written", std::to_string(written.size())},
             {"reason", keep_going() ? end_reason : std::string("ended")}});
}

}  // namespace muster::gateway
