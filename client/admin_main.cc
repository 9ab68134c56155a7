// muster-admin: administration of a running broker over the protocol, for principals with role
// admin: principals, sessions, reload, revoke ID, unrevoke ID (or restore ID), set-key ID KEY,
// backup DIR, health; and, offline on the broker's machine, restore BACKUP --data DIR (also spelled
// restore-backup).
// Exit codes: 0 ok (health: healthy), 1 refused, failed or unhealthy, 2 usage.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "client/cli_common.h"
#include "client/table_output.h"
#include "client/restore_backup.h"
#include "client/cli_run.h"
#include "common/files.h"
#include "security/curve_keys.h"

namespace {

int Run(muster::cli::GlobalFlags& g, const std::function<void(muster::schema::AdminCommand::Builder)>& fill,
        bool health) {
  zmq::context_t context(1);
  auto conn = muster::cli::ConnectOrReport(context, g, "admin", false);
  if (!conn) return 1;
  auto result = conn->Query([&](muster::schema::Query::Builder q) { fill(q.initAdmin()); }, 30000);
  conn->Close();
  if (!result.ok()) return muster::cli::Report(result.status());
  auto r = (*result)->frame().getResult();
  if (r.which() == muster::schema::Result::TABLE) {
    muster::cli::PrintTable(r.getTable(), g.json);
    return 0;
  }
  std::string text = r.getText();
  if (g.json) {
    std::printf("{\"result\":\"%s\"}\n", text.c_str());
  } else {
    std::printf("%s\n", text.c_str());
  }
  if (health && text.rfind("healthy", 0) != 0) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"muster-admin: administer a running Muster broker (needs a principal with role admin)"};
  app.require_subcommand(1);
  muster::cli::GlobalFlags g;
  muster::cli::AddGlobalFlags(app, g);
  int exit_code = 0;
  std::string target;
  app.add_subcommand("principals", "list the principals of the policy in force, with their state")
      ->callback([&] { exit_code = Run(g, [](auto c) { c.setPrincipals(); }, false); });
  app.add_subcommand("sessions", "who is connected since when, with unacked and pending counts")
      ->callback([&] { exit_code = Run(g, [](auto c) { c.setSessions(); }, false); });
  app.add_subcommand("reload", "re-read the policy file; a bad file is refused with its line and reason")
      ->callback([&] { exit_code = Run(g, [](auto c) { c.setReload(); }, false); });
  auto* revoke = app.add_subcommand("revoke", "revoke a principal now: new connections refused, live sessions closed, "
                                              "pending messages kept");
  revoke->add_option("ID", target, "principal id")->required();
  revoke->footer("Example:\n  muster-admin revoke vol-1");
  revoke->callback([&] { exit_code = Run(g, [&](auto c) { c.setRevoke(target); }, false); });
  auto* unrevoke = app.add_subcommand("unrevoke", "lift a revocation made with revoke");
  unrevoke->add_option("ID", target, "principal id")->required();
  unrevoke->footer("Example:\n  muster-admin unrevoke vol-1");
  unrevoke->callback([&] { exit_code = Run(g, [&](auto c) { c.setRestore(target); }, false); });
  std::string key_text;
  auto* set_key = app.add_subcommand("set-key", "replace a principal's CURVE key (its pending messages are kept)");
  set_key->add_option("ID", target, "principal id")->required();
  set_key->add_option("KEY", key_text, "the new public key: a NAME.pub file or the 40-character key")->required();
  set_key->footer("Example (a station lost its key):\n  muster-keygen vol-1-new && muster-admin set-key vol-1 vol-1-new.pub");
  set_key->callback([&] {
    std::string z85 = key_text;
    if (z85.size() != 40 || !muster::security::DecodeZ85Key(z85).ok()) {
      auto loaded = muster::security::LoadCurvePublicKeyFile(key_text);
      if (!loaded.ok()) {
        std::fprintf(stderr, "error: %s\n", loaded.status().message().c_str());
        exit_code = 2;
        return;
      }
      z85 = *loaded;
    }
    exit_code = Run(g, [&](auto c) {
      auto k = c.initSetKey();
      k.setPrincipal(target);
      k.setPublicKey(z85);
    }, false);
  });
  std::string dir, data_dir;
  // Offline: replace a stopped broker's data directory with a backup.
  auto restore_from_backup = [&] {
    auto r = muster::cli::RestoreBackup(dir, data_dir);
    if (!r.ok()) {
      exit_code = muster::cli::Report(r.status());
      return;
    }
    std::printf("%s\n", r->c_str());
    exit_code = 0;
  };
  auto* restore = app.add_subcommand(
      "restore", "offline, with --data: restore a backup into a stopped broker's data directory; "
                 "without --data: lift a revocation (as unrevoke)");
  restore->add_option("TARGET", target, "a directory written by backup (with --data), or a principal id")->required();
  restore->add_option("--data", data_dir, "the broker's data directory (data_dir of musterd.toml): restore a backup");
  restore->footer("Examples:\n  systemctl stop musterd\n  muster-admin restore /var/backups/muster/2026-11-28-0300 "
                  "--data /var/lib/muster/data\n  systemctl start musterd\n  muster-admin restore vol-1      # as unrevoke");
  restore->callback([&] {
    if (!data_dir.empty()) {
      dir = target;
      restore_from_backup();
      return;
    }
    if (muster::PathExists(target)) {
      std::fprintf(stderr,
                   "error: %s is a directory or file, not a principal id: to restore a backup, stop the broker and give "
                   "its data directory with --data DIR\n",
                   target.c_str());
      exit_code = 2;
      return;
    }
    exit_code = Run(g, [&](auto c) { c.setRestore(target); }, false);
  });
  auto* backup = app.add_subcommand("backup", "online backup of the broker's store into DIR on the broker's machine");
  backup->add_option("DIR", dir, "absolute path; must not exist")->required();
  backup->footer("Example:\n  muster-admin backup /var/backups/muster/$(date +%F-%H%M)");
  backup->callback([&] { exit_code = Run(g, [&](auto c) { c.setBackup(dir); }, false); });
  auto* restore_backup = app.add_subcommand(
      "restore-backup", "offline: replace a stopped broker's data directory with a backup (the old one is kept aside)");
  restore_backup->add_option("BACKUP", dir, "a directory written by backup")->required();
  restore_backup->add_option("--data", data_dir, "the broker's data directory (data_dir of musterd.toml)")->required();
  restore_backup->footer("Example:\n  systemctl stop musterd\n  muster-admin restore-backup /var/backups/muster/2026-11-28-0300 "
                         "--data /var/lib/muster/data\n  systemctl start musterd");
  restore_backup->callback(restore_from_backup);
  app.add_subcommand("health", "exit 0 if the broker is healthy (store writable, audit consistent), 1 if not")
      ->callback([&] { exit_code = Run(g, [](auto c) { c.setHealth(); }, true); });
  app.footer("Connection: --broker, --key (an admin's key), --server-key or MUSTER_BROKER, MUSTER_KEY, "
             "MUSTER_SERVER_KEY.\nExample:\n  muster-admin --key demo/keys/admin.key sessions");
  return muster::cli::RunCommandLine(app, argc, argv, exit_code);
}
