// `muster equip …`: mutual equipment and supply support, the EDXL-RM lifecycle — request line
// items, offer against them, commit, dispatch, deliver, return, release; decline, cancel; list
// and show with the fulfilment of every line item.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "client/commands.h"
#include "client/targets.h"
#include "client/workflow_view.h"
#include "schemas/equipment.capnp.h"

namespace muster::cli {
namespace {

using Action = schema::EquipmentRequest::Action;

struct EquipFlags {
  StepFlags step;
  std::string id;  // R-<seq> or O-<seq>
  std::vector<std::string> items;
  std::string deliver_to, needed_by, incident, priority, note, reason, eta, state;
  std::vector<std::string> to;
  std::vector<std::string> received;
  std::vector<std::string> returned;
};

struct Item {
  std::string item_id, type, unit, description;
  double quantity = 0;
};

bool ParseQuantity(const std::string& text, bool allow_zero, double* out) {
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && std::isfinite(*out) &&
         (allow_zero ? *out >= 0 : *out > 0);
}

std::vector<std::string> SplitColons(const std::string& text, size_t max_parts) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    size_t colon = text.find(':', start);
    if (colon == std::string::npos) break;
    parts.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

// --item TYPE:QTY:UNIT[:DESCRIPTION] (request).
Status ParseRequestItems(const std::vector<std::string>& values, std::vector<Item>* out) {
  for (const auto& v : values) {
    std::vector<std::string> p = SplitColons(v, 4);
    Item item;
    if (p.size() < 3 || p[0].empty() || p[2].empty() ||
        !ParseQuantity(p[1], false, &item.quantity)) {
      return Status::InvalidArgument(
          "bad --item '" + v + "': use TYPE:QTY:UNIT[:DESCRIPTION], e.g. pump.high-capacity:4:pc");
    }
    item.type = p[0];
    item.unit = p[2];
    if (p.size() == 4) item.description = p[3];
    out->push_back(std::move(item));
  }
  if (out->empty()) return Status::InvalidArgument("give at least one --item TYPE:QTY:UNIT");
  return Status::Ok();
}

// ITEMID:QTY (offer, deliver, return). A bare QTY names the offer's only line item when
// `bare_allowed`.
Status ParseItemQuantities(const std::string& flag, const std::vector<std::string>& values,
                           bool bare_allowed, bool allow_zero, std::vector<Item>* out) {
  for (const auto& v : values) {
    std::vector<std::string> p = SplitColons(v, 2);
    Item item;
    bool ok;
    if (p.size() == 1) {
      ok = bare_allowed && ParseQuantity(p[0], allow_zero, &item.quantity);
    } else {
      item.item_id = p[0];
      ok = !p[0].empty() && ParseQuantity(p[1], allow_zero, &item.quantity);
    }
    if (!ok) {
      return Status::InvalidArgument(
          "bad " + flag + " '" + v + "': use ITEMID:QTY, e.g. 1:4" +
          (bare_allowed ? std::string(" (or QTY for a single-item offer)") : std::string()));
    }
    out->push_back(std::move(item));
  }
  return Status::Ok();
}

void FillItems(const std::vector<Item>& items, schema::EquipmentRequest::Builder body) {
  auto list = body.initItems(static_cast<unsigned>(items.size()));
  for (size_t k = 0; k < items.size(); ++k) {
    auto i = list[static_cast<unsigned>(k)];
    i.setItemId(items[k].item_id);
    i.setResourceType(items[k].type);
    i.setQuantity(items[k].quantity);
    i.setUnit(items[k].unit);
    i.setDescription(items[k].description);
  }
}

bool IsOffer(const std::string& id) { return id.rfind("O-", 0) == 0; }
bool IsRequest(const std::string& id) { return id.rfind("R-", 0) == 0; }

int RunStep(GlobalFlags& g, EquipFlags& f, Action action) {
  StepTarget target;
  target.kind = schema::Kind::EQUIPMENT;
  std::vector<Item> items;
  Targets targets;
  int64_t needed_by_ms = 0;
  int64_t eta_ms = 0;
  std::string request_id;
  std::string offer_id;
  switch (action) {
    case Action::REQUEST: {
      target.noun = "request";
      target.prefix = "R-";
      if (Status s = ParseRequestItems(f.items, &items); !s.ok()) return UsageError(s.message());
      if (Status s = ParseTargets(f.to, &targets); !s.ok()) return UsageError(s.message());
      auto t = ParseTimeFlag("--needed-by", f.needed_by, NowMillis());
      if (!t.ok()) return UsageError(t.status().message());
      needed_by_ms = *t;
      break;
    }
    case Action::OFFER:
      if (!IsRequest(f.id)) return UsageError("offer takes a request id, e.g. R-42");
      target.noun = "offer";
      target.prefix = "O-";
      request_id = f.id;
      if (f.items.empty()) return UsageError("give at least one --item ITEMID:QTY");
      if (Status s = ParseItemQuantities("--item", f.items, false, false, &items); !s.ok()) {
        return UsageError(s.message());
      }
      break;
    case Action::DECLINE:
    case Action::RELEASE:
      if (IsRequest(f.id)) {
        request_id = f.id;
        target.noun = "request";
      } else if (IsOffer(f.id)) {
        offer_id = f.id;
        target.noun = "offer";
      } else {
        return UsageError("give a request (R-42) or an offer (O-43)");
      }
      target.id = f.id;
      break;
    case Action::CANCEL:
      if (!IsRequest(f.id)) return UsageError("cancel takes a request id, e.g. R-42");
      request_id = target.id = f.id;
      target.noun = "request";
      break;
    default:
      if (!IsOffer(f.id)) return UsageError("give an offer id, e.g. O-43");
      offer_id = target.id = f.id;
      target.noun = "offer";
      if (action == Action::DISPATCH) {
        auto t = ParseTimeFlag("--eta", f.eta, NowMillis());
        if (!t.ok()) return UsageError(t.status().message());
        eta_ms = *t;
      }
      if (action == Action::DELIVER) {
        if (Status s = ParseItemQuantities("--received", f.received, true, true, &items); !s.ok()) {
          return UsageError(s.message());
        }
      }
      if (action == Action::RETURN) {
        if (Status s = ParseItemQuantities("--returned", f.returned, true, true, &items); !s.ok()) {
          return UsageError(s.message());
        }
      }
      break;
  }
  return PublishStep(g, "equip", f.step, target, [&](schema::Envelope::Builder e) {
    if (action == Action::REQUEST) {
      e.setIncident(f.incident);
      FillAddressing(targets, e.initAddressing());
    }
    auto body = e.initBody().initEquipment();
    body.setAction(action);
    body.setRequestId(request_id);
    body.setOfferId(offer_id);
    FillItems(items, body);
    body.setDeliverTo(f.deliver_to);
    body.setNeededByMillis(needed_by_ms);
    body.setPriority(f.priority);
    body.setEtaMillis(eta_ms);
    body.setReason(f.reason);
    body.setNote(f.note);
  });
}

CLI::App* StepCommand(CLI::App* parent, GlobalFlags& g, int* exit_code,
                      std::shared_ptr<EquipFlags> f, const char* name, const char* help,
                      Action action, const char* id_help, const char* example) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  if (id_help != nullptr) cmd->add_option("ID", f->id, id_help)->required();
  cmd->add_option("--note", f->note, "a free-text note kept in the history");
  AddStepFlags(cmd, f->step);
  cmd->footer(std::string("Example:\n  ") + example);
  cmd->callback([&g, f, exit_code, action] { *exit_code = RunStep(g, *f, action); });
  return cmd;
}

}  // namespace

