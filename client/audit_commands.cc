// muster-audit subcommands.
#include "client/audit_commands.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <span>

#include "broker/audit/audit_export.h"
#include "client/audit_source.h"
#include "common/files.h"
#include "common/time_text.h"
#include "security/note_encoding.h"

namespace muster::cli {
namespace {

using Json = nlohmann::ordered_json;
using security::Digest;

constexpr int kUsage = 2;

std::string U(uint64_t v) { return std::to_string(v); }
std::string B64(const Digest& d) { return security::EncodeBase64(d.data(), d.size()); }

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return 1;
}
int Usage(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kUsage;
}

// "2026-11-28 21:05:00 +08:00" in this machine's offset.
std::string LocalTime(int64_t unix_ms) {
  std::string t = FormatInstant(unix_ms, LocalUtcOffsetMinutes());
  if (t.size() >= 25) t = t.substr(0, 10) + " " + t.substr(11, 8) + " " + t.substr(19);
  return t;
}
// An RFC 3339 time from a record or checkpoint, in local time; unchanged if it does not parse.
std::string LocalTimeOf(const std::string& rfc3339) {
  auto i = ParseInstant(rfc3339);
  return i.ok() ? LocalTime(i->unix_millis) : rfc3339;
}

// --from/--to: an RFC 3339 time, or a duration meaning that long ago ("2h", "1d").
Result<int64_t> ParseTimeArg(const std::string& text) {
  auto instant = ParseInstant(text);
  if (instant.ok()) return instant->unix_millis;
  auto ago = ParseDurationMillis(text);
  if (ago.ok()) {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch()).count();
    return static_cast<int64_t>(now) - *ago;
  }
  return Status::InvalidArgument("\"" + text + "\" is neither an RFC 3339 time (2026-11-28T21:05:00+08:00) nor a "
                                 "duration (90m, 2h, 1d)");
}

void PrintTable(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t c = 0; c < headers.size(); ++c) width[c] = headers[c].size();
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      out += cells[c];
      if (c + 1 < cells.size()) out += std::string(width[c] - cells[c].size() + 2, ' ');
    }
    std::printf("%s\n", out.c_str());
  };
  line(headers);
  for (const auto& r : rows) line(r);
}

std::string Shorten(const std::string& s, size_t max) {
  std::string one = s;
  for (char& c : one) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return one.size() <= max ? one : one.substr(0, max - 3) + "...";
}

// ---- Where to read from, and which key to trust ----

Result<std::unique_ptr<AuditSource>> OpenSource(const AuditFlags& flags, zmq::context_t& context, bool* usage) {
  *usage = false;
  const char* env_broker = std::getenv("MUSTER_BROKER");
  const bool remote = !flags.broker.empty() || (flags.db.empty() && env_broker != nullptr && *env_broker != '\0');
  if (!flags.db.empty() && !flags.broker.empty()) {
    *usage = true;
    return Status::InvalidArgument("give either --db DIR or --broker ENDPOINT, not both");
  }
  if (!remote && flags.db.empty()) {
    *usage = true;
    return Status::InvalidArgument("give --db DIR (the broker's data directory) or --broker ENDPOINT");
  }
  if (!remote) {
    auto local = LocalAuditSource::Open(flags.db);
    if (!local.ok()) return local.status();
    return std::unique_ptr<AuditSource>(std::move(local).value());
  }
  client::ConnectOptions o;
  o.broker = flags.broker;
  o.key_file = flags.key;
  o.server_key = flags.server_key;
  o.client_name = "muster-audit";
  o.timeout_ms = static_cast<int>(flags.timeout_s * 1000);
  if (Status s = client::ResolveConnectOptions(&o); !s.ok()) {
    *usage = true;
    return s;
  }
  auto c = client::Connection::Open(context, o);
  if (!c.ok()) return c.status();
  return std::unique_ptr<AuditSource>(std::make_unique<RemoteAuditSource>(std::move(c).value(), o.timeout_ms));
}

