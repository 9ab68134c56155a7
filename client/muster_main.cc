// muster: the thin client for liaison officers, duty officers and scripts.
// Exit codes: 0 ok, 1 refused or failed (one line on stderr), 2 usage error.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "client/cli_common.h"
#include "client/commands.h"
#include "client/cli_run.h"

int main(int argc, char** argv) {
  CLI::App app{"muster: send, receive and acknowledge coordination traffic through a Muster broker"};
  app.require_subcommand(1);
  muster::cli::GlobalFlags flags;
  muster::cli::AddGlobalFlags(app, flags);
  int exit_code = 0;
  muster::cli::RegisterWhoami(app, flags, &exit_code);
  muster::cli::RegisterAlert(app, flags, &exit_code);
  muster::cli::RegisterWatch(app, flags, &exit_code);
  muster::cli::RegisterInbox(app, flags, &exit_code);
  muster::cli::RegisterAck(app, flags, &exit_code);
  muster::cli::RegisterStatus(app, flags, &exit_code);
  muster::cli::RegisterLiaison(app, flags, &exit_code);
  muster::cli::RegisterEquip(app, flags, &exit_code);
  muster::cli::RegisterIncident(app, flags, &exit_code);
  app.footer(
      "Connection: --broker, --key, --server-key or MUSTER_BROKER, MUSTER_KEY, MUSTER_SERVER_KEY.\n"
      "Example:\n  export MUSTER_BROKER=tcp://127.0.0.1:7750 MUSTER_SERVER_KEY=demo/keys/broker.pub\n"
      "  muster --key demo/keys/msd.key watch");
  return muster::cli::RunCommandLine(app, argc, argv, exit_code);
}
