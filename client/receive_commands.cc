// `muster watch` (stream deliveries, ack each as received) and `muster inbox` (take what is
// pending, then exit). Both ack only after the message has been printed.
#include <signal.h>

#include <chrono>
#include <cstdio>

#include "client/commands.h"
#include "client/message_view.h"

namespace muster::cli {
namespace {

volatile sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) { g_interrupted = 1; }

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct ReceiveFlags {
  int count = 0;          // stop after this many deliveries (0 = no limit)
  double timeout_s = 0;   // stop after this many seconds (0 = none)
  std::string status;     // show only this status (actual, exercise, test, system)
};

void PrintNotice(const GlobalFlags& g, schema::Notice::Reader n) {
  static const char* kKinds[] = {"info", "escalation", "expired", "state-change", "superseded",
                                 "revoked", "shutting-down", "caught-up"};
  unsigned k = static_cast<unsigned>(n.getKind());
  const char* kind = k < 8 ? kKinds[k] : "notice";
  if (g.json) {
    std::printf("{\"notice\":\"%s\",\"seq\":%llu,\"subject\":\"%s\",\"text\":\"%s\"}\n", kind,
                static_cast<unsigned long long>(n.getSeq()), n.getSubject().cStr(), n.getText().cStr());
  } else {
    std::printf("! %s: %s\n", kind, n.getText().cStr());
  }
  std::fflush(stdout);
}

// Receives until `count` deliveries, the timeout, Ctrl-C, or (for inbox) the caught-up notice.
int Receive(GlobalFlags& g, const ReceiveFlags& f, bool until_caught_up) {
  if (!f.status.empty() && f.status != "actual" && f.status != "exercise" && f.status != "test" &&
      f.status != "system") {
    std::fprintf(stderr, "error: --status must be actual, exercise, test or system\n");
    return 2;
  }
  zmq::context_t context(1);
  auto conn = ConnectOrReport(context, g, until_caught_up ? "inbox" : "watch", /*receive=*/true);
  if (!conn) return 1;
  signal(SIGINT, OnInterrupt);
  signal(SIGTERM, OnInterrupt);
  if (!g.json && !until_caught_up) {
    std::fprintf(stderr, "watching as %s (%s); Ctrl-C to stop\n", conn->welcome().principal.c_str(),
                 conn->welcome().organisation.c_str());
  }
  int64_t deadline = f.timeout_s > 0 ? MonoMs() + static_cast<int64_t>(f.timeout_s * 1000) : 0;
  int received = 0;
  std::vector<uint64_t> to_ack;
  while (!g_interrupted) {
    if (deadline && MonoMs() >= deadline) break;
    int wait = deadline ? static_cast<int>(std::min<int64_t>(200, deadline - MonoMs())) : 200;
    auto frame = conn->Receive(std::max(wait, 1));
    if (!frame.ok()) return Report(frame.status());
    if (*frame == nullptr) {
      if (!to_ack.empty()) {
        (void)conn->Ack(to_ack, false);
        to_ack.clear();
      }
      continue;
    }
    auto fr = (*frame)->frame();
    if (fr.which() == schema::Frame::DELIVER) {
      auto d = fr.getDeliver();
      std::string status = StatusName(d.getEnvelope().getStatus());
      if (f.status.empty() || f.status == status) {
        if (g.json) std::printf("%s\n", DeliveryJson(d).dump().c_str());
        else std::printf("%s\n", DeliveryText(d).c_str());
        std::fflush(stdout);
      }
      to_ack.push_back(d.getSeq());
      ++received;
      if (to_ack.size() >= 64) {
        (void)conn->Ack(to_ack, false);
        to_ack.clear();
      }
      if (f.count > 0 && received >= f.count) break;
    } else if (fr.which() == schema::Frame::NOTICE) {
      auto n = fr.getNotice();
      if (n.getKind() == schema::Notice::Kind::CAUGHT_UP) {
        if (until_caught_up) break;
        continue;
      }
      PrintNotice(g, n);
      if (n.getKind() == schema::Notice::Kind::REVOKED) {
        std::fprintf(stderr, "error: revoked: %s\n", n.getText().cStr());
        return 1;
      }
    } else if (fr.which() == schema::Frame::REJECT) {
      auto r = fr.getReject();
      if (r.getCode() != schema::RejectCode::HELLO_REQUIRED) {
        std::fprintf(stderr, "warning: %s\n", client::RejectToStatus(r).message().c_str());
      }
    }
  }
  // Ack what was printed, and wait until the broker has it durably.
  if (!to_ack.empty()) {
    if (Status s = conn->AckConfirmed(to_ack, false); !s.ok()) return Report(s);
  }
  conn->Close();
  if (until_caught_up && !g.json && received == 0) std::fprintf(stderr, "inbox is empty\n");
  if (f.count > 0 && received < f.count && !g_interrupted) {
    std::fprintf(stderr, "error: received %d of %d messages before the timeout\n", received, f.count);
    return 1;
  }
  if (until_caught_up && deadline && MonoMs() >= deadline && !g_interrupted) {
    std::fprintf(stderr, "error: the inbox was not drained within %.0f s (%d taken)\n", f.timeout_s, received);
    return 1;
  }
  return 0;
}

}  // namespace

void RegisterWatch(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<ReceiveFlags>();
  CLI::App* cmd = app.add_subcommand("watch", "stream deliveries as they arrive and ack each as received");
  cmd->add_option("--count", f->count, "stop after N deliveries (exit 1 if the timeout comes first)");
  cmd->add_option("--timeout", f->timeout_s, "stop after SECONDS");
  cmd->add_option("--status", f->status, "show only actual, exercise, test or system traffic");
  cmd->footer("Example:\n  muster watch --status actual");
  cmd->callback([&g, f, exit_code] { *exit_code = Receive(g, *f, /*until_caught_up=*/false); });
}

void RegisterInbox(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<ReceiveFlags>();
  f->timeout_s = 30;
  CLI::App* cmd = app.add_subcommand("inbox", "take everything pending for you, ack it, then exit");
  cmd->add_option("--timeout", f->timeout_s, "give up after SECONDS (default 30)");
  cmd->add_option("--status", f->status, "show only actual, exercise, test or system traffic");
  cmd->footer("Example:\n  muster inbox --json");
  cmd->callback([&g, f, exit_code] { *exit_code = Receive(g, *f, /*until_caught_up=*/true); });
}

}  // namespace muster::cli
