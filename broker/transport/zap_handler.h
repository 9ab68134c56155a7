// ZapHandler: answers ZAP requests (RFC 27) on inproc://zeromq.zap.01 in the broker's ZeroMQ
// context, from its own thread, using the policy in force (security::DecideZap).
// Start() binds synchronously, so calling it before binding the public socket guarantees the
// handler is there before any peer can connect. Every decision is reported to the AuthListener.
// Thread-safety: the listener is called from the handler's thread.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "common/log.h"
#include "common/status.h"
#include "security/policy.h"
#include "security/zap_decision.h"

namespace muster::transport {

class AuthListener {
 public:
  virtual ~AuthListener() = default;
  // Called for every ZAP decision, admitted or refused. Must be thread-safe and quick.
  virtual void OnZapDecision(const security::ZapDecision& decision) = 0;
};

class ZapHandler {
 public:
  ZapHandler(zmq::context_t& context, security::PolicyHolder& policy, Logger& log,
             AuthListener* listener);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  // Binds inproc://zeromq.zap.01 and starts answering. Fails if another handler is bound.
  Status Start();
  void Stop();

 private:
  void Loop();

  zmq::context_t& context_;
  security::PolicyHolder& policy_;
  Logger& log_;
  AuthListener* listener_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace muster::transport