void RegisterEquip(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<EquipFlags>();
  CLI::App* equip = app.add_subcommand(
      "equip",
      "equipment and supply requests: request, offer, commit, decline, dispatch, deliver, "
      "return, release, cancel, list, show");
  equip->require_subcommand(1);
  equip->footer(
      "Life of a request (EDXL-RM): request -> offer -> commit -> dispatch -> deliver -> return -> "
      "release; decline, cancel.\nExample:\n  muster equip request --item pump.high-capacity:4:pc "
      "--deliver-to \"Wujin levee km 12\" \\\n    --needed-by 6h --to org:msd --incident "
      "INC-2026-031");

  CLI::App* request = StepCommand(
      equip, g, exit_code, f, "request", "ask for equipment or supplies", Action::REQUEST, nullptr,
      "muster equip request --item pump.high-capacity:4:pc:\"drainage pump\" --item "
      "water.bottled:100:box \\\n    --deliver-to \"Wujin levee km 12\" --needed-by 6h --to "
      "org:msd,org:rescue-1 --incident INC-2026-031");
  request->add_option("--item", f->items, "a line item TYPE:QTY:UNIT[:DESCRIPTION] (repeatable)")
      ->required();
  request->add_option("--deliver-to", f->deliver_to, "where to deliver")->required();
  request->add_option("--needed-by", f->needed_by, "by when: a duration (6h) or a time")
      ->required();
  request
      ->add_option("--to", f->to,
                   "who is asked: principal:ID, org:ID, sector:NAME, role:NAME, "
                   "area:CODE (comma-separated or repeated)")
      ->required();
  request->add_option("--incident", f->incident, "the incident the request is for")->required();
  request->add_option("--priority", f->priority, "free text, e.g. urgent");

  CLI::App* offer = StepCommand(
      equip, g, exit_code, f, "offer", "offer items against a request's line items", Action::OFFER,
      "the request, e.g. R-42", "muster equip offer R-42 --item 1:2 --item 2:50");
  offer
      ->add_option("--item", f->items,
                   "ITEMID:QTY, the request's line item and how many (repeatable)")
      ->required();

  StepCommand(equip, g, exit_code, f, "commit", "accept an offer (the requester)", Action::COMMIT,
              "the offer, e.g. O-43", "muster equip commit O-43");
  CLI::App* decline = StepCommand(
      equip, g, exit_code, f, "decline",
      "turn down an offer (the requester) or a request you cannot help with (a provider)",
      Action::DECLINE, "the request (R-42) or the offer (O-43)",
      "muster equip decline R-42 --reason \"no pumps available\"");
  decline->add_option("--reason", f->reason, "why")->required();
  CLI::App* dispatch = StepCommand(
      equip, g, exit_code, f, "dispatch", "send committed items on their way (the provider)",
      Action::DISPATCH, "the offer, e.g. O-43", "muster equip dispatch O-43 --eta 2h");
  dispatch->add_option("--eta", f->eta, "estimated arrival: a duration (2h) or a time")->required();
  CLI::App* deliver =
      StepCommand(equip, g, exit_code, f, "deliver", "confirm what arrived (the requester)",
                  Action::DELIVER, "the offer, e.g. O-43",
                  "muster equip deliver O-43 --received 2\n  muster equip deliver O-43 "
                  "--received 1:2 --received 2:48");
  deliver->add_option("--received", f->received,
                      "QTY received (single-item offer) or ITEMID:QTY (repeatable); default: all");
  CLI::App* ret = StepCommand(equip, g, exit_code, f, "return",
                              "send delivered items back to the provider (the requester)",
                              Action::RETURN, "the offer, e.g. O-43", "muster equip return O-43");
  ret->add_option("--returned", f->returned,
                  "QTY (single-item offer) or ITEMID:QTY (repeatable); default: all received");
  StepCommand(equip, g, exit_code, f, "release",
              "close a delivered or returned offer (either party), or close a request (the "
              "requester)",
              Action::RELEASE, "the offer (O-43) or the request (R-42)",
              "muster equip release O-43");
  CLI::App* cancel = StepCommand(equip, g, exit_code, f, "cancel",
                                 "withdraw a request while nothing is dispatched (the requester)",
                                 Action::CANCEL, "the request, e.g. R-42",
                                 "muster equip cancel R-42 --reason \"river has fallen\"");
  cancel->add_option("--reason", f->reason, "why");

  CLI::App* list = equip->add_subcommand("list", "list the requests you may see");
  list->add_option("--incident", f->incident, "only this incident");
  list->add_option("--state", f->state, "only this state: open, cancelled, closed");
  list->footer("Example:\n  muster equip list --incident INC-2026-031 --state open");
  list->callback([&g, f, exit_code] {
    *exit_code = QueryAndPrint(g, "equip", schema::Kind::EQUIPMENT, "", f->incident, f->state);
  });

  CLI::App* show = equip->add_subcommand(
      "show",
      "show a request (line items: requested, offered, committed, dispatched, delivered, "
      "returned; offers; history) or an offer");
  show->add_option("ID", f->id, "the request (R-42) or the offer (O-43)")->required();
  show->footer("Example:\n  muster equip show R-42");
  show->callback([&g, f, exit_code] {
    if (!IsRequest(f->id) && !IsOffer(f->id)) {
      *exit_code = UsageError("give a request (R-42) or an offer (O-43)");
      return;
    }
    *exit_code = QueryAndPrint(g, "equip", schema::Kind::EQUIPMENT, f->id, "", "");
  });
}

}  // namespace muster::cli
