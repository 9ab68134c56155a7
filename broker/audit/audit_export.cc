// Writing and checking audit exports.
#include "broker/audit/audit_export.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

#include "common/time_text.h"
#include "security/note_encoding.h"

namespace muster::audit {
namespace {

using security::Digest;
using Json = nlohmann::ordered_json;

constexpr int kFormatVersion = 1;
constexpr size_t kPageRecords = 4096;
const char kHeaderType[] = "muster-audit-export";

std::string U(uint64_t v) { return std::to_string(v); }

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

std::string B64(const Digest& d) { return security::EncodeBase64(d.data(), d.size()); }

Json FilterJson(const QueryFilter& f) {
  Json j = Json::object();
  if (f.from_ms) j["from"] = FormatLeafTime(*f.from_ms);
  if (f.to_ms) j["to"] = FormatLeafTime(*f.to_ms);
  const std::pair<const char*, const std::string*> text[] = {{"sender", &f.sender}, {"org", &f.org},
                                                             {"recipient", &f.recipient}, {"incident", &f.incident},
                                                             {"kind", &f.kind}};
  for (const auto& [name, value] : text) {
    if (!value->empty()) j[name] = *value;
  }
  if (f.event) j["event"] = EventName(*f.event);
  if (f.first_leaf != 0) j["first_leaf"] = f.first_leaf;
  if (f.limit != 0) j["limit"] = f.limit;
  return j;
}

std::string CsvField(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos && (v.empty() || v[0] != '#')) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvRow(const std::vector<std::string>& cells) {
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) row += ',';
    row += CsvField(cells[i]);
  }
  return row + "\r\n";
}

// JSON value of a record column: numbers for index, seq and attempt, a list for recipients.
Json ColumnJson(const std::string& column, const std::string& cell, const AuditRecord& r) {
  if (column == "index") return r.index;
  if (column == "seq") return r.seq;
  if (column == "attempt") return r.attempt;
  if (column == "recipients") return r.recipients;
  return cell;
}

// The text form of a JSON record value, as RecordCells writes it; nullopt if of the wrong type.
std::optional<std::string> ColumnText(const std::string& column, const Json& v) {
  if (column == "index" || column == "seq" || column == "attempt") {
    if (!v.is_number_unsigned()) return std::nullopt;
    return U(v.get<uint64_t>());
  }
  if (column == "recipients") {
    if (!v.is_array()) return std::nullopt;
    std::vector<std::string> parts;
    for (const auto& e : v) {
      if (!e.is_string()) return std::nullopt;
      parts.push_back(e.get<std::string>());
    }
    return Join(parts, ",");
  }
  if (!v.is_string()) return std::nullopt;
  return v.get<std::string>();
}

// The checks every record gets, whatever the format: readable columns equal the leaf's,
// and the leaf is included in the checkpoint's tree.
Status CheckRecord(const std::string& where, const std::vector<std::string>& cells, const std::string& leaf_b64,
                   const std::vector<std::string>& proof_b64, const security::Checkpoint& cp,
                   std::optional<uint64_t>* previous_index) {
  auto leaf = security::DecodeBase64(leaf_b64);
  if (!leaf.ok()) return Status::Corruption(where + ": the leaf is not base64 (" + leaf.status().message() + ")");
  auto record = DecodeAuditRecord(*leaf);
  if (!record.ok()) return Status::Corruption(where + ": " + record.status().message());
  const std::vector<std::string> expected = RecordCells(*record);
  const auto& columns = RecordColumns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (cells[i] != expected[i]) {
      return Status::Corruption(where + ": column " + columns[i] + " is \"" + cells[i] + "\" but the leaf says \"" +
                                expected[i] + "\"");
    }
  }
  if (*previous_index && record->index <= **previous_index) {
    return Status::Corruption(where + ": leaf " + U(record->index) + " comes after leaf " + U(**previous_index) +
                              " (records must be in leaf order, each once)");
  }
  *previous_index = record->index;
  std::vector<Digest> proof;
  for (const auto& p : proof_b64) {
    auto bytes = security::DecodeBase64(p);
    auto d = bytes.ok() ? security::DigestFromBytes(*bytes) : Result<Digest>(bytes.status());
    if (!d.ok()) return Status::Corruption(where + ": a proof hash is not 32 bytes of base64");
    proof.push_back(*d);
  }
  Status s = security::VerifyInclusion(record->index, cp.size, security::LeafHash(*leaf), proof, cp.root);
  if (!s.ok()) {
    return Status::Corruption(where + " (leaf " + U(record->index) + "): its inclusion proof does not lead to the "
                              "checkpoint's root (" + s.message() + ")");
  }
  return Status::Ok();
}

