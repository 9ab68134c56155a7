// muster-cap: the CAP 1.2 adapter. An agency's system drops CAP XML files in a directory (or runs
// `send`), and receives the alerts addressed to it as CAP XML files or HTTP POSTs.
// Exit codes: 0 ok, 1 any document invalid, refused or not confirmed (one line each), 2 usage.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "client/cap_commands.h"
#include "client/cli_common.h"
#include "client/cli_run.h"

int main(int argc, char** argv) {
  CLI::App app{"muster-cap: the CAP 1.2 adapter of a Muster broker (validate, send, run)"};
  app.require_subcommand(1);
  muster::cli::GlobalFlags flags;
  muster::cli::AddGlobalFlags(app, flags);
  int exit_code = 0;
  muster::cli::RegisterCapValidate(app, flags, &exit_code);
  muster::cli::RegisterCapSend(app, flags, &exit_code);
  muster::cli::RegisterCapRun(app, flags, &exit_code);
  app.footer(
      "Connection: --broker, --key, --server-key or MUSTER_BROKER, MUSTER_KEY, MUSTER_SERVER_KEY.\n"
      "Profiles: --profile cn requires Beijing time (+08:00) and a GB/T 2260 geocode.\n"
      "See docs/adapters.md.");
  return muster::cli::RunCommandLine(app, argc, argv, exit_code);
}
