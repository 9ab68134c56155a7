// What every `muster` subcommand shares: the connection flags (--broker, --key, --server-key, or
// MUSTER_BROKER, MUSTER_KEY, MUSTER_SERVER_KEY), --json, --timeout, and how errors end the
// program (one line on stderr, exit 1).
#pragma once

#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include <memory>
#include <string>

#include "adapters/sdk/connection.h"

namespace muster::cli {

struct GlobalFlags {
  std::string broker;
  std::string key;
  std::string server_key;
  bool json = false;
  double timeout_s = 10;
};

void AddGlobalFlags(CLI::App& app, GlobalFlags& flags);

// Connects and says hello; on failure prints the reason and returns nullptr.
std::unique_ptr<client::Connection> ConnectOrReport(zmq::context_t& context, const GlobalFlags& flags,
                                                    const std::string& client_name, bool receive);

// Prints "error: <message>" and returns 1.
int Report(const Status& status);

// A client message id unique to this invocation (host, process, time, randomness).
std::string NewClientMessageId();

// "2026-11-28 21:05:00 +08:00" in the local offset of this machine.
std::string LocalTime(int64_t unix_ms);

}  // namespace muster::cli
