// muster-edxl: the EDXL-RM 1.0 adapter. An agency's resource-management system drops EDXL-RM
// documents in a directory (or runs `send`) and receives the equipment traffic addressed to it as
// EDXL-RM documents or HTTP POSTs; documents answering earlier ones are threaded to the Muster
// request or offer they are about.
// Exit codes: 0 ok, 1 any document invalid, refused or not confirmed (one line each), 2 usage.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "client/cli_common.h"
#include "client/edxl_commands.h"
#include "client/cli_run.h"

int main(int argc, char** argv) {
  CLI::App app{"muster-edxl: the EDXL-RM 1.0 adapter of a Muster broker (validate, send, run)"};
  app.require_subcommand(1);
  muster::cli::GlobalFlags flags;
  muster::cli::AddGlobalFlags(app, flags);
  int exit_code = 0;
  muster::cli::RegisterEdxlValidate(app, flags, &exit_code);
  muster::cli::RegisterEdxlSend(app, flags, &exit_code);
  muster::cli::RegisterEdxlRun(app, flags, &exit_code);
  app.footer(
      "Connection: --broker, --key, --server-key or MUSTER_BROKER, MUSTER_KEY, MUSTER_SERVER_KEY.\n"
      "Supported: RequestResource, ResponseToRequestResource, CommitResource, RequestReturn,\n"
      "ReleaseResource, RequestResourceDeploymentStatus, ReportResourceDeploymentStatus.\n"
      "See docs/adapters.md.");
  return muster::cli::RunCommandLine(app, argc, argv, exit_code);
}
