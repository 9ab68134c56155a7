// Audit queries over the protocol: answers and their readers.
#include "broker/audit/audit_service.h"

#include <algorithm>
#include <charconv>

#include "broker/audit/audit_export.h"
#include "security/note_encoding.h"

namespace muster::audit {
namespace {

using security::Digest;

constexpr char kContinuePrefix[] = "continue-after=";

std::string U(uint64_t v) { return std::to_string(v); }
std::string Str(capnp::Text::Reader t) { return std::string(t.begin(), t.size()); }
std::string B64(const Digest& d) { return security::EncodeBase64(d.data(), d.size()); }

std::optional<uint64_t> ParseU64(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

Result<Digest> DigestFromB64(const std::string& text, const std::string& what) {
  auto bytes = security::DecodeBase64(text);
  if (!bytes.ok()) return Status::InvalidArgument(what + " is not base64");
  auto d = security::DigestFromBytes(*bytes);
  if (!d.ok()) return Status::InvalidArgument(what + " is not a 32-byte hash");
  return d;
}

void FillTable(schema::Table::Builder table, const std::vector<std::string>& columns,
               const std::vector<std::vector<std::string>>& rows) {
  auto cols = table.initColumns(static_cast<unsigned>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) cols.set(static_cast<unsigned>(i), columns[i]);
  auto out = table.initRows(static_cast<unsigned>(rows.size()));
  for (size_t r = 0; r < rows.size(); ++r) {
    auto cells = out[static_cast<unsigned>(r)].initCells(static_cast<unsigned>(rows[r].size()));
    for (size_t c = 0; c < rows[r].size(); ++c) cells.set(static_cast<unsigned>(c), rows[r][c]);
  }
}

using NameValues = std::vector<std::vector<std::string>>;

Status AnswerQuery(const AuditReader& reader, schema::AuditQuery::Reader query, schema::Result::Builder result,
                   const AuditServiceOptions& options) {
  MUSTER_ASSIGN_OR_RETURN(QueryFilter filter, FilterFromAuditQuery(query));
  filter.limit = filter.limit == 0 ? options.max_rows : std::min(filter.limit, options.max_rows);
  filter.max_examined = options.max_examined;
  MUSTER_ASSIGN_OR_RETURN(QueryResult found, reader.Query(filter));
  std::vector<std::vector<std::string>> rows;
  size_t bytes = 0;
  std::optional<uint64_t> resume_at = found.resume_at;
  for (const auto& r : found.records) {
    std::vector<std::string> cells = RecordCells(r);
    size_t row_bytes = 0;
    for (const auto& c : cells) row_bytes += c.size() + 8;
    if (!rows.empty() && bytes + row_bytes > options.max_answer_bytes) {
      resume_at = r.index;
      break;
    }
    bytes += row_bytes;
    rows.push_back(std::move(cells));
  }
  if (resume_at) rows.push_back({kContinuePrefix + U(*resume_at)});
  FillTable(result.initTable(), RecordColumns(), rows);
  return Status::Ok();
}

Status AnswerCheckpoints(const AuditReader& reader, schema::AuditQuery::Reader query, schema::Result::Builder result,
                         const AuditServiceOptions& options) {
  bool latest_only = false;
  for (auto a : query.getArgs()) {
    if (Str(a) == "latest") {
      latest_only = true;
    } else {
      return Status::InvalidArgument("checkpoints takes no argument but \"latest\" (got \"" + Str(a) + "\")");
    }
  }
  std::vector<StoredCheckpoint> list;
  if (latest_only) {
    MUSTER_ASSIGN_OR_RETURN(auto latest, reader.LatestCheckpoint());
    if (latest) list.push_back(std::move(*latest));
  } else {
    MUSTER_ASSIGN_OR_RETURN(list, reader.Checkpoints());
    size_t keep = query.getLimit() == 0 ? options.max_checkpoints
                                        : std::min<size_t>(query.getLimit(), options.max_checkpoints);
    if (list.size() > keep) list.erase(list.begin(), list.end() - static_cast<std::ptrdiff_t>(keep));
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& cp : list) rows.push_back({U(cp.size), B64(cp.body.root), cp.time, cp.note});
  FillTable(result.initTable(), {"size", "root", "time", "note"}, rows);
  return Status::Ok();
}

Status AnswerProof(const AuditReader& reader, schema::AuditQuery::Reader query, schema::Result::Builder result) {
  auto args = query.getArgs();
  if (args.size() != 1) return Status::InvalidArgument("proof takes one argument: a message seq, or leaf=N");
  const std::string arg = Str(args[0]);
  NameValues rows;
  uint64_t leaf = 0;
  if (arg.rfind("leaf=", 0) == 0) {
    auto n = ParseU64(std::string_view(arg).substr(5));
    if (!n) return Status::InvalidArgument("\"" + arg + "\" is not leaf=<number>");
    leaf = *n;
  } else {
    auto seq = ParseU64(arg);
    if (!seq) return Status::InvalidArgument("\"" + arg + "\" is not a message seq");
    MUSTER_ASSIGN_OR_RETURN(leaf, reader.AcceptedLeafOf(*seq));
    rows.push_back({"seq", U(*seq)});
  }
  MUSTER_ASSIGN_OR_RETURN(InclusionProofResult p, reader.InclusionProof(leaf));
  rows.push_back({"leaf_index", U(p.leaf_index)});
  rows.push_back({"tree_size", U(p.tree_size)});
  rows.push_back({"root", B64(p.root)});
  rows.push_back({"leaf", security::EncodeBase64(p.leaf_bytes)});
  rows.push_back({"checkpoint", p.checkpoint_note});
  for (const auto& h : p.proof) rows.push_back({"proof", B64(h)});
  FillTable(result.initTable(), {"name", "value"}, rows);
  return Status::Ok();
}

Status AnswerConsistency(const AuditReader& reader, schema::AuditQuery::Reader query, schema::Result::Builder result) {
  auto args = query.getArgs();
  if (args.size() != 2) return Status::InvalidArgument("consistency takes two arguments: OLD and NEW tree sizes");
  auto old_size = ParseU64(Str(args[0]));
  std::optional<uint64_t> new_size;
  if (Str(args[1]) == "latest") {
    MUSTER_ASSIGN_OR_RETURN(auto latest, reader.LatestCheckpoint());
    if (!latest) return Status::FailedPrecondition("no checkpoint has been signed yet");
    new_size = latest->size;
  } else {
    new_size = ParseU64(Str(args[1]));
  }
  if (!old_size || !new_size) return Status::InvalidArgument("OLD and NEW must be tree sizes (numbers)");
  MUSTER_ASSIGN_OR_RETURN(ConsistencyProofResult c, reader.ConsistencyProof(*old_size, *new_size));
  NameValues rows = {{"old_size", U(c.old_size)},
                     {"new_size", U(c.new_size)},
                     {"old_root", B64(c.old_root)},
                     {"new_root", B64(c.new_root)},
                     {"old_checkpoint", c.old_checkpoint_note},
                     {"new_checkpoint", c.new_checkpoint_note}};
  for (const auto& h : c.proof) rows.push_back({"proof", B64(h)});
  FillTable(result.initTable(), {"name", "value"}, rows);
  return Status::Ok();
}

// name -> values of a name/value table.
Result<std::vector<std::pair<std::string, std::string>>> ReadNameValues(schema::Table::Reader table) {
  auto cols = table.getColumns();
  if (cols.size() != 2 || Str(cols[0]) != "name" || Str(cols[1]) != "value") {
    return Status::InvalidArgument("the answer is not a name/value table");
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto row : table.getRows()) {
    auto cells = row.getCells();
    if (cells.size() != 2) return Status::InvalidArgument("the answer has a malformed row");
    out.emplace_back(Str(cells[0]), Str(cells[1]));
  }
  return out;
}

const std::string* Find(const std::vector<std::pair<std::string, std::string>>& rows, const std::string& name) {
  for (const auto& [n, v] : rows) {
    if (n == name) return &v;
  }
  return nullptr;
}

Result<uint64_t> NumberField(const std::vector<std::pair<std::string, std::string>>& rows, const std::string& name) {
  const std::string* v = Find(rows, name);
  auto n = v ? ParseU64(*v) : std::nullopt;
  if (!n) return Status::InvalidArgument("the answer has no number " + name);
  return *n;
}

Result<std::vector<Digest>> ProofRows(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::vector<Digest> proof;
  for (const auto& [n, v] : rows) {
    if (n != "proof") continue;
    MUSTER_ASSIGN_OR_RETURN(Digest d, DigestFromB64(v, "a proof hash"));
    proof.push_back(d);
  }
  return proof;
}

}  // namespace

Result<QueryFilter> FilterFromAuditQuery(schema::AuditQuery::Reader q) {
  QueryFilter f;
  if (q.getFromMillis() != 0) f.from_ms = q.getFromMillis();
  if (q.getToMillis() != 0) f.to_ms = q.getToMillis();
  f.sender = Str(q.getSender());
  f.org = Str(q.getOrg());
  f.recipient = Str(q.getRecipient());
  f.incident = Str(q.getIncident());
  f.kind = Str(q.getKind());
  const std::string event = Str(q.getEvent());
  if (!event.empty()) {
    f.event = ParseEventName(event);
    if (!f.event) return Status::InvalidArgument("unknown audit event \"" + event + "\"");
  }
  f.limit = q.getLimit();
  for (auto a : q.getArgs()) {
    const std::string arg = Str(a);
    if (arg.rfind("after=", 0) == 0) {
      auto n = ParseU64(std::string_view(arg).substr(6));
      if (!n) return Status::InvalidArgument("\"" + arg + "\" is not after=<leaf index>");
      f.first_leaf = *n;
    } else {
      return Status::InvalidArgument("query does not take the argument \"" + arg + "\"");
    }
  }
  return f;
}

void FillAuditQuery(const QueryFilter& f, schema::AuditQuery::Builder q) {
  q.setVerb("query");
  if (f.from_ms) q.setFromMillis(*f.from_ms);
  if (f.to_ms) q.setToMillis(*f.to_ms);
  q.setSender(f.sender);
  q.setOrg(f.org);
  q.setRecipient(f.recipient);
  q.setIncident(f.incident);
  q.setKind(f.kind);
  if (f.event) q.setEvent(EventName(*f.event));
  q.setLimit(static_cast<uint32_t>(std::min<size_t>(f.limit, UINT32_MAX)));
  if (f.first_leaf != 0) q.initArgs(1).set(0, "after=" + U(f.first_leaf));
}

Status AnswerAuditQuery(const store::Store& store, schema::AuditQuery::Reader query, schema::Result::Builder result,
                        const AuditServiceOptions& options) {
  AuditReader reader(store);
  const std::string verb = Str(query.getVerb());
  if (verb.empty() || verb == "query") return AnswerQuery(reader, query, result, options);
  if (verb == "checkpoints") return AnswerCheckpoints(reader, query, result, options);
  if (verb == "proof") return AnswerProof(reader, query, result);
  if (verb == "consistency") return AnswerConsistency(reader, query, result);
  return Status::InvalidArgument("unknown audit verb \"" + verb + "\" (known: query, checkpoints, proof, consistency)");
}

RecordTable ToRecordTable(const QueryResult& result) {
  RecordTable t;
  t.columns = RecordColumns();
  for (const auto& r : result.records) t.rows.push_back(RecordCells(r));
  t.resume_at = result.resume_at;
  return t;
}

Result<RecordTable> ReadRecordTable(schema::Table::Reader table) {
  RecordTable t;
  for (auto c : table.getColumns()) t.columns.push_back(Str(c));
  if (t.columns != RecordColumns()) return Status::InvalidArgument("the answer does not have the audit record columns");
  for (auto row : table.getRows()) {
    auto cells = row.getCells();
    if (cells.size() == 1 && Str(cells[0]).rfind(kContinuePrefix, 0) == 0) {
      t.resume_at = ParseU64(Str(cells[0]).substr(sizeof(kContinuePrefix) - 1));
      if (!t.resume_at) return Status::InvalidArgument("the answer has a malformed continuation row");
      continue;
    }
    if (cells.size() != t.columns.size()) return Status::InvalidArgument("the answer has a malformed row");
    std::vector<std::string> r;
    for (auto c : cells) r.push_back(Str(c));
    t.rows.push_back(std::move(r));
  }
  return t;
}

Result<std::vector<StoredCheckpoint>> ReadCheckpointTable(schema::Table::Reader table) {
  std::vector<std::string> columns;
  for (auto c : table.getColumns()) columns.push_back(Str(c));
  if (columns != std::vector<std::string>{"size", "root", "time", "note"}) {
    return Status::InvalidArgument("the answer is not a checkpoint table");
  }
  std::vector<StoredCheckpoint> out;
  for (auto row : table.getRows()) {
    auto cells = row.getCells();
    if (cells.size() != 4) return Status::InvalidArgument("the answer has a malformed row");
    auto size = ParseU64(Str(cells[0]));
    if (!size) return Status::InvalidArgument("the answer has a checkpoint without a size");
    auto cp = ParseStoredCheckpoint(*size, Str(cells[3]));
    if (!cp.ok()) return cp.status().WithContext("checkpoint " + U(*size));
    out.push_back(std::move(cp).value());
  }
  return out;
}

Result<InclusionProofResult> ReadProofTable(schema::Table::Reader table) {
  MUSTER_ASSIGN_OR_RETURN(auto rows, ReadNameValues(table));
  InclusionProofResult p;
  MUSTER_ASSIGN_OR_RETURN(p.leaf_index, NumberField(rows, "leaf_index"));
  MUSTER_ASSIGN_OR_RETURN(p.tree_size, NumberField(rows, "tree_size"));
  const std::string* root = Find(rows, "root");
  const std::string* leaf = Find(rows, "leaf");
  const std::string* note = Find(rows, "checkpoint");
  if (!root || !leaf || !note) return Status::InvalidArgument("the answer lacks the root, leaf or checkpoint");
  MUSTER_ASSIGN_OR_RETURN(p.root, DigestFromB64(*root, "the root"));
  auto bytes = security::DecodeBase64(*leaf);
  if (!bytes.ok()) return Status::InvalidArgument("the leaf is not base64");
  p.leaf_bytes = std::move(bytes).value();
  p.checkpoint_note = *note;
  MUSTER_ASSIGN_OR_RETURN(p.proof, ProofRows(rows));
  return p;
}

Result<ConsistencyProofResult> ReadConsistencyTable(schema::Table::Reader table) {
  MUSTER_ASSIGN_OR_RETURN(auto rows, ReadNameValues(table));
  ConsistencyProofResult c;
  MUSTER_ASSIGN_OR_RETURN(c.old_size, NumberField(rows, "old_size"));
  MUSTER_ASSIGN_OR_RETURN(c.new_size, NumberField(rows, "new_size"));
  const std::string* old_root = Find(rows, "old_root");
  const std::string* new_root = Find(rows, "new_root");
  if (!old_root || !new_root) return Status::InvalidArgument("the answer lacks a root");
  MUSTER_ASSIGN_OR_RETURN(c.old_root, DigestFromB64(*old_root, "the old root"));
  MUSTER_ASSIGN_OR_RETURN(c.new_root, DigestFromB64(*new_root, "the new root"));
  if (const std::string* n = Find(rows, "old_checkpoint")) c.old_checkpoint_note = *n;
  if (const std::string* n = Find(rows, "new_checkpoint")) c.new_checkpoint_note = *n;
  MUSTER_ASSIGN_OR_RETURN(c.proof, ProofRows(rows));
  return c;
}

}  // namespace muster::audit