// The broker's verifier key: --pubkey; with --db also --key, or DIR/../keys/broker.signing.pub
// (the demo layout). With --db it is required; over --broker it is optional (then signatures
// are not checked, and the output says so).
Result<std::optional<security::VerifierKey>> ResolveVerifierKey(const AuditFlags& flags, bool* usage) {
  *usage = false;
  std::string path = flags.pubkey;
  const bool local = !flags.db.empty();
  if (path.empty() && local) path = flags.key;
  if (path.empty() && local) {
    std::string demo = JoinPath(DirName(flags.db), "keys/broker.signing.pub");
    if (flags.db.back() == '/') demo = JoinPath(DirName(flags.db.substr(0, flags.db.size() - 1)), "keys/broker.signing.pub");
    if (PathExists(demo)) path = demo;
  }
  if (path.empty()) {
    if (!local) return std::optional<security::VerifierKey>();
    *usage = true;
    return Status::InvalidArgument("the broker's verifier key is needed: --key FILE (its *.signing.pub; found "
                                   "automatically as DIR/../keys/broker.signing.pub for a demo data directory)");
  }
  // Across a signing-key rotation: several files, comma-separated, the newest first.
  std::string first = path.substr(0, path.find(','));
  auto key = security::LoadVerifierKeyFile(first);
  if (!key.ok()) return key.status().WithContext("verifier key " + first);
  return std::optional<security::VerifierKey>(std::move(key).value());
}

// The verifier keys after the first in a comma-separated --key/--pubkey list.
Result<std::vector<security::VerifierKey>> MoreVerifierKeys(const AuditFlags& flags) {
  std::vector<security::VerifierKey> out;
  std::string list = !flags.pubkey.empty() ? flags.pubkey : (!flags.db.empty() ? flags.key : "");
  size_t comma = list.find(',');
  while (comma != std::string::npos) {
    size_t next = list.find(',', comma + 1);
    std::string path = list.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
    if (!path.empty()) {
      auto key = security::LoadVerifierKeyFile(path);
      if (!key.ok()) return key.status().WithContext("verifier key " + path);
      out.push_back(std::move(key).value());
    }
    comma = next;
  }
  return out;
}

// Opens the source and the key for a subcommand; on failure prints the error and sets *code.
struct Session {
  zmq::context_t context{1};
  std::unique_ptr<AuditSource> source;
  std::optional<security::VerifierKey> key;
  std::vector<security::VerifierKey> all_keys;  // key, then the older ones given after a comma
};

bool Start(const AuditFlags& flags, Session* session, int* code) {
  bool usage = false;
  auto key = ResolveVerifierKey(flags, &usage);
  if (!key.ok()) {
    *code = usage ? Usage(key.status().message()) : Fail(key.status());
    return false;
  }
  session->key = std::move(key).value();
  auto more = MoreVerifierKeys(flags);
  if (!more.ok()) {
    *code = Fail(more.status());
    return false;
  }
  if (session->key) session->all_keys.push_back(*session->key);
  session->all_keys.insert(session->all_keys.end(), more->begin(), more->end());
  auto source = OpenSource(flags, session->context, &usage);
  if (!source.ok()) {
    *code = usage ? Usage(source.status().message()) : Fail(source.status());
    return false;
  }
  session->source = std::move(source).value();
  return true;
}

std::string SignatureText(const std::vector<security::VerifierKey>& keys, const std::string& note) {
  if (keys.empty()) return "not checked";
  auto cp = security::ParseAndVerifyCheckpoint(note, std::span<const security::VerifierKey>(keys));
  return cp.ok() ? "ok" : "BAD (" + cp.status().message() + ")";
}

// ---- Subcommands ----

struct FilterArgs {
  std::string from, to, sender, org, recipient, incident, kind, event;
  size_t limit = 1000;
  uint64_t after = 0;
};

