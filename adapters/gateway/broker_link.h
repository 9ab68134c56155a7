// BrokerLink: one agency's sending session with the broker, on a thread of its own (a ZeroMQ
// socket belongs to one thread). It publishes what the agency's SubmissionStore holds, in order,
// each entry under its stable client message id — again after a reconnect, a broker restart or a
// late receipt (the broker deduplicates) — until the broker's receipt or a permanent refusal is
// recorded; and it runs the queries and acks that HTTP threads hand it (Call).
//
// The connection is opened lazily and re-opened after failures with a backoff; while the broker
// is unreachable submissions simply stay pending and Call answers Unavailable at once.
// The key must belong to the agency's principal: a welcome naming another principal is treated
// as a failed connection (and logged), so an agency never speaks with another's identity.
//
// Ownership: owns its thread and connection; the SubmissionStore, context and Logger must
// outlive it. Thread-safe: Wake, Call, connected and Stop may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "adapters/gateway/submission_store.h"
#include "adapters/sdk/connection.h"
#include "common/log.h"

namespace muster::gateway {

class BrokerLink {
 public:
  using Job = std::function<Result<nlohmann::ordered_json>(client::Connection&)>;

  // `options`: the agency's connection (receive = false). `agency`: its name, which must be the
  // principal the broker welcomes.
  BrokerLink(zmq::context_t& context, client::ConnectOptions options, std::string agency,
             SubmissionStore& store, Logger& log);
  ~BrokerLink();
  BrokerLink(const BrokerLink&) = delete;
  BrokerLink& operator=(const BrokerLink&) = delete;

  void Start();
  // Ends the thread (says bye to the broker). Pending submissions stay in the store.
  void Stop();

  // A submission was added: publish it now rather than at the next scan.
  void Wake();

  bool connected() const { return connected_.load(); }
  // True once an attempt to connect has failed, until one succeeds: the broker is known to be
  // unreachable (before the first attempt it is not known yet).
  bool unreachable() const { return unreachable_.load(); }

  // Runs `job` with the connection on the link's thread and returns its answer; Unavailable when
  // there is no connection, DeadlineExceeded when it did not finish within `timeout_ms`.
  Result<nlohmann::ordered_json> Call(Job job, int timeout_ms);

 private:
  struct PendingCall {
    Job job;
    std::promise<Result<nlohmann::ordered_json>> done;
    std::chrono::steady_clock::time_point deadline;
  };

  void Loop();
  void Connect();
  void Disconnect(const Status& why);
  void RunCalls();
  void FailCalls(const Status& why);
  void SendDue();
  void ReceiveFor(int ms);
  void HandleFrame(const wire::DecodedFrame& frame);
  // Sleeps up to `ms`, or until Stop.
  void WaitForStop(int ms);

  zmq::context_t& context_;
  const client::ConnectOptions options_;
  const std::string agency_;
  SubmissionStore& store_;
  Logger& log_;

  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> unreachable_{false};
  std::mutex mu_;
  std::condition_variable work_;
  bool woken_ = false;                              // guarded by mu_
  std::deque<std::shared_ptr<PendingCall>> calls_;  // guarded by mu_
  std::string last_problem_;                        // guarded by mu_

  // The link thread's own state.
  std::unique_ptr<client::Connection> conn_;
  int64_t next_connect_ms_ = 0;
  int64_t backoff_ms_ = 500;
  int64_t next_scan_ms_ = 0;
  std::map<std::string, int64_t> resend_at_;  // client message id -> when to send it (again)
};

}  // namespace muster::gateway
