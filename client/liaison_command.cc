// `muster liaison …`: propose a liaison officer's assignment to another organisation for an
// incident and take it through accept | decline → arrive → handover → release; list and show
// assignments. The broker checks every step against the assignment's state and the parties.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "client/commands.h"
#include "client/targets.h"
#include "client/workflow_view.h"
#include "schemas/liaison.capnp.h"

namespace muster::cli {
namespace {

using Action = schema::LiaisonAssignment::Action;

struct LiaisonFlags {
  StepFlags step;
  std::string id;  // the assignment, L-<seq> (a bare number is taken as its seq)
  std::string officer, to_org, incident, post, until, note, reason, location, handover_to;
  std::vector<std::string> to;
  std::string state;  // list filter
};

std::string AssignmentId(const std::string& id) {
  if (!id.empty() && id.find_first_not_of("0123456789") == std::string::npos) return "L-" + id;
  return id;
}

// "31.77,119.95" -> latitude, longitude.
bool ParseLocation(const std::string& text, double* lat, double* lon) {
  size_t comma = text.find(',');
  if (comma == std::string::npos) return false;
  std::string a = text.substr(0, comma);
  std::string b = text.substr(comma + 1);
  char* end = nullptr;
  *lat = std::strtod(a.c_str(), &end);
  if (a.empty() || *end != '\0') return false;
  *lon = std::strtod(b.c_str(), &end);
  if (b.empty() || *end != '\0') return false;
  return std::isfinite(*lat) && std::isfinite(*lon) && *lat >= -90 && *lat <= 90 && *lon >= -180 &&
         *lon <= 180;
}

int RunStep(GlobalFlags& g, LiaisonFlags& f, Action action) {
  StepTarget target;
  target.kind = schema::Kind::LIAISON;
  target.noun = "assignment";
  int64_t until_ms = 0;
  Targets targets;
  bool has_location = false;
  double lat = 0;
  double lon = 0;
  if (action == Action::PROPOSE) {
    target.prefix = "L-";
    if (!f.until.empty()) {
      auto t = ParseTimeFlag("--until", f.until, NowMillis());
      if (!t.ok()) return UsageError(t.status().message());
      until_ms = *t;
    }
    if (!f.to.empty()) {
      if (Status s = ParseTargets(f.to, &targets); !s.ok()) return UsageError(s.message());
    }
  } else {
    target.id = AssignmentId(f.id);
  }
  if (action == Action::ARRIVE && !f.location.empty()) {
    if (!ParseLocation(f.location, &lat, &lon)) {
      return UsageError("--location takes LAT,LON in decimal degrees, e.g. 31.7712,119.9483");
    }
    has_location = true;
  }
  return PublishStep(g, "liaison", f.step, target, [&](schema::Envelope::Builder e) {
    if (action == Action::PROPOSE) {
      e.setIncident(f.incident);
      FillAddressing(targets, e.initAddressing());
    }
    auto l = e.initBody().initLiaison();
    l.setAction(action);
    l.setAssignmentId(target.id);
    l.setOfficer(f.officer);
    l.setToOrg(f.to_org);
    l.setPost(f.post);
    l.setUntilMillis(until_ms);
    l.setReason(f.reason);
    l.setHandoverTo(f.handover_to);
    l.setNote(f.note);
    if (has_location) {
      auto loc = l.initLocation();
      loc.setPresent(true);
      loc.setLatitude(lat);
      loc.setLongitude(lon);
    }
  });
}

CLI::App* StepCommand(CLI::App* parent, GlobalFlags& g, int* exit_code,
                      std::shared_ptr<LiaisonFlags> f, const char* name, const char* help,
                      Action action, const char* example) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  if (action != Action::PROPOSE) {
    cmd->add_option("ID", f->id, "the assignment, e.g. L-42")->required();
  }
  cmd->add_option("--note", f->note, "a free-text note kept in the assignment's history");
  AddStepFlags(cmd, f->step);
  cmd->footer(std::string("Example:\n  ") + example);
  cmd->callback([&g, f, exit_code, action] { *exit_code = RunStep(g, *f, action); });
  return cmd;
}

}  // namespace

