// Shared pieces of the fault scenarios.
#include "tests/fault/fault_support.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "broker/store/keys.h"
#include "broker/store/store.h"
#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::testing {
namespace {

int64_t StatusFieldKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

}  // namespace

bool FullRun() {
  const char* v = std::getenv("MUSTER_FAULT_FULL");
  return v != nullptr && std::string(v) == "1";
}

int Scaled(int quick, int full) { return FullRun() ? full : quick; }

int64_t RssKb(pid_t pid) { return StatusFieldKb(pid, "VmRSS"); }
int64_t PeakRssKb(pid_t pid) { return StatusFieldKb(pid, "VmHWM"); }

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Result<std::vector<LoggedMessage>> ReadLoggedMessages(const std::string& data_dir) {
  auto store = store::Store::Open({data_dir, /*read_only=*/true});
  if (!store.ok()) return store.status();
  std::vector<LoggedMessage> out;
  Status bad = Status::Ok();
  Status s = (*store)->Scan(store::Column::kMessages, "", "", [&](std::string_view, std::string_view v) {
    auto d = wire::DecodedStruct::Decode(v.data(), v.size());
    if (!d.ok()) {
      bad = d.status();
      return false;
    }
    auto stored = (*d)->Get<schema::StoredMessage>();
    LoggedMessage m;
    m.seq = stored.getEnvelope().getSeq();
    m.sender = stored.getEnvelope().getSender();
    m.client_message_id = stored.getEnvelope().getClientMessageId();
    for (auto r : stored.getRecipients()) m.recipients.push_back(r.getPrincipal());
    out.push_back(std::move(m));
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return out;
}

Status LiftRateLimits(const std::string& policy_path) {
  std::ifstream in(policy_path);
  if (!in) return Status::NotFound("cannot read " + policy_path);
  std::string kept, line;
  bool skip = false;
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] == '[') skip = line.compare(first, 14, "[[rate_limit]]") == 0;
    if (!skip) kept += line + "\n";
  }
  in.close();
  std::ofstream out(policy_path, std::ios::trunc);
  out << kept;
  return out.good() ? Status::Ok() : Status::IoError("cannot write " + policy_path);
}

std::unique_ptr<BrokerProcess> StartDemoWithoutRateLimits(const std::string& dir, std::string* why) {
  auto broker = BrokerProcess::StartDemo(dir);
  if (broker == nullptr) {
    *why = "cannot start musterd";
    return nullptr;
  }
  if (!broker->WaitReady() || broker->Stop() != 0) {
    *why = "the demo broker did not start and stop cleanly:\n" + broker->Log();
    return nullptr;
  }
  if (Status s = LiftRateLimits(dir + "/policy.toml"); !s.ok()) {
    *why = s.ToString();
    return nullptr;
  }
  if (!broker->Restart() || !broker->WaitReady()) {
    *why = "the broker did not start again without rate limits:\n" + broker->Log();
    return nullptr;
  }
  return broker;
}

CommandResult AuditVerify(const std::string& data_dir) {
  return RunCommand({MUSTER_AUDIT_PATH, "--db", data_dir, "verify"}, {}, 300);
}

Result<client::ReceiptInfo> PublishUntilReceipt(zmq::context_t& context, const BrokerProcess& broker,
                                                const std::string& principal,
                                                std::unique_ptr<client::Connection>& connection,
                                                const std::string& id,
                                                const std::function<void(schema::Envelope::Builder)>& fill,
                                                int budget_ms, const std::function<bool()>& keep_going) {
  const int64_t deadline = MonoMs() + budget_ms;
  Status last = Status::DeadlineExceeded("no attempt made");
  while (MonoMs() < deadline && (!keep_going || keep_going())) {
    if (connection == nullptr) {
      auto o = broker.Options(principal);
      o.timeout_ms = 2000;
      auto c = client::Connection::Open(context, o);
      if (!c.ok()) {
        last = c.status();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      connection = std::move(c).value();
    }
    auto r = connection->Publish(id, fill, 3000);
    if (r.ok()) return r;
    last = r.status();
    switch (r.status().code()) {
      case StatusCode::kOverloaded:  // a rate limit: wait a little, same connection
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        break;
      case StatusCode::kUnavailable:
      case StatusCode::kDeadlineExceeded:
        // The broker is gone, restarting or cannot write: retry the same id on a new connection.
        connection.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        break;
      default:
        return r.status();
    }
  }
  return last;
}

}  // namespace muster::testing
