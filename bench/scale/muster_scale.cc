// muster-scale: the scale measurements of issue 7 against a running musterd, one subcommand per
// step, each printing one JSON object on stdout (progress on stderr). bench/scale/run.sh starts
// the broker, calls these steps in order and prints the tables.
//   fill           publish N messages (P publishers, W in flight each) to one address, optionally
//                  with a consumer that receives and acks them; samples the broker's RSS
//   drain          connect a recipient that has messages pending and receive and ack them all
//   ready          poll Connection::Open every 50 ms until a client is welcomed; the time since a
//                  given wall-clock instant (when the script started musterd)
//   fanout-policy  generate the keys of organisations fan-N with N principals each (sector
//                  military, role adapter) and append them to the demo policy
//   fanout         publish to org:fan-N with all N principals connected, receiving and acking
// Every loop is bounded by a count and by --max-seconds.
#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "adapters/sdk/connection.h"
#include "security/curve_keys.h"

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}
int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
double SecondsSince(int64_t start_ns) { return static_cast<double>(NowNs() - start_ns) / 1e9; }

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};

Percentiles Compute(std::vector<int64_t>& ns) {
  Percentiles p;
  if (ns.empty()) return p;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return static_cast<double>(ns[std::min(ns.size() - 1, static_cast<size_t>(q * static_cast<double>(ns.size())))]) / 1e6;
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = static_cast<double>(ns.back()) / 1e6;
  return p;
}

// --- The broker process, read from /proc ---------------------------------------------------

struct ProcStatus {
  int64_t rss_kb = -1;  // VmRSS
  int64_t hwm_kb = -1;  // VmHWM
};

ProcStatus ReadStatus(int pid) {
  ProcStatus s;
  if (pid <= 0) return s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kb = std::strtoll(line.c_str() + 6, nullptr, 10);
    if (line.rfind("VmHWM:", 0) == 0) s.hwm_kb = std::strtoll(line.c_str() + 6, nullptr, 10);
  }
  return s;
}

// User + system CPU seconds of a process (-1 if unreadable).
double ReadCpuSeconds(int pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = all.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(all.substr(close + 2));
  std::string f;
  long long utime = 0, stime = 0;
  // Fields after the command: state(3) ... utime(14) stime(15).
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::atoll(f.c_str());
    if (i == 15) stime = std::atoll(f.c_str());
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Samples the broker's VmRSS every 250 ms on its own thread: the highest and the last value.
class RssSampler {
 public:
  explicit RssSampler(int pid) : pid_(pid) {
    if (pid_ > 0) thread_ = std::thread([this] { Loop(); });
  }
  ~RssSampler() { Stop(); }
  RssSampler(const RssSampler&) = delete;
  RssSampler& operator=(const RssSampler&) = delete;

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  int64_t max_kb() const { return max_kb_.load(); }
  int64_t last_kb() const { return last_kb_.load(); }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      ProcStatus s = ReadStatus(pid_);
      if (s.rss_kb >= 0) {
        last_kb_ = s.rss_kb;
        if (s.rss_kb > max_kb_) max_kb_ = s.rss_kb;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; });
    }
  }

  int pid_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<int64_t> max_kb_{-1}, last_kb_{-1};
  std::thread thread_;
};

// --- Connections and messages --------------------------------------------------------------

struct Common {
  std::string broker = "tcp://127.0.0.1:7750";
  std::string demo;
  int broker_pid = 0;
  double max_seconds = 600;

  std::string Key(const std::string& principal) const { return demo + "/keys/" + principal + ".key"; }
  muster::client::ConnectOptions Conn(const std::string& principal, bool receive, int timeout_ms = 10000) const {
    muster::client::ConnectOptions c;
    c.broker = broker;
    c.key_file = Key(principal);
    c.server_key = demo + "/keys/broker.pub";
    c.client_name = "muster-scale";
    c.receive = receive;
    c.window = 0;  // the broker's delivery window
    c.timeout_ms = timeout_ms;
    return c;
  }
};

struct Address {
  std::string type;  // principal or org
  std::string id;
};

bool ParseAddress(const std::string& text, Address* out) {
  auto colon = text.find(':');
  if (colon == std::string::npos) return false;
  out->type = text.substr(0, colon);
  out->id = text.substr(colon + 1);
  return (out->type == "principal" || out->type == "org") && !out->id.empty();
}

