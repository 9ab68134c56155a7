// Operations against a real musterd: metrics that move with traffic, an online backup taken under
// load and restored, a broker key rotated with an overlap, a principal's key replaced without
// losing what is pending for it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "broker/store/store.h"
#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"
#include "security/curve_keys.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

// Metric lines of a Prometheus text page: "name{labels}" -> value.
std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

class OperationsTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    broker_ = BrokerProcess::StartDemo(dir_.Sub("demo"), 0, extra);
    ASSERT_NE(broker_, nullptr);
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  }
  void TearDown() override {
    if (broker_ && broker_->running()) {
      EXPECT_EQ(broker_->Stop(), 0) << broker_->Log();
    }
  }
  CommandResult Admin(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {MusterAdminPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, broker_->CliEnv("admin"));
  }
  int Alert(const std::string& to, const std::string& headline) {
    return RunCli(*broker_, "command", {"alert", "--to", to, "--event", "E", "--headline", headline}).exit_code;
  }
  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(OperationsTest, MetricsMoveAsTrafficFlows) {
  int port = FreePort();
  Start({"--metrics", "127.0.0.1:" + std::to_string(port)});
  httplib::Client http("127.0.0.1", port);
  auto scrape = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // rendered once a second
    auto res = http.Get("/metrics");
    EXPECT_TRUE(res && res->status == 200);
    return res ? ParseMetrics(res->body) : std::map<std::string, double>();
  };
  auto before = scrape();
  EXPECT_EQ(before["muster_store_healthy"], 1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Alert("principal:msd", "m" + std::to_string(i)), 0);
  EXPECT_EQ(RunCli(*broker_, "vol-1", {"alert", "--to", "org:ema", "--event", "E", "--headline", "h",
                                       "--classification", "confidential"}).exit_code, 1);
  auto during = scrape();
  EXPECT_EQ(during["muster_publishes_accepted_total"] - before["muster_publishes_accepted_total"], 3);
  EXPECT_EQ(during["muster_rejects_total{code=\"forbidden\"}"], 1);
  EXPECT_EQ(during["muster_pending_messages{recipient=\"msd\"}"], 3);
  EXPECT_GT(during["muster_fsyncs_total"], before["muster_fsyncs_total"]);
  EXPECT_GT(during["muster_audit_tree_size"], before["muster_audit_tree_size"]);
  ASSERT_EQ(RunCli(*broker_, "msd", {"inbox"}).exit_code, 0);
  auto after = scrape();
  EXPECT_EQ(after.count("muster_pending_messages{recipient=\"msd\"}"), 0u) << "drained";
  EXPECT_EQ(after["muster_deliveries_total"] - during["muster_deliveries_total"], 3);
  EXPECT_EQ(after["muster_acks_total"] - during["muster_acks_total"], 3);
  EXPECT_GE(after["muster_audit_checkpoint_size"], during["muster_audit_tree_size"]);
}

