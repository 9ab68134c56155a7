// muster-bench: durable publish throughput and latency against a running musterd.
// P publishers (each its own connection, W publishes in flight) send N messages of SIZE bytes to
// one recipient that consumes and acks. Prints durable receipts/s, publish->receipt and
// publish->delivery latency percentiles, and the broker's fsyncs/s (commit batches), so group
// commit is visible. Every run is bounded by --messages and --max-seconds.
//   muster-bench --demo DIR [--publishers P] [--window W] [--messages N] [--size BYTES] [--json]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "adapters/sdk/connection.h"

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

struct Options {
  std::string broker = "tcp://127.0.0.1:7750";
  std::string demo;
  std::string publisher_key, recipient_key, server_key;
  std::string recipient = "msd";
  int publishers = 1;
  int window = 64;
  int64_t messages = 20000;
  int size = 1024;
  double max_seconds = 120;
  bool json = false;
};

struct Percentiles {
  double p50 = 0, p99 = 0, p999 = 0;
};

Percentiles Compute(std::vector<int64_t>& ns) {
  Percentiles p;
  if (ns.empty()) return p;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return ns[std::min(ns.size() - 1, static_cast<size_t>(q * static_cast<double>(ns.size())))] / 1e6; };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  return p;
}

muster::client::ConnectOptions Conn(const Options& o, const std::string& key, bool receive, uint32_t window) {
  muster::client::ConnectOptions c;
  c.broker = o.broker;
  c.key_file = key;
  c.server_key = o.server_key;
  c.client_name = "muster-bench";
  c.receive = receive;
  c.window = window;
  c.timeout_ms = 10000;
  return c;
}

