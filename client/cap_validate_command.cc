// `muster-cap validate FILE…`: one line per file, "FILE: ok" or "FILE: invalid: CODE: reason".
#include <nlohmann/json.hpp>

#include <cstdio>

#include "adapters/cap/cap_parser.h"
#include "client/cap_commands.h"
#include "client/cap_intake.h"
#include "common/files.h"

namespace muster::cli {
namespace {

struct ValidateFlags {
  std::vector<std::string> files;
  std::string profile;
};

int Run(const GlobalFlags& g, const ValidateFlags& f) {
  auto profile = cap::ParseCapProfile(f.profile);
  if (!profile.ok()) {
    std::fprintf(stderr, "error: --profile: %s\n", profile.status().message().c_str());
    return 2;
  }
  int rc = 0;
  for (const std::string& file : f.files) {
    auto xml = ReadFile(file);
    Status s = xml.ok() ? ReadCapDocument(*xml, *profile).status() : xml.status();
    if (!s.ok()) rc = 1;
    if (g.json) {
      nlohmann::json j = {{"file", file}, {"valid", s.ok()}};
      if (!s.ok()) {
        j["code"] = xml.ok() ? std::string(cap::CapReasonCode(s)) : "UNREADABLE";
        j["reason"] = s.message();
      }
      std::printf("%s\n", j.dump().c_str());
    } else if (s.ok()) {
      std::printf("%s: ok\n", file.c_str());
    } else if (!xml.ok()) {
      std::printf("%s: invalid: UNREADABLE: %s\n", file.c_str(), s.message().c_str());
    } else {
      std::printf("%s: invalid: %s\n", file.c_str(), s.message().c_str());
    }
  }
  return rc;
}

}  // namespace

void RegisterCapValidate(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<ValidateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "check CAP 1.2 documents (standards.md §1.5, hostile XML refused); exit 1 if any is invalid");
  cmd->add_option("FILE", f->files, "CAP 1.2 XML files")->required();
  cmd->add_option("--profile", f->profile, "cn: also require +08:00 times and at least one GB/T 2260 geocode");
  cmd->footer("Example:\n  muster-cap validate --profile cn alerts/*.xml");
  cmd->callback([&g, f, exit_code] { *exit_code = Run(g, *f); });
}

}  // namespace muster::cli