Result<security::Checkpoint> OpenCheckpoint(const std::string& note, const security::VerifierKey& key) {
  auto cp = security::ParseAndVerifyCheckpoint(note, key);
  if (!cp.ok()) return Status(cp.status().code(), "the export's checkpoint: " + cp.status().message());
  return cp;
}

std::string CheckpointTime(const security::Checkpoint& cp) {
  for (const auto& ext : cp.extensions) {
    if (ext.rfind("time ", 0) == 0) return ext.substr(5);
  }
  return "";
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(pos, nl - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    pos = nl + 1;
  }
  return lines;
}

Result<ExportCheck> VerifyJsonLines(std::string_view contents, const security::VerifierKey& key) {
  ExportCheck check;
  check.format = ExportFormat::kJsonLines;
  const std::vector<std::string> lines = SplitLines(contents);
  std::optional<security::Checkpoint> cp;
  std::optional<uint64_t> previous;
  bool ended = false;
  const auto& columns = RecordColumns();
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string where = "line " + U(n + 1);
    if (lines[n].empty()) continue;
    if (ended) return Status::Corruption(where + ": text after the end line");
    Json j = Json::parse(lines[n], nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
      return Status::Corruption(where + ": not an export line (a JSON object with a \"type\")");
    }
    const std::string type = j["type"].get<std::string>();
    if (!cp) {
      if (type != kHeaderType) return Status::InvalidArgument("not a muster audit export: line 1 is not its header");
      if (!j.contains("version") || j["version"] != kFormatVersion) {
        return Status::InvalidArgument("unsupported export version (this tool reads version " + U(kFormatVersion) + ")");
      }
      if (!j.contains("checkpoint") || !j["checkpoint"].is_string()) {
        return Status::Corruption("the export's header has no checkpoint");
      }
      MUSTER_ASSIGN_OR_RETURN(cp, OpenCheckpoint(j["checkpoint"].get<std::string>(), key));
      if (j.value("size", uint64_t{0}) != cp->size || j.value("root", std::string()) != B64(cp->root) ||
          j.value("origin", std::string()) != cp->origin) {
        return Status::Corruption("the export's header: origin, size or root differ from its signed checkpoint");
      }
      continue;
    }
    if (type == "end") {
      if (!j.contains("records") || !j["records"].is_number_unsigned() || j["records"].get<uint64_t>() != check.records) {
        return Status::Corruption(where + ": the end line does not count the " + U(check.records) + " records above it");
      }
      ended = true;
      continue;
    }
    if (type != "record") return Status::Corruption(where + ": unknown line type \"" + type + "\"");
    const std::string record_where = "record " + U(check.records + 1) + " (" + where + ")";
    std::vector<std::string> cells;
    for (const auto& c : columns) {
      if (!j.contains(c)) return Status::Corruption(record_where + ": no " + c);
      auto text = ColumnText(c, j[c]);
      if (!text) return Status::Corruption(record_where + ": " + c + " has the wrong type");
      cells.push_back(*text);
    }
    if (j.size() != columns.size() + 3) return Status::Corruption(record_where + ": unexpected fields");
    if (!j.contains("leaf") || !j["leaf"].is_string() || !j.contains("proof") || !j["proof"].is_array()) {
      return Status::Corruption(record_where + ": no leaf or proof");
    }
    std::vector<std::string> proof;
    for (const auto& p : j["proof"]) {
      if (!p.is_string()) return Status::Corruption(record_where + ": a proof hash is not a string");
      proof.push_back(p.get<std::string>());
    }
    MUSTER_RETURN_IF_ERROR(CheckRecord(record_where, cells, j["leaf"].get<std::string>(), proof, *cp, &previous));
    ++check.records;
  }
  if (!cp) return Status::InvalidArgument("not a muster audit export: it is empty");
  if (!ended) return Status::Corruption("the export is truncated: it has no end line");
  check.origin = cp->origin;
  check.checkpoint_size = cp->size;
  check.checkpoint_time = CheckpointTime(*cp);
  return check;
}

