// Acknowledgement deadlines against a real musterd: a missed deadline escalates to the sender and
// the duty officer (durably, as a message, and in the audit log); an acknowledged alert raises none.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "broker/store/store.h"
#include "schemas/audit.capnp.h"
#include "schemas/frame_codec.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"

namespace muster::testing {
namespace {

class EscalationTest : public ::testing::Test {
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
  uint64_t Send(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--json", "alert", "--event", "Flood", "--headline", "Dyke breach"};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult r = RunCli(*broker_, "command", args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out)["seq"].get<uint64_t>() : 0;
  }
  // Escalated leaves in the audit log (read after a clean stop).
  std::vector<std::pair<uint64_t, std::string>> EscalatedLeaves() {
    std::vector<std::pair<uint64_t, std::string>> out;
    auto store = store::Store::Open({broker_->DataDir(), true});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return out;
    EXPECT_TRUE((*store)->Scan(store::Column::kAudit, "", "", [&](std::string_view, std::string_view v) {
      auto d = wire::DecodedStruct::Decode(v.data(), v.size());
      auto leaf = (*d)->Get<schema::AuditLeaf>();
      if (leaf.getEvent() == schema::AuditLeaf::Event::ESCALATED) out.emplace_back(leaf.getSeq(), leaf.getSubject());
      return true;
    }).ok());
    return out;
  }
  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(EscalationTest, AMissedDeadlineReachesTheDutyOfficerAndTheAuditLog) {
  uint64_t seq = Send({"--to", "principal:msd,principal:liaison-1", "--ack-by", "2s", "--classification", "internal"});
  ASSERT_GT(seq, 0u);
  // msd acknowledges in time; liaison-1 does not.
  ASSERT_EQ(RunCli(*broker_, "msd", {"inbox"}).exit_code, 0);
  ASSERT_EQ(RunCli(*broker_, "msd", {"ack", std::to_string(seq), "--acknowledged"}).exit_code, 0);
  // The bureau's duty officer (msd has none of its own) is told, within a bounded wait.
  CommandResult watch = RunCli(*broker_, "duty", {"--json", "watch", "--count", "1", "--timeout", "15"});
  ASSERT_EQ(watch.exit_code, 0) << watch.err;
  auto j = nlohmann::json::parse(watch.out.substr(0, watch.out.find('\n')));
  EXPECT_EQ(j["sender"], "muster");
  EXPECT_EQ(j["references"][0], seq);
  std::string headline = j["body"]["infos"][0]["headline"];
  EXPECT_NE(headline.find("liaison-1"), std::string::npos) << headline;
  EXPECT_EQ(headline.find("msd,"), std::string::npos) << "msd acknowledged: " << headline;
  EXPECT_EQ(j["body"]["infos"][0]["event"], "Acknowledgement overdue");
  // The sender hears it too, and the status shows who escalated.
  CommandResult sender = RunCli(*broker_, "command", {"--json", "inbox"});
  EXPECT_NE(sender.out.find("Acknowledgement overdue"), std::string::npos) << sender.out;
  CommandResult status = RunCli(*broker_, "command", {"--json", "status", std::to_string(seq)});
  ASSERT_EQ(status.exit_code, 0);
  auto st = nlohmann::json::parse(status.out);
  std::map<std::string, std::string> states;
  for (const auto& r : st["recipients"]) states[r["principal"]] = r["state"];
  EXPECT_EQ(states["msd"], "acknowledged");
  EXPECT_EQ(states["liaison-1"], "escalated");
  ASSERT_EQ(broker_->Stop(), 0);
  auto leaves = EscalatedLeaves();
  ASSERT_EQ(leaves.size(), 1u);
  EXPECT_EQ(leaves[0], (std::pair<uint64_t, std::string>{seq, "liaison-1"}));
}

TEST_F(EscalationTest, AnAcknowledgedAlertRaisesNoneAlsoAcrossARestart) {
  uint64_t seq = Send({"--to", "principal:msd", "--ack-by", "3s"});
  ASSERT_GT(seq, 0u);
  ASSERT_EQ(RunCli(*broker_, "msd", {"inbox"}).exit_code, 0);
  ASSERT_EQ(RunCli(*broker_, "msd", {"ack", std::to_string(seq), "--acknowledged"}).exit_code, 0);
  // A second alert whose deadline passes while the broker is down is escalated after restart.
  uint64_t missed = Send({"--to", "principal:rescue-1", "--ack-by", "2s"});
  ASSERT_EQ(broker_->Stop(), 0);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady());
  CommandResult watch = RunCli(*broker_, "duty", {"--json", "watch", "--count", "1", "--timeout", "15"});
  ASSERT_EQ(watch.exit_code, 0) << watch.err;
  EXPECT_NE(watch.out.find("rescue-1"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_EQ(broker_->Stop(), 0);
  auto leaves = EscalatedLeaves();
  ASSERT_EQ(leaves.size(), 1u) << "only the missed one";
  EXPECT_EQ(leaves[0].first, missed);
}

}  // namespace
}  // namespace muster::testing
