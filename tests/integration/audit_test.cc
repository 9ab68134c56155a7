// The auditor's tool against a real musterd: traffic through a demo broker, then `muster-audit
// --db DIR/data` verifies the log while the broker runs and after it stopped, proves a message's
// inclusion, queries and exports; a changed message record fails verification; SIGKILL during
// appends and restart leave a log whose root extends the last signed checkpoint; and (once the
// broker answers audit queries) the same subcommands over the protocol.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "broker/store/keys.h"
#include "broker/store/store.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

using Json = nlohmann::json;

std::vector<Json> JsonLines(const std::string& text) {
  std::vector<Json> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (nl > pos) out.push_back(Json::parse(text.substr(pos, nl - pos), nullptr, false));
    pos = nl + 1;
  }
  return out;
}

class AuditToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = BrokerProcess::StartDemo(dir_.Sub("demo"));
    ASSERT_NE(broker_, nullptr);
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  }
  void TearDown() override {
    if (broker_ && broker_->running()) {
      EXPECT_EQ(broker_->Stop(), 0) << broker_->Log();
    }
  }

  CommandResult Audit(const std::vector<std::string>& args, double timeout_s = 120) {
    std::vector<std::string> argv = {MUSTER_AUDIT_PATH, "--db", broker_->DataDir()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, {}, timeout_s);
  }
  // The latest checkpoint's size (0 if none), read with the tool.
  uint64_t LatestCheckpointSize(const std::string& key = "") {
    std::vector<std::string> args = {"--json", "checkpoints", "--latest"};
    if (!key.empty()) args.insert(args.begin(), {"--key", key});
    CommandResult r = Audit(args);
    if (r.exit_code != 0) return 0;
    auto lines = JsonLines(r.out);
    return lines.empty() ? 0 : lines.back().value("size", uint64_t{0});
  }
  // Waits until a checkpoint covers at least `size` leaves.
  bool WaitForCheckpoint(uint64_t size, double timeout_s = 15, const std::string& key = "") {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
    while (std::chrono::steady_clock::now() < deadline) {
      if (LatestCheckpointSize(key) >= size) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  std::vector<client::ReceiptInfo> SendAlerts(int n, const std::string& incident) {
    auto c = client::Connection::Open(context_, broker_->Options("command"));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    std::vector<client::ReceiptInfo> receipts;
    if (!c.ok()) return receipts;
    for (int i = 0; i < n; ++i) {
      TestAlert a;
      a.to_orgs = {"msd"};
      a.incident = incident;
      a.headline = incident + " " + std::to_string(i);
      auto r = (*c)->Publish(incident + "-" + std::to_string(i), [&](schema::Envelope::Builder e) { FillAlert(a, e); });
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) receipts.push_back(*r);
    }
    (*c)->Close();
    return receipts;
  }

  TempDir dir_;
  zmq::context_t context_{1};
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(AuditToolTest, VerifiesWhileTheBrokerRunsAndAfterItStopped) {
  auto receipts = SendAlerts(40, "INC-A");
  ASSERT_EQ(receipts.size(), 40u);
  CommandResult inbox = RunCli(*broker_, "msd", {"inbox"});
  ASSERT_EQ(inbox.exit_code, 0) << inbox.err;
  ASSERT_TRUE(WaitForCheckpoint(receipts.back().leaf_index + 1)) << broker_->Log();

  // While the broker runs (the store opened read-only beside the writer).
  CommandResult v = Audit({"verify"});
  ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("verified: "), std::string::npos) << v.out;
  CommandResult vj = Audit({"--json", "verify"});
  ASSERT_EQ(vj.exit_code, 0) << vj.err;
  Json report = Json::parse(vj.out);
  EXPECT_TRUE(report["ok"].get<bool>());
  EXPECT_EQ(report["messages"].get<uint64_t>(), 40u);
  EXPECT_GT(report["leaves"].get<uint64_t>(), 40u * 3) << "accepted, delivered and received for each";

  // The proof of a message names the leaf index its receipt gave.
  const auto& r = receipts[17];
  CommandResult p = Audit({"proof", std::to_string(r.seq)});
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
  EXPECT_NE(p.out.find("verified: leaf " + std::to_string(r.leaf_index) + " is in the tree"), std::string::npos) << p.out;

  CommandResult q = Audit({"--json", "query", "--incident", "INC-A", "--event", "accepted"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  auto rows = JsonLines(q.out);
  ASSERT_EQ(rows.size(), 40u);
  EXPECT_EQ(rows[17]["seq"].get<uint64_t>(), r.seq);
  EXPECT_EQ(rows[17]["index"].get<uint64_t>(), r.leaf_index);
  EXPECT_EQ(rows[17]["actor"], "command");
  CommandResult table = Audit({"query", "--recipient", "msd", "--event", "received", "--limit", "5"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("received"), std::string::npos) << table.out;
  EXPECT_NE(table.err.find("continue with --after"), std::string::npos) << table.err;

  // Export and check it with nothing but the file and the verifier key.
  const std::string pub = broker_->dir() + "/keys/broker.signing.pub";
  for (const std::string format : {"jsonl", "csv"}) {
    const std::string file = dir_.Sub("inc-a." + format);
    CommandResult e = Audit({"export", "--format", format, "--incident", "INC-A", "--out", file});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    CommandResult ve = RunCommand({MUSTER_AUDIT_PATH, "verify-export", file, "--pubkey", pub});
    ASSERT_EQ(ve.exit_code, 0) << ve.out << ve.err;
    EXPECT_NE(ve.out.find("verified: "), std::string::npos);
  }

  // A checkpoint kept now must still hold after the broker stopped.
  CommandResult seen = Audit({"checkpoints", "--latest", "--note"});
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  std::ofstream(dir_.Sub("seen.txt")) << seen.out;
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  v = Audit({"verify", "--seen-checkpoint", dir_.Sub("seen.txt")});
  ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("the log still reproduces the checkpoint"), std::string::npos) << v.out;
}

TEST_F(AuditToolTest, AChangedMessageRecordFailsVerificationAtItsLeaf) {
  auto receipts = SendAlerts(5, "INC-B");
  ASSERT_EQ(receipts.size(), 5u);
  ASSERT_TRUE(WaitForCheckpoint(receipts.back().leaf_index + 1));
  ASSERT_EQ(broker_->Stop(), 0);
  {
    auto store = store::Store::Open({broker_->DataDir()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto bytes = (*store)->Get(store::Column::kMessages, store::MessageKey(receipts[2].seq));
    ASSERT_TRUE(bytes.ok() && bytes->has_value());
    std::string changed = **bytes;
    size_t at = changed.find("INC-B 2");
    ASSERT_NE(at, std::string::npos);
    changed[at + 6] = '9';  // the headline now says "INC-B 9"
    store::WriteSet w;
    w.Put(store::Column::kMessages, store::MessageKey(receipts[2].seq), changed);
    ASSERT_TRUE((*store)->Commit({&w}, true).ok());
  }
  CommandResult v = Audit({"verify"});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  const std::string what = "message " + std::to_string(receipts[2].seq) + " (leaf " +
                           std::to_string(receipts[2].leaf_index) + "): record does not match the digest in its leaf";
  EXPECT_NE(v.out.find("FAILED: " + what), std::string::npos) << v.out;
  EXPECT_EQ(v.err, "error: the audit log failed verification: " + what + "\n");
}

// A signing-key rotation: the new key signs, the old one co-signs while auditors move over; then the
// old key is dropped. An auditor with both verifier keys verifies the whole log; one with only the
// old key stops verifying at the first checkpoint after the old key was dropped; one with only the
// new key cannot verify the checkpoints signed before the rotation.
TEST_F(AuditToolTest, ASigningKeyRotationKeepsEveryCheckpointVerifiable) {
  const std::string keys = broker_->dir() + "/keys";
  const std::string old_pub = keys + "/broker.signing.pub";
  const std::string new_pub = keys + "/broker-2.signing.pub";
  auto receipts = SendAlerts(5, "INC-R1");
  ASSERT_EQ(receipts.size(), 5u);
  ASSERT_TRUE(WaitForCheckpoint(receipts.back().leaf_index + 1)) << broker_->Log();
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();

  CommandResult gen = RunCommand({MUSTER_KEYGEN_PATH, "--signing", "broker-2", "--key-name", "muster/demo",
                                  "--dir", keys});
  ASSERT_EQ(gen.exit_code, 0) << gen.out << gen.err;
  auto set_broker_keys = [&](const std::string& lines) {
    const std::string path = broker_->dir() + "/musterd.toml";
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t at = text.find("[broker]\n");
    ASSERT_NE(at, std::string::npos) << text;
    size_t end = text.find("\n[", at + 1);
    std::string section = text.substr(at, end - at);
    // Drop earlier signing lines, then add these.
    std::string kept;
    size_t pos = 0;
    while (pos < section.size()) {
      size_t nl = section.find('\n', pos);
      if (nl == std::string::npos) nl = section.size();
      std::string line = section.substr(pos, nl - pos);
      if (line.rfind("signing_key", 0) != 0 && line.rfind("previous_signing_keys", 0) != 0) kept += line + "\n";
      pos = nl + 1;
    }
    text.replace(at, end - at, kept + lines);
    std::ofstream(path) << text;
  };

  // Phase 2: the new key signs, the old one co-signs.
  set_broker_keys("signing_key = \"keys/broker-2.signing.key\"\n"
                  "previous_signing_keys = [\"keys/broker.signing.key\"]\n");
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  receipts = SendAlerts(5, "INC-R2");
  ASSERT_EQ(receipts.size(), 5u);
  ASSERT_TRUE(WaitForCheckpoint(receipts.back().leaf_index + 1)) << broker_->Log();
  EXPECT_EQ(Audit({"--key", new_pub + "," + old_pub, "verify"}).exit_code, 0);
  CommandResult old_only = Audit({"--key", old_pub, "verify"});
  EXPECT_EQ(old_only.exit_code, 0) << "the old key co-signs during the rotation: " << old_only.out;
  CommandResult new_only = Audit({"--key", new_pub, "verify"});
  EXPECT_EQ(new_only.exit_code, 1) << new_only.out;
  EXPECT_NE(new_only.out.find("signature does not verify"), std::string::npos) << new_only.out;
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();

  // Phase 3: the old key is retired.
  set_broker_keys("signing_key = \"keys/broker-2.signing.key\"\n");
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  receipts = SendAlerts(5, "INC-R3");
  ASSERT_EQ(receipts.size(), 5u);
  ASSERT_TRUE(WaitForCheckpoint(receipts.back().leaf_index + 1, 15, new_pub)) << broker_->Log();
  CommandResult both = Audit({"--key", new_pub + "," + old_pub, "verify"});
  EXPECT_EQ(both.exit_code, 0) << both.out << both.err;
  EXPECT_EQ(Audit({"--key", old_pub, "verify"}).exit_code, 1);
  CommandResult listed = Audit({"--key", new_pub + "," + old_pub, "checkpoints"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out.find("BAD"), std::string::npos) << listed.out;
  CommandResult missing = Audit({"--key", new_pub + "," + keys + "/nope.signing.pub", "verify"});
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("nope.signing.pub"), std::string::npos) << missing.err;
}

TEST_F(AuditToolTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCommand({MUSTER_AUDIT_PATH}).exit_code, 2);
  EXPECT_EQ(RunCommand({MUSTER_AUDIT_PATH, "verify"}).exit_code, 2);
  EXPECT_EQ(Audit({"query", "--event", "exploded"}).exit_code, 2);
  EXPECT_EQ(Audit({"export", "--format", "xml"}).exit_code, 2);
  CommandResult nokey = RunCommand({MUSTER_AUDIT_PATH, "--db", dir_.Sub("nowhere"), "verify"});
  EXPECT_EQ(nokey.exit_code, 2) << nokey.err;
  EXPECT_EQ(nokey.err.rfind("error: ", 0), 0u);
  CommandResult nodb = RunCommand({MUSTER_AUDIT_PATH, "--db", dir_.Sub("nowhere"), "--key",
                                   broker_->dir() + "/keys/broker.signing.pub", "verify"});
  EXPECT_EQ(nodb.exit_code, 1) << nodb.err;
}

TEST_F(AuditToolTest, SigkillDuringAppendsLeavesALogThatExtendsTheLastCheckpoint) {
  std::atomic<bool> stop{false};
  std::atomic<int> receipts{0};
  std::atomic<bool> refused{false};  // the broker refused a publish: no point waiting for more
  std::string refusal;
  std::thread publisher([&] {
    zmq::context_t ctx(1);
    int n = 0;
    while (!stop) {
      auto o = broker_->Options("command");
      o.timeout_ms = 2000;
      auto c = client::Connection::Open(ctx, o);
      if (!c.ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      while (!stop) {
        TestAlert a;
        a.to_orgs = {"msd"};
        a.incident = "INC-K";
        auto r = (*c)->Publish("k-" + std::to_string(n), [&](schema::Envelope::Builder e) { FillAlert(a, e); }, 3000);
        if (!r.ok() && r.status().code() == StatusCode::kOverloaded) {  // a rate limit: retry a little later
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
        if (!r.ok() && r.status().code() != StatusCode::kDeadlineExceeded &&
            r.status().code() != StatusCode::kUnavailable) {
          refusal = r.status().ToString();
          refused = true;
          stop = true;
          break;
        }
        if (!r.ok()) break;  // the broker is gone: reconnect (the same id is retried)
        ++n;
        ++receipts;
      }
    }
  });
  // Stops and joins the publisher however the test body ends (an ASSERT returns early).
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } joiner{stop, publisher};
  for (int kill = 0; kill < 3; ++kill) {
    const int target = receipts + 150;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (receipts < target && !refused && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (receipts < target) {
      FAIL() << "publishing stalled at " << receipts << " receipts" << (refused ? ": " + refusal : std::string());
    }
    ASSERT_TRUE(WaitForCheckpoint(1));
    broker_->Kill();
    // The last checkpoint signed before the kill, and a note of it kept by the auditor.
    CommandResult before = Audit({"checkpoints", "--latest", "--note"});
    ASSERT_EQ(before.exit_code, 0) << before.err;
    const std::string seen_file = dir_.Sub("seen-" + std::to_string(kill) + ".txt");
    std::ofstream(seen_file) << before.out;
    const uint64_t old_size = LatestCheckpointSize();
    ASSERT_GT(old_size, 0u);
    ASSERT_TRUE(broker_->Restart());
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
    ASSERT_TRUE(WaitForCheckpoint(old_size + 1)) << "the restarted broker signs again";
    CommandResult c = Audit({"consistency", std::to_string(old_size), "latest"});
    ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
    EXPECT_NE(c.out.find("verified: the tree of " + std::to_string(old_size) + " leaves is a prefix"), std::string::npos);
    CommandResult v = Audit({"verify", "--seen-checkpoint", seen_file});
    ASSERT_EQ(v.exit_code, 0) << v.out << v.err;
  }
  stop = true;
  publisher.join();
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  CommandResult v = Audit({"verify", "--seen-checkpoint", dir_.Sub("seen-0.txt")});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(AuditToolTest, TheSameQueriesOverTheProtocol) {
  auto receipts = SendAlerts(12, "INC-R");
  ASSERT_EQ(receipts.size(), 12u);
  ASSERT_TRUE(WaitForCheckpoint(receipts.back().leaf_index + 1));
  auto remote = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {MUSTER_AUDIT_PATH,
                                     "--broker", broker_->endpoint(),
                                     "--key", broker_->KeyFile("auditor"),
                                     "--server-key", broker_->ServerKeyFile(),
                                     "--pubkey", broker_->dir() + "/keys/broker.signing.pub"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, {}, 60);
  };
  CommandResult local = Audit({"--json", "query", "--incident", "INC-R", "--event", "accepted"});
  CommandResult q = remote({"--json", "query", "--incident", "INC-R", "--event", "accepted"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, local.out);
  CommandResult p = remote({"proof", std::to_string(receipts[3].seq)});
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
  EXPECT_NE(p.out.find("verified: leaf " + std::to_string(receipts[3].leaf_index)), std::string::npos) << p.out;
  CommandResult cps = remote({"--json", "checkpoints"});
  ASSERT_EQ(cps.exit_code, 0) << cps.err;
  const uint64_t first = JsonLines(cps.out).front()["size"].get<uint64_t>();
  CommandResult c = remote({"consistency", std::to_string(first), "latest"});
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  // Each query over the protocol is itself in the log.
  ASSERT_TRUE(WaitForCheckpoint(LatestCheckpointSize() + 1));
  CommandResult audited = Audit({"--json", "query", "--event", "queried", "--sender", "auditor"});
  ASSERT_EQ(audited.exit_code, 0);
  EXPECT_GE(JsonLines(audited.out).size(), 4u);
  // Other principals are refused.
  std::vector<std::string> argv = {MUSTER_AUDIT_PATH, "--broker", broker_->endpoint(), "--key", broker_->KeyFile("command"),
                                   "--server-key", broker_->ServerKeyFile(), "query"};
  EXPECT_EQ(RunCommand(argv, {}, 60).exit_code, 1);
}

}  // namespace
}  // namespace muster::testing