void AddFilterOptions(CLI::App* sub, FilterArgs& f, bool with_limit) {
  sub->add_option("--from", f.from, "leaves at or after this time: RFC 3339, or a duration ago (2h, 1d)");
  sub->add_option("--to", f.to, "leaves before this time (same forms)");
  sub->add_option("--sender", f.sender, "the principal that caused the event (the sender, for accepted/rejected)");
  sub->add_option("--org", f.org, "that principal's organisation");
  sub->add_option("--recipient", f.recipient, "a recipient of the message (accepted and delivery events)");
  sub->add_option("--incident", f.incident, "incident id");
  sub->add_option("--kind", f.kind, "message kind: alert, liaison, equipment");
  std::string events;
  for (const auto& e : audit::EventNames()) events += (events.empty() ? "" : ", ") + e;
  sub->add_option("--event", f.event, "one of: " + events);
  if (with_limit) {
    sub->add_option("--limit", f.limit, "at most this many records (default 1000; 0 = all)");
  } else {
    sub->add_option("--limit", f.limit, "at most this many records (default: all)");
  }
  sub->add_option("--after", f.after, "start at this leaf index (to continue an earlier query)");
}

Result<audit::QueryFilter> ToFilter(const FilterArgs& a) {
  audit::QueryFilter f;
  if (!a.from.empty()) {
    auto t = ParseTimeArg(a.from);
    if (!t.ok()) return t.status().WithContext("--from");
    f.from_ms = *t;
  }
  if (!a.to.empty()) {
    auto t = ParseTimeArg(a.to);
    if (!t.ok()) return t.status().WithContext("--to");
    f.to_ms = *t;
  }
  f.sender = a.sender;
  f.org = a.org;
  f.recipient = a.recipient;
  f.incident = a.incident;
  f.kind = a.kind;
  if (!a.event.empty()) {
    f.event = audit::ParseEventName(a.event);
    if (!f.event) return Status::InvalidArgument("--event: unknown event \"" + a.event + "\"");
  }
  f.limit = a.limit;
  f.first_leaf = a.after;
  return f;
}

