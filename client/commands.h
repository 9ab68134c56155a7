// The subcommands of `muster`. Each Register* adds one subcommand to the app; when it runs it
// stores its exit code (0 ok, 1 refused or failed, 2 usage) in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

#include "client/cli_common.h"

namespace muster::cli {

void RegisterWhoami(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterAlert(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterWatch(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterInbox(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterAck(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterStatus(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterLiaison(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterEquip(CLI::App& app, GlobalFlags& flags, int* exit_code);
void RegisterIncident(CLI::App& app, GlobalFlags& flags, int* exit_code);

}  // namespace muster::cli
