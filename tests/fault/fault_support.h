// What the fault scenarios (tests/fault/*_test.cc) share beyond tests/fixtures: the scale of a run
// (quick under ctest, full under tests/fault/run.sh), a process's memory, the messages a stopped
// broker's store holds, `muster-audit verify`, and publishing one message until it has a receipt.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/sdk/connection.h"
#include "common/result.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/process.h"
#include "tests/fixtures/temp_dir.h"

namespace muster::testing {

// True when MUSTER_FAULT_FULL=1 (tests/fault/run.sh sets it): the full counts of issue 7.
bool FullRun();
// `quick` under ctest, `full` under tests/fault/run.sh.
int Scaled(int quick, int full);

// VmRSS (or VmHWM, the peak) of process `pid` in KiB, from /proc/PID/status; -1 if unreadable.
int64_t RssKb(pid_t pid);
int64_t PeakRssKb(pid_t pid);

// One message record of a broker's store.
struct LoggedMessage {
  uint64_t seq = 0;
  std::string sender;
  std::string client_message_id;
  std::vector<std::string> recipients;
};
// Every message record in the store at `data_dir`, in seq order (opened read-only).
Result<std::vector<LoggedMessage>> ReadLoggedMessages(const std::string& data_dir);

// Removes the [[rate_limit]] tables from a policy file (the demo policy limits each principal's
// publish rate by role; the scenarios measure faults, not limits). Takes effect at the next start.
Status LiftRateLimits(const std::string& policy_path);

// `musterd --demo dir`, started once to write the demo files, then again without the demo policy's
// rate limits, and ready. nullptr, with the reason in `why`, if a step fails.
std::unique_ptr<BrokerProcess> StartDemoWithoutRateLimits(const std::string& dir, std::string* why);

// A test with a demo broker running without rate limits in a fresh directory, stopped cleanly
// (checked) at the end.
class UnthrottledBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    broker_ = StartDemoWithoutRateLimits(dir_.Sub("demo"), &why);
    ASSERT_NE(broker_, nullptr) << why;
  }
  void TearDown() override {
    if (broker_ && broker_->running()) {
      EXPECT_EQ(broker_->Stop(), 0) << broker_->Log();
    }
  }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

// `muster-audit --db DATA_DIR verify` (the auditor's offline check of the whole log).
CommandResult AuditVerify(const std::string& data_dir);

// Publishes `id` as `principal` until a receipt comes, always with the same client message id:
// a broker that is down, unavailable or not answering is retried (the connection reopened after
// a failure), a rate limit is waited out. Gives up after `budget_ms` or when `keep_going` says so;
// any other refusal is returned at once. `connection` is reused and replaced as needed.
Result<client::ReceiptInfo> PublishUntilReceipt(zmq::context_t& context, const BrokerProcess& broker,
                                                const std::string& principal,
                                                std::unique_ptr<client::Connection>& connection,
                                                const std::string& id,
                                                const std::function<void(schema::Envelope::Builder)>& fill,
                                                int budget_ms, const std::function<bool()>& keep_going = {});

// Milliseconds on the machine's monotonic clock.
int64_t MonoMs();

}  // namespace muster::testing