TEST_F(OperationsTest, BackupUnderLoadRestoresToAConsistentStore) {
  Start();
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread load([&] {
    zmq::context_t ctx(1);
    auto c = client::Connection::Open(ctx, broker_->Options("command"));
    if (!c.ok()) {
      ADD_FAILURE() << c.status().ToString();
      return;
    }
    TestAlert a;
    a.to_principals = {"msd"};
    // Each id is published until it has a receipt (an `overloaded` answer from the role's rate
    // limit is waited out), so the ids in the store are load-0 … load-(n-1) without gaps.
    for (int i = 0; i < 2000 && !stop; ++i) {
      for (int attempt = 0; attempt < 100 && !stop; ++attempt) {
        auto r = (*c)->Publish("load-" + std::to_string(i), [&](schema::Envelope::Builder e) { FillAlert(a, e); });
        if (r.ok()) {
          ++sent;
          break;
        }
        if (r.status().code() != StatusCode::kOverloaded) {
          ADD_FAILURE() << "load-" << i << ": " << r.status().ToString();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  });
  auto wait_for = [&](int target) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sent < target && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return sent >= target;
  };
  if (!wait_for(100)) {
    stop = true;
    load.join();
    FAIL() << "the load did not start: " << broker_->Log();
  }
  std::string backup = dir_.Sub("backup");
  int receipted_before = sent;  // everything receipted before the backup starts must be in it
  CommandResult made = Admin({"backup", backup});
  int sent_at_backup = sent;
  EXPECT_EQ(made.exit_code, 0) << made.err;
  EXPECT_TRUE(wait_for(sent_at_backup + 100)) << "the load stopped after the backup: " << broker_->Log();
  stop = true;
  load.join();
  ASSERT_EQ(broker_->Stop(), 0);
  // Without --data, a directory is not taken for a principal id: a usage error that says what to do.
  CommandResult no_data = RunCommand({MusterAdminPath(), "restore", backup});
  EXPECT_EQ(no_data.exit_code, 2) << no_data.err;
  EXPECT_NE(no_data.err.find("--data"), std::string::npos) << no_data.err;
  CommandResult restored = RunCommand({MusterAdminPath(), "restore", backup, "--data", broker_->DataDir()});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  // The restored store holds a prefix of the traffic: everything receipted before the backup,
  // each message once, and nothing after it.
  {
    auto store = store::Store::Open({broker_->DataDir(), true});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::set<std::string> ids;
    int count = 0;
    ASSERT_TRUE((*store)->Scan(store::Column::kMessages, "", "", [&](std::string_view, std::string_view v) {
      auto d = wire::DecodedStruct::Decode(v.data(), v.size());
      ids.insert((*d)->Get<schema::StoredMessage>().getEnvelope().getClientMessageId());
      ++count;
      return true;
    }).ok());
    EXPECT_EQ(static_cast<size_t>(count), ids.size()) << "each once";
    EXPECT_GE(count, receipted_before) << "receipted before the backup";
    EXPECT_LT(count, static_cast<int>(sent)) << "nothing from after the backup";
    for (int i = 0; i < count; ++i) EXPECT_TRUE(ids.count("load-" + std::to_string(i))) << i;
  }
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  CommandResult inbox = RunCli(*broker_, "msd", {"--json", "inbox"});
  EXPECT_EQ(inbox.exit_code, 0) << inbox.err;
}

TEST_F(OperationsTest, BrokerKeyRotationKeepsClientsWithBothKeysWorking) {
  Start();
  std::string keys = dir_.Sub("demo/keys");
  auto fresh = security::GenerateCurveKeyPair();
  ASSERT_TRUE(security::WriteCurveKeyFiles(keys, "broker-next", *fresh).ok());
  std::string both = keys + "/broker-next.pub," + keys + "/broker.pub";
  std::string old_only = keys + "/broker-old.pub";
  std::filesystem::copy_file(keys + "/broker.pub", old_only);
  auto whoami = [&](const std::string& server_keys) {
    return RunCommand({MusterCliPath(), "--connect-timeout", "3", "--broker", broker_->endpoint(), "--key",
                       broker_->KeyFile("msd"), "--server-key", server_keys, "whoami"});
  };
  EXPECT_EQ(whoami(both).exit_code, 0) << "overlap, before the switch";
  EXPECT_EQ(whoami(old_only).exit_code, 0);
  ASSERT_EQ(broker_->Stop(), 0);
  std::filesystem::copy_file(keys + "/broker-next.key", keys + "/broker.key", std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(broker_->Restart());
  // Ready as seen by a client that knows the new key.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CommandResult after = whoami(both);
  EXPECT_EQ(after.exit_code, 0) << "overlap, after the switch: " << after.err;
  CommandResult stale = whoami(old_only);
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("server-key"), std::string::npos) << stale.err;
  std::filesystem::copy_file(keys + "/broker-next.pub", keys + "/broker.pub", std::filesystem::copy_options::overwrite_existing);
}

TEST_F(OperationsTest, APrincipalsKeyIsReplacedWithoutLosingItsPendingMessages) {
  Start();
  ASSERT_EQ(Alert("principal:vol-1", "waiting for the station"), 1) << "vol-1 takes public only";
  ASSERT_EQ(RunCli(*broker_, "command", {"alert", "--to", "principal:vol-1", "--event", "E", "--headline",
                                         "waiting for the station", "--classification", "public"}).exit_code, 0);
  auto fresh = security::GenerateCurveKeyPair();
  ASSERT_TRUE(security::WriteCurveKeyFiles(dir_.path(), "vol-1-new", *fresh).ok());
  CommandResult set = Admin({"set-key", "vol-1", dir_.Sub("vol-1-new.pub")});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  // The old key is refused now; the new one gets what was pending.
  EXPECT_EQ(RunCli(*broker_, "vol-1", {"--connect-timeout", "2", "whoami"}).exit_code, 1);
  CommandResult inbox = RunCommand({MusterCliPath(), "--broker", broker_->endpoint(), "--server-key",
                                    broker_->ServerKeyFile(), "--key", dir_.Sub("vol-1-new.key"), "inbox"});
  ASSERT_EQ(inbox.exit_code, 0) << inbox.err;
  EXPECT_NE(inbox.out.find("waiting for the station"), std::string::npos) << inbox.out;
  // And it sticks across a restart.
  ASSERT_EQ(broker_->Stop(), 0);
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady());
  EXPECT_EQ(RunCommand({MusterCliPath(), "--broker", broker_->endpoint(), "--server-key", broker_->ServerKeyFile(),
                        "--key", dir_.Sub("vol-1-new.key"), "whoami"}).exit_code, 0);
}

}  // namespace
}  // namespace muster::testing