// A valid CAP 1.2 alert of status Test (as muster-bench sends), `padding` bytes of description;
// the identifier carries the message's index and its send time (steady clock, ns).
void FillMessage(muster::schema::Envelope::Builder e, const Address& to, int64_t index, int64_t sent_ns,
                 const std::string& padding) {
  e.setClassification(muster::schema::Classification::INTERNAL);
  e.setStatus(muster::schema::MessageStatus::TEST);
  auto addressing = e.initAddressing();
  if (to.type == "org") addressing.initOrganisations(1).set(0, to.id);
  else addressing.initPrincipals(1).set(0, to.id);
  auto alert = e.initBody().initAlert();
  alert.setIdentifier("scale-" + std::to_string(index) + "-" + std::to_string(sent_ns));
  alert.setSender("muster-scale");
  alert.setSent("2026-11-28T12:00:00+08:00");
  alert.setStatus(muster::schema::Alert::CapStatus::TEST);
  alert.setMsgType(muster::schema::Alert::MsgType::ALERT);
  alert.setScope(muster::schema::Alert::Scope::RESTRICTED);
  alert.setRestriction("benchmark traffic");
  auto info = alert.initInfos(1)[0];
  info.initCategories(1).set(0, muster::schema::Alert::Category::OTHER);
  info.setEvent("Benchmark");
  info.setUrgency(muster::schema::Alert::Urgency::UNKNOWN);
  info.setSeverity(muster::schema::Alert::Severity::UNKNOWN);
  info.setCertainty(muster::schema::Alert::Certainty::UNKNOWN);
  info.setDescription(padding);
}

// The index and send time of a delivered message (from its CAP identifier); false if foreign.
bool ParseIdentifier(const char* identifier, int64_t* index, int64_t* sent_ns) {
  if (std::strncmp(identifier, "scale-", 6) != 0) return false;
  char* end = nullptr;
  *index = std::strtoll(identifier + 6, &end, 10);
  if (end == nullptr || *end != '-') return false;
  *sent_ns = std::strtoll(end + 1, nullptr, 10);
  return true;
}

// --- fill ----------------------------------------------------------------------------------

struct FillOptions {
  std::string to;
  std::string sender = "command";
  std::string consumer;  // empty: nobody receives during the fill
  int64_t messages = 100000;
  int size = 1024;
  int publishers = 1;
  int window = 256;
  int progress_seconds = 30;
};

