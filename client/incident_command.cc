// `muster incident show ID`: everything the broker knows about one incident that you may see —
// its alerts, liaison assignments and equipment requests with their current states (one
// workflow query per kind).
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>

#include "client/commands.h"
#include "client/workflow_view.h"

namespace muster::cli {
namespace {

struct Section {
  schema::Kind kind;
  const char* title;  // text output
  const char* key;    // JSON
};

constexpr Section kSections[] = {
    {schema::Kind::ALERT, "Alerts", "alerts"},
    {schema::Kind::LIAISON, "Liaison assignments", "assignments"},
    {schema::Kind::EQUIPMENT, "Equipment requests", "requests"},
};

int ShowIncident(const GlobalFlags& g, const std::string& incident) {
  zmq::context_t context(1);
  auto conn = ConnectOrReport(context, g, "incident", /*receive=*/false);
  if (!conn) return 1;
  std::unique_ptr<wire::DecodedFrame> answers[std::size(kSections)];
  for (size_t k = 0; k < std::size(kSections); ++k) {
    auto result = RunWorkflowQuery(*conn, kSections[k].kind, "", incident, "");
    if (!result.ok()) {
      conn->Close();
      return Report(result.status().WithContext(kSections[k].key));
    }
    answers[k] = std::move(result).value();
  }
  conn->Close();
  if (g.json) {
    nlohmann::ordered_json j = {{"incident", incident}};
    for (size_t k = 0; k < std::size(kSections); ++k) {
      j[kSections[k].key] = ListJson(TableOf(*answers[k]));
    }
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("incident %s\n", incident.c_str());
  for (size_t k = 0; k < std::size(kSections); ++k) {
    std::printf("\n%s:\n", kSections[k].title);
    PrintList(TableOf(*answers[k]));
  }
  return 0;
}

}  // namespace

void RegisterIncident(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto incident = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("incident", "what is known about an incident");
  cmd->require_subcommand(1);
  CLI::App* show = cmd->add_subcommand(
      "show",
      "list the incident's alerts, liaison assignments and equipment requests with their "
      "current states");
  show->add_option("ID", *incident, "the incident id")->required();
  show->footer("Example:\n  muster incident show INC-2026-031");
  show->callback([&g, incident, exit_code] { *exit_code = ShowIncident(g, *incident); });
}

}  // namespace muster::cli