// Splits CSV text into rows of fields (RFC 4180); rows starting with '#' are comments, returned
// whole as a single field with `comment` set.
struct CsvLine {
  bool comment = false;
  size_t line = 0;
  std::vector<std::string> fields;
};

Result<std::vector<CsvLine>> ParseCsv(std::string_view text) {
  std::vector<CsvLine> rows;
  size_t pos = 0, line = 1;
  while (pos < text.size()) {
    CsvLine row;
    row.line = line;
    if (text[pos] == '#') {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string c(text.substr(pos, nl - pos));
      if (!c.empty() && c.back() == '\r') c.pop_back();
      row.comment = true;
      row.fields.push_back(std::move(c));
      rows.push_back(std::move(row));
      pos = nl + 1;
      ++line;
      continue;
    }
    std::string field;
    bool quoted = false, was_quoted = false;
    for (;;) {
      if (pos >= text.size()) {
        if (quoted) return Status::Corruption("line " + U(row.line) + ": unterminated quoted field");
        row.fields.push_back(std::move(field));
        break;
      }
      char c = text[pos++];
      if (quoted) {
        if (c == '"') {
          if (pos < text.size() && text[pos] == '"') {
            field += '"';
            ++pos;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line;
          field += c;
        }
        continue;
      }
      if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c == '\r' && pos < text.size() && text[pos] == '\n') {
        continue;
      } else if (c == '\n') {
        ++line;
        row.fields.push_back(std::move(field));
        break;
      } else if (was_quoted) {
        return Status::Corruption("line " + U(line) + ": text after a quoted field");
      } else {
        field += c;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> CsvColumns() {
  std::vector<std::string> c = RecordColumns();
  c.push_back("leaf");
  c.push_back("proof");
  return c;
}

Result<ExportCheck> VerifyCsv(std::string_view contents, const security::VerifierKey& key) {
  ExportCheck check;
  check.format = ExportFormat::kCsv;
  MUSTER_ASSIGN_OR_RETURN(std::vector<CsvLine> rows, ParseCsv(contents));
  std::string note;
  enum { kPreamble, kNote, kAfterNote, kRecords, kEnded } state = kPreamble;
  std::optional<security::Checkpoint> cp;
  std::optional<uint64_t> previous;
  const auto columns = CsvColumns();
  for (const auto& row : rows) {
    const std::string where = "line " + U(row.line);
    if (!row.comment && row.fields.size() == 1 && row.fields[0].empty()) continue;  // blank line
    if (state == kEnded) return Status::Corruption(where + ": text after the end line");
    if (row.comment) {
      const std::string& c = row.fields[0];
      if (state == kPreamble && c == "# checkpoint begin") {
        state = kNote;
      } else if (state == kNote && c == "# checkpoint end") {
        MUSTER_ASSIGN_OR_RETURN(cp, OpenCheckpoint(note, key));
        state = kAfterNote;
      } else if (state == kNote) {
        if (c.rfind("#|", 0) != 0) return Status::Corruption(where + ": a checkpoint line must start with \"#|\"");
        note += c.substr(2) + "\n";
      } else if (state == kRecords && c.rfind("# end ", 0) == 0) {
        if (c != "# end " + U(check.records) + " records") {
          return Status::Corruption(where + ": the end line does not count the " + U(check.records) + " records above it");
        }
        state = kEnded;
      } else if (state == kPreamble && row.line == 1 && c.rfind("# " + std::string(kHeaderType), 0) != 0) {
        return Status::InvalidArgument("not a muster audit export: line 1 is not its header");
      }
      continue;
    }
    if (state == kAfterNote) {
      if (row.fields != columns) return Status::Corruption(where + ": the header row is not the expected columns");
      state = kRecords;
      continue;
    }
    if (state != kRecords) return Status::Corruption(where + ": a row before the checkpoint and header");
    const std::string record_where = "record " + U(check.records + 1) + " (" + where + ")";
    if (row.fields.size() != columns.size()) {
      return Status::Corruption(record_where + ": " + U(row.fields.size()) + " fields, expected " + U(columns.size()));
    }
    std::vector<std::string> cells(row.fields.begin(), row.fields.end() - 2);
    std::vector<std::string> proof;
    const std::string& p = row.fields.back();
    for (size_t pos = 0; pos < p.size();) {
      size_t sp = p.find(' ', pos);
      if (sp == std::string::npos) sp = p.size();
      proof.push_back(p.substr(pos, sp - pos));
      pos = sp + 1;
    }
    MUSTER_RETURN_IF_ERROR(CheckRecord(record_where, cells, row.fields[row.fields.size() - 2], proof, *cp, &previous));
    ++check.records;
  }
  if (state == kPreamble) return Status::InvalidArgument("not a muster audit export: no checkpoint block");
  if (!cp) return Status::Corruption("the export's checkpoint block is not closed");
  if (state != kEnded) return Status::Corruption("the export is truncated: it has no end line");
  check.origin = cp->origin;
  check.checkpoint_size = cp->size;
  check.checkpoint_time = CheckpointTime(*cp);
  return check;
}

}  // namespace

const std::vector<std::string>& RecordColumns() {
  static const std::vector<std::string> kColumns = {
      "index",  "time",       "event", "actor",  "org",    "seq",    "subject", "incident",
      "kind",   "recipients", "code",  "reason", "peer",   "detail", "digest",  "attempt",
  };
  return kColumns;
}

std::string FormatLeafTime(int64_t unix_ms) {
  int64_t seconds_ms = unix_ms - ((unix_ms % 1000) + 1000) % 1000;
  std::string t = FormatInstant(seconds_ms, 0);  // YYYY-MM-DDThh:mm:ss+00:00
  char ms[8];
  std::snprintf(ms, sizeof(ms), ".%03d", static_cast<int>(unix_ms - seconds_ms));
  return t.substr(0, 19) + ms + "Z";
}

std::vector<std::string> RecordCells(const AuditRecord& r) {
  return {U(r.index),
          FormatLeafTime(r.time_ms),
          EventName(r.event),
          r.actor,
          r.org,
          U(r.seq),
          r.subject,
          r.incident,
          r.kind,
          Join(r.recipients, ","),
          r.code,
          r.reason,
          r.peer_address,
          r.detail,
          r.digest.empty() ? std::string() : security::ToHex(reinterpret_cast<const uint8_t*>(r.digest.data()), r.digest.size()),
          U(r.attempt)};
}

Status WriteExport(const AuditReader& reader, ExportFormat format, const QueryFilter& filter, std::ostream& out,
                   ExportSummary* summary) {
  ExportSummary local;
  ExportSummary& sum = summary ? *summary : local;
  sum = ExportSummary();
  auto latest = reader.LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) {
    return Status::FailedPrecondition("no checkpoint has been signed yet; the broker signs one each second while the log grows");
  }
  const StoredCheckpoint& cp = **latest;
  sum.checkpoint_size = cp.size;
  MUSTER_ASSIGN_OR_RETURN(uint64_t size, reader.Size());
  const uint64_t wanted_end = filter.end_leaf.value_or(size);
  if (size > cp.size && wanted_end > cp.size) {
    QueryFilter newer = filter;
    newer.first_leaf = std::max(filter.first_leaf, cp.size);
    newer.limit = 1;
    newer.max_examined = 100000;
    auto q = reader.Query(newer);
    if (!q.ok()) return q.status();
    sum.newer_leaves_omitted = !q->records.empty() || q->resume_at.has_value();
  }

  if (format == ExportFormat::kJsonLines) {
    Json header = {{"type", kHeaderType}, {"version", kFormatVersion}, {"origin", cp.body.origin},
                   {"size", cp.size},     {"root", B64(cp.body.root)},  {"checkpoint", cp.note},
                   {"filters", FilterJson(filter)}};
    out << header.dump() << "\n";
  } else {
    out << "# " << kHeaderType << " version " << kFormatVersion << ": records with inclusion proofs against the "
        << "checkpoint below; check with: muster-audit verify-export FILE --pubkey BROKER.signing.pub\r\n";
    out << "# filters: " << FilterJson(filter).dump() << "\r\n";
    out << "# checkpoint begin\r\n";
    for (const auto& line : SplitLines(cp.note)) out << "#|" << line << "\r\n";
    out << "# checkpoint end\r\n";
    out << CsvRow(CsvColumns());
  }

  QueryFilter page = filter;
  page.end_leaf = std::min(wanted_end, cp.size);
  page.max_examined = 0;
  auto lookup = reader.CachingLookup();
  const auto& columns = RecordColumns();
  for (;;) {
    size_t left = filter.limit == 0 ? kPageRecords : std::min(kPageRecords, filter.limit - static_cast<size_t>(sum.records));
    if (left == 0) break;
    page.limit = left;
    auto q = reader.Query(page);
    if (!q.ok()) return q.status();
    for (const auto& r : q->records) {
      auto proof = security::InclusionProof(r.index, cp.size, lookup);
      if (!proof.ok()) return proof.status().WithContext("proof of leaf " + U(r.index));
      std::vector<std::string> proof_b64;
      for (const auto& h : *proof) proof_b64.push_back(B64(h));
      const std::vector<std::string> cells = RecordCells(r);
      const std::string leaf = security::EncodeBase64(r.leaf_bytes);
      if (format == ExportFormat::kJsonLines) {
        Json j = Json::object();
        j["type"] = "record";
        for (size_t i = 0; i < columns.size(); ++i) j[columns[i]] = ColumnJson(columns[i], cells[i], r);
        j["leaf"] = leaf;
        j["proof"] = proof_b64;
        out << j.dump() << "\n";
      } else {
        std::vector<std::string> row = cells;
        row.push_back(leaf);
        row.push_back(Join(proof_b64, " "));
        out << CsvRow(row);
      }
      ++sum.records;
    }
    if (!q->resume_at) break;
    page.first_leaf = *q->resume_at;
  }
  if (format == ExportFormat::kJsonLines) {
    out << Json({{"type", "end"}, {"records", sum.records}}).dump() << "\n";
  } else {
    out << "# end " << sum.records << " records\r\n";
  }
  if (!out) return Status::IoError("could not write the export");
  return Status::Ok();
}

Result<ExportCheck> VerifyExport(std::string_view contents, const security::VerifierKey& key) {
  size_t start = contents.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return Status::InvalidArgument("not a muster audit export: it is empty");
  if (contents[start] == '{') {
    try {
      return VerifyJsonLines(contents, key);
    } catch (const Json::exception& e) {
      return Status::Corruption(std::string("the export is not well-formed: ") + e.what());
    }
  }
  if (contents[start] == '#') return VerifyCsv(contents, key);
  return Status::InvalidArgument("not a muster audit export (neither JSON lines nor CSV with a checkpoint block)");
}

}  // namespace muster::audit
