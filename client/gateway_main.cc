// muster-gateway: the HTTP/JSON gateway for agency systems that speak neither ZeroMQ nor XML.
//   run --config FILE   serve HTTPS (docs/gateway-openapi.yaml) until SIGTERM or SIGINT
//   hash-token          read an API token on stdin, print its SHA-256 (for token_sha256)
//   new-token           print a fresh random token and its SHA-256
//   routes              print every endpoint the server registers ("METHOD PATH", one a line)
// Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>

#include "adapters/gateway/api_token.h"
#include "adapters/gateway/gateway_config.h"
#include "adapters/gateway/gateway_server.h"
#include "client/cli_run.h"
#include "common/log.h"

namespace {

using muster::Status;

int Fail(const Status& s, int code) {
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return code;
}

int Run(const std::string& config_path, const std::string& log_level) {
  auto config = muster::gateway::LoadGatewayConfig(config_path);
  if (!config.ok()) return Fail(config.status(), 2);
  if (!log_level.empty()) config->log_level = log_level;
  muster::LogLevel level;
  if (!muster::ParseLogLevel(config->log_level, &level)) {
    return Fail(Status::InvalidArgument("--log-level must be debug, info, warn or error"), 2);
  }
  muster::Logger log(stderr, level);

  // Signals are taken by one thread with sigtimedwait, so they are blocked before any thread
  // starts; a peer that closes its connection must not kill the process (SIGPIPE).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = muster::gateway::GatewayServer::Create(*config, log);
  if (!server.ok()) {
    return Fail(server.status(),
                server.status().code() == muster::StatusCode::kInvalidArgument ? 2 : 1);
  }
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    auto next_prune = std::chrono::steady_clock::now() + std::chrono::hours(1);
    const timespec slice{0, 200 * 1000 * 1000};
    while (!done) {
      int signo = sigtimedwait(&stop_signals, nullptr, &slice);
      if (signo == SIGTERM || signo == SIGINT) {
        log.Info("gateway", "stopping", {{"signal", signo == SIGTERM ? "TERM" : "INT"}});
        (*server)->Stop();
        return;
      }
      if (std::chrono::steady_clock::now() >= next_prune) {
        (*server)->PruneIdempotencyRecords();
        next_prune += std::chrono::hours(1);
      }
    }
  });
  Status served = (*server)->Serve();
  done = true;
  watcher.join();
  if (!served.ok()) return Fail(served, 1);
  return 0;
}

int HashToken() {
  std::string token((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (!token.empty() && token.back() == '\n') token.pop_back();
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.empty())
    return Fail(
        Status::InvalidArgument("no token on stdin (echo -n TOKEN | muster-gateway hash-token)"),
        2);
  if (token.size() > 4096 || token.find_first_of(" \t\r\n") != std::string::npos) {
    return Fail(
        Status::InvalidArgument("a token is one line without spaces (at most 4096 characters)"), 2);
  }
  if (token.size() < 20)
    std::fprintf(stderr, "warning: a token this short can be guessed; use new-token\n");
  std::printf("%s\n", muster::gateway::TokenSha256(token).c_str());
  return 0;
}

int NewToken() {
  auto token = muster::gateway::NewApiToken();
  if (!token.ok()) return Fail(token.status(), 1);
  std::printf("token: %s\ntoken_sha256: %s\n", token->c_str(),
              muster::gateway::TokenSha256(*token).c_str());
  return 0;
}

int Routes() {
  for (const auto& e : muster::gateway::GatewayServer::Endpoints())
    std::printf("%s %s\n", e.method.c_str(), e.path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"muster-gateway: the HTTP/JSON gateway of a Muster broker for agency systems"};
  app.require_subcommand(1);
  int exit_code = 0;
  std::string config_path, log_level;
  CLI::App* run =
      app.add_subcommand("run", "serve the agencies of --config over HTTPS until SIGTERM");
  run->add_option("--config", config_path,
                  "the gateway's TOML configuration (see docs/adapters.md)")
      ->required();
  run->add_option("--log-level", log_level,
                  "debug, info, warn or error (overrides the configuration)");
  run->callback([&] { exit_code = Run(config_path, log_level); });
  app.add_subcommand("hash-token",
                     "read an API token on stdin and print its SHA-256 for token_sha256")
      ->callback([&] { exit_code = HashToken(); });
  app.add_subcommand("new-token", "print a new random API token and its SHA-256")->callback([&] {
    exit_code = NewToken();
  });
  app.add_subcommand("routes", "print every endpoint the server registers (METHOD PATH)")
      ->callback([&] { exit_code = Routes(); });
  app.footer(
      "Example:\n  muster-gateway new-token        # give the token to the agency, put "
      "token_sha256 in the config\n"
      "  muster-gateway run --config /etc/muster/gateway.toml\nSee docs/adapters.md and "
      "docs/gateway-openapi.yaml.");
  return muster::cli::RunCommandLine(app, argc, argv, exit_code);
}
