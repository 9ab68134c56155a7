// `muster whoami`, `muster ack SEQ…` and `muster status SEQ`.
#include <cstdio>

#include "client/commands.h"
#include "client/message_view.h"

namespace muster::cli {

void RegisterWhoami(CLI::App& app, GlobalFlags& g, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("whoami", "show who the broker says you are");
  cmd->footer("Example (checks your key and the broker's key before anything else):\n  muster whoami");
  cmd->callback([&g, exit_code] {
    zmq::context_t context(1);
    auto conn = ConnectOrReport(context, g, "whoami", false);
    if (!conn) {
      *exit_code = 1;
      return;
    }
    const auto& w = conn->welcome();
    if (g.json) {
      nlohmann::ordered_json j = {{"principal", w.principal}, {"org", w.organisation}, {"sector", w.sector},
                          {"role", w.role}, {"clearance", w.clearance}, {"broker", w.broker_name}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("%s (organisation %s, %s; role %s; clearance %s) on broker %s\n", w.principal.c_str(),
                  w.organisation.c_str(), w.sector.c_str(), w.role.c_str(), w.clearance.c_str(),
                  w.broker_name.c_str());
    }
    conn->Close();
    *exit_code = 0;
  });
}

void RegisterAck(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto seqs = std::make_shared<std::vector<uint64_t>>();
  auto acknowledged = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("ack", "record that you received (or, with --acknowledged, read) messages");
  cmd->add_option("SEQ", *seqs, "message seqs")->required();
  cmd->add_flag("--acknowledged", *acknowledged, "a person has read it (answers an acknowledgement deadline)");
  cmd->footer("Example:\n  muster ack 42 --acknowledged");
  cmd->callback([&g, seqs, acknowledged, exit_code] {
    zmq::context_t context(1);
    auto conn = ConnectOrReport(context, g, "ack", false);
    if (!conn) {
      *exit_code = 1;
      return;
    }
    Status s = conn->AckConfirmed(*seqs, *acknowledged);
    conn->Close();
    if (!s.ok()) {
      *exit_code = Report(s);
      return;
    }
    for (uint64_t seq : *seqs) {
      if (g.json) std::printf("{\"seq\":%llu,\"level\":\"%s\"}\n", static_cast<unsigned long long>(seq),
                              *acknowledged ? "acknowledged" : "received");
      else std::printf("%s %llu\n", *acknowledged ? "acknowledged" : "received", static_cast<unsigned long long>(seq));
    }
    *exit_code = 0;
  });
}

void RegisterStatus(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto seq = std::make_shared<uint64_t>(0);
  CLI::App* cmd = app.add_subcommand("status", "who has received and who has acknowledged a message");
  cmd->add_option("SEQ", *seq, "message seq")->required();
  cmd->footer("Example:\n  muster status 42");
  cmd->callback([&g, seq, exit_code] {
    zmq::context_t context(1);
    auto conn = ConnectOrReport(context, g, "status", false);
    if (!conn) {
      *exit_code = 1;
      return;
    }
    auto result = conn->Query([&](schema::Query::Builder q) { q.setDeliveryStatus(*seq); });
    conn->Close();
    if (!result.ok()) {
      *exit_code = Report(result.status());
      return;
    }
    auto ds = (*result)->frame().getResult().getDeliveryStatus();
    auto when = [](int64_t ms) { return ms ? LocalTime(ms) : std::string("-"); };
    // "2026-11-28 14:02:11 +08:00 by duty" when a person acknowledged it.
    auto acknowledged = [&when](auto r) {
      std::string text = when(r.getAcknowledgedMillis());
      if (r.getAcknowledgedMillis() && r.getAcknowledgedBy().size() > 0) text += std::string(" by ") + r.getAcknowledgedBy().cStr();
      return text;
    };
    if (g.json) {
      nlohmann::ordered_json j = {{"seq", ds.getSeq()}, {"sender", ds.getSender().cStr()}};
      auto list = nlohmann::ordered_json::array();
      for (auto r : ds.getRecipients()) {
        list.push_back({{"principal", r.getPrincipal().cStr()}, {"matched_term", r.getMatchedTerm().cStr()},
                        {"state", r.getState().cStr()}, {"attempts", r.getAttempts()},
                        {"delivered_ms", r.getDeliveredMillis()}, {"received_ms", r.getReceivedMillis()},
                        {"acknowledged_ms", r.getAcknowledgedMillis()},
                        {"acknowledged_by", r.getAcknowledgedBy().cStr()},
                        {"escalated_ms", r.getEscalatedMillis()}, {"expired_ms", r.getExpiredMillis()}});
      }
      j["recipients"] = list;
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("message #%llu from %s\n", static_cast<unsigned long long>(ds.getSeq()), ds.getSender().cStr());
      std::printf("%-14s %-16s %-13s %-27s %-27s %s\n", "RECIPIENT", "VIA", "STATE", "DELIVERED", "RECEIVED",
                  "ACKNOWLEDGED");
      for (auto r : ds.getRecipients()) {
        std::printf("%-14s %-16s %-13s %-27s %-27s %s\n", r.getPrincipal().cStr(), r.getMatchedTerm().cStr(),
                    r.getState().cStr(), when(r.getDeliveredMillis()).c_str(), when(r.getReceivedMillis()).c_str(),
                    acknowledged(r).c_str());
      }
    }
    *exit_code = 0;
  });
}

}  // namespace muster::cli