int RunFill(const Common& o, const FillOptions& f) {
  Address to;
  if (!ParseAddress(f.to, &to)) {
    std::fprintf(stderr, "error: --to must be principal:ID or org:ID\n");
    return 2;
  }
  const std::string padding(static_cast<size_t>(std::max(0, f.size - 200)), 'x');
  const int64_t per_publisher = f.messages / f.publishers;
  const int64_t total = per_publisher * f.publishers;
  const int64_t start = NowNs();
  const int64_t deadline = start + static_cast<int64_t>(o.max_seconds * 1e9);
  const std::string run = std::to_string(WallNs());
  const double cpu_before = ReadCpuSeconds(o.broker_pid);
  RssSampler rss(o.broker_pid);

  std::mutex mu;
  std::vector<int64_t> receipt_ns;
  std::atomic<int64_t> receipts{0}, rejected{0}, consumed{0};
  std::atomic<int> publishers_done{0};
  std::atomic<bool> stop{false};
  std::string error;
  int64_t last_receipt_ns = start;

  std::thread consumer;
  double consumer_seconds = 0;
  if (!f.consumer.empty()) {
    consumer = std::thread([&] {
      zmq::context_t ctx(1);
      auto c = muster::client::Connection::Open(ctx, o.Conn(f.consumer, true));
      if (!c.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        error = "consumer: " + c.status().message();
        stop = true;
        return;
      }
      std::vector<uint64_t> acks;
      // Until every receipted message is consumed (after the publishers finish), or the deadline
      // (plus a minute's grace to catch up).
      while (NowNs() < deadline + 60'000'000'000LL && !stop) {
        if (publishers_done == f.publishers && consumed >= receipts) break;
        auto fr = (*c)->Receive(100);
        if (!fr.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          error = "consumer: " + fr.status().message();
          break;
        }
        if (*fr == nullptr || (*fr)->frame().which() != muster::schema::Frame::DELIVER) {
          if (!acks.empty()) (void)(*c)->Ack(acks, false);
          acks.clear();
          continue;
        }
        acks.push_back((*fr)->frame().getDeliver().getSeq());
        ++consumed;
        if (acks.size() >= 64) {
          (void)(*c)->Ack(acks, false);
          acks.clear();
        }
      }
      if (!acks.empty()) (void)(*c)->AckConfirmed(acks, false);
      consumer_seconds = SecondsSince(start);
      (*c)->Close();
    });
  }

  std::vector<std::thread> publishers;
  for (int p = 0; p < f.publishers; ++p) {
    publishers.emplace_back([&, p] {
      zmq::context_t ctx(1);
      auto c = muster::client::Connection::Open(ctx, o.Conn(f.sender, false));
      if (!c.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        error = "publisher: " + c.status().message();
        stop = true;
        ++publishers_done;
        return;
      }
      std::vector<int64_t> local;
      local.reserve(static_cast<size_t>(std::min<int64_t>(per_publisher, 20'000'000)));
      std::unordered_map<std::string, int64_t> in_flight;
      int64_t next = 0, done = 0;
      while (done < per_publisher && NowNs() < deadline && !stop) {
        while (next < per_publisher && static_cast<int>(in_flight.size()) < f.window && NowNs() < deadline) {
          std::string id = "scale-" + run + "-" + std::to_string(p) + "-" + std::to_string(next);
          int64_t t = NowNs();
          int64_t index = next * f.publishers + p;
          ++next;
          in_flight[id] = t;
          (void)(*c)->SendPublish(id, [&](muster::schema::Envelope::Builder e) { FillMessage(e, to, index, t, padding); });
        }
        auto fr = (*c)->Receive(100);
        if (!fr.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          error = "publisher: " + fr.status().message();
          break;
        }
        if (*fr == nullptr) continue;
        auto frame = (*fr)->frame();
        std::string id;
        if (frame.which() == muster::schema::Frame::RECEIPT) {
          id = frame.getReceipt().getClientMessageId();
        } else if (frame.which() == muster::schema::Frame::REJECT) {
          id = frame.getReject().getClientMessageId();
          if (++rejected == 1) std::fprintf(stderr, "warning: first refusal: %s\n", frame.getReject().getReason().cStr());
        } else {
          continue;
        }
        auto it = in_flight.find(id);
        if (it == in_flight.end()) continue;
        if (frame.which() == muster::schema::Frame::RECEIPT) {
          local.push_back(NowNs() - it->second);
          ++receipts;
        }
        in_flight.erase(it);
        ++done;
      }
      (*c)->Close();
      std::lock_guard<std::mutex> lock(mu);
      receipt_ns.insert(receipt_ns.end(), local.begin(), local.end());
      last_receipt_ns = std::max(last_receipt_ns, NowNs());
      ++publishers_done;
    });
  }

  // Progress, so that a long fill shows it is alive.
  int64_t next_progress = start + static_cast<int64_t>(f.progress_seconds) * 1'000'000'000LL;
  int64_t prev_receipts = 0, prev_time = start;
  while (publishers_done < f.publishers) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    int64_t now = NowNs();
    if (now >= next_progress) {
      int64_t r = receipts.load();
      std::fprintf(stderr, "  fill: %" PRId64 " receipted (%.0f/s over the last %d s), %" PRId64
                   " consumed, broker RSS %" PRId64 " MB, %.0f s\n",
                   r, static_cast<double>(r - prev_receipts) / (static_cast<double>(now - prev_time) / 1e9),
                   f.progress_seconds, consumed.load(), rss.last_kb() / 1024, SecondsSince(start));
      prev_receipts = r;
      prev_time = now;
      next_progress = now + static_cast<int64_t>(f.progress_seconds) * 1'000'000'000LL;
    }
  }
  for (auto& t : publishers) t.join();
  if (consumer.joinable()) consumer.join();
  rss.Stop();
  const double publish_seconds = static_cast<double>(last_receipt_ns - start) / 1e9;
  const double cpu_after = ReadCpuSeconds(o.broker_pid);
  ProcStatus status = ReadStatus(o.broker_pid);
  Percentiles pr = Compute(receipt_ns);
  std::printf(
      "{\"step\":\"fill\",\"to\":\"%s\",\"size\":%d,\"publishers\":%d,\"window\":%d,\"requested\":%" PRId64
      ",\"receipts\":%" PRId64 ",\"rejected\":%" PRId64 ",\"consumed\":%" PRId64
      ",\"seconds\":%.2f,\"consumer_seconds\":%.2f,\"receipts_per_s\":%.0f,"
      "\"receipt_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.1f},\"broker_cpu_s\":%.1f,"
      "\"rss_max_kb\":%" PRId64 ",\"rss_kb\":%" PRId64 ",\"hwm_kb\":%" PRId64 ",\"error\":\"%s\"}\n",
      f.to.c_str(), f.size, f.publishers, f.window, total, receipts.load(), rejected.load(), consumed.load(),
      publish_seconds, consumer_seconds, static_cast<double>(receipts.load()) / std::max(1e-9, publish_seconds),
      pr.p50, pr.p99, pr.max, cpu_before >= 0 ? cpu_after - cpu_before : -1.0, rss.max_kb(), status.rss_kb,
      status.hwm_kb, error.c_str());
  std::fflush(stdout);
  if (!error.empty()) std::fprintf(stderr, "error: %s\n", error.c_str());
  return error.empty() && receipts == total ? 0 : 1;
}