int RunVerify(const AuditFlags& flags, const std::string& seen_file, int threads, bool all) {
  if (flags.db.empty()) {
    return Usage("verify reads the store itself: give --db DIR (the broker's data directory, or a copy)");
  }
  Session session;
  int code = 0;
  if (!Start(flags, &session, &code)) return code;
  auto* local = static_cast<LocalAuditSource*>(session.source.get());
  audit::VerifyOptions options;
  options.threads = threads;
  if (!seen_file.empty()) {
    auto note = ReadFile(seen_file);
    if (!note.ok()) return Fail(note.status().WithContext("--seen-checkpoint"));
    options.seen_checkpoint = *note;
  }
  const bool show_progress = !flags.json && isatty(STDERR_FILENO);
  if (show_progress) {
    options.progress = [](uint64_t done, uint64_t total) {
      std::fprintf(stderr, "\rverifying: %llu of %llu leaves", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
  }
  options.more_keys.assign(session.all_keys.begin() + 1, session.all_keys.end());
  auto report = local->reader().Verify(*session.key, options);
  if (!report.ok()) return Fail(report.status());
  const audit::VerifyReport& r = *report;
  const double rate = r.seconds > 0 ? static_cast<double>(r.leaves) / r.seconds : 0;
  if (flags.json) {
    Json j = {{"ok", r.ok()},
              {"leaves", r.leaves},
              {"interior_hashes", r.interior_hashes},
              {"messages", r.messages},
              {"checkpoints", r.checkpoints},
              {"root", B64(r.root)},
              {"seconds", r.seconds},
              {"leaves_per_second", static_cast<uint64_t>(rate)},
              {"problem_count", r.problem_count}};
    if (r.latest_checkpoint) j["latest_checkpoint"] = {{"size", r.latest_checkpoint->size}, {"time", r.latest_checkpoint->time}};
    if (!r.ok()) j["first_bad_leaf"] = r.problems[0].leaf;
    Json problems = Json::array();
    for (const auto& p : r.problems) problems.push_back({{"leaf", p.leaf}, {"what", p.what}});
    j["problems"] = problems;
    std::printf("%s\n", j.dump().c_str());
  } else if (r.ok()) {
    std::printf("verified: %llu leaves, %llu interior hashes, %llu message records, %llu checkpoints\n",
                static_cast<unsigned long long>(r.leaves), static_cast<unsigned long long>(r.interior_hashes),
                static_cast<unsigned long long>(r.messages), static_cast<unsigned long long>(r.checkpoints));
    if (r.latest_checkpoint) {
      std::printf("latest checkpoint: %llu leaves, signed %s; %llu leaves since\n",
                  static_cast<unsigned long long>(r.latest_checkpoint->size),
                  LocalTimeOf(r.latest_checkpoint->time).c_str(),
                  static_cast<unsigned long long>(r.leaves - std::min(r.leaves, r.latest_checkpoint->size)));
    } else {
      std::printf("no checkpoint has been signed yet: nothing ties this log to the broker's key\n");
    }
    if (options.seen_checkpoint) std::printf("the log still reproduces the checkpoint in %s\n", seen_file.c_str());
    std::printf("root of all %llu leaves: %s\n", static_cast<unsigned long long>(r.leaves), B64(r.root).c_str());
    std::printf("%.2f s (%.0f leaves/s)\n", r.seconds, rate);
  } else {
    std::printf("FAILED: %s\n", r.problems[0].what.c_str());
    const size_t shown = all ? r.problems.size() : std::min<size_t>(r.problems.size(), 20);
    std::printf("%llu problem%s in %llu leaves%s:\n", static_cast<unsigned long long>(r.problem_count),
                r.problem_count == 1 ? "" : "s", static_cast<unsigned long long>(r.leaves),
                shown < r.problem_count ? (" (the first " + U(shown) + ")").c_str() : "");
    for (size_t i = 0; i < shown; ++i) std::printf("  %s\n", r.problems[i].what.c_str());
  }
  if (!r.ok()) {
    std::fprintf(stderr, "error: the audit log failed verification: %s\n", r.problems[0].what.c_str());
    return 1;
  }
  return 0;
}

int RunCheckpoints(const AuditFlags& flags, bool latest, bool note_only, size_t limit) {
  Session session;
  int code = 0;
  if (!Start(flags, &session, &code)) return code;
  auto list = session.source->Checkpoints(latest, limit);
  if (!list.ok()) return Fail(list.status());
  if (list->empty()) return Fail(Status::NotFound("no checkpoint has been signed yet"));
  bool bad = false;
  std::vector<std::vector<std::string>> rows;
  for (const auto& cp : *list) {
    const std::string sig = SignatureText(session.all_keys, cp.note);
    bad = bad || sig.rfind("BAD", 0) == 0;
    if (note_only) {
      std::printf("%s%s", cp.note.c_str(), &cp == &list->back() ? "" : "\n");
    } else if (flags.json) {
      Json j = {{"size", cp.size}, {"time", cp.time},     {"root", B64(cp.body.root)},
                {"origin", cp.body.origin}, {"signature", sig}, {"note", cp.note}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      rows.push_back({U(cp.size), LocalTimeOf(cp.time), B64(cp.body.root), sig});
    }
  }
  if (!note_only && !flags.json) {
    std::printf("origin %s\n", list->back().body.origin.c_str());
    PrintTable({"SIZE", "SIGNED", "ROOT", "SIGNATURE"}, rows);
  }
  if (bad) return Fail(Status::Unauthenticated("a checkpoint's signature does not verify"));
  return 0;
}

int RunProof(const AuditFlags& flags, std::optional<uint64_t> seq, std::optional<uint64_t> leaf) {
  if (!seq && !leaf) return Usage("proof needs a message SEQ (or --leaf N)");
  Session session;
  int code = 0;
  if (!Start(flags, &session, &code)) return code;
  auto p = session.source->Proof(seq, leaf);
  if (!p.ok()) return Fail(p.status());
  Status check = audit::CheckInclusion(*p, session.key ? &*session.key : nullptr);
  auto record = audit::DecodeAuditRecord(p->leaf_bytes);
  if (check.ok() && seq && (!record.ok() || record->event != schema::AuditLeaf::Event::ACCEPTED || record->seq != *seq)) {
    check = Status::Corruption("leaf " + U(p->leaf_index) + " is not the accepted leaf of message " + U(*seq));
  }
  std::string time;
  auto parsed = audit::ParseStoredCheckpoint(p->tree_size, p->checkpoint_note);
  if (parsed.ok()) time = parsed->time;
  if (flags.json) {
    Json proof = Json::array();
    for (const auto& h : p->proof) proof.push_back(B64(h));
    Json j = {{"leaf_index", p->leaf_index}, {"tree_size", p->tree_size}, {"root", B64(p->root)},
              {"proof", proof}, {"leaf", security::EncodeBase64(p->leaf_bytes)}, {"checkpoint", p->checkpoint_note},
              {"verified", check.ok()}, {"signature_checked", session.key.has_value()}};
    if (seq) j["seq"] = *seq;
    if (!check.ok()) j["error"] = check.message();
    std::printf("%s\n", j.dump().c_str());
  } else {
    if (seq) std::printf("message      %llu\n", static_cast<unsigned long long>(*seq));
    std::printf("leaf index   %llu\n", static_cast<unsigned long long>(p->leaf_index));
    if (record.ok()) {
      std::printf("leaf         %s %s%s\n", audit::EventName(record->event).c_str(),
                  LocalTime(record->time_ms).c_str(), record->actor.empty() ? "" : (" by " + record->actor).c_str());
    }
    std::printf("tree size    %llu (checkpoint signed %s)\n", static_cast<unsigned long long>(p->tree_size),
                LocalTimeOf(time).c_str());
    std::printf("root         %s\n", B64(p->root).c_str());
    std::printf("proof        %zu hashes, leaf side first\n", p->proof.size());
    for (const auto& h : p->proof) std::printf("  %s\n", B64(h).c_str());
    if (check.ok()) {
      std::printf("verified: leaf %llu is in the tree of %llu leaves %s\n", static_cast<unsigned long long>(p->leaf_index),
                  static_cast<unsigned long long>(p->tree_size),
                  session.key ? "whose root the broker signed"
                              : "with the checkpoint's root (its signature was not checked: give --pubkey)");
    }
  }
  return check.ok() ? 0 : Fail(check);
}

int RunConsistency(const AuditFlags& flags, uint64_t old_size, const std::string& new_text) {
  std::optional<uint64_t> new_size;
  if (new_text != "latest") {
    try {
      size_t used = 0;
      new_size = std::stoull(new_text, &used);
      if (used != new_text.size()) throw std::invalid_argument(new_text);
    } catch (const std::exception&) {
      return Usage("NEW must be a tree size or \"latest\"");
    }
  }
  Session session;
  int code = 0;
  if (!Start(flags, &session, &code)) return code;
  auto c = session.source->Consistency(old_size, new_size);
  if (!c.ok()) return Fail(c.status());
  Status check = audit::CheckConsistency(*c, session.key ? &*session.key : nullptr);
  auto signed_text = [](const std::string& note) { return note.empty() ? "no checkpoint: root computed from the stored tree" : "signed checkpoint"; };
  if (flags.json) {
    Json proof = Json::array();
    for (const auto& h : c->proof) proof.push_back(B64(h));
    Json j = {{"old_size", c->old_size},     {"new_size", c->new_size},
              {"old_root", B64(c->old_root)}, {"new_root", B64(c->new_root)},
              {"old_signed", !c->old_checkpoint_note.empty()}, {"new_signed", !c->new_checkpoint_note.empty()},
              {"proof", proof},              {"verified", check.ok()},
              {"signature_checked", session.key.has_value()}};
    if (!check.ok()) j["error"] = check.message();
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("old  %llu leaves  %s  (%s)\n", static_cast<unsigned long long>(c->old_size), B64(c->old_root).c_str(),
                signed_text(c->old_checkpoint_note));
    std::printf("new  %llu leaves  %s  (%s)\n", static_cast<unsigned long long>(c->new_size), B64(c->new_root).c_str(),
                signed_text(c->new_checkpoint_note));
    std::printf("proof  %zu hashes\n", c->proof.size());
    for (const auto& h : c->proof) std::printf("  %s\n", B64(h).c_str());
    if (check.ok()) {
      std::printf("verified: the tree of %llu leaves is a prefix of the tree of %llu leaves%s\n",
                  static_cast<unsigned long long>(c->old_size), static_cast<unsigned long long>(c->new_size),
                  session.key ? "" : " (signatures not checked: give --pubkey)");
    }
  }
  return check.ok() ? 0 : Fail(check);
}

Json RecordJson(const std::vector<std::string>& columns, const std::vector<std::string>& cells) {
  Json j = Json::object();
  for (size_t i = 0; i < columns.size() && i < cells.size(); ++i) {
    const std::string& c = columns[i];
    if (c == "index" || c == "seq" || c == "attempt") {
      j[c] = std::strtoull(cells[i].c_str(), nullptr, 10);
    } else if (c == "recipients") {
      Json list = Json::array();
      for (size_t pos = 0; pos < cells[i].size();) {
        size_t comma = cells[i].find(',', pos);
        if (comma == std::string::npos) comma = cells[i].size();
        list.push_back(cells[i].substr(pos, comma - pos));
        pos = comma + 1;
      }
      j[c] = list;
    } else {
      j[c] = cells[i];
    }
  }
  return j;
}

int RunQuery(const AuditFlags& flags, const FilterArgs& args) {
  auto filter = ToFilter(args);
  if (!filter.ok()) return Usage(filter.status().message());
  Session session;
  int code = 0;
  if (!Start(flags, &session, &code)) return code;
  auto table = session.source->Query(*filter);
  if (!table.ok()) return Fail(table.status());
  const auto& cols = table->columns;
  auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  if (flags.json) {
    for (const auto& row : table->rows) std::printf("%s\n", RecordJson(cols, row).dump().c_str());
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : table->rows) {
      const std::string& event = r[col("event")];
      std::string to = event == "accepted" ? r[col("recipients")] : r[col("subject")];
      std::string note;
      for (const char* c : {"code", "reason", "detail", "peer"}) {
        if (!r[col(c)].empty()) note += (note.empty() ? "" : " ") + r[col(c)];
      }
      rows.push_back({r[col("index")], LocalTimeOf(r[col("time")]), event, r[col("actor")], r[col("org")],
                      r[col("seq")] == "0" ? "" : r[col("seq")], r[col("incident")], r[col("kind")], Shorten(to, 40),
                      Shorten(note, 50)});
    }
    PrintTable({"LEAF", "TIME", "EVENT", "ACTOR", "ORG", "SEQ", "INCIDENT", "KIND", "TO", "DETAIL"}, rows);
  }
  if (table->resume_at) {
    std::fprintf(stderr, "more may match: continue with --after %llu\n", static_cast<unsigned long long>(*table->resume_at));
  }
  return 0;
}

int RunExport(const AuditFlags& flags, const std::string& format, const FilterArgs& args, const std::string& out_path) {
  if (flags.db.empty()) return Usage("export reads the store itself: give --db DIR");
  audit::ExportFormat f;
  if (format == "jsonl") {
    f = audit::ExportFormat::kJsonLines;
  } else if (format == "csv") {
    f = audit::ExportFormat::kCsv;
  } else {
    return Usage("--format must be jsonl or csv");
  }
  auto filter = ToFilter(args);
  if (!filter.ok()) return Usage(filter.status().message());
  Session session;
  int code = 0;
  if (!Start(flags, &session, &code)) return code;
  auto* local = static_cast<LocalAuditSource*>(session.source.get());
  // Refuse to export against a checkpoint that does not verify.
  auto latest = local->reader().LatestCheckpoint();
  if (!latest.ok()) return Fail(latest.status());
  if (latest->has_value()) {
    auto cp = security::ParseAndVerifyCheckpoint((*latest)->note, std::span<const security::VerifierKey>(session.all_keys));
    if (!cp.ok()) return Fail(cp.status().WithContext("the latest checkpoint"));
  }
  std::ofstream file;
  if (!out_path.empty()) {
    file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(Status::IoError("cannot write " + out_path));
  }
  std::ostream& out = out_path.empty() ? std::cout : file;
  audit::ExportSummary summary;
  Status s = audit::WriteExport(local->reader(), f, *filter, out, &summary);
  out.flush();
  if (!s.ok()) return Fail(s);
  std::fprintf(stderr, "exported %llu records with inclusion proofs against the checkpoint of %llu leaves%s%s\n",
               static_cast<unsigned long long>(summary.records), static_cast<unsigned long long>(summary.checkpoint_size),
               out_path.empty() ? "" : " to ", out_path.c_str());
  if (summary.newer_leaves_omitted) {
    std::fprintf(stderr, "note: matching leaves from %llu on are not in a checkpoint yet and were left out\n",
                 static_cast<unsigned long long>(summary.checkpoint_size));
  }
  return 0;
}

int RunVerifyExport(const AuditFlags& flags, const std::string& path) {
  if (flags.pubkey.empty()) return Usage("verify-export needs --pubkey FILE: the broker's verifier key (*.signing.pub)");
  auto key = security::LoadVerifierKeyFile(flags.pubkey);
  if (!key.ok()) return Fail(key.status().WithContext("--pubkey"));
  auto contents = ReadFile(path);
  if (!contents.ok()) return Fail(contents.status());
  auto check = audit::VerifyExport(*contents, *key);
  if (flags.json) {
    Json j = {{"verified", check.ok()}, {"file", path}};
    if (check.ok()) {
      j["records"] = check->records;
      j["origin"] = check->origin;
      j["checkpoint_size"] = check->checkpoint_size;
      j["checkpoint_time"] = check->checkpoint_time;
    } else {
      j["error"] = check.status().message();
    }
    std::printf("%s\n", j.dump().c_str());
  } else if (check.ok()) {
    std::printf("verified: %llu records in %s, each included in the log %s as of its checkpoint of %llu leaves "
                "(signed %s)\n",
                static_cast<unsigned long long>(check->records), path.c_str(), check->origin.c_str(),
                static_cast<unsigned long long>(check->checkpoint_size), LocalTimeOf(check->checkpoint_time).c_str());
  }
  return check.ok() ? 0 : Fail(check.status().WithContext(path));
}

}  // namespace

void AddAuditFlags(CLI::App& app, AuditFlags& flags) {
  app.add_option("--db", flags.db, "the broker's data directory, opened read-only (works while musterd runs)");
  app.add_option("--broker", flags.broker, "ask a broker instead, as a principal with role auditor (or MUSTER_BROKER)");
  app.add_option("--key", flags.key,
                 "with --db: the broker's verifier key (*.signing.pub; default DIR/../keys/broker.signing.pub; across a "
                 "key rotation NEW.pub,OLD.pub); "
                 "with --broker: your secret key (or MUSTER_KEY)");
  app.add_option("--server-key", flags.server_key, "with --broker: the broker's public key (or MUSTER_SERVER_KEY)");
  app.add_option("--pubkey", flags.pubkey, "the broker's verifier key (*.signing.pub) that signs checkpoints");
  app.add_flag("--json", flags.json, "JSON output (one object per line)");
  app.add_option("--connect-timeout", flags.timeout_s, "with --broker: seconds to wait for the broker (default 10)");
}

void RegisterAuditCommands(CLI::App& app, AuditFlags& flags, int* exit_code) {
  {
    auto* sub = app.add_subcommand("verify", "recompute the whole log: every leaf and tree hash, every checkpoint's "
                                             "signature and consistency, every message record against its leaf");
    auto seen = std::make_shared<std::string>();
    auto threads = std::make_shared<int>(2);
    auto all = std::make_shared<bool>(false);
    sub->add_option("--seen-checkpoint", *seen,
                    "a checkpoint note you kept earlier (muster-audit checkpoints --latest --note): the log must "
                    "still reproduce it");
    sub->add_option("--threads", *threads, "hashing threads (default 2)");
    sub->add_flag("--all", *all, "list every problem found (default: the first 20)");
    sub->footer("Example:\n  muster-audit --db demo/data verify\n"
                "  muster-audit --db demo/data verify --seen-checkpoint checkpoint-monday.txt");
    sub->callback([&flags, exit_code, seen, threads, all] { *exit_code = RunVerify(flags, *seen, *threads, *all); });
  }
  {
    auto* sub = app.add_subcommand("checkpoints", "list the signed checkpoints and check their signatures");
    auto latest = std::make_shared<bool>(false);
    auto note = std::make_shared<bool>(false);
    auto limit = std::make_shared<size_t>(0);
    sub->add_flag("--latest", *latest, "only the latest checkpoint");
    sub->add_flag("--note", *note, "print the signed notes themselves (keep one to check the log against later)");
    sub->add_option("--limit", *limit, "only the newest N");
    sub->footer("Example:\n  muster-audit --db demo/data checkpoints\n"
                "  muster-audit --db demo/data checkpoints --latest --note > checkpoint-monday.txt");
    sub->callback([&flags, exit_code, latest, note, limit] { *exit_code = RunCheckpoints(flags, *latest, *note, *limit); });
  }
  {
    auto* sub = app.add_subcommand("proof", "prove that a message's accepted leaf is in the latest signed checkpoint");
    auto seq = std::make_shared<std::optional<uint64_t>>();
    auto leaf = std::make_shared<std::optional<uint64_t>>();
    sub->add_option("SEQ", *seq, "the message's seq (from its receipt or `muster status`)");
    sub->add_option("--leaf", *leaf, "prove this leaf index instead");
    sub->footer("Example:\n  muster-audit --db demo/data proof 12\n  muster-audit --db demo/data proof --leaf 40");
    sub->callback([&flags, exit_code, seq, leaf] { *exit_code = RunProof(flags, *seq, *leaf); });
  }
  {
    auto* sub = app.add_subcommand("consistency", "prove that the tree of OLD leaves is a prefix of the tree of NEW leaves");
    auto old_size = std::make_shared<uint64_t>(0);
    auto new_size = std::make_shared<std::string>();
    sub->add_option("OLD", *old_size, "the older tree size (e.g. a checkpoint you kept)")->required();
    sub->add_option("NEW", *new_size, "the newer tree size, or \"latest\" (the latest checkpoint)")->required();
    sub->footer("Example:\n  muster-audit --db demo/data consistency 120 latest");
    sub->callback([&flags, exit_code, old_size, new_size] { *exit_code = RunConsistency(flags, *old_size, *new_size); });
  }
  {
    auto* sub = app.add_subcommand("query", "find leaves by time, sender, organisation, recipient, incident, kind, event");
    auto args = std::make_shared<FilterArgs>();
    AddFilterOptions(sub, *args, true);
    sub->footer("Example:\n  muster-audit --db demo/data query --incident INC-7 --event accepted\n"
                "  muster-audit --db demo/data query --sender command --from 2h --json");
    sub->callback([&flags, exit_code, args] { *exit_code = RunQuery(flags, *args); });
  }
  {
    auto* sub = app.add_subcommand("export", "write the matching records with inclusion proofs and the checkpoint, "
                                             "for anyone to check with verify-export");
    auto args = std::make_shared<FilterArgs>();
    args->limit = 0;
    auto format = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    sub->add_option("--format", *format, "jsonl or csv")->required();
    sub->add_option("--out", *out, "file to write (default: standard output)");
    AddFilterOptions(sub, *args, false);
    sub->footer("Example:\n  muster-audit --db demo/data export --format jsonl --incident INC-7 --out inc7.jsonl");
    sub->callback([&flags, exit_code, args, format, out] { *exit_code = RunExport(flags, *format, *args, *out); });
  }
  {
    auto* sub = app.add_subcommand("verify-export", "check an export with nothing but the broker's verifier key");
    auto file = std::make_shared<std::string>();
    sub->add_option("FILE", *file, "the export (JSON lines or CSV)")->required();
    sub->footer("Example:\n  muster-audit verify-export inc7.jsonl --pubkey demo/keys/broker.signing.pub");
    sub->callback([&flags, exit_code, file] { *exit_code = RunVerifyExport(flags, *file); });
  }
}

}  // namespace muster::cli
