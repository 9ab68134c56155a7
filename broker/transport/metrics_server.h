// MetricsServer: serves the broker's metrics in the Prometheus text format at GET /metrics on a
// loopback address, from its own thread. The broker thread renders the text periodically and
// hands it over with Publish(); the server never touches broker state.
// Thread-safety: Publish is thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace muster::transport {

class MetricsServer {
 public:
  MetricsServer();
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds HOST:PORT (e.g. "127.0.0.1:7751") and starts serving. Errors name the address.
  Status Start(const std::string& address);
  void Stop();
  void Publish(std::string text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::mutex mu_;
  std::string text_;  // guarded by mu_
};

}  // namespace muster::transport
