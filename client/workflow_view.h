// How `muster liaison`, `muster equip` and `muster incident` run and show workflow traffic:
// publishing one step of an assignment or request (the envelope's labels, its reference to the
// object's creating message, the receipt with the object id the broker assigned), and printing
// the Table a workflow query returns.
//
// Tables follow the convention of broker/kinds/result_table.h: a list has one row per object; a
// show has the object's own columns (the same on every row) and detail columns named
// "<part>.<field>" ("history.action", "item.requested"), each row filling one part. By default a
// list prints as a table (columns empty on every row left out) and a show as the object's fields
// followed by one table per part; exercise and test traffic is marked unmistakably. With --json
// a list prints one JSON object per row and line, a show one object with an array per part.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "client/cli_common.h"
#include "common/result.h"
#include "schemas/protocol.capnp.h"

namespace muster::cli {

// Labels of a workflow message. Empty status or classification: for a step on an existing
// object, the object's (asked from the broker); for a new object, actual and internal.
struct StepFlags {
  std::string status;
  std::string classification;
  std::string precedence = "routine";
  std::string id;  // client message id; generated when empty
};
void AddStepFlags(CLI::App* cmd, StepFlags& flags);

// What a step is about. For a new object, `prefix` ("L-") names it from the receipt's seq; for a
// step on an existing one, `id` names it (and its seq becomes the envelope's reference).
struct StepTarget {
  schema::Kind kind = schema::Kind::LIAISON;
  std::string noun;    // "assignment", "request", "offer"
  std::string id;      // existing object, or empty
  std::string prefix;  // new object
};

// Publishes one step (`fill` sets the body, incident and addressing) and prints the receipt.
// Returns the exit code: 0 accepted, 1 refused or failed, 2 bad flags.
int PublishStep(const GlobalFlags& g, const std::string& client_name, const StepFlags& flags,
                const StepTarget& target,
                const std::function<void(schema::Envelope::Builder)>& fill);

// Runs one workflow query on its own connection and prints the table. Returns the exit code.
int QueryAndPrint(const GlobalFlags& g, const std::string& client_name, schema::Kind kind,
                  const std::string& id, const std::string& incident, const std::string& state);

// One workflow query on an open connection; the frame holds the result's table.
Result<std::unique_ptr<wire::DecodedFrame>> RunWorkflowQuery(client::Connection& connection,
                                                             schema::Kind kind,
                                                             const std::string& id,
                                                             const std::string& incident,
                                                             const std::string& state);
schema::Table::Reader TableOf(const wire::DecodedFrame& frame);

// Text output: a list table, or a show (object fields, then a table per part).
void PrintList(schema::Table::Reader table);
void PrintShow(schema::Table::Reader table);
// JSON: a list as an array of row objects, a show as one object with an array per part.
nlohmann::ordered_json ListJson(schema::Table::Reader table);
nlohmann::ordered_json ShowJson(schema::Table::Reader table);

// A time flag: a duration from now ("90m", "6h") or an RFC 3339 time. InvalidArgument names
// the flag.
Result<int64_t> ParseTimeFlag(std::string_view flag, const std::string& text, int64_t now_ms);

// Prints "error: <message>" and returns 2 (a usage error).
int UsageError(const std::string& message);

int64_t NowMillis();

}  // namespace muster::cli
