// Slow and vanished recipients: every message goes to three recipients — msd receives and acks,
// liaison-1 receives and never acks (its window fills and stays full), rescue-1 runs `muster
// watch` in a process that is SIGKILLed mid-stream. Neither slows msd: it gets every message
// (counted, with its delivery latency), and the broker's memory stays bounded while thousands of
// messages pile up for the other two (RSS from /proc/PID/status, before and after).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/fault/fault_support.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

class SlowRecipientsTest : public UnthrottledBrokerTest {
 protected:
  void SetUp() override {
    // ASan holds freed memory back (256 MB by default) before reusing it; cap that for the broker
    // so that its RSS shows what it keeps, not what the sanitizer keeps. Ignored without ASan.
    const char* asan = std::getenv("ASAN_OPTIONS");
    std::string options = asan ? std::string(asan) + ":" : "";
    setenv("ASAN_OPTIONS", (options + "quarantine_size_mb=16").c_str(), 1);
    UnthrottledBrokerTest::SetUp();
  }
};

double Percentile(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return static_cast<double>(v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))]);
}

TEST_F(SlowRecipientsTest, ANeverAckingAndAVanishedRecipientSlowNoOneAndMemoryStaysBounded) {
  const int kWarmup = Scaled(400, 2000);
  const int kMessages = Scaled(3000, 20000);  // after the warm-up
  const size_t kPayload = 48000;
  const int kPublishers = 4;

  // msd: receives and acks everything, recording when each seq arrived.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<uint64_t, int64_t> msd_arrived;   // seq -> monotonic ms
  std::map<uint64_t, int64_t> receipted_at;  // seq -> monotonic ms
  std::atomic<size_t> msd_count{0};
  uint64_t msd_duplicates = 0;
  std::thread msd([&] {
    zmq::context_t context(1);
    auto c = client::Connection::Open(context, broker_->Options("msd", true));
    if (!c.ok()) return;
    std::vector<uint64_t> batch;
    while (!stop) {
      auto f = (*c)->Receive(50);
      if (!f.ok()) break;
      if (*f != nullptr && (*f)->frame().which() == schema::Frame::DELIVER) {
        const uint64_t seq = (*f)->frame().getDeliver().getSeq();
        std::lock_guard<std::mutex> lock(mu);
        if (!msd_arrived.emplace(seq, MonoMs()).second) ++msd_duplicates;
        msd_count = msd_arrived.size();
        batch.push_back(seq);
      }
      if (batch.size() >= 32 || (*f == nullptr && !batch.empty())) {
        (void)(*c)->Ack(batch, false);
        batch.clear();
      }
    }
    (*c)->Close();
  });
  // liaison-1: receives, never acks.
  std::atomic<size_t> liaison_count{0};
  std::thread liaison([&] {
    zmq::context_t context(1);
    auto c = client::Connection::Open(context, broker_->Options("liaison-1", true));
    if (!c.ok()) return;
    while (!stop) {
      auto f = (*c)->Receive(50);
      if (!f.ok()) break;
      if (*f != nullptr && (*f)->frame().which() == schema::Frame::DELIVER) ++liaison_count;
    }
    (*c)->Close();
  });
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& a;
    std::thread& b;
    ~Joiner() {
      stop = true;
      if (a.joinable()) a.join();
      if (b.joinable()) b.join();
    }
  } joiner{stop, msd, liaison};
  // rescue-1: `muster watch` in its own process, killed once it is receiving.
  const std::string watch_log = dir_.Sub("watch.log");
  auto watcher = std::make_unique<ChildProcess>(
      std::vector<std::string>{MusterCliPath(), "--broker", broker_->endpoint(), "--key", broker_->KeyFile("rescue-1"),
                               "--server-key", broker_->ServerKeyFile(), "watch", "--timeout", "600"},
      watch_log);
  ASSERT_GT(watcher->pid(), 0);

  auto publish = [&](int from, int count, const char* prefix) -> std::string {
    std::vector<std::thread> threads;
    std::string failure;
    for (int t = 0; t < kPublishers; ++t) {
      threads.emplace_back([&, t] {
        zmq::context_t context(1);
        std::unique_ptr<client::Connection> c;
        for (int i = from + t; i < from + count; i += kPublishers) {
          const std::string id = std::string(prefix) + std::to_string(i);
          TestAlert a;
          a.to_principals = {"msd", "liaison-1", "rescue-1"};
          a.headline = id;
          a.description_bytes = kPayload;
          auto r = PublishUntilReceipt(context, *broker_, "command", c, id,
                                       [&](schema::Envelope::Builder e) { FillAlert(a, e); }, 60000);
          std::lock_guard<std::mutex> lock(mu);
          if (!r.ok()) {
            failure = id + ": " + r.status().ToString();
            return;
          }
          receipted_at[r->seq] = MonoMs();
        }
        if (c != nullptr) c->Close();
      });
    }
    for (auto& t : threads) t.join();
    return failure;
  };

  // Warm-up: everyone connected, the watcher receiving; then it vanishes.
  ASSERT_EQ(publish(0, kWarmup, "warm-"), "");
  for (int64_t until = MonoMs() + 30000; MonoMs() < until && std::filesystem::file_size(watch_log) == 0;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(std::filesystem::file_size(watch_log), 0u) << "muster watch (rescue-1) received nothing";
  watcher->Signal(SIGKILL);
  watcher->Wait(10);
  for (int64_t until = MonoMs() + 60000; MonoMs() < until && msd_count < static_cast<size_t>(kWarmup);) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(msd_count, static_cast<size_t>(kWarmup)) << "msd did not get the warm-up messages";
  const int64_t rss_before = RssKb(broker_->pid());

  // The load: msd must keep up while messages pile up for liaison-1 and rescue-1.
  const int64_t load_started = MonoMs();
  ASSERT_EQ(publish(kWarmup, kMessages, "load-"), "");
  const int64_t published_ms = MonoMs() - load_started;
  const size_t total = static_cast<size_t>(kWarmup + kMessages);
  for (int64_t until = MonoMs() + 60000; MonoMs() < until && msd_count < total;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int64_t delivered_ms = MonoMs() - load_started;
  const int64_t rss_after = RssKb(broker_->pid());
  const int64_t rss_peak = PeakRssKb(broker_->pid());
  CommandResult sessions = RunCommand({MusterAdminPath(), "sessions"}, broker_->CliEnv("admin"), 30);
  stop = true;
  msd.join();
  liaison.join();

  std::vector<int64_t> latency;
  size_t missing = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [seq, at] : receipted_at) {
      auto it = msd_arrived.find(seq);
      if (it == msd_arrived.end()) {
        ++missing;
      } else if (seq > static_cast<uint64_t>(kWarmup)) {
        latency.push_back(std::max<int64_t>(0, it->second - at));
      }
    }
  }
  const double mb = 1024.0;
  const double growth_mb = static_cast<double>(rss_after - rss_before) / mb;
  const double piled_mb = 2.0 * kMessages * static_cast<double>(kPayload) / (1 << 20);
  std::printf("slow recipients: %d + %d messages of %zu bytes to msd, liaison-1 (never acks), rescue-1 (muster "
              "watch, SIGKILLed after the warm-up); %d publishers\n",
              kWarmup, kMessages, kPayload, kPublishers);
  std::printf("slow recipients: published in %.1f s (%.0f msg/s); msd got %zu of %zu (%llu duplicates) within "
              "%.1f s of the load starting; msd latency from receipt p50 %.0f ms, p99 %.0f ms, max %.0f ms; "
              "liaison-1 got %zu (its window) and acked none\n",
              published_ms / 1000.0, kMessages * 1000.0 / static_cast<double>(std::max<int64_t>(1, published_ms)),
              msd_count.load(), total, static_cast<unsigned long long>(msd_duplicates), delivered_ms / 1000.0,
              Percentile(latency, 0.5), Percentile(latency, 0.99), Percentile(latency, 1.0), liaison_count.load());
  std::printf("slow recipients: broker RSS %.1f MiB before the load, %.1f MiB after (%+.1f MiB, %.0f bytes per "
              "message; peak %.1f MiB) while %.0f MiB of payload piled up for the two stalled recipients\n",
              rss_before / mb, rss_after / mb, growth_mb,
              static_cast<double>(rss_after - rss_before) * 1024.0 / kMessages, rss_peak / mb, piled_mb);
  std::printf("slow recipients: muster-admin sessions:\n%s", sessions.out.c_str());

  EXPECT_EQ(missing, 0u) << "msd, which acks, did not get every message";
  EXPECT_EQ(msd_count, total);
  EXPECT_EQ(liaison_count, 256u) << "the never-acking recipient gets one window and no more";
  // Delivery to msd keeps pace with publishing: it finishes soon after the last publish.
  EXPECT_LT(delivered_ms - published_ms, 15000) << "msd fell behind the publishers";
  // A generous bound: RocksDB's memtables and caches may grow by a bounded amount, but a broker
  // that kept the messages pending for the two stalled recipients in memory would grow by the
  // payload piled up for them.
  ASSERT_GT(rss_before, 0);
  EXPECT_LT(growth_mb, 192.0) << "broker RSS grew from " << rss_before / mb << " to " << rss_after / mb << " MiB";
}

}  // namespace
}  // namespace muster::testing
