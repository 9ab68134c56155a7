// Disk full: the broker's data directory is a small tmpfs. When it fills, publishes are refused
// with `unavailable` and never get a receipt, the broker stays up and keeps serving reads (its
// stored messages are delivered, statuses answered, acks answered), `muster-admin health` says the
// store refuses writes; once space is freed it resumes by itself, the refused messages retried
// with the same ids are accepted once, and the store and the audit log are whole
// (docs/operations.md, "When the disk fills"). Needs permission to mount a tmpfs (root); skipped,
// with the reason, where that is not allowed.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "tests/fault/fault_support.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

// A tmpfs mounted for the life of the object (lazily unmounted at the end).
class TmpfsMount {
 public:
  TmpfsMount() = default;
  ~TmpfsMount() {
    if (!path_.empty()) umount2(path_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  // Mounts a tmpfs of `megabytes` at `path` (created if missing). Returns the errno text on failure.
  std::string Mount(const std::string& path, int megabytes) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
    if (mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) != 0) return std::strerror(errno);
    path_ = path;
    return "";
  }

 private:
  std::string path_;
};

// Writes 1 MiB blocks to `path` until the filesystem is full; returns the bytes written.
int64_t FillUp(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::setvbuf(f, nullptr, _IONBF, 0);
  const std::string block(1 << 20, 'f');
  int64_t written = 0;
  for (int i = 0; i < 4096; ++i) {
    size_t n = std::fwrite(block.data(), 1, block.size(), f);
    written += static_cast<int64_t>(n);
    if (n < block.size()) break;
  }
  // Then smaller pieces, so that not even a page is left.
  for (int i = 0; i < 1024; ++i) {
    if (std::fwrite(block.data(), 1, 4096, f) < 4096) break;
    written += 4096;
  }
  std::fclose(f);
  return written;
}

class DiskFullTest : public ::testing::Test {
 protected:
  Result<client::ReceiptInfo> Send(client::Connection& c, const std::string& id, size_t bytes) {
    TestAlert a;
    a.to_principals = {"msd"};
    a.headline = id;
    a.description_bytes = bytes;
    return c.Publish(id, [&](schema::Envelope::Builder e) { FillAlert(a, e); }, 5000);
  }
  bool Healthy() {
    CommandResult r = RunCommand({MusterAdminPath(), "health"}, broker_->CliEnv("admin"), 30);
    return r.exit_code == 0;
  }

