// audit-bench: the auditor's side of the audit log. Writes N events with AuditLog into a store
// in a temp directory (per message: accepted with a ~1 KB message record, delivered and received
// by two recipients, acknowledged by one; a checkpoint every 1,000 leaves, as a broker busy at
// 1,000 leaves/s signs each second), then measures `verify` in leaves/s, inclusion and
// consistency proof latency, and queries by incident and by time.
//   audit-bench [--events N] [--threads T] [--incidents K] [--dir DIR] [--keep] [--json]
// With --dir DIR --keep the store stays, and a later run on the same DIR measures it again
// without generating (it only appends up to N).
#include <CLI/CLI.hpp>
#include <poll.h>
#include <stdlib.h>

#include <capnp/message.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>

#include "broker/audit/audit_log.h"
#include "broker/audit/audit_reader.h"
#include "broker/store/group_committer.h"
#include "broker/store/keys.h"
#include "broker/store/record_codec.h"
#include "schemas/envelope.capnp.h"

namespace {

using namespace muster;
using SteadyClock = std::chrono::steady_clock;

double Seconds(SteadyClock::time_point since) {
  return std::chrono::duration<double>(SteadyClock::now() - since).count();
}

// Wall time that advances 1 ms per leaf, so leaf times spread like a busy broker's.
class BenchClock final : public Clock {
 public:
  int64_t NowMillis() const override { return now_ms_; }
  int64_t MonotonicMillis() const override { return now_ms_; }
  void Advance() { ++now_ms_; }

