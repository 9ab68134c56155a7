// Authorisation against a real musterd with the demo policy: confidential traffic never reaches a
// volunteer station by any path, revocation in the middle of a session, a bad policy refused on
// reload with the old one still enforced, and a flooding principal limited while others pass.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

#include "common/files.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

class AuthorizationTest : public ::testing::Test {
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
  CommandResult Admin(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {MusterAdminPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, broker_->CliEnv("admin"));
  }
  CommandResult Alert(const std::string& from, const std::string& to, const std::string& classification,
                      const std::string& headline) {
    return RunCli(*broker_, from, {"--json", "alert", "--to", to, "--event", "Flood", "--headline", headline,
                                   "--classification", classification});
  }
  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(AuthorizationTest, ConfidentialTrafficNeverReachesAVolunteerStationByAnyPath) {
  std::vector<std::string> seqs;
  for (const std::string to : {"sector:volunteer", "area:320402", "org:vol-1", "principal:vol-1",
                               "sector:volunteer,area:320402,org:vol-1,org:msd", "area:320400"}) {
    CommandResult r = Alert("command", to, "confidential", "secret for " + to);
    if (r.exit_code == 0) {
      seqs.push_back(std::to_string(nlohmann::json::parse(r.out)["seq"].get<uint64_t>()));
    } else {
      EXPECT_NE(r.err.find("no-recipients"), std::string::npos) << to << ": " << r.err;
    }
  }
  ASSERT_FALSE(seqs.empty()) << "the mixed addressing still reaches msd";
  // A public alert for the area does reach it: the station is not simply unreachable.
  ASSERT_EQ(Alert("command", "area:320402", "public", "public for the district").exit_code, 0);
  CommandResult inbox = RunCli(*broker_, "vol-1", {"--json", "inbox"});
  ASSERT_EQ(inbox.exit_code, 0) << inbox.err;
  EXPECT_EQ(inbox.out.find("secret"), std::string::npos) << inbox.out;
  EXPECT_NE(inbox.out.find("public for the district"), std::string::npos) << inbox.out;
  CommandResult watch = RunCli(*broker_, "vol-1", {"--json", "watch", "--timeout", "1"});
  EXPECT_EQ(watch.out.find("secret"), std::string::npos);
  for (const auto& seq : seqs) {
    CommandResult status = RunCli(*broker_, "vol-1", {"status", seq});
    EXPECT_EQ(status.exit_code, 1);
    EXPECT_NE(status.err.find("no message with seq"), std::string::npos) << status.err;
    CommandResult ack = RunCli(*broker_, "vol-1", {"ack", seq});
    EXPECT_EQ(ack.exit_code, 1) << "vol-1 cannot even learn it exists by acking";
  }
}

TEST_F(AuthorizationTest, RevocationClosesTheSessionRefusesConnectionsAndKeepsPending) {
  CommandResult watch;
  std::thread watcher([&] { watch = RunCli(*broker_, "msd", {"watch", "--timeout", "20"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_EQ(Admin({"revoke", "msd"}).exit_code, 0);
  auto revoked_at = std::chrono::steady_clock::now();
  watcher.join();
  EXPECT_EQ(watch.exit_code, 1);
  EXPECT_NE(watch.err.find("revoked"), std::string::npos) << watch.err;
  EXPECT_LT(std::chrono::steady_clock::now() - revoked_at, std::chrono::seconds(2)) << "closed within a second";
  CommandResult refused = RunCli(*broker_, "msd", {"--connect-timeout", "3", "whoami"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("refused this key"), std::string::npos) << refused.err;
  // Sent while revoked: msd is not routed to; sent before (still pending) is kept, not delivered.
  CommandResult to_msd = Alert("command", "principal:msd,principal:duty", "internal", "while revoked");
  ASSERT_EQ(to_msd.exit_code, 0) << to_msd.err;
  EXPECT_EQ(nlohmann::json::parse(to_msd.out)["recipients"], 1);
  ASSERT_EQ(Admin({"restore", "msd"}).exit_code, 0);
  // Pending from before the revocation: queue one while msd is away, revoke, restore, collect.
  ASSERT_EQ(Alert("command", "principal:msd", "internal", "queued before revocation").exit_code, 0);
  ASSERT_EQ(Admin({"revoke", "msd"}).exit_code, 0);
  EXPECT_EQ(RunCli(*broker_, "msd", {"--connect-timeout", "2", "inbox"}).exit_code, 1);
  ASSERT_EQ(Admin({"unrevoke", "msd"}).exit_code, 0);
  CommandResult inbox = RunCli(*broker_, "msd", {"inbox"});
  ASSERT_EQ(inbox.exit_code, 0) << inbox.err;
  EXPECT_NE(inbox.out.find("queued before revocation"), std::string::npos) << inbox.out;
  EXPECT_EQ(inbox.out.find("while revoked"), std::string::npos) << inbox.out;
  // Revocations survive a restart.
  ASSERT_EQ(Admin({"revoke", "liaison-1"}).exit_code, 0);
  ASSERT_EQ(broker_->Stop(), 0);
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady());
  EXPECT_EQ(RunCli(*broker_, "liaison-1", {"--connect-timeout", "2", "whoami"}).exit_code, 1);
  CommandResult principals = Admin({"--json", "principals"});
  EXPECT_NE(principals.out.find("\"principal\":\"liaison-1\",\"org\":\"msd\",\"sector\":\"military\","
                                "\"role\":\"officer\",\"clearance\":\"confidential\",\"state\":\"revoked (muster-admin)\""),
            std::string::npos)
      << principals.out;
}

TEST_F(AuthorizationTest, ABadPolicyIsRefusedOnReloadAndTheOldOneStaysInForce) {
  std::string policy = dir_.Sub("demo/policy.toml");
  std::string good = *ReadFile(policy);
  ASSERT_TRUE(WriteFileAtomic(policy, good + "\n[[rule]]\naction = \"send\"\nkinds = [\"telegram\"]\n").ok());
  CommandResult reload = Admin({"reload"});
  EXPECT_EQ(reload.exit_code, 1);
  EXPECT_NE(reload.err.find("policy.toml:"), std::string::npos) << reload.err;
  EXPECT_NE(reload.err.find("telegram"), std::string::npos) << reload.err;
  EXPECT_NE(reload.err.find("previous policy stays in force"), std::string::npos) << reload.err;
  // SIGHUP with the same bad file: refused too, logged with its line.
  kill(broker_->pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_NE(broker_->Log().find("reload refused"), std::string::npos);
  // The old policy is still enforced: what it allows works, what it forbids is refused.
  EXPECT_EQ(Alert("command", "org:msd", "confidential", "still flowing").exit_code, 0);
  EXPECT_EQ(Alert("rescue-1", "org:ema", "confidential", "above clearance").exit_code, 1);
  // A good edit takes effect on SIGHUP: vol-1 revoked in the file.
  std::string revoked = good;
  auto pos = revoked.find("id = \"vol-1\"\norg = \"vol-1\"");
  ASSERT_NE(pos, std::string::npos);
  revoked.insert(pos, "revoked = true\n");
  ASSERT_TRUE(WriteFileAtomic(policy, revoked).ok());
  kill(broker_->pid(), SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(RunCli(*broker_, "vol-1", {"--connect-timeout", "2", "whoami"}).exit_code, 1);
}

TEST_F(AuthorizationTest, AFloodingPrincipalIsLimitedWhileOthersGetThrough) {
  zmq::context_t context(1);
  auto flooder = client::Connection::Open(context, broker_->Options("liaison-1"));  // officer: 20/s, burst 40
  ASSERT_TRUE(flooder.ok()) << flooder.status().ToString();
  const int kFlood = 300;
  TestAlert a;
  a.to_principals = {"duty"};
  for (int i = 0; i < kFlood; ++i) {
    ASSERT_TRUE((*flooder)->SendPublish("flood-" + std::to_string(i), [&](schema::Envelope::Builder e) { FillAlert(a, e); }).ok());
  }
  // Meanwhile another principal publishes normally.
  auto calm = client::Connection::Open(context, broker_->Options("command"));
  ASSERT_TRUE(calm.ok());
  int calm_accepted = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = (*calm)->Publish("calm-" + std::to_string(i), [&](schema::Envelope::Builder e) { FillAlert(a, e); });
    if (r.ok()) ++calm_accepted;
  }
  int receipts = 0, overloaded = 0;
  uint32_t retry_after = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (receipts + overloaded < kFlood && std::chrono::steady_clock::now() < deadline) {
    auto f = (*flooder)->Receive(500);
    ASSERT_TRUE(f.ok());
    if (*f == nullptr) continue;
    auto fr = (*f)->frame();
    if (fr.which() == schema::Frame::RECEIPT) ++receipts;
    if (fr.which() == schema::Frame::REJECT && fr.getReject().getCode() == schema::RejectCode::OVERLOADED) {
      ++overloaded;
      retry_after = std::max(retry_after, fr.getReject().getRetryAfterMillis());
    }
  }
  EXPECT_EQ(receipts + overloaded, kFlood) << "every publish was answered";
  EXPECT_GT(overloaded, 0);
  EXPECT_LT(receipts, kFlood / 2) << "the flood was limited (burst 40 at 20/s)";
  EXPECT_GT(retry_after, 0u) << "a refusal says when to retry";
  EXPECT_EQ(calm_accepted, 20) << "another principal is unaffected";
  std::printf("flood: %d accepted, %d overloaded; other principal: %d of 20 accepted\n", receipts, overloaded,
              calm_accepted);
}

}  // namespace
}  // namespace muster::testing