// --- drain ---------------------------------------------------------------------------------

int RunDrain(const Common& o, const std::string& recipient, int64_t expect, int batch) {
  const int64_t start = NowNs();
  const int64_t deadline = start + static_cast<int64_t>(o.max_seconds * 1e9);
  const double cpu_before = ReadCpuSeconds(o.broker_pid);
  RssSampler rss(o.broker_pid);
  zmq::context_t ctx(1);
  auto c = muster::client::Connection::Open(ctx, o.Conn(recipient, true));
  if (!c.ok()) {
    std::fprintf(stderr, "error: %s\n", c.status().message().c_str());
    return 1;
  }
  const double welcomed_s = SecondsSince(start);
  int64_t delivered = 0, first_ns = 0, last_ns = 0, next_progress = start + 30'000'000'000LL;
  bool caught_up = false;
  std::string error;
  std::vector<uint64_t> acks;
  while (delivered < expect && NowNs() < deadline) {
    auto fr = (*c)->Receive(100);
    if (!fr.ok()) {
      error = fr.status().message();
      break;
    }
    if (*fr == nullptr) {
      if (!acks.empty()) (void)(*c)->Ack(acks, false);
      acks.clear();
      continue;
    }
    auto frame = (*fr)->frame();
    if (frame.which() == muster::schema::Frame::NOTICE &&
        frame.getNotice().getKind() == muster::schema::Notice::Kind::CAUGHT_UP) {
      caught_up = true;
      break;
    }
    if (frame.which() != muster::schema::Frame::DELIVER) continue;
    if (first_ns == 0) first_ns = NowNs();
    last_ns = NowNs();
    acks.push_back(frame.getDeliver().getSeq());
    ++delivered;
    if (static_cast<int>(acks.size()) >= batch) {
      (void)(*c)->Ack(acks, false);
      acks.clear();
    }
    if (last_ns >= next_progress) {
      std::fprintf(stderr, "  drain: %" PRId64 " delivered, broker RSS %" PRId64 " MB, %.0f s\n", delivered,
                   rss.last_kb() / 1024, SecondsSince(start));
      next_progress = last_ns + 30'000'000'000LL;
    }
  }
  // The last acks made durable, so the broker's pending count is final.
  if (!acks.empty()) {
    auto s = (*c)->AckConfirmed(acks, false, 30000);
    if (!s.ok() && error.empty()) error = "last ack: " + s.message();
  }
  const double seconds = first_ns ? static_cast<double>(last_ns - start) / 1e9 : 0;
  (*c)->Close();
  rss.Stop();
  ProcStatus status = ReadStatus(o.broker_pid);
  const double cpu_after = ReadCpuSeconds(o.broker_pid);
  std::printf(
      "{\"step\":\"drain\",\"recipient\":\"%s\",\"expected\":%" PRId64 ",\"delivered\":%" PRId64
      ",\"caught_up_early\":%s,\"welcomed_s\":%.3f,\"first_delivery_s\":%.3f,\"seconds\":%.2f,"
      "\"per_s\":%.0f,\"broker_cpu_s\":%.1f,\"rss_max_kb\":%" PRId64 ",\"rss_kb\":%" PRId64 ",\"hwm_kb\":%" PRId64
      ",\"error\":\"%s\"}\n",
      recipient.c_str(), expect, delivered, caught_up ? "true" : "false", welcomed_s,
      first_ns ? static_cast<double>(first_ns - start) / 1e9 : -1.0, seconds,
      seconds > 0 ? static_cast<double>(delivered) / seconds : 0.0, cpu_before >= 0 ? cpu_after - cpu_before : -1.0,
      rss.max_kb(), status.rss_kb, status.hwm_kb, error.c_str());
  std::fflush(stdout);
  return error.empty() && delivered == expect ? 0 : 1;
}

