// `muster alert`: publish an alert (CAP 1.2 fields) and print the broker's receipt.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "client/commands.h"
#include "client/targets.h"
#include "common/time_text.h"

namespace muster::cli {
namespace {

struct AlertFlags {
  std::vector<std::string> to;
  std::string event, headline, description, instruction, area_desc;
  std::string severity = "Unknown", urgency = "Unknown", certainty = "Unknown", category = "Other";
  std::string classification, status, precedence = "routine";
  std::string incident, expires, ack_by, id;
  uint64_t update = 0, cancel = 0;  // seq of the alert this one updates or cancels
  std::vector<std::string> geocodes;
};

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

template <typename E>
bool Lookup(const std::map<std::string, E>& table, const std::string& text, E* out) {
  auto it = table.find(Lower(text));
  if (it == table.end()) return false;
  *out = it->second;
  return true;
}

std::string Choices(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int Run(GlobalFlags& g, AlertFlags& f) {
  using A = schema::Alert;
  static const std::map<std::string, A::Severity> kSeverity = {
      {"extreme", A::Severity::EXTREME}, {"severe", A::Severity::SEVERE}, {"moderate", A::Severity::MODERATE},
      {"minor", A::Severity::MINOR}, {"unknown", A::Severity::UNKNOWN}};
  static const std::map<std::string, A::Urgency> kUrgency = {
      {"immediate", A::Urgency::IMMEDIATE}, {"expected", A::Urgency::EXPECTED}, {"future", A::Urgency::FUTURE},
      {"past", A::Urgency::PAST}, {"unknown", A::Urgency::UNKNOWN}};
  static const std::map<std::string, A::Certainty> kCertainty = {
      {"observed", A::Certainty::OBSERVED}, {"likely", A::Certainty::LIKELY}, {"possible", A::Certainty::POSSIBLE},
      {"unlikely", A::Certainty::UNLIKELY}, {"unknown", A::Certainty::UNKNOWN}};
  static const std::map<std::string, A::Category> kCategory = {
      {"geo", A::Category::GEO}, {"met", A::Category::MET}, {"safety", A::Category::SAFETY},
      {"security", A::Category::SECURITY}, {"rescue", A::Category::RESCUE}, {"fire", A::Category::FIRE},
      {"health", A::Category::HEALTH}, {"env", A::Category::ENV}, {"transport", A::Category::TRANSPORT},
      {"infra", A::Category::INFRA}, {"cbrne", A::Category::CBRNE}, {"other", A::Category::OTHER}};
  static const std::map<std::string, schema::Classification> kClassification = {
      {"public", schema::Classification::PUBLIC}, {"internal", schema::Classification::INTERNAL},
      {"restricted", schema::Classification::RESTRICTED}, {"confidential", schema::Classification::CONFIDENTIAL}};
  static const std::map<std::string, schema::MessageStatus> kStatus = {
      {"actual", schema::MessageStatus::ACTUAL}, {"exercise", schema::MessageStatus::EXERCISE},
      {"test", schema::MessageStatus::TEST}, {"system", schema::MessageStatus::SYSTEM}};
  static const std::map<std::string, schema::Precedence> kPrecedence = {
      {"flash", schema::Precedence::FLASH}, {"immediate", schema::Precedence::IMMEDIATE},
      {"priority", schema::Precedence::PRIORITY}, {"routine", schema::Precedence::ROUTINE}};
  static const std::map<std::string, A::CapStatus> kCapStatus = {
      {"actual", A::CapStatus::ACTUAL}, {"exercise", A::CapStatus::EXERCISE}, {"test", A::CapStatus::TEST},
      {"system", A::CapStatus::SYSTEM}};

  auto usage = [](const std::string& m) {
    std::fprintf(stderr, "error: %s\n", m.c_str());
    return 2;
  };
  // An update or cancel takes its defaults from the original alert (as the broker shows it to us),
  // and names it in the CAP references.
  std::map<std::string, std::string> original;
  const uint64_t original_seq = f.update ? f.update : f.cancel;
  if (f.update && f.cancel) return usage("give --update or --cancel, not both");
  zmq::context_t context(1);
  std::unique_ptr<client::Connection> conn;
  if (original_seq) {
    conn = ConnectOrReport(context, g, "alert", /*receive=*/false);
    if (!conn) return 1;
    auto shown = conn->Query([&](schema::Query::Builder q) {
      auto w = q.initWorkflow();
      w.setKind(schema::Kind::ALERT);
      w.setId(std::to_string(original_seq));
    });
    if (!shown.ok()) return Report(shown.status());
    auto table = (*shown)->frame().getResult().getTable();
    if (table.getRows().size() == 0) return Report(Status::NotFound("no alert " + std::to_string(original_seq)));
    auto columns = table.getColumns();
    auto cells = table.getRows()[0].getCells();
    for (unsigned i = 0; i < columns.size() && i < cells.size(); ++i) original[columns[i].cStr()] = cells[i].cStr();
    if (f.status.empty()) f.status = original["status"];
    if (f.classification.empty()) f.classification = original["classification"];
    if (f.incident.empty()) f.incident = original["incident"];
    if (f.event.empty()) f.event = original["event"];
    if (f.headline.empty()) f.headline = (f.cancel ? "Cancelled: " : "Update: ") + original["headline"];
  } else {
    if (f.to.empty()) return usage("--to is required (e.g. --to org:msd)");
    if (f.event.empty() || f.headline.empty()) return usage("--event and --headline are required");
  }
  if (f.status.empty()) f.status = "actual";
  if (f.classification.empty()) f.classification = "internal";

  A::Severity severity;
  A::Urgency urgency;
  A::Certainty certainty;
  A::Category category;
  schema::Classification classification;
  schema::MessageStatus status;
  schema::Precedence precedence;
  A::CapStatus cap_status;
  if (!Lookup(kSeverity, f.severity, &severity))
    return usage("--severity must be one of " + Choices({"Extreme", "Severe", "Moderate", "Minor", "Unknown"}));
  if (!Lookup(kUrgency, f.urgency, &urgency))
    return usage("--urgency must be one of " + Choices({"Immediate", "Expected", "Future", "Past", "Unknown"}));
  if (!Lookup(kCertainty, f.certainty, &certainty))
    return usage("--certainty must be one of " + Choices({"Observed", "Likely", "Possible", "Unlikely", "Unknown"}));
  if (!Lookup(kCategory, f.category, &category))
    return usage("--category must be one of Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, "
                 "Infra, CBRNE, Other");
  if (!Lookup(kClassification, f.classification, &classification))
    return usage("--classification must be one of public, internal, restricted, confidential");
  if (!Lookup(kStatus, f.status, &status) || !Lookup(kCapStatus, f.status, &cap_status))
    return usage("--status must be one of actual, exercise, test, system");
  if (!Lookup(kPrecedence, f.precedence, &precedence))
    return usage("--precedence must be one of flash, immediate, priority, routine");
  Targets targets;
  if (!f.to.empty() || !original_seq) {
    if (Status s = ParseTargets(f.to, &targets); !s.ok()) return usage(s.message());
  }

  int32_t offset = LocalUtcOffsetMinutes();
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  int64_t expires_ms = 0;
  if (!f.expires.empty()) {
    auto d = ParseDurationMillis(f.expires);
    if (d.ok()) {
      expires_ms = now + *d;
    } else {
      auto t = ParseInstant(f.expires);
      if (!t.ok()) return usage("--expires takes a duration (90m, 6h) or a time (2026-11-28T23:00:00+08:00)");
      expires_ms = t->unix_millis;
    }
  }
  int64_t ack_deadline_ms = 0;
  if (!f.ack_by.empty()) {
    auto d = ParseDurationMillis(f.ack_by);
    if (d.ok()) {
      ack_deadline_ms = now + *d;
    } else {
      auto t = ParseInstant(f.ack_by);
      if (!t.ok()) return usage("--ack-by takes a duration (10m, 1h) or a time (2026-11-28T23:00:00+08:00)");
      ack_deadline_ms = t->unix_millis;
    }
  }
  std::string id = f.id.empty() ? NewClientMessageId() : f.id;

  if (!conn) conn = ConnectOrReport(context, g, "alert", /*receive=*/false);
  if (!conn) return 1;
  const std::string principal = conn->welcome().principal;
  auto receipt = conn->Publish(id, [&](schema::Envelope::Builder e) {
    e.setClientMessageId(id);
    e.getSent().setUnixMillis(now);
    e.getSent().setUtcOffsetMinutes(static_cast<int16_t>(offset));
    e.setStatus(status);
    e.setPrecedence(precedence);
    e.setClassification(classification);
    e.setIncident(f.incident);
    e.setExpiresMillis(expires_ms);
    e.setAckDeadlineMillis(ack_deadline_ms);
    FillAddressing(targets, e.initAddressing());
    auto alert = e.initBody().initAlert();
    alert.setIdentifier(principal + "." + id);
    alert.setSender(principal);
    alert.setSent(FormatInstant(now, offset, /*cap_utc=*/true));
    alert.setStatus(cap_status);
    alert.setMsgType(f.update ? A::MsgType::UPDATE : f.cancel ? A::MsgType::CANCEL : A::MsgType::ALERT);
    if (original_seq) {
      e.initReferences(1).set(0, original_seq);
      alert.setReferences(original["cap_sender"] + "," + original["identifier"] + "," + original["sent"]);
    }
    alert.setScope(A::Scope::RESTRICTED);
    alert.setRestriction(f.classification);
    if (!f.incident.empty()) alert.setIncidents(f.incident);
    auto info = alert.initInfos(1)[0];
    info.initCategories(1).set(0, category);
    info.setEvent(f.event);
    info.setUrgency(urgency);
    info.setSeverity(severity);
    info.setCertainty(certainty);
    info.setHeadline(f.headline);
    info.setDescription(f.description);
    info.setInstruction(f.instruction);
    if (expires_ms) info.setExpires(FormatInstant(expires_ms, offset, true));
    if (!f.area_desc.empty() || !f.geocodes.empty()) {
      auto area = info.initAreas(1)[0];
      area.setAreaDesc(f.area_desc.empty() ? "area" : f.area_desc);
      auto codes = area.initGeocodes(static_cast<unsigned>(f.geocodes.size()));
      for (size_t i = 0; i < f.geocodes.size(); ++i) {
        codes[static_cast<unsigned>(i)].setName("GB/T 2260");
        codes[static_cast<unsigned>(i)].setValue(f.geocodes[i]);
      }
    }
  });
  conn->Close();
  if (!receipt.ok()) return Report(receipt.status());
  if (g.json) {
    std::printf("{\"seq\":%llu,\"client_message_id\":\"%s\",\"recipients\":%u,\"leaf_index\":%llu,\"duplicate\":%s}\n",
                static_cast<unsigned long long>(receipt->seq), id.c_str(), receipt->recipients,
                static_cast<unsigned long long>(receipt->leaf_index), receipt->duplicate ? "true" : "false");
  } else {
    std::printf("accepted: seq %llu, %u recipient%s%s (id %s)\n", static_cast<unsigned long long>(receipt->seq),
                receipt->recipients, receipt->recipients == 1 ? "" : "s",
                receipt->duplicate ? ", already accepted earlier" : "", id.c_str());
  }
  return 0;
}

}  // namespace

void RegisterAlert(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto flags = std::make_shared<AlertFlags>();
  CLI::App* cmd = app.add_subcommand("alert", "publish an alert and print the broker's receipt");
  cmd->add_option("--to", flags->to,
                  "recipients: principal:ID, org:ID, sector:NAME, role:NAME, area:CODE (comma-separated or "
                  "repeated); an update or cancel also reaches everyone who received the original");
  cmd->add_option("--event", flags->event, "what is happening, e.g. Flood");
  cmd->add_option("--headline", flags->headline, "one line for the recipient");
  cmd->add_option("--update", flags->update, "this alert updates alert SEQ (defaults come from it)");
  cmd->add_option("--cancel", flags->cancel, "this alert cancels alert SEQ");
  cmd->add_option("--description", flags->description, "details");
  cmd->add_option("--instruction", flags->instruction, "what recipients should do");
  cmd->add_option("--severity", flags->severity, "Extreme, Severe, Moderate, Minor, Unknown (default)");
  cmd->add_option("--urgency", flags->urgency, "Immediate, Expected, Future, Past, Unknown (default)");
  cmd->add_option("--certainty", flags->certainty, "Observed, Likely, Possible, Unlikely, Unknown (default)");
  cmd->add_option("--category", flags->category, "CAP category (default Other)");
  cmd->add_option("--classification", flags->classification,
                  "public, internal (default), restricted, confidential");
  cmd->add_option("--status", flags->status, "actual (default), exercise, test, system");
  cmd->add_option("--precedence", flags->precedence, "flash, immediate, priority, routine (default)");
  cmd->add_option("--incident", flags->incident, "incident id this alert belongs to");
  cmd->add_option("--expires", flags->expires, "not delivered after: a duration (6h) or a time");
  cmd->add_option("--ack-by", flags->ack_by,
                  "recipients must acknowledge within this duration (15m) or by this time, else the broker "
                  "escalates to the sender and the duty officers");
  cmd->add_option("--area", flags->area_desc, "description of the affected area");
  cmd->add_option("--geocode", flags->geocodes, "GB/T 2260 code of the affected area (repeatable)");
  cmd->add_option("--id", flags->id, "client message id; reuse it to retry safely (default: generated)");
  cmd->footer(
      "Examples:\n  muster alert --to org:msd --event Flood --headline \"River above warning level\" \\\n"
      "    --severity Severe --urgency Immediate --incident INC-2026-031 --ack-by 15m\n"
      "  muster alert --update 12 --headline \"Water falling\"\n  muster alert --cancel 12");
  cmd->callback([&g, flags, exit_code] { *exit_code = Run(g, *flags); });
}

}  // namespace muster::cli
