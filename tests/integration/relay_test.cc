// End to end through a real musterd with the real `muster` CLI: one principal sends, another
// receives; the JSON and text output; refusals and usage errors with their exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <thread>

#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"

namespace muster::testing {
namespace {

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = BrokerProcess::StartDemo(dir_.Sub("demo"));
    ASSERT_NE(broker_, nullptr);
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  }
  void TearDown() override {
    if (broker_) {
      EXPECT_EQ(broker_->Stop(), 0) << "musterd did not stop cleanly:\n" << broker_->Log();
    }
  }
  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(RelayTest, AlertReachesWatcherWithAllJsonFields) {
  CommandResult watch;
  std::thread watcher([&] {
    watch = RunCli(*broker_, "msd", {"--json", "watch", "--count", "1", "--timeout", "30"});
  });
  // Give the watcher time to connect; the message would be kept for it anyway.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CommandResult sent = RunCli(*broker_, "command",
                              {"--json", "alert", "--to", "org:msd", "--event", "Flood", "--headline",
                               "River above warning level at Liyang", "--severity", "Severe", "--urgency",
                               "Immediate", "--incident", "INC-7", "--classification", "confidential"});
  watcher.join();
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  auto receipt = nlohmann::json::parse(sent.out);
  ASSERT_EQ(watch.exit_code, 0) << watch.err;
  auto msg = nlohmann::json::parse(watch.out.substr(0, watch.out.find('\n')));
  EXPECT_EQ(msg["seq"], receipt["seq"]);
  EXPECT_EQ(msg["sender"], "command");
  EXPECT_EQ(msg["org"], "ema");
  EXPECT_EQ(msg["kind"], "alert");
  EXPECT_EQ(msg["status"], "actual");
  EXPECT_EQ(msg["classification"], "confidential");
  EXPECT_EQ(msg["incident"], "INC-7");
  EXPECT_EQ(msg["matched_term"], "org:msd");
  EXPECT_EQ(msg["body"]["infos"][0]["event"], "Flood");
  EXPECT_EQ(msg["body"]["infos"][0]["severity"], "severe");
  EXPECT_EQ(msg["body"]["infos"][0]["headline"], "River above warning level at Liyang");
  EXPECT_EQ(receipt["recipients"], 2) << "msd and liaison-1 are in org msd";
}

TEST_F(RelayTest, ExerciseTrafficIsMarkedAndFilterable) {
  ASSERT_EQ(RunCli(*broker_, "command", {"alert", "--to", "principal:msd", "--event", "Drill", "--headline",
                                         "Evacuation drill", "--status", "exercise"}).exit_code, 0);
  ASSERT_EQ(RunCli(*broker_, "command", {"alert", "--to", "principal:msd", "--event", "Storm", "--headline",
                                         "Real storm"}).exit_code, 0);
  CommandResult text = RunCli(*broker_, "msd", {"inbox"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("*** EXERCISE — NOT A REAL EVENT ***"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("[EXERCISE]"), std::string::npos);
  ASSERT_EQ(RunCli(*broker_, "command", {"alert", "--to", "principal:msd", "--event", "Drill", "--headline",
                                         "Second drill", "--status", "exercise"}).exit_code, 0);
  ASSERT_EQ(RunCli(*broker_, "command", {"alert", "--to", "principal:msd", "--event", "Fire", "--headline",
                                         "Real fire"}).exit_code, 0);
  CommandResult actual_only = RunCli(*broker_, "msd", {"--json", "inbox", "--status", "actual"});
  ASSERT_EQ(actual_only.exit_code, 0);
  EXPECT_EQ(actual_only.out.find("Second drill"), std::string::npos) << actual_only.out;
  EXPECT_NE(actual_only.out.find("Real fire"), std::string::npos) << actual_only.out;
}

TEST_F(RelayTest, WhoamiShowsTheAuthenticatedIdentity) {
  CommandResult r = RunCli(*broker_, "liaison-1", {"--json", "whoami"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["principal"], "liaison-1");
  EXPECT_EQ(j["org"], "msd");
  EXPECT_EQ(j["role"], "officer");
  EXPECT_EQ(j["clearance"], "confidential");
}

TEST_F(RelayTest, RefusalsExitOneWithOneClearLine) {
  struct Case {
    std::string principal;
    std::vector<std::string> args;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"command", {"alert", "--to", "principal:nobody", "--event", "X", "--headline", "h"},
       "error: invalid: unknown principal 'nobody' in addressing"},
      {"vol-1", {"alert", "--to", "org:ema", "--event", "X", "--headline", "h", "--classification", "confidential"},
       "error: forbidden: classification confidential is above your clearance (public)"},
      {"command", {"alert", "--to", "principal:vol-1", "--event", "X", "--headline", "h", "--classification",
                   "internal"},
       "error: no-recipients: no recipient is allowed to receive this message: vol-1 (clearance public is below internal)"},
  };
  for (const auto& c : cases) {
    CommandResult r = RunCli(*broker_, c.principal, c.args);
    EXPECT_EQ(r.exit_code, 1) << c.expected;
    EXPECT_EQ(r.err, c.expected + "\n");
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(RelayTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCli(*broker_, "command", {"alert", "--to", "org:msd", "--event", "X", "--headline", "h",
                                         "--severity", "Apocalyptic"}).exit_code, 2);
  EXPECT_EQ(RunCli(*broker_, "command", {"alert", "--to", "team:msd", "--event", "X", "--headline", "h"}).exit_code, 2);
  EXPECT_EQ(RunCli(*broker_, "command", {"frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunCli(*broker_, "command", {}).exit_code, 2);
}

TEST_F(RelayTest, AckAndStatusShowWhoReceivedAndAcknowledged) {
  CommandResult sent = RunCli(*broker_, "command", {"--json", "alert", "--to", "principal:msd,principal:duty",
                                                    "--event", "Quake", "--headline", "M5.1 near Liyang"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  std::string seq = std::to_string(nlohmann::json::parse(sent.out)["seq"].get<uint64_t>());
  ASSERT_EQ(RunCli(*broker_, "msd", {"inbox"}).exit_code, 0);
  CommandResult ack = RunCli(*broker_, "msd", {"ack", seq, "--acknowledged"});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  CommandResult status = RunCli(*broker_, "command", {"--json", "status", seq});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  std::map<std::string, std::string> states;
  for (const auto& r : j["recipients"]) states[r["principal"]] = r["state"];
  EXPECT_EQ(states["msd"], "acknowledged");
  EXPECT_EQ(states["duty"], "pending");
  for (const auto& r : j["recipients"]) {
    if (r["principal"] == "msd") {
      EXPECT_EQ(r["acknowledged_by"], "msd");
    }
  }
  // The table says who acknowledged, when.
  CommandResult table = RunCli(*broker_, "command", {"status", seq});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::istringstream lines(table.out);
  std::string line;
  bool msd_line = false;
  while (std::getline(lines, line)) {
    if (line.rfind("msd ", 0) != 0) continue;
    msd_line = true;
    EXPECT_NE(line.find("acknowledged"), std::string::npos) << line;
    EXPECT_NE(line.find(" by msd"), std::string::npos) << line;
  }
  EXPECT_TRUE(msd_line) << table.out;
  // A recipient never sees the status of someone else's message; nor an unrelated principal.
  EXPECT_EQ(RunCli(*broker_, "vol-1", {"status", seq}).exit_code, 1);
  // Acking a message that was never yours is refused.
  CommandResult bad = RunCli(*broker_, "rescue-1", {"ack", seq});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("not-found"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace muster::testing