// --- ready ---------------------------------------------------------------------------------

// Polls Connection::Open every `interval_ms` (each attempt waits that long) until a client is
// welcomed; prints the time since `since_wall_ns` (CLOCK_REALTIME, e.g. `date +%s%N` taken just
// before musterd was started).
int RunReady(const Common& o, const std::string& principal, int64_t since_wall_ns, int interval_ms) {
  const int64_t start = NowNs();
  const int64_t deadline = start + static_cast<int64_t>(o.max_seconds * 1e9);
  int attempts = 0;
  std::string last_error;
  zmq::context_t ctx(1);
  while (NowNs() < deadline) {
    ++attempts;
    const int64_t attempt_start = NowNs();
    auto c = muster::client::Connection::Open(ctx, o.Conn(principal, false, interval_ms));
    if (c.ok()) {
      const int64_t welcomed_wall = WallNs();
      (*c)->Close();
      ProcStatus status = ReadStatus(o.broker_pid);
      std::printf("{\"step\":\"ready\",\"ready_ms\":%.1f,\"attempts\":%d,\"rss_kb\":%" PRId64 "}\n",
                  static_cast<double>(welcomed_wall - since_wall_ns) / 1e6, attempts, status.rss_kb);
      std::fflush(stdout);
      return 0;
    }
    last_error = c.status().message();
    // A broker that handshakes but is slow to welcome gets longer attempts.
    if (c.status().code() == muster::StatusCode::kDeadlineExceeded &&
        last_error.find("accepted the connection") != std::string::npos) {
      interval_ms = std::min(interval_ms * 2, 2000);
    }
    int64_t next = attempt_start + static_cast<int64_t>(interval_ms) * 1'000'000;
    if (NowNs() < next) std::this_thread::sleep_for(std::chrono::nanoseconds(next - NowNs()));
  }
  std::printf("{\"step\":\"ready\",\"ready_ms\":-1,\"attempts\":%d,\"error\":\"%s\"}\n", attempts, last_error.c_str());
  return 1;
}

// --- fan-out -------------------------------------------------------------------------------

std::string FanOrg(int n) { return "fan-" + std::to_string(n); }
std::string FanPrincipal(int n, int i) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "fan%d-%04d", n, i + 1);
  return buf;
}

