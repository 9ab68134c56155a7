// The subcommands of muster-edxl, the EDXL-RM 1.0 adapter: validate, send, run. Each Register*
// adds one subcommand; when it runs it stores its exit code (0 ok, 1 any document invalid,
// refused or not confirmed, 2 usage) in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli_common.h"

namespace muster::cli {

void RegisterEdxlValidate(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterEdxlSend(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterEdxlRun(CLI::App& app, GlobalFlags& flags, int* exit_code);

}  // namespace muster::cli