void FillMessage(const Options& o, muster::schema::Envelope::Builder e, int64_t sent_ns, const std::string& padding) {
  e.setClassification(muster::schema::Classification::INTERNAL);
  e.setStatus(muster::schema::MessageStatus::TEST);
  e.initAddressing().initPrincipals(1).set(0, o.recipient);
  // A valid CAP 1.2 alert of status Test; its identifier carries the send time.
  auto alert = e.initBody().initAlert();
  alert.setIdentifier(std::to_string(sent_ns));
  alert.setSender("muster-bench");
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

struct Stats {
  uint64_t batches = 0, records = 0;
};

bool QueryStats(muster::client::Connection& c, Stats* out) {
  auto r = c.Query([](muster::schema::Query::Builder q) { q.setStats(); });
  if (!r.ok()) return false;
  auto s = (*r)->frame().getResult().getStats();
  out->batches = s.getFsyncs();
  out->records = s.getCommitRecords();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"muster-bench: durable publish throughput and latency against a running musterd"};
  app.add_option("--broker", o.broker, "broker endpoint (default tcp://127.0.0.1:7750)");
  app.add_option("--demo", o.demo, "demo directory: use its keys (publisher command, recipient msd)");
  app.add_option("--key", o.publisher_key, "publisher secret key file");
  app.add_option("--recipient-key", o.recipient_key, "recipient secret key file");
  app.add_option("--recipient", o.recipient, "recipient principal id (default msd)");
  app.add_option("--server-key", o.server_key, "broker public key file");
  app.add_option("--publishers", o.publishers, "concurrent publishers P (default 1)");
  app.add_option("--window", o.window, "publishes in flight per publisher W (default 64)");
  app.add_option("--messages", o.messages, "total messages N (default 20000)");
  app.add_option("--size", o.size, "approximate message size in bytes (default 1024)");
  app.add_option("--max-seconds", o.max_seconds, "stop after this long whatever happens (default 120)");
  app.add_flag("--json", o.json, "print one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!o.demo.empty()) {
    if (o.publisher_key.empty()) o.publisher_key = o.demo + "/keys/command.key";
    if (o.recipient_key.empty()) o.recipient_key = o.demo + "/keys/" + o.recipient + ".key";
    if (o.server_key.empty()) o.server_key = o.demo + "/keys/broker.pub";
  }
  if (o.publisher_key.empty() || o.recipient_key.empty() || o.server_key.empty()) {
    std::fprintf(stderr, "error: give --demo DIR, or --key, --recipient-key and --server-key\n");
    return 2;
  }
  const std::string padding(static_cast<size_t>(std::max(0, o.size - 200)), 'x');
  const int64_t per_publisher = o.messages / o.publishers;
  const int64_t total = per_publisher * o.publishers;
  const auto hard_deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(o.max_seconds * 1000));
  const std::string run = std::to_string(NowNs());

  // The recipient connects first so that delivery latency is measured live.
  zmq::context_t recipient_ctx(1);
  auto recipient = muster::client::Connection::Open(recipient_ctx, Conn(o, o.recipient_key, true, 0));
  if (!recipient.ok()) {
    std::fprintf(stderr, "error: recipient: %s\n", recipient.status().message().c_str());
    return 1;
  }
  // Drain anything left over from earlier runs.
  for (;;) {
    auto f = (*recipient)->Receive(300);
    if (!f.ok() || *f == nullptr) break;
    if ((*f)->frame().which() == muster::schema::Frame::DELIVER) {
      (void)(*recipient)->Ack({(*f)->frame().getDeliver().getSeq()}, false);
    }
  }

  zmq::context_t stats_ctx(1);
  auto stats_conn = muster::client::Connection::Open(stats_ctx, Conn(o, o.publisher_key, false, 0));
  if (!stats_conn.ok()) {
    std::fprintf(stderr, "error: %s\n", stats_conn.status().message().c_str());
    return 1;
  }
  Stats before, after;
  QueryStats(**stats_conn, &before);

  std::mutex mu;
  std::vector<int64_t> receipt_ns, delivery_ns;
  std::atomic<int64_t> delivered{0}, rejected{0};
  std::atomic<bool> stop{false};
  std::string error;

  std::thread consumer([&] {
    std::vector<uint64_t> acks;
    std::vector<int64_t> local;
    while (delivered < total && Clock::now() < hard_deadline && !stop) {
      auto f = (*recipient)->Receive(100);
      if (!f.ok()) break;
      if (*f == nullptr) {
        if (!acks.empty()) (void)(*recipient)->Ack(acks, false);
        acks.clear();
        continue;
      }
      auto fr = (*f)->frame();
      if (fr.which() != muster::schema::Frame::DELIVER) continue;
      auto d = fr.getDeliver();
      int64_t sent = std::strtoll(d.getEnvelope().getBody().getAlert().getIdentifier().cStr(), nullptr, 10);
      local.push_back(NowNs() - sent);
      acks.push_back(d.getSeq());
      if (acks.size() >= 64) {
        (void)(*recipient)->Ack(acks, false);
        acks.clear();
      }
      ++delivered;
    }
    if (!acks.empty()) (void)(*recipient)->Ack(acks, false);
    std::lock_guard<std::mutex> lock(mu);
    delivery_ns = std::move(local);
  });

  auto start = Clock::now();
  std::vector<std::thread> publishers;
  for (int p = 0; p < o.publishers; ++p) {
    publishers.emplace_back([&, p] {
      zmq::context_t ctx(1);
      auto c = muster::client::Connection::Open(ctx, Conn(o, o.publisher_key, false, 0));
      if (!c.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        error = c.status().message();
        stop = true;
        return;
      }
      std::vector<int64_t> local;
      local.reserve(static_cast<size_t>(per_publisher));
      std::unordered_map<std::string, int64_t> in_flight;
      int64_t next = 0, done = 0;
      while (done < per_publisher && Clock::now() < hard_deadline && !stop) {
        while (next < per_publisher && static_cast<int>(in_flight.size()) < o.window) {
          std::string id = "bench-" + run + "-" + std::to_string(p) + "-" + std::to_string(next++);
          int64_t t = NowNs();
          in_flight[id] = t;
          (void)(*c)->SendPublish(id, [&](muster::schema::Envelope::Builder e) { FillMessage(o, e, t, padding); });
        }
        auto f = (*c)->Receive(100);
        if (!f.ok()) break;
        if (*f == nullptr) continue;
        auto fr = (*f)->frame();
        std::string id;
        if (fr.which() == muster::schema::Frame::RECEIPT) id = fr.getReceipt().getClientMessageId();
        else if (fr.which() == muster::schema::Frame::REJECT) {
          id = fr.getReject().getClientMessageId();
          if (++rejected == 1) {
            std::fprintf(stderr, "warning: first refusal: %s\n", fr.getReject().getReason().cStr());
            if (fr.getReject().getCode() == muster::schema::RejectCode::OVERLOADED) {
              std::fprintf(stderr, "the publisher's rate limit applies: for a benchmark, remove the "
                                   "[[rate_limit]] tables from the demo policy and reload (kill -HUP musterd)\n");
            }
          }
        } else {
          continue;
        }
        auto it = in_flight.find(id);
        if (it == in_flight.end()) continue;
        local.push_back(NowNs() - it->second);
        in_flight.erase(it);
        ++done;
      }
      std::lock_guard<std::mutex> lock(mu);
      receipt_ns.insert(receipt_ns.end(), local.begin(), local.end());
    });
  }
  for (auto& t : publishers) t.join();
  double publish_secs = std::chrono::duration<double>(Clock::now() - start).count();
  consumer.join();
  double all_secs = std::chrono::duration<double>(Clock::now() - start).count();
  QueryStats(**stats_conn, &after);
  if (!error.empty()) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }

  size_t receipts = receipt_ns.size();
  Percentiles pr = Compute(receipt_ns), pd = Compute(delivery_ns);
  double rate = static_cast<double>(receipts) / publish_secs;
  double fsyncs = static_cast<double>(after.batches - before.batches) / publish_secs;
  double per_batch = after.batches > before.batches
                         ? static_cast<double>(after.records - before.records) / static_cast<double>(after.batches - before.batches)
                         : 0;
  if (o.json) {
    std::printf(
        "{\"publishers\":%d,\"window\":%d,\"size\":%d,\"messages\":%zu,\"rejected\":%lld,\"delivered\":%lld,"
        "\"receipts_per_s\":%.0f,\"receipt_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f},"
        "\"delivery_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f},\"fsyncs_per_s\":%.0f,"
        "\"records_per_commit\":%.1f,\"seconds\":%.2f}\n",
        o.publishers, o.window, o.size, receipts, static_cast<long long>(rejected.load()),
        static_cast<long long>(delivered.load()), rate, pr.p50, pr.p99, pr.p999, pd.p50, pd.p99, pd.p999, fsyncs,
        per_batch, all_secs);
  } else {
    std::printf("publishers %d, window %d, %d-byte messages, %zu receipts (%lld rejected), %lld delivered\n",
                o.publishers, o.window, o.size, receipts, static_cast<long long>(rejected.load()),
                static_cast<long long>(delivered.load()));
    std::printf("durable receipts/s     %10.0f\n", rate);
    std::printf("publish->receipt  ms   p50 %.3f  p99 %.3f  p99.9 %.3f\n", pr.p50, pr.p99, pr.p999);
    std::printf("publish->delivery ms   p50 %.3f  p99 %.3f  p99.9 %.3f\n", pd.p50, pd.p99, pd.p999);
    std::printf("fsyncs/s (commits)     %10.0f   (%.1f records per commit)\n", fsyncs, per_batch);
  }
  (*stats_conn)->Close();
  (*recipient)->Close();
  return receipts == static_cast<size_t>(total) && delivered == total ? 0 : 1;
}
