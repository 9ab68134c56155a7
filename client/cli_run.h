// RunCommandLine: how every Muster command-line tool ends its main(): parse (and so run the chosen
// subcommand's callback), then exit 0 for help, 2 for a usage error, 1 with "error: …" for an
// unexpected exception, and otherwise the exit code the callback set.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

namespace muster::cli {

inline int RunCommandLine(CLI::App& app, int argc, char** argv, const int& exit_code) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}

}  // namespace muster::cli