  TempDir dir_;
  TmpfsMount mount_;
  zmq::context_t context_{1};
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(DiskFullTest, PublishesAreRefusedWhileFullAndResumeWhenSpaceIsFreed) {
  // RocksDB clears a no-space error only once 16 MiB (its write buffer) are free again: the
  // filesystem must be big enough for the freed filler to give that back.
  const int kMegabytes = 64;
  const std::string demo = dir_.Sub("demo");
  const std::string data = demo + "/data";
  const std::string error = mount_.Mount(data, kMegabytes);
  if (!error.empty()) {
    GTEST_SKIP() << "cannot mount a tmpfs at " << data << " (" << error
                 << "): the disk-full scenario needs root with CAP_SYS_ADMIN";
  }
  std::string why;
  broker_ = StartDemoWithoutRateLimits(demo, &why);
  ASSERT_NE(broker_, nullptr) << why;

  auto sender = client::Connection::Open(context_, broker_->Options("command"));
  ASSERT_TRUE(sender.ok()) << sender.status().ToString();
  std::map<std::string, uint64_t> receipts;  // id -> seq
  for (int i = 0; i < 20; ++i) {
    const std::string id = "before-" + std::to_string(i);
    auto r = Send(**sender, id, 1000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    receipts[id] = r->seq;
  }

  // Fill the filesystem, then publish 32 KB messages until the broker cannot write any more.
  const std::string filler = data + "/filler";
  const int64_t filled = FillUp(filler);
  ASSERT_GT(filled, 0);
  std::string first_refused;
  std::string refusal;
  int accepted_while_filling = 0;
  const int64_t fill_started = MonoMs();
  for (int i = 0; i < 4000 && first_refused.empty() && MonoMs() - fill_started < 120000; ++i) {
    const std::string id = "filling-" + std::to_string(i);
    auto r = Send(**sender, id, 32000);
    if (r.ok()) {
      receipts[id] = r->seq;
      ++accepted_while_filling;
      continue;
    }
    ASSERT_EQ(r.status().code(), StatusCode::kUnavailable) << id << ": " << r.status().ToString();
    first_refused = id;
    refusal = r.status().message();
  }
  ASSERT_FALSE(first_refused.empty()) << "the store never ran out of space (" << accepted_while_filling
                                      << " messages of 32 KB accepted)";
  EXPECT_TRUE(broker_->running()) << broker_->Log();

  // While full: every publish is refused (no receipt), the broker answers everything else.
  std::map<std::string, size_t> refused = {{first_refused, 32000}};  // id -> description bytes
  for (int i = 0; i < 5; ++i) {
    const std::string id = "while-full-" + std::to_string(i);
    auto r = Send(**sender, id, 100);
    ASSERT_FALSE(r.ok()) << id << " got a receipt (seq " << r->seq << ") while the disk was full";
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
    refused[id] = 100;
  }
  EXPECT_FALSE(Healthy()) << "muster-admin health should report the store refusing writes";
  const auto& [some_id, some_seq] = *receipts.begin();
  CommandResult status = RunCli(*broker_, "command", {"--json", "status", std::to_string(some_seq)});
  EXPECT_EQ(status.exit_code, 0) << "status of " << some_id << " while full: " << status.err;
  size_t delivered_while_full = 0;
  Status ack_while_full = Status::Ok();
  {
    auto o = broker_->Options("msd", /*receive=*/true);
    o.window = 64;
    auto receiver = client::Connection::Open(context_, o);
    ASSERT_TRUE(receiver.ok()) << receiver.status().ToString();
    std::vector<uint64_t> got;
    for (int64_t until = MonoMs() + 5000; MonoMs() < until && got.size() < 64;) {
      auto f = (*receiver)->Receive(200);
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      if (*f != nullptr && (*f)->frame().which() == schema::Frame::DELIVER) got.push_back((*f)->frame().getDeliver().getSeq());
    }
    delivered_while_full = got.size();
    EXPECT_GT(delivered_while_full, 0u) << "stored messages are still delivered while the disk is full";
    if (!got.empty()) {
      // The ack cannot be made durable: the broker must say so (unavailable), not hang or lie.
      ack_while_full = (*receiver)->AckConfirmed({got.front()}, false, 10000);
      EXPECT_TRUE(ack_while_full.ok() || ack_while_full.code() == StatusCode::kUnavailable)
          << ack_while_full.ToString();
    }
    (*receiver)->Close();
  }
  EXPECT_TRUE(broker_->running()) << broker_->Log();

  // Free space: the broker resumes by itself and accepts the refused messages, once each.
  ASSERT_TRUE(std::filesystem::remove(filler));
  const int64_t freed_at = MonoMs();
  bool resumed = false;
  while (!resumed && MonoMs() - freed_at < 20000) {
    resumed = broker_->Log().find("writes resumed") != std::string::npos;
    if (!resumed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(resumed) << "no 'store writes resumed' within 20 s of freeing space\n" << broker_->Log();
  const int64_t resume_ms = MonoMs() - freed_at;
  EXPECT_TRUE(Healthy());
  size_t retried_as_duplicate = 0;
  for (const auto& [id, bytes] : refused) {
    std::unique_ptr<client::Connection> c = std::move(*sender);
    TestAlert a;
    a.to_principals = {"msd"};
    a.headline = id;
    a.description_bytes = bytes;
    auto r = PublishUntilReceipt(context_, *broker_, "command", c, id,
                                 [&](schema::Envelope::Builder e) { FillAlert(a, e); }, 30000);
    *sender = std::move(c);
    ASSERT_TRUE(r.ok()) << id << " after space was freed: " << r.status().ToString() << "\n" << broker_->Log();
    if (r->duplicate) ++retried_as_duplicate;
    receipts[id] = r->seq;
  }
  for (int i = 0; i < 20; ++i) {
    const std::string id = "after-" + std::to_string(i);
    auto r = Send(**sender, id, 1000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    receipts[id] = r->seq;
  }
  (*sender)->Close();

  // Everything receipted reaches the recipient.
  std::set<uint64_t> expected;
  for (const auto& [id, seq] : receipts) expected.insert(seq);
  {
    auto receiver = client::Connection::Open(context_, broker_->Options("msd", /*receive=*/true));
    ASSERT_TRUE(receiver.ok()) << receiver.status().ToString();
    std::set<uint64_t> got;
    for (int64_t until = MonoMs() + 60000; MonoMs() < until && got.size() < expected.size();) {
      auto f = (*receiver)->Receive(200);
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      if (*f == nullptr || (*f)->frame().which() != schema::Frame::DELIVER) continue;
      const uint64_t seq = (*f)->frame().getDeliver().getSeq();
      got.insert(seq);
      ASSERT_TRUE((*receiver)->Ack({seq}, false).ok());
    }
    for (uint64_t seq : expected) EXPECT_TRUE(got.count(seq)) << "seq " << seq << " was receipted but not delivered";
    (*receiver)->Close();
  }

  // The store holds each receipted id once under its receipted seq, and the log verifies.
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  auto logged = ReadLoggedMessages(data);
  ASSERT_TRUE(logged.ok()) << logged.status().ToString();
  std::map<std::string, std::vector<uint64_t>> copies;
  for (const auto& m : *logged) copies[m.client_message_id].push_back(m.seq);
  for (const auto& [id, seq] : receipts) {
    ASSERT_EQ(copies.count(id), 1u) << id << " was receipted but is not in the store";
    EXPECT_EQ(copies[id], std::vector<uint64_t>{seq}) << id;
  }
  EXPECT_EQ(copies.size(), receipts.size()) << "the store holds messages nobody got a receipt for";
  CommandResult v = AuditVerify(data);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  std::printf("disk full: %d MiB tmpfs, filler %.1f MiB; %d messages of 32 KB accepted before the store refused; "
              "refusal: \"%s\"\n",
              kMegabytes, static_cast<double>(filled) / (1 << 20), accepted_while_filling, refusal.c_str());
  std::printf("disk full: while full: %zu publishes refused with unavailable and no receipt, %zu deliveries of "
              "stored messages, ack answered: %s\n",
              refused.size(), delivered_while_full, ack_while_full.ok() ? "confirmed" : ack_while_full.message().c_str());
  std::printf("disk full: writes resumed %lld ms after space was freed; %zu refused ids retried and accepted "
              "(%zu answered as duplicates); %zu receipted, %zu logged; muster-audit verify exit %d\n",
              static_cast<long long>(resume_ms), refused.size(), retried_as_duplicate, receipts.size(), copies.size(),
              v.exit_code);
}

}  // namespace
}  // namespace muster::testing
