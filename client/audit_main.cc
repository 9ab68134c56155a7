// muster-audit: the auditor's tool. Verifies the broker's audit log offline or while musterd runs
// (--db DIR, read-only), proves inclusion and consistency, queries and exports; the queries and
// proofs also work over the protocol (--broker, as a principal with role auditor).
// Exit codes: 0 ok, 1 failed verification or error (one line on stderr), 2 usage error.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "client/audit_commands.h"
#include "client/cli_run.h"

int main(int argc, char** argv) {
  CLI::App app{"muster-audit: verify, prove, query and export the Muster audit log"};
  app.require_subcommand(1);
  app.fallthrough();
  muster::cli::AuditFlags flags;
  muster::cli::AddAuditFlags(app, flags);
  int exit_code = 0;
  muster::cli::RegisterAuditCommands(app, flags, &exit_code);
  app.footer(
      "Sources: --db DIR reads a data directory (read-only; also while musterd runs); --broker asks the broker\n"
      "(--key YOUR.key --server-key BROKER.pub, or MUSTER_BROKER, MUSTER_KEY, MUSTER_SERVER_KEY) for query,\n"
      "checkpoints, proof and consistency.\n"
      "Examples:\n"
      "  muster-audit --db demo/data verify\n"
      "  muster-audit --db demo/data proof 12\n"
      "  muster-audit --broker tcp://127.0.0.1:7750 --key demo/keys/auditor.key --server-key demo/keys/broker.pub \\\n"
      "      --pubkey demo/keys/broker.signing.pub query --incident INC-7");
  return muster::cli::RunCommandLine(app, argc, argv, exit_code);
}
