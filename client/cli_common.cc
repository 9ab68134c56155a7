// Shared pieces of the muster command line.
#include "client/cli_common.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "common/time_text.h"

namespace muster::cli {

void AddGlobalFlags(CLI::App& app, GlobalFlags& flags) {
  app.add_option("--broker", flags.broker, "broker endpoint, e.g. tcp://127.0.0.1:7750 (or MUSTER_BROKER)");
  app.add_option("--key", flags.key, "your secret key file, NAME.key (or MUSTER_KEY)");
  app.add_option("--server-key", flags.server_key,
                 "the broker's public key: its .pub file or the 40-character key (or MUSTER_SERVER_KEY)");
  app.add_flag("--json", flags.json, "machine-readable output: one JSON object per line");
  app.add_option("--connect-timeout", flags.timeout_s, "seconds to wait for the broker (default 10)");
}

std::unique_ptr<client::Connection> ConnectOrReport(zmq::context_t& context, const GlobalFlags& flags,
                                                    const std::string& client_name, bool receive) {
  client::ConnectOptions o;
  o.broker = flags.broker;
  o.key_file = flags.key;
  o.server_key = flags.server_key;
  o.client_name = "muster " + client_name;
  o.receive = receive;
  o.timeout_ms = static_cast<int>(flags.timeout_s * 1000);
  if (Status s = client::ResolveConnectOptions(&o); !s.ok()) {
    Report(s);
    return nullptr;
  }
  auto c = client::Connection::Open(context, o);
  if (!c.ok()) {
    Report(c.status());
    return nullptr;
  }
  return std::move(c).value();
}

int Report(const Status& status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  return 1;
}

std::string NewClientMessageId() {
  char host[64] = {0};
  gethostname(host, sizeof(host) - 1);
  std::random_device rd;
  auto now = std::chrono::system_clock::now().time_since_epoch();
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%s-%d-%lld-%08x", host, static_cast<int>(getpid()),
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()),
                rd());
  return buf;
}

std::string LocalTime(int64_t unix_ms) {
  std::string t = FormatInstant(unix_ms, LocalUtcOffsetMinutes());
  // 2026-11-28T21:05:00+08:00 -> 2026-11-28 21:05:00 +08:00
  if (t.size() >= 25) t = t.substr(0, 10) + " " + t.substr(11, 8) + " " + t.substr(19);
  return t;
}

}  // namespace muster::cli