void RegisterLiaison(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<LiaisonFlags>();
  CLI::App* liaison = app.add_subcommand(
      "liaison",
      "liaison officer assignments: propose, accept, decline, arrive, handover, release, "
      "list, show");
  liaison->require_subcommand(1);
  liaison->footer(
      "Life of an assignment: propose -> accept | decline -> arrive -> handover (the new officer "
      "accepts or declines) -> release.\nExample:\n  muster liaison propose --officer liaison-1 "
      "--to-org ema --incident INC-2026-031 --post \"joint command post\"");

  CLI::App* propose = StepCommand(
      liaison, g, exit_code, f, "propose", "assign a liaison officer to another organisation",
      Action::PROPOSE,
      "muster liaison propose --officer liaison-1 --to-org ema --incident INC-2026-031 \\\n"
      "    --post \"joint command post\" --until 3d");
  propose->add_option("--officer", f->officer, "the liaison officer (principal id)")->required();
  propose->add_option("--to-org", f->to_org, "the organisation the officer is assigned to")
      ->required();
  propose->add_option("--incident", f->incident, "the incident the assignment is for")->required();
  propose->add_option("--post", f->post, "where or in which cell the officer serves");
  propose->add_option("--until", f->until, "end of the assignment: a duration (3d) or a time");
  propose->add_option(
      "--to", f->to,
      "also inform: principal:ID, org:ID, sector:NAME, role:NAME (the officer and the "
      "receiving organisation always hear)");

  StepCommand(liaison, g, exit_code, f, "accept",
              "accept an assignment (the officer, or the incoming "
              "officer of a handover)",
              Action::ACCEPT, "muster liaison accept L-42");
  CLI::App* decline =
      StepCommand(liaison, g, exit_code, f, "decline",
                  "decline an assignment (or, as the incoming officer, a handover)",
                  Action::DECLINE, "muster liaison decline L-42 --reason \"on sick leave\"");
  decline->add_option("--reason", f->reason, "why")->required();
  CLI::App* arrive =
      StepCommand(liaison, g, exit_code, f, "arrive", "check in on site (the officer)",
                  Action::ARRIVE, "muster liaison arrive L-42 --location 31.7712,119.9483");
  arrive->add_option("--location", f->location, "where you are: LAT,LON in decimal degrees");
  CLI::App* handover = StepCommand(
      liaison, g, exit_code, f, "handover",
      "hand the assignment over to another officer of the same organisation (who must accept)",
      Action::HANDOVER, "muster liaison handover L-42 --to liaison-2");
  handover->add_option("--to", f->handover_to, "the incoming officer (principal id)")->required();
  CLI::App* release = StepCommand(
      liaison, g, exit_code, f, "release", "end the assignment (the proposer or the bureau)",
      Action::RELEASE, "muster liaison release L-42 --reason \"incident closed\"");
  release->add_option("--reason", f->reason, "why");

  CLI::App* list = liaison->add_subcommand("list", "list the assignments you may see");
  list->add_option("--incident", f->incident, "only this incident");
  list->add_option(
      "--state", f->state,
      "only this state: proposed, accepted, declined, on-site, handover-pending, released");
  list->footer("Example:\n  muster liaison list --incident INC-2026-031 --state on-site");
  list->callback([&g, f, exit_code] {
    *exit_code = QueryAndPrint(g, "liaison", schema::Kind::LIAISON, "", f->incident, f->state);
  });

  CLI::App* show = liaison->add_subcommand("show", "show an assignment and its history");
  show->add_option("ID", f->id, "the assignment, e.g. L-42")->required();
  show->footer("Example:\n  muster liaison show L-42");
  show->callback([&g, f, exit_code] {
    *exit_code = QueryAndPrint(g, "liaison", schema::Kind::LIAISON, AssignmentId(f->id), "", "");
  });
}

}  // namespace muster::cli
