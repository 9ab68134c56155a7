// musterd: the Muster broker.
//   musterd --config FILE [--bind ENDPOINT] [--log-level LEVEL]
//   musterd --demo DIR [--bind ENDPOINT]   (writes a demo config, policy and keys where absent)
// Exit codes: 0 clean stop, 1 failure while running, 2 usage or configuration error.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "broker/broker.h"
#include "broker/config.h"
#include "broker/demo_setup.h"
#include "broker/signing_setup.h"
#include "common/files.h"
#include "security/curve_keys.h"
#include "security/policy_loader.h"

namespace {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return code;
}

// Where the `muster` client is, for the demo's instructions: next to musterd when installed,
// or in the build tree's client/ folder.
std::string FindClient() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "muster";
  std::string self(buf, static_cast<size_t>(n));
  std::string dir = muster::DirName(self);
  for (const std::string& candidate : {dir + "/muster", muster::DirName(dir) + "/client/muster"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "muster";
}

void PrintDemoInstructions(const std::string& dir, const std::string& endpoint) {
  std::string muster = FindClient();
  std::string keys = dir + "/keys";
  std::printf(
      "\nMuster demo broker is running on %s (store in %s/data).\n"
      "\nIn another terminal, set the broker and its public key once:\n"
      "  export MUSTER_BROKER=%s MUSTER_SERVER_KEY=%s/broker.pub\n"
      "\nWatch as the military sub-district (msd):\n"
      "  %s --key %s/msd.key watch\n"
      "\nIn a third terminal (same export), send an alert as the bureau's command centre:\n"
      "  %s --key %s/command.key alert --to org:msd --event Flood \\\n"
      "      --headline \"River above warning level at Liyang\" --severity Severe --urgency Immediate\n"
      "\nDemo principals (keys in %s): command, duty (ema); msd, liaison-1 (msd); rescue-1;\n"
      "vol-1; auditor (muster-audit); admin (muster-admin). Stop the broker with Ctrl-C.\n\n",
      endpoint.c_str(), dir.c_str(), endpoint.c_str(), keys.c_str(), muster.c_str(), keys.c_str(),
      muster.c_str(), keys.c_str(), keys.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"musterd: the Muster coordination broker"};
  std::string config_path, demo_dir, bind, log_level;
  auto* config_opt = app.add_option("--config", config_path, "broker configuration file (TOML)");
  auto* demo_opt = app.add_option("--demo", demo_dir,
                                  "run the demo: write config, policy and keys into DIR where absent");
  config_opt->excludes(demo_opt);
  app.add_option("--bind", bind, "endpoint to listen on, e.g. tcp://127.0.0.1:7750 (overrides the config)");
  app.add_option("--log-level", log_level, "debug, info, warn or error (overrides the config)");
  std::string metrics, clock_offset_file;
  app.add_option("--metrics", metrics, "serve Prometheus metrics on this loopback HOST:PORT (overrides the config)");
  app.add_option("--clock-offset-file", clock_offset_file,
                 "for fault tests: add the milliseconds written in FILE to the wall clock (re-read every 100 ms)");
  app.footer(
      "Examples:\n"
      "  musterd --demo ./demo                      run a complete demo broker\n"
      "  musterd --config /etc/muster/musterd.toml  run with a real configuration");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (config_path.empty() && demo_dir.empty()) {
    std::fprintf(stderr, "error: give --config FILE or --demo DIR (see --help)\n");
    return 2;
  }

  try {
    if (!demo_dir.empty()) {
      muster::Status s = muster::broker::WriteDemoFiles(demo_dir, &config_path);
      if (!s.ok()) return Fail(2, "demo setup: " + s.ToString());
    }
    auto config = muster::broker::LoadBrokerConfig(config_path);
    if (!config.ok()) return Fail(2, config.status().message());
    if (!bind.empty()) config->bind = bind;
    if (!log_level.empty()) config->log_level = log_level;
    if (!metrics.empty()) config->metrics = metrics;
    if (muster::Status s = config->Validate(); !s.ok()) return Fail(2, s.message());

    muster::LogLevel level = muster::LogLevel::kInfo;
    muster::ParseLogLevel(config->log_level, &level);
    muster::Logger log(stderr, level);
    muster::SystemClock system_clock;
    muster::FileOffsetClock offset_clock(clock_offset_file);
    const muster::Clock& clock = clock_offset_file.empty() ? static_cast<const muster::Clock&>(system_clock)
                                                           : offset_clock;

    auto policy = muster::security::LoadPolicyFile(config->policy);
    if (!policy.ok()) return Fail(2, policy.status().message());
    muster::security::PolicyHolder policy_holder(*policy);
    auto key = muster::security::LoadCurveSecretKeyFile(config->secret_key);
    if (!key.ok()) return Fail(2, "broker key: " + key.status().message());
    if (!demo_dir.empty()) {
      if (muster::Status s = muster::broker::EnsureSigningKey(config->signing_key, config->origin()); !s.ok()) {
        return Fail(2, "demo setup: " + s.ToString());
      }
    }
    auto signing_key = muster::broker::LoadSigningKey(config->signing_key);
    if (!signing_key.ok()) return Fail(2, signing_key.status().message());
    std::vector<std::unique_ptr<muster::security::SigningKey>> previous_keys;
    for (const auto& path : config->previous_signing_keys) {
      auto k = muster::broker::LoadSigningKey(path);
      if (!k.ok()) return Fail(2, "previous_signing_keys: " + k.status().message());
      previous_keys.push_back(std::move(k).value());
    }

    muster::store::StoreOptions store_options;
    store_options.dir = config->data_dir;
    store_options.memory_budget_bytes = size_t{config->store_memory_mb} << 20;
    auto store = muster::store::Store::Open(store_options);
    if (!store.ok()) return Fail(1, store.status().message());

    muster::transport::SignalPipe signals;
    zmq::context_t context(1);
    int rc = 0;
    {
      muster::broker::Broker broker(*config, policy_holder, **store, log, clock);
      if (muster::Status s = broker.Start(context, key->secret_z85, std::move(signing_key).value(),
                                          std::move(previous_keys));
          !s.ok()) {
        return Fail(1, s.message());
      }
      log.Info("broker", "started", {{"principals", std::to_string((*policy)->principals().size())},
                                     {"policy", config->policy}, {"data", config->data_dir}});
      if (!demo_dir.empty()) PrintDemoInstructions(demo_dir, broker.endpoint());
      if (muster::Status s = broker.Run(signals); !s.ok()) rc = Fail(1, s.message());
    }
    context.close();
    return rc;
  } catch (const std::exception& e) {
    return Fail(1, std::string("unexpected: ") + e.what());
  }
}
