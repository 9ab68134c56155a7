// The subcommands of `muster-audit`: verify, checkpoints, proof, consistency, query, export and
// verify-export. Each one reads from an AuditSource (a read-only store or a broker), checks
// what it can against the broker's verifier key, and prints a readable report or, with
// --json, JSON. Exit codes through *exit_code: 0 ok, 1 failed verification or error (one
// "error: ..." line on stderr), 2 usage.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace muster::cli {

struct AuditFlags {
  std::string db;          // store directory (read-only)
  std::string broker;      // broker endpoint (or MUSTER_BROKER)
  std::string key;         // with --db: the broker's verifier key; with --broker: your secret key
  std::string server_key;  // with --broker: the broker's CURVE public key (or MUSTER_SERVER_KEY)
  std::string pubkey;      // the broker's verifier key (its *.signing.pub file)
  bool json = false;
  double timeout_s = 10;
};

void AddAuditFlags(CLI::App& app, AuditFlags& flags);
void RegisterAuditCommands(CLI::App& app, AuditFlags& flags, int* exit_code);

}  // namespace muster::cli