int RunFanoutPolicy(const Common& o, const std::vector<int>& sizes) {
  const std::string policy_path = o.demo + "/policy.toml";
  std::string existing;
  {
    std::ifstream in(policy_path);
    if (!in) {
      std::fprintf(stderr, "error: cannot read %s\n", policy_path.c_str());
      return 1;
    }
    existing.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::string add;
  int keys = 0;
  for (int n : sizes) {
    if (existing.find("id = \"" + FanOrg(n) + "\"") != std::string::npos) continue;
    add += "\n[[organisation]]\nid = \"" + FanOrg(n) + "\"\nname = \"Fan-out benchmark organisation of " +
           std::to_string(n) + "\"\nsector = \"military\"\n";
    for (int i = 0; i < n; ++i) {
      const std::string id = FanPrincipal(n, i);
      auto pair = muster::security::GenerateCurveKeyPair();
      if (!pair.ok()) {
        std::fprintf(stderr, "error: key generation: %s\n", pair.status().message().c_str());
        return 1;
      }
      auto written = muster::security::WriteCurveKeyFiles(o.demo + "/keys", id, *pair, /*overwrite=*/true);
      if (!written.ok()) {
        std::fprintf(stderr, "error: %s\n", written.message().c_str());
        return 1;
      }
      ++keys;
      add += "\n[[principal]]\nid = \"" + id + "\"\norg = \"" + FanOrg(n) +
             "\"\nrole = \"adapter\"\nclearance = \"confidential\"\nkey_file = \"keys/" + id + ".pub\"\n";
    }
  }
  std::ofstream out(policy_path, std::ios::app);
  out << add;
  out.close();
  if (!out) {
    std::fprintf(stderr, "error: cannot append to %s\n", policy_path.c_str());
    return 1;
  }
  std::printf("{\"step\":\"fanout-policy\",\"keys\":%d}\n", keys);
  return 0;
}

int RunFanout(const Common& o, int n, int64_t messages, int window, const std::string& sender) {
  const Address to{"org", FanOrg(n)};
  const std::string padding(800, 'x');  // 1 KB messages, as the other measurements
  // All recipients share one context: one I/O thread does their CURVE work. Two sockets each
  // (the DEALER and its monitor).
  zmq::context_t ctx(1);
  ctx.set(zmq::ctxopt::max_sockets, 4 * n + 64);

  struct PerMessage {
    std::atomic<int> deliveries{0};
    std::atomic<int64_t> last_ns{0};
  };
  std::unique_ptr<PerMessage[]> per_message(new PerMessage[static_cast<size_t>(messages)]);
  std::vector<int64_t> sent_ns(static_cast<size_t>(messages), 0);
  std::mutex mu;
  std::vector<int64_t> delivery_ns;
  std::string error;
  std::atomic<int64_t> total_deliveries{0}, duplicates{0};
  std::atomic<int64_t> last_delivery_ns{0};
  std::atomic<bool> stop{false}, go{false};
  std::atomic<int> opened{0}, failed{0};

  const int64_t open_start = NowNs();
  const int64_t deadline = open_start + static_cast<int64_t>(o.max_seconds * 1e9);
  std::vector<std::thread> recipients;
  recipients.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    // Each recipient opens on its own thread and then serves its connection (pings included)
    // until it has every message or the deadline passes.
    recipients.emplace_back([&, i] {
      auto c = muster::client::Connection::Open(ctx, o.Conn(FanPrincipal(n, i), true, 30000));
      if (!c.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        error = FanPrincipal(n, i) + ": " + c.status().message();
        ++failed;
        stop = true;
        return;
      }
      ++opened;
      std::vector<int64_t> local;
      local.reserve(static_cast<size_t>(messages));
      std::vector<uint64_t> acks;
      int64_t received = 0;
      auto handle = [&](const muster::wire::DecodedFrame& d) {
        auto frame = d.frame();
        if (frame.which() != muster::schema::Frame::DELIVER) return;
        auto deliver = frame.getDeliver();
        acks.push_back(deliver.getSeq());
        int64_t index = 0, sent = 0;
        if (!ParseIdentifier(deliver.getEnvelope().getBody().getAlert().getIdentifier().cStr(), &index, &sent)) return;
        if (index < 0 || index >= messages) return;
        if (deliver.getRedeliveryCount() > 0) {
          ++duplicates;
          return;
        }
        const int64_t now = NowNs();
        local.push_back(now - sent);
        ++received;
        PerMessage& m = per_message[static_cast<size_t>(index)];
        int64_t prev = m.last_ns.load();
        while (prev < now && !m.last_ns.compare_exchange_weak(prev, now)) {
        }
        ++m.deliveries;
        ++total_deliveries;
        prev = last_delivery_ns.load();
        while (prev < now && !last_delivery_ns.compare_exchange_weak(prev, now)) {
        }
      };
      while (received < messages && NowNs() < deadline && !stop) {
        auto fr = (*c)->Receive(100);
        if (!fr.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          error = FanPrincipal(n, i) + ": " + fr.status().message();
          stop = true;
          break;
        }
        if (*fr == nullptr) continue;
        handle(**fr);
        // Everything already here, then one ack for the lot.
        for (int k = 0; k < 256; ++k) {
          auto more = (*c)->Receive(0);
          if (!more.ok() || *more == nullptr) break;
          handle(**more);
        }
        if (!acks.empty()) (void)(*c)->Ack(acks, false);
        acks.clear();
      }
      // Stay connected (and pinging) until every recipient is done, so that none of them is
      // torn down while the broker still delivers to the others.
      while (!go && NowNs() < deadline && !stop) (void)(*c)->Receive(50);
      (*c)->Close();
      std::lock_guard<std::mutex> lock(mu);
      delivery_ns.insert(delivery_ns.end(), local.begin(), local.end());
    });
  }
  while (opened + failed < n && NowNs() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double open_seconds = SecondsSince(open_start);
  std::fprintf(stderr, "  fan-out %d: %d recipients connected in %.1f s\n", n, opened.load(), open_seconds);

  const double cpu_before = ReadCpuSeconds(o.broker_pid);
  const double self_before = SelfCpuSeconds();
  std::vector<int64_t> receipt_ns;
  int64_t receipts = 0, rejected = 0, last_receipt = 0;
  const int64_t start = NowNs();
  if (!stop) {
    zmq::context_t pctx(1);
    auto c = muster::client::Connection::Open(pctx, o.Conn(sender, false));
    if (!c.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      error = "publisher: " + c.status().message();
      stop = true;
    } else {
      const std::string run = std::to_string(WallNs());
      std::unordered_map<std::string, int64_t> in_flight;
      int64_t next = 0, done = 0;
      while (done < messages && NowNs() < deadline && !stop) {
        while (next < messages && static_cast<int>(in_flight.size()) < window) {
          const std::string id = "fan-" + run + "-" + std::to_string(next);
          const int64_t t = NowNs();
          const int64_t index = next++;
          sent_ns[static_cast<size_t>(index)] = t;
          in_flight[id] = t;
          (void)(*c)->SendPublish(id, [&](muster::schema::Envelope::Builder e) { FillMessage(e, to, index, t, padding); });
        }
        auto fr = (*c)->Receive(100);
        if (!fr.ok()) break;
        if (*fr == nullptr) continue;
        auto frame = (*fr)->frame();
        std::string id;
        bool ok = frame.which() == muster::schema::Frame::RECEIPT;
        if (ok) {
          id = frame.getReceipt().getClientMessageId();
        } else if (frame.which() == muster::schema::Frame::REJECT) {
          id = frame.getReject().getClientMessageId();
          if (++rejected == 1) std::fprintf(stderr, "warning: first refusal: %s\n", frame.getReject().getReason().cStr());
        } else {
          continue;
        }
        auto it = in_flight.find(id);
        if (it == in_flight.end()) continue;
        if (ok) {
          last_receipt = NowNs();
          receipt_ns.push_back(last_receipt - it->second);
          ++receipts;
        }
        in_flight.erase(it);
        ++done;
      }
      (*c)->Close();
    }
  }
  // Wait for the deliveries (each recipient thread ends when it has all of them).
  while (total_deliveries < receipts * n && NowNs() < deadline && !stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int64_t end = last_delivery_ns.load();
  const double cpu_after = ReadCpuSeconds(o.broker_pid);
  const double self_after = SelfCpuSeconds();
  ProcStatus status = ReadStatus(o.broker_pid);
  go = true;
  for (auto& t : recipients) t.join();

  std::vector<int64_t> last_ns;
  int64_t complete = 0;
  for (int64_t i = 0; i < messages; ++i) {
    PerMessage& m = per_message[static_cast<size_t>(i)];
    if (m.deliveries.load() == n) {
      ++complete;
      last_ns.push_back(m.last_ns.load() - sent_ns[static_cast<size_t>(i)]);
    }
  }
  Percentiles pr = Compute(receipt_ns), pd = Compute(delivery_ns), pl = Compute(last_ns);
  const double receipt_s = last_receipt > start ? static_cast<double>(last_receipt - start) / 1e9 : 0;
  const double delivery_s = end > start ? static_cast<double>(end - start) / 1e9 : 0;
  const int64_t deliveries = total_deliveries.load();
  std::printf(
      "{\"step\":\"fanout\",\"recipients\":%d,\"window\":%d,\"messages\":%" PRId64 ",\"receipts\":%" PRId64
      ",\"rejected\":%" PRId64 ",\"deliveries\":%" PRId64 ",\"redeliveries\":%" PRId64 ",\"complete\":%" PRId64
      ",\"open_s\":%.2f,\"receipt_s\":%.3f,\"delivery_s\":%.3f,\"receipts_per_s\":%.1f,\"deliveries_per_s\":%.0f,"
      "\"receipt_ms\":{\"p50\":%.3f,\"p99\":%.3f},\"delivery_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
      "\"last_delivery_ms\":{\"p50\":%.3f,\"p99\":%.3f},\"broker_cpu_s\":%.2f,\"client_cpu_s\":%.2f,"
      "\"rss_kb\":%" PRId64 ",\"hwm_kb\":%" PRId64 ",\"error\":\"%s\"}\n",
      n, window, messages, receipts, rejected, deliveries, duplicates.load(), complete, open_seconds, receipt_s,
      delivery_s, receipt_s > 0 ? static_cast<double>(receipts) / receipt_s : 0.0,
      delivery_s > 0 ? static_cast<double>(deliveries) / delivery_s : 0.0, pr.p50, pr.p99, pd.p50, pd.p99, pl.p50,
      pl.p99, cpu_before >= 0 ? cpu_after - cpu_before : -1.0, self_after - self_before, status.rss_kb,
      status.hwm_kb, error.c_str());
  std::fflush(stdout);
  return error.empty() && complete == messages ? 0 : 1;
}

std::vector<int> ParseSizes(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(std::atoi(item.c_str()));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Common o;
  CLI::App app{"muster-scale: scale measurements against a running musterd (issue 7); see bench/scale/run.sh"};
  app.require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("--broker", o.broker, "broker endpoint")->required();
    sub->add_option("--demo", o.demo, "demo directory (keys/NAME.key, keys/broker.pub, policy.toml)")->required();
    sub->add_option("--broker-pid", o.broker_pid, "musterd's pid, to read its RSS and CPU time from /proc");
    sub->add_option("--max-seconds", o.max_seconds, "stop after this long whatever happens");
  };

  FillOptions fill;
  auto* fill_cmd = app.add_subcommand("fill", "publish N messages to one address");
  common(fill_cmd);
  fill_cmd->add_option("--to", fill.to, "principal:ID or org:ID")->required();
  fill_cmd->add_option("--sender", fill.sender, "publishing principal (default command)");
  fill_cmd->add_option("--consumer", fill.consumer, "principal that receives and acks during the fill");
  fill_cmd->add_option("--messages", fill.messages, "messages N");
  fill_cmd->add_option("--size", fill.size, "approximate message size in bytes");
  fill_cmd->add_option("--publishers", fill.publishers, "publishers P (one connection each)");
  fill_cmd->add_option("--window", fill.window, "publishes in flight per publisher W");
  fill_cmd->add_option("--progress", fill.progress_seconds, "progress line every this many seconds");

  std::string recipient = "liaison-1";
  int64_t expect = 0;
  int batch = 64;
  auto* drain_cmd = app.add_subcommand("drain", "receive and ack everything pending for a recipient");
  common(drain_cmd);
  drain_cmd->add_option("--recipient", recipient, "receiving principal");
  drain_cmd->add_option("--expect", expect, "messages pending")->required();
  drain_cmd->add_option("--batch", batch, "acks per ack frame");

  std::string principal = "command";
  int64_t since_ns = 0;
  int interval_ms = 50;
  auto* ready_cmd = app.add_subcommand("ready", "time until a client is welcomed");
  common(ready_cmd);
  ready_cmd->add_option("--since-ns", since_ns, "wall-clock ns (date +%s%N) when musterd was started")->required();
  ready_cmd->add_option("--principal", principal, "connecting principal");
  ready_cmd->add_option("--interval-ms", interval_ms, "one Connection::Open attempt per this many ms");

  std::string sizes = "1,10,100,500";
  auto* policy_cmd = app.add_subcommand("fanout-policy", "add organisations fan-N of N principals to the policy");
  policy_cmd->add_option("--demo", o.demo, "demo directory")->required();
  policy_cmd->add_option("--sizes", sizes, "comma-separated N");

  int n = 1, window = 16;
  int64_t messages = 200;
  std::string sender = "command";
  auto* fan_cmd = app.add_subcommand("fanout", "publish to org:fan-N with its N principals receiving");
  common(fan_cmd);
  fan_cmd->add_option("--recipients", n, "N (organisation fan-N)")->required();
  fan_cmd->add_option("--messages", messages, "messages");
  fan_cmd->add_option("--window", window, "publishes in flight");
  fan_cmd->add_option("--sender", sender, "publishing principal");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (*fill_cmd) {
      if (fill.publishers < 1 || fill.window < 1 || fill.messages < fill.publishers) {
        std::fprintf(stderr, "error: need publishers >= 1, window >= 1, messages >= publishers\n");
        return 2;
      }
      return RunFill(o, fill);
    }
    if (*drain_cmd) return RunDrain(o, recipient, expect, std::max(1, batch));
    if (*ready_cmd) return RunReady(o, principal, since_ns, std::max(1, interval_ms));
    if (*policy_cmd) return RunFanoutPolicy(o, ParseSizes(sizes));
    if (*fan_cmd) {
      if (n < 1 || messages < 1 || window < 1) {
        std::fprintf(stderr, "error: need recipients, messages and window >= 1\n");
        return 2;
      }
      return RunFanout(o, n, messages, window, sender);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: unexpected: %s\n", e.what());
    return 1;
  }
  return 2;
}