 private:
  int64_t now_ms_ = 1'790'000'000'000;
};

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};
Percentiles Compute(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<size_t>(q * static_cast<double>(us.size())))]; };
  return {at(0.5), at(0.99), us.back()};
}

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"audit-bench: verify speed, proof latency and queries over a generated audit log"};
  uint64_t events = 1000000;
  int threads = 2;
  int incidents = 1000;
  std::string dir;
  bool keep = false;
  bool json = false;
  bool breakdown = false;
  app.add_option("--events", events, "leaves to generate (default 1,000,000)");
  app.add_option("--threads", threads, "verify threads (default 2)");
  app.add_option("--incidents", incidents, "distinct incidents (default 1,000)");
  app.add_option("--dir", dir, "store directory (default: a new one under /tmp, removed afterwards)");
  app.add_flag("--keep", keep, "keep the store");
  app.add_flag("--json", json, "one JSON object with the figures");
  app.add_flag("--breakdown", breakdown, "also time the parts of verify alone: scans, leaf and node hashing");
  CLI11_PARSE(app, argc, argv);
  bool made_dir = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/audit-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return Fail(Status::IoError("mkdtemp"));
    dir = tmpl;
    made_dir = true;
  }

  // ---- Generate ----
  auto store = store::Store::Open({dir + "/db"});
  if (!store.ok()) return Fail(store.status());
  BenchClock clock;
  Logger logger(stderr, LogLevel::kError);
  auto committer_owner = std::make_unique<store::GroupCommitter>(**store);
  store::GroupCommitter& committer = *committer_owner;
  if (Status s = committer.Start(); !s.ok()) return Fail(s);
  auto log_owner = std::make_unique<audit::AuditLog>(**store, clock, logger);
  audit::AuditLog& log = *log_owner;
  if (Status s = log.Recover(); !s.ok()) return Fail(s);
  // The key is kept with the store, so that a kept store (--keep --dir) can be measured again.
  const std::string key_file = dir + "/bench.signing.key";
  auto key = security::SigningKey::LoadFile(key_file);
  if (!key.ok()) {
    key = security::SigningKey::Generate("muster/bench");
    if (!key.ok()) return Fail(key.status());
    if (Status s = security::WriteSigningKeyFile(key_file, **key, /*overwrite=*/true); !s.ok()) return Fail(s);
    // For `muster-audit --db DIR/db --key DIR/bench.signing.pub verify`.
    if (Status s = security::WriteVerifierKeyFile(dir + "/bench.signing.pub", (*key)->verifier_key(), true); !s.ok()) {
      return Fail(s);
    }
  }
  auto settle = [&] {
    while (committer.outstanding() > 0) {
      pollfd p{committer.notify_fd(), POLLIN, 0};
      ::poll(&p, 1, 50);
      committer.RunCompletions();
    }
  };
  std::mt19937_64 rng(1);
  const std::string description(700, 'd');
  const auto generate_started = SteadyClock::now();
  uint64_t seq = 0;
  store::CommitItem item;
  std::vector<std::string> incident_of;  // by seq
  for (uint64_t i = log.size(); i < events; ++i) {
    audit::AuditEvent e;
    const uint64_t step = i % 6;
    if (step == 0) {
      ++seq;
      std::string incident = "INC-" + std::to_string(rng() % static_cast<uint64_t>(incidents));
      e.event = schema::AuditLeaf::Event::ACCEPTED;
      e.actor = "command";
      e.org = "ema";
      e.seq = seq;
      e.incident = incident;
      e.kind = "alert";
      e.recipients = {"msd", "liaison-1"};
      capnp::MallocMessageBuilder m;
      auto env = m.initRoot<schema::Envelope>();
      env.setIncident(incident);
      env.setClientMessageId("bench-" + std::to_string(seq));
      env.getBody().initAlert().initInfos(1)[0].setDescription(description);
      store::BrokerStamp stamp{seq, "bench-" + std::to_string(seq), "command", "ema", clock.NowMillis(), log.size()};
      std::string bytes = store::EncodeStoredMessage(env.asReader(), stamp, {{"msd", "org:msd"}, {"liaison-1", "org:msd"}});
      auto digest = security::Sha256(bytes);
      e.digest.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
      item.writes.Put(store::Column::kMessages, store::MessageKey(seq), bytes);
      incident_of.push_back(incident);
    } else {
      static const schema::AuditLeaf::Event kAfter[] = {
          schema::AuditLeaf::Event::DELIVERED, schema::AuditLeaf::Event::DELIVERED, schema::AuditLeaf::Event::RECEIVED,
          schema::AuditLeaf::Event::RECEIVED, schema::AuditLeaf::Event::ACKNOWLEDGED};
      e.event = kAfter[step - 1];
      e.subject = step % 2 ? "msd" : "liaison-1";
      e.actor = e.event == schema::AuditLeaf::Event::DELIVERED ? "" : e.subject;
      e.org = e.actor.empty() ? "" : "msd";
      e.seq = seq;
      e.incident = incident_of.empty() ? "" : incident_of.back();
      e.kind = "alert";
      e.attempt = e.event == schema::AuditLeaf::Event::DELIVERED ? 1 : 0;
    }
    log.Append(e, &item.writes);
    clock.Advance();
    if ((i + 1) % 1000 == 0 || i + 1 == events) {
      item.on_done = log.WhenDurable(nullptr);
      committer.Submit(std::move(item));
      item = store::CommitItem();
      settle();
      auto signed_one = log.MaybeCheckpoint(**key, "muster/bench", committer);
      if (!signed_one.ok()) return Fail(signed_one.status());
      settle();
    }
  }
  const double generate_s = Seconds(generate_started);
  committer.Stop();
  log_owner.reset();
  committer_owner.reset();
  // Measure as an auditor does: the store opened read-only (a read-write open would flush and
  // compact in the background meanwhile).
  store->reset();
  store = store::Store::Open({dir + "/db", /*read_only=*/true});
  if (!store.ok()) return Fail(store.status());

  // ---- Measure ----
  audit::AuditReader reader(**store);
  const uint64_t size = *reader.Size();
  audit::VerifyOptions vo;
  vo.threads = threads;
  auto verify_started = SteadyClock::now();
  auto report = reader.Verify((*key)->verifier_key(), vo);
  const double verify_s = Seconds(verify_started);
  if (!report.ok()) return Fail(report.status());
  if (!report->ok()) return Fail(Status::Corruption("verify failed: " + report->problems[0].what));
  vo.threads = 1;
  verify_started = SteadyClock::now();
  auto report1 = reader.Verify((*key)->verifier_key(), vo);
  const double verify1_s = Seconds(verify_started);
  if (!report1.ok() || !report1->ok()) return Fail(Status::Corruption("single-threaded verify failed"));

  if (breakdown) {
    // What verify is made of, each part alone on one thread.
    uint64_t n = 0, bytes = 0;
    auto t = SteadyClock::now();
    (void)(*store)->Scan(store::Column::kAudit, "", "", [&](std::string_view, std::string_view v) {
      ++n;
      bytes += v.size();
      return true;
    });
    const double scan_audit = Seconds(t);
    t = SteadyClock::now();
    uint64_t tree = 0;
    (void)(*store)->Scan(store::Column::kTree, "", "", [&](std::string_view, std::string_view) { return ++tree, true; });
    const double scan_tree = Seconds(t);
    t = SteadyClock::now();
    uint64_t messages = 0;
    (void)(*store)->Scan(store::Column::kMessages, "", "", [&](std::string_view, std::string_view) { return ++messages, true; });
    const double scan_messages = Seconds(t);
    const std::string leaf(bytes / std::max<uint64_t>(1, n), 'x');
    t = SteadyClock::now();
    security::Digest d{};
    for (uint64_t i = 0; i < n; ++i) d = security::LeafHash(leaf);
    const double leaf_hash = Seconds(t);
    t = SteadyClock::now();
    for (uint64_t i = 0; i < n; ++i) d = security::NodeHash(d, d);
    const double node_hash = Seconds(t);
    std::printf("breakdown (1 thread): scan %llu leaves %.2f s, %llu tree hashes %.2f s, %llu messages %.2f s; "
                "%llu leaf hashes (%llu bytes) %.2f s; %llu node hashes %.2f s\n",
                static_cast<unsigned long long>(n), scan_audit, static_cast<unsigned long long>(tree), scan_tree,
                static_cast<unsigned long long>(messages), scan_messages, static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(leaf.size()), leaf_hash, static_cast<unsigned long long>(n), node_hash);
  }

  std::vector<double> proof_us, consistency_us;
  auto latest = **reader.LatestCheckpoint();
  for (int i = 0; i < 2000; ++i) {
    uint64_t leaf = rng() % latest.size;
    auto t = SteadyClock::now();
    auto p = reader.InclusionProof(leaf);
    if (!p.ok()) return Fail(p.status());
    if (Status s = audit::CheckInclusion(*p, nullptr); !s.ok()) return Fail(s);
    proof_us.push_back(Seconds(t) * 1e6);
  }
  auto checkpoints = *reader.Checkpoints();
  for (int i = 0; i < 500; ++i) {
    uint64_t a = checkpoints[rng() % checkpoints.size()].size;
    uint64_t b = checkpoints[rng() % checkpoints.size()].size;
    auto t = SteadyClock::now();
    auto c = reader.ConsistencyProof(std::min(a, b), std::max(a, b));
    if (!c.ok()) return Fail(c.status());
    if (Status s = audit::CheckConsistency(*c, nullptr); !s.ok()) return Fail(s);
    consistency_us.push_back(Seconds(t) * 1e6);
  }
  std::vector<double> incident_ms;
  size_t incident_hits = 0;
  for (int i = 0; i < 50; ++i) {
    audit::QueryFilter f;
    f.incident = "INC-" + std::to_string(rng() % static_cast<uint64_t>(incidents));
    auto t = SteadyClock::now();
    auto q = reader.Query(f);
    if (!q.ok()) return Fail(q.status());
    incident_ms.push_back(Seconds(t) * 1e3);
    incident_hits += q->records.size();
  }
  std::vector<double> minute_ms;  // accepted leaves in one minute of the log (60,000 leaves here)
  size_t minute_hits = 0;
  for (int i = 0; i < 20; ++i) {
    audit::QueryFilter f;
    f.from_ms = 1'790'000'000'000 + static_cast<int64_t>(rng() % std::max<uint64_t>(1, size - 60000));
    f.to_ms = *f.from_ms + 60000;  // one minute = 60,000 leaves here
    f.event = schema::AuditLeaf::Event::ACCEPTED;
    auto t = SteadyClock::now();
    auto q = reader.Query(f);
    if (!q.ok()) return Fail(q.status());
    minute_ms.push_back(Seconds(t) * 1e3);
    minute_hits += q->records.size();
  }
  const auto proof = Compute(proof_us), consistency = Compute(consistency_us), incident = Compute(incident_ms),
             minute = Compute(minute_ms);
  const double rate = static_cast<double>(size) / verify_s, rate1 = static_cast<double>(size) / verify1_s;
  if (json) {
    std::printf("{\"leaves\":%llu,\"messages\":%llu,\"checkpoints\":%llu,\"generate_s\":%.2f,\"verify_s\":%.3f,"
                "\"verify_leaves_per_s\":%.0f,\"verify_1thread_leaves_per_s\":%.0f,\"proof_us_p50\":%.1f,"
                "\"proof_us_p99\":%.1f,\"consistency_us_p50\":%.1f,\"consistency_us_p99\":%.1f,"
                "\"incident_query_ms_p50\":%.2f,\"incident_query_ms_p99\":%.2f,\"incident_hits_avg\":%.1f,"
                "\"minute_accepted_query_ms_p50\":%.2f}\n",
                static_cast<unsigned long long>(size), static_cast<unsigned long long>(report->messages),
                static_cast<unsigned long long>(report->checkpoints), generate_s, verify_s, rate, rate1, proof.p50,
                proof.p99, consistency.p50, consistency.p99, incident.p50, incident.p99,
                static_cast<double>(incident_hits) / 50, minute.p50);
  } else {
    std::printf("log: %llu leaves, %llu message records, %llu checkpoints (generated in %.1f s)\n",
                static_cast<unsigned long long>(size), static_cast<unsigned long long>(report->messages),
                static_cast<unsigned long long>(report->checkpoints), generate_s);
    std::printf("verify (%d threads): %.2f s = %.0f leaves/s; 1 thread: %.0f leaves/s\n", threads, verify_s, rate, rate1);
    std::printf("inclusion proof (read + check): p50 %.1f us, p99 %.1f us, max %.1f us\n", proof.p50, proof.p99, proof.max);
    std::printf("consistency proof between checkpoints: p50 %.1f us, p99 %.1f us\n", consistency.p50, consistency.p99);
    std::printf("query by incident (%d incidents, %.0f leaves each): p50 %.2f ms, p99 %.2f ms\n", incidents,
                static_cast<double>(incident_hits) / 50, incident.p50, incident.p99);
    std::printf("query accepted in one minute (time range, %.0f hits): p50 %.2f ms\n",
                static_cast<double>(minute_hits) / 20, minute.p50);
  }
  store->reset();
  if (made_dir && !keep) {
    std::string cmd = "rm -rf '" + dir + "'";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  }
  return 0;
}
