// The subcommands of muster-cap, the CAP 1.2 adapter: validate, send, run. Each Register* adds
// one subcommand; when it runs it stores its exit code (0 ok, 1 any document invalid, refused or
// not confirmed, 2 usage) in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli_common.h"

namespace muster::cli {

void RegisterCapValidate(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterCapSend(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterCapRun(CLI::App& app, GlobalFlags& flags, int* exit_code);

}  // namespace muster::cli
