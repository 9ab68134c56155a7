// muster-keygen NAME: writes a CURVE keypair, NAME.key (secret, mode 0600) and NAME.pub (Z85).
// Exit codes: 0 ok, 1 failure, 2 usage.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "security/curve_keys.h"

int main(int argc, char** argv) {
  CLI::App app{"muster-keygen: create a principal's or the broker's CURVE keypair"};
  std::string name, dir = ".";
  bool force = false;
  app.add_option("NAME", name, "key name; writes NAME.key and NAME.pub")->required();
  app.add_option("--dir", dir, "directory to write into (default: current)");
  app.add_flag("--force", force, "replace existing key files");
  app.footer("Example:\n  muster-keygen vol-7 --dir /etc/muster/keys\n"
             "Then list vol-7.pub's key in the policy as the principal's public_key.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto pair = muster::security::GenerateCurveKeyPair();
  if (!pair.ok()) {
    std::fprintf(stderr, "error: %s\n", pair.status().message().c_str());
    return 1;
  }
  muster::Status s = muster::security::WriteCurveKeyFiles(dir, name, *pair, force);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("wrote %s/%s.key (secret, mode 0600) and %s/%s.pub\npublic key: %s\n", dir.c_str(), name.c_str(),
              dir.c_str(), name.c_str(), pair->public_z85.c_str());
  return 0;
}
