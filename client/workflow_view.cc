// Workflow steps and tables on the command line.
#include "client/workflow_view.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "common/time_text.h"

namespace muster::cli {
namespace {

const std::map<std::string, schema::MessageStatus>& Statuses() {
  static const auto* k = new std::map<std::string, schema::MessageStatus>{
      {"actual", schema::MessageStatus::ACTUAL},
      {"exercise", schema::MessageStatus::EXERCISE},
      {"test", schema::MessageStatus::TEST},
      {"system", schema::MessageStatus::SYSTEM}};
  return *k;
}

const std::map<std::string, schema::Classification>& Classifications() {
  static const auto* k = new std::map<std::string, schema::Classification>{
      {"public", schema::Classification::PUBLIC},
      {"internal", schema::Classification::INTERNAL},
      {"restricted", schema::Classification::RESTRICTED},
      {"confidential", schema::Classification::CONFIDENTIAL}};
  return *k;
}

const std::map<std::string, schema::Precedence>& Precedences() {
  static const auto* k =
      new std::map<std::string, schema::Precedence>{{"flash", schema::Precedence::FLASH},
                                                    {"immediate", schema::Precedence::IMMEDIATE},
                                                    {"priority", schema::Precedence::PRIORITY},
                                                    {"routine", schema::Precedence::ROUTINE}};
  return *k;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The seq in "L-12" (any one-letter prefix), or 0.
uint64_t SeqOf(const std::string& id) {
  size_t dash = id.find('-');
  if (dash == std::string::npos || dash + 1 >= id.size()) return 0;
  uint64_t seq = 0;
  for (size_t i = dash + 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return 0;
    seq = seq * 10 + static_cast<uint64_t>(id[i] - '0');
  }
  return seq;
}

std::vector<std::string> Columns(schema::Table::Reader t) {
  std::vector<std::string> out;
  for (auto c : t.getColumns()) out.emplace_back(c.cStr());
  return out;
}

std::vector<std::vector<std::string>> Rows(schema::Table::Reader t, size_t width) {
  std::vector<std::vector<std::string>> out;
  for (auto row : t.getRows()) {
    std::vector<std::string> cells;
    for (auto c : row.getCells()) cells.emplace_back(c.cStr());
    cells.resize(width);
    out.push_back(std::move(cells));
  }
  return out;
}

// "history.action" -> ("history", "action"); "state" -> ("", "state").
std::pair<std::string, std::string> Split(const std::string& column) {
  size_t dot = column.find('.');
  if (dot == std::string::npos) return {"", column};
  return {column.substr(0, dot), column.substr(dot + 1)};
}

// Marks drills and tests wherever a status is shown.
std::string ShowCell(const std::string& column, const std::string& value) {
  if (column == "status" && (value == "exercise" || value == "test")) return Upper(value);
  return value;
}

std::string Clip(const std::string& s, size_t width) {
  if (s.size() <= width) return s;
  return s.substr(0, width - 3) + "...";
}

// Prints the given columns of the given rows, leaving out columns that are empty everywhere.
void PrintColumns(const std::vector<std::string>& names, const std::vector<size_t>& columns,
                  const std::vector<std::vector<std::string>>& rows,
                  const std::vector<std::string>& all_names) {
  constexpr size_t kMaxWidth = 60;
  std::vector<size_t> shown;
  std::vector<size_t> widths;
  for (size_t k = 0; k < columns.size(); ++k) {
    size_t c = columns[k];
    size_t width = names[k].size();
    bool any = false;
    for (const auto& row : rows) {
      if (!row[c].empty()) any = true;
      width = std::max(width, std::min(kMaxWidth, ShowCell(all_names[c], row[c]).size()));
    }
    if (!any) continue;
    shown.push_back(k);
    widths.push_back(width);
  }
  std::string line;
  for (size_t s = 0; s < shown.size(); ++s) {
    std::string head = Upper(names[shown[s]]);
    std::replace(head.begin(), head.end(), '_', ' ');
    line += head + std::string(widths[s] - head.size() + (s + 1 < shown.size() ? 2 : 0), ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::printf("%s\n", line.c_str());
  for (const auto& row : rows) {
    line.clear();
    for (size_t s = 0; s < shown.size(); ++s) {
      size_t c = columns[shown[s]];
      std::string cell = Clip(ShowCell(all_names[c], row[c]), kMaxWidth);
      line += cell + std::string(widths[s] - std::min(widths[s], cell.size()) +
                                     (s + 1 < shown.size() ? 2 : 0),
                                 ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
}

Status LookupLabel(const std::string& flag, const std::string& text, const char* choices) {
  return Status::InvalidArgument(flag + " must be one of " + choices + " (got '" + text + "')");
}

}  // namespace

void AddStepFlags(CLI::App* cmd, StepFlags& flags) {
  cmd->add_option("--status", flags.status,
                  "actual, exercise, test or system (default: the object's; actual for a new one)");
  cmd->add_option("--classification", flags.classification,
                  "public, internal, restricted, confidential (default: the object's; internal for "
                  "a new one)");
  cmd->add_option("--precedence", flags.precedence,
                  "flash, immediate, priority, routine (default)");
  cmd->add_option("--id", flags.id,
                  "client message id; reuse it to retry safely (default: generated)");
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 2;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> ParseTimeFlag(std::string_view flag, const std::string& text, int64_t now_ms) {
  auto d = ParseDurationMillis(text);
  if (d.ok()) return now_ms + *d;
  auto t = ParseInstant(text);
  if (t.ok()) return t->unix_millis;
  return Status::InvalidArgument(std::string(flag) +
                                 " takes a duration from now (90m, 6h) or a time "
                                 "(2026-11-28T23:00:00+08:00)");
}

Result<std::unique_ptr<wire::DecodedFrame>> RunWorkflowQuery(client::Connection& connection,
                                                             schema::Kind kind,
                                                             const std::string& id,
                                                             const std::string& incident,
                                                             const std::string& state) {
  auto result = connection.Query([&](schema::Query::Builder q) {
    auto w = q.initWorkflow();
    w.setKind(kind);
    w.setId(id);
    w.setIncident(incident);
    w.setState(state);
  });
  if (!result.ok()) return result.status();
  auto r = (*result)->frame().getResult();
  if (!r.isTable()) return Status::Internal("the broker answered a workflow query without a table");
  return std::move(result).value();
}

schema::Table::Reader TableOf(const wire::DecodedFrame& frame) {
  return frame.frame().getResult().getTable();
}

int PublishStep(const GlobalFlags& g, const std::string& client_name, const StepFlags& flags,
                const StepTarget& target,
                const std::function<void(schema::Envelope::Builder)>& fill) {
  schema::MessageStatus status = schema::MessageStatus::ACTUAL;
  schema::Classification classification = schema::Classification::INTERNAL;
  schema::Precedence precedence = schema::Precedence::ROUTINE;
  std::string status_text = Lower(flags.status);
  std::string classification_text = Lower(flags.classification);
  if (!status_text.empty() && !Statuses().count(status_text)) {
    return UsageError(
        LookupLabel("--status", flags.status, "actual, exercise, test, system").message());
  }
  if (!classification_text.empty() && !Classifications().count(classification_text)) {
    return UsageError(LookupLabel("--classification", flags.classification,
                                  "public, internal, restricted, confidential")
                          .message());
  }
  auto p = Precedences().find(Lower(flags.precedence));
  if (p == Precedences().end()) {
    return UsageError(
        LookupLabel("--precedence", flags.precedence, "flash, immediate, priority, routine")
            .message());
  }
  precedence = p->second;

  zmq::context_t context(1);
  auto conn = ConnectOrReport(context, g, client_name, /*receive=*/false);
  if (!conn) return 1;
  // A step on an existing object carries the object's labels unless told otherwise.
  if (!target.id.empty() && (status_text.empty() || classification_text.empty())) {
    auto shown = RunWorkflowQuery(*conn, target.kind, target.id, "", "");
    if (shown.ok()) {
      schema::Table::Reader t = TableOf(**shown);
      std::vector<std::string> columns = Columns(t);
      auto rows = Rows(t, columns.size());
      for (size_t c = 0; c < columns.size() && !rows.empty(); ++c) {
        if (columns[c] == "status" && status_text.empty()) status_text = rows[0][c];
        if (columns[c] == "classification" && classification_text.empty())
          classification_text = rows[0][c];
      }
    }
  }
  if (auto s = Statuses().find(status_text); s != Statuses().end()) status = s->second;
  if (auto c = Classifications().find(classification_text); c != Classifications().end()) {
    classification = c->second;
  }

  std::string id = flags.id.empty() ? NewClientMessageId() : flags.id;
  int64_t now = NowMillis();
  auto receipt = conn->Publish(id, [&](schema::Envelope::Builder e) {
    e.setClientMessageId(id);
    e.getSent().setUnixMillis(now);
    e.getSent().setUtcOffsetMinutes(static_cast<int16_t>(LocalUtcOffsetMinutes()));
    e.setStatus(status);
    e.setPrecedence(precedence);
    e.setClassification(classification);
    if (uint64_t seq = SeqOf(target.id); seq != 0) e.initReferences(1).set(0, seq);
    fill(e);
  });
  conn->Close();
  if (!receipt.ok()) return Report(receipt.status());
  std::string object = target.id.empty() ? target.prefix + std::to_string(receipt->seq) : target.id;
  if (g.json) {
    nlohmann::ordered_json j = {{"seq", receipt->seq},
                                {"id", object},
                                {"client_message_id", id},
                                {"recipients", receipt->recipients},
                                {"leaf_index", receipt->leaf_index},
                                {"duplicate", receipt->duplicate}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::string marker = status == schema::MessageStatus::EXERCISE ? " [EXERCISE]"
                         : status == schema::MessageStatus::TEST   ? " [TEST]"
                                                                   : "";
    std::printf("accepted: seq %llu, %u recipient%s%s; %s %s%s (id %s)\n",
                static_cast<unsigned long long>(receipt->seq), receipt->recipients,
                receipt->recipients == 1 ? "" : "s",
                receipt->duplicate ? ", already accepted earlier" : "", target.noun.c_str(),
                object.c_str(), marker.c_str(), id.c_str());
  }
  return 0;
}

void PrintList(schema::Table::Reader table) {
  std::vector<std::string> columns = Columns(table);
  auto rows = Rows(table, columns.size());
  if (rows.empty()) {
    std::printf("(none)\n");
    return;
  }
  std::vector<size_t> all(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) all[c] = c;
  PrintColumns(columns, all, rows, columns);
}

void PrintShow(schema::Table::Reader table) {
  std::vector<std::string> columns = Columns(table);
  auto rows = Rows(table, columns.size());
  if (rows.empty()) {
    std::printf("(nothing)\n");
    return;
  }
  std::vector<std::string> parts;
  size_t label = 0;
  for (const auto& c : columns) {
    auto [part, field] = Split(c);
    if (part.empty()) {
      label = std::max(label, field.size());
    } else if (std::find(parts.begin(), parts.end(), part) == parts.end()) {
      parts.push_back(part);
    }
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == "status" && (rows[0][c] == "exercise" || rows[0][c] == "test")) {
      std::printf("*** %s: NOT A REAL EVENT ***\n", Upper(rows[0][c]).c_str());
    }
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (!Split(columns[c]).first.empty() || rows[0][c].empty()) continue;
    std::string name = columns[c];
    std::replace(name.begin(), name.end(), '_', ' ');
    std::printf("%-*s  %s\n", static_cast<int>(label), name.c_str(),
                ShowCell(columns[c], rows[0][c]).c_str());
  }
  for (const auto& part : parts) {
    std::vector<size_t> part_columns;
    std::vector<std::string> names;
    for (size_t c = 0; c < columns.size(); ++c) {
      auto [p, field] = Split(columns[c]);
      if (p != part) continue;
      part_columns.push_back(c);
      names.push_back(field);
    }
    std::vector<std::vector<std::string>> part_rows;
    for (const auto& row : rows) {
      bool any = std::any_of(part_columns.begin(), part_columns.end(),
                             [&](size_t c) { return !row[c].empty(); });
      if (any) part_rows.push_back(row);
    }
    if (part_rows.empty()) continue;
    std::printf("\n%s:\n", part.c_str());
    PrintColumns(names, part_columns, part_rows, columns);
  }
}

nlohmann::ordered_json ListJson(schema::Table::Reader table) {
  std::vector<std::string> columns = Columns(table);
  auto out = nlohmann::ordered_json::array();
  for (const auto& row : Rows(table, columns.size())) {
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    for (size_t c = 0; c < columns.size(); ++c) o[columns[c]] = row[c];
    out.push_back(std::move(o));
  }
  return out;
}

nlohmann::ordered_json ShowJson(schema::Table::Reader table) {
  std::vector<std::string> columns = Columns(table);
  auto rows = Rows(table, columns.size());
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (rows.empty()) return out;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (Split(columns[c]).first.empty()) out[columns[c]] = rows[0][c];
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    auto [part, field] = Split(columns[c]);
    if (!part.empty() && !out.contains(part)) out[part] = nlohmann::ordered_json::array();
  }
  for (const auto& row : rows) {
    std::map<std::string, nlohmann::ordered_json> by_part;
    for (size_t c = 0; c < columns.size(); ++c) {
      auto [part, field] = Split(columns[c]);
      if (part.empty()) continue;
      by_part[part][field] = row[c];
    }
    for (auto& [part, o] : by_part) {
      bool any = false;
      for (const auto& item : o.items()) any = any || !item.value().get<std::string>().empty();
      if (any) out[part].push_back(std::move(o));
    }
  }
  return out;
}

int QueryAndPrint(const GlobalFlags& g, const std::string& client_name, schema::Kind kind,
                  const std::string& id, const std::string& incident, const std::string& state) {
  zmq::context_t context(1);
  auto conn = ConnectOrReport(context, g, client_name, /*receive=*/false);
  if (!conn) return 1;
  auto result = RunWorkflowQuery(*conn, kind, id, incident, state);
  conn->Close();
  if (!result.ok()) return Report(result.status());
  schema::Table::Reader table = TableOf(**result);
  bool show = !id.empty();
  if (g.json) {
    if (show) {
      std::printf("%s\n", ShowJson(table).dump().c_str());
    } else {
      for (const auto& row : ListJson(table)) std::printf("%s\n", row.dump().c_str());
    }
  } else if (show) {
    PrintShow(table);
  } else {
    PrintList(table);
  }
  return 0;
}

}  // namespace muster::cli
