// `muster-edxl validate FILE…`: one line per file, "FILE: ok (TYPE MessageID)" or
// "FILE: invalid: CODE: reason".
#include <cstdio>
#include <nlohmann/json.hpp>

#include "adapters/edxl/rm_parser.h"
#include "client/edxl_commands.h"
#include "client/edxl_intake.h"
#include "common/files.h"

namespace muster::cli {
namespace {

struct ValidateFlags {
  std::vector<std::string> files;
};

int Run(const GlobalFlags& g, const ValidateFlags& f) {
  int rc = 0;
  for (const std::string& file : f.files) {
    auto xml = ReadEdxlFile(file);
    Result<edxl::RmMessage> message =
        xml.ok() ? ReadEdxlDocument(*xml) : Result<edxl::RmMessage>(xml.status());
    const Status& s = message.ok() ? Status::Ok() : message.status();
    if (!s.ok()) rc = 1;
    if (g.json) {
      nlohmann::json j = {{"file", file}, {"valid", s.ok()}};
      if (s.ok()) {
        j["type"] = std::string(edxl::RmTypeName(message->type));
        j["message_id"] = message->message_id;
      } else {
        j["code"] = std::string(edxl::RmReasonCode(s));
        j["reason"] = s.message();
      }
      std::printf("%s\n", j.dump().c_str());
    } else if (s.ok()) {
      std::printf("%s: ok (%s %s)\n", file.c_str(),
                  std::string(edxl::RmTypeName(message->type)).c_str(),
                  message->message_id.c_str());
    } else {
      std::printf("%s: invalid: %s\n", file.c_str(), s.message().c_str());
    }
  }
  return rc;
}

}  // namespace

void RegisterEdxlValidate(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<ValidateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "check EDXL-RM 1.0 documents (structure, values, what Muster needs; hostile XML refused); "
      "exit 1 if any is invalid");
  cmd->add_option("FILE", f->files, "EDXL-RM XML files")->required();
  cmd->footer(
      "Threading (whether a response answers a message this adapter knows) is checked by send and "
      "run.\n"
      "Example:\n  muster-edxl validate requests/*.xml");
  cmd->callback([&g, f, exit_code] { *exit_code = Run(g, *f); });
}

}  // namespace muster::cli
