// The adapter outbox: one file per entry, written atomically, published in order.
#include "adapters/sdk/outbox.h"

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <kj/exception.h>

#include "common/files.h"
#include "security/sha256.h"

namespace muster::client {
namespace {

constexpr char kMagic[] = "muster-outbox-entry 1";
constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxEnvelopeBytes = 64u << 20;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '\n' || c == '\r') {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unescape(const std::string& text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

const char* Suffix(OutboxState state) {
  switch (state) {
    case OutboxState::kPending: return ".pending";
    case OutboxState::kDone: return ".done";
    case OutboxState::kRefused: return ".refused";
  }
  return ".pending";
}

std::string Serialize(const OutboxEntry& e) {
  std::string out = std::string(kMagic) + "\n";
  out += "id: " + Escape(e.id) + "\n";
  out += "source: " + Escape(e.source) + "\n";
  out += "added: " + std::to_string(e.added_ms) + "\n";
  out += std::string("state: ") + OutboxStateName(e.state) + "\n";
  if (e.state == OutboxState::kDone) {
    out += "seq: " + std::to_string(e.receipt.seq) + "\n";
    out += "leaf: " + std::to_string(e.receipt.leaf_index) + "\n";
    out += "recipients: " + std::to_string(e.receipt.recipients) + "\n";
    out += "received: " + std::to_string(e.receipt.received_ms) + "\n";
    out += std::string("duplicate: ") + (e.receipt.duplicate ? "1" : "0") + "\n";
  }
  if (e.state == OutboxState::kRefused) out += "reason: " + Escape(e.reason) + "\n";
  if (e.state == OutboxState::kPending) {
    out += "envelope-sha256: " + security::ToHex(security::Sha256(e.envelope)) + "\n";
    out += "envelope-bytes: " + std::to_string(e.envelope.size()) + "\n";
  }
  out += "\n";
  if (e.state == OutboxState::kPending) out += e.envelope;
  return out;
}

Result<uint64_t> ParseNumber(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 20 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::Corruption(what + ": not a number: '" + text + "'");
  }
  return static_cast<uint64_t>(std::stoull(text));
}

Result<OutboxEntry> Parse(const std::string& bytes, uint64_t order, OutboxState state,
                          const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption("outbox entry " + path + " is unreadable (" + why +
                              "); move it out of the outbox to continue");
  };
  OutboxEntry e;
  e.order = order;
  e.state = state;
  std::map<std::string, std::string> fields;
  size_t pos = 0;
  bool first = true;
  for (;;) {
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string::npos) return bad("header not terminated");
    std::string line = bytes.substr(pos, nl - pos);
    pos = nl + 1;
    if (first) {
      if (line != kMagic) return bad("not an outbox entry");
      first = false;
      continue;
    }
    if (line.empty()) break;
    size_t colon = line.find(": ");
    if (colon == std::string::npos) return bad("bad header line");
    fields[line.substr(0, colon)] = Unescape(line.substr(colon + 2));
  }
  auto number = [&](const std::string& key) -> Result<uint64_t> {
    return ParseNumber(fields[key], path + " " + key);
  };
  if (fields["state"] != OutboxStateName(state)) return bad("state does not match the file name");
  e.id = fields["id"];
  if (!ValidId(e.id)) return bad("bad id");
  e.source = fields["source"];
  MUSTER_ASSIGN_OR_RETURN(uint64_t added, number("added"));
  e.added_ms = static_cast<int64_t>(added);
  if (state == OutboxState::kDone) {
    e.receipt.client_message_id = e.id;
    MUSTER_ASSIGN_OR_RETURN(e.receipt.seq, number("seq"));
    MUSTER_ASSIGN_OR_RETURN(e.receipt.leaf_index, number("leaf"));
    MUSTER_ASSIGN_OR_RETURN(uint64_t recipients, number("recipients"));
    e.receipt.recipients = static_cast<uint32_t>(recipients);
    MUSTER_ASSIGN_OR_RETURN(uint64_t received, number("received"));
    e.receipt.received_ms = static_cast<int64_t>(received);
    e.receipt.duplicate = fields["duplicate"] == "1";
  } else if (state == OutboxState::kRefused) {
    e.reason = fields["reason"];
  } else {
    MUSTER_ASSIGN_OR_RETURN(uint64_t size, number("envelope-bytes"));
    if (size > kMaxEnvelopeBytes || bytes.size() - pos != size) return bad("payload size differs");
    e.envelope = bytes.substr(pos);
    if (security::ToHex(security::Sha256(e.envelope)) != fields["envelope-sha256"]) {
      return bad("payload checksum differs");
    }
  }
  return e;
}

// Copies every set field of `src` into `dst` (same struct type), through the schema; groups
// (such as the envelope's body union) are copied member by member.
void CopyStruct(capnp::DynamicStruct::Reader src, capnp::DynamicStruct::Builder dst) {
  for (auto field : src.getSchema().getFields()) {
    auto proto = field.getProto();
    if (proto.isGroup()) {
      if (proto.getDiscriminantValue() != capnp::schema::Field::NO_DISCRIMINANT) {
        KJ_IF_MAYBE(active, src.which()) {
          if (*active != field) continue;
        } else {
          continue;
        }
      }
      CopyStruct(src.get(field).as<capnp::DynamicStruct>(), dst.init(field).as<capnp::DynamicStruct>());
    } else if (src.has(field, capnp::HasMode::NON_NULL)) {
      dst.set(field, src.get(field));
    }
  }
}

void CopyEnvelope(schema::Envelope::Reader from, schema::Envelope::Builder to) {
  CopyStruct(capnp::DynamicStruct::Reader(from), capnp::DynamicStruct::Builder(to));
}

}  // namespace

const char* OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending: return "pending";
    case OutboxState::kDone: return "done";
    case OutboxState::kRefused: return "refused";
  }
  return "pending";
}

bool IsPermanentRefusal(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
      return true;
    default:
      return false;
  }
}

std::string ContentMessageId(const std::string& prefix, const std::string& document) {
  return prefix + "-" + security::ToHex(security::Sha256(document)).substr(0, 32);
}

Outbox::Outbox(std::string dir, int lock_fd)
    : dir_(std::move(dir)), entries_dir_(JoinPath(dir_, "entries")), lock_fd_(lock_fd) {}

Outbox::~Outbox() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& dir) {
  MUSTER_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  MUSTER_RETURN_IF_ERROR(MakeDirs(JoinPath(dir, "entries"), 0700));
  const std::string lock_path = JoinPath(dir, "lock");
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char pid[32] = {0};
    ssize_t n = ::pread(fd, pid, sizeof(pid) - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string who = n > 0 ? " (pid " + std::string(pid, static_cast<size_t>(n)) + ")" : "";
      return Status::FailedPrecondition("the outbox " + dir + " is in use by another process" + who +
                                        "; stop it or give another outbox directory");
    }
    return Status::IoError("lock " + lock_path + ": " + std::strerror(err));
  }
  std::string me = std::to_string(::getpid());
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, me.data(), me.size(), 0);
  std::unique_ptr<Outbox> outbox(new Outbox(dir, fd));
  MUSTER_RETURN_IF_ERROR(outbox->Load());
  return outbox;
}

Status Outbox::Load() {
  DIR* d = ::opendir(entries_dir_.c_str());
  if (d == nullptr) return Status::IoError("open directory " + entries_dir_ + ": " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d)) names.push_back(ent->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());

  bool removed = false;
  std::map<uint64_t, std::vector<std::pair<OutboxState, std::string>>> found;
  for (const std::string& name : names) {
    if (name == "." || name == "..") continue;
    const std::string path = JoinPath(entries_dir_, name);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      // A write that crashed before its rename: it never happened.
      MUSTER_RETURN_IF_ERROR(RemoveFile(path));
      removed = true;
      continue;
    }
    size_t dot = name.find('.');
    std::string stem = name.substr(0, dot);
    std::string suffix = dot == std::string::npos ? "" : name.substr(dot);
    OutboxState state;
    if (suffix == ".pending") state = OutboxState::kPending;
    else if (suffix == ".done") state = OutboxState::kDone;
    else if (suffix == ".refused") state = OutboxState::kRefused;
    else return Status::Corruption("unexpected file in the outbox: " + path);
    auto order = ParseNumber(stem, path);
    if (!order.ok()) return order.status();
    found[*order].push_back({state, path});
  }
  for (auto& [order, files] : found) {
    // A crash between writing the finished record and removing the pending one leaves both:
    // the finished one is the truth.
    std::pair<OutboxState, std::string> chosen = files.front();
    for (const auto& f : files) {
      if (f.first != OutboxState::kPending) chosen = f;
    }
    for (const auto& f : files) {
      if (f.second != chosen.second) {
        MUSTER_RETURN_IF_ERROR(RemoveFile(f.second));
        removed = true;
      }
    }
    auto bytes = ReadFile(chosen.second);
    if (!bytes.ok()) return bytes.status();
    auto entry = Parse(*bytes, order, chosen.first, chosen.second);
    if (!entry.ok()) return entry.status();
    if (auto it = by_id_.find(entry->id); it != by_id_.end()) {
      // Only possible for an id refused and queued again: the later order is current.
      MUSTER_RETURN_IF_ERROR(RemoveFile(PathFor(it->second, entries_[it->second].state)));
      entries_.erase(it->second);
      removed = true;
    }
    by_id_[entry->id] = order;
    next_order_ = std::max(next_order_, order + 1);
    entries_[order] = std::move(*entry);
  }
  if (removed) MUSTER_RETURN_IF_ERROR(SyncDir(entries_dir_));
  return Status::Ok();
}

std::string Outbox::PathFor(uint64_t order, OutboxState state) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(order));
  return JoinPath(entries_dir_, std::string(name) + Suffix(state));
}

Status Outbox::Write(const OutboxEntry& entry) {
  return WriteFileAtomic(PathFor(entry.order, entry.state), Serialize(entry), 0600);
}

Result<OutboxEntry> Outbox::Add(const std::string& id, schema::Envelope::Reader envelope,
                                const std::string& source) {
  if (!ValidId(id)) {
    return Status::InvalidArgument("client message id '" + id +
                                   "' must be 1..128 printable ASCII characters without spaces");
  }
  std::optional<OutboxEntry> previous;
  if (auto it = by_id_.find(id); it != by_id_.end()) {
    const OutboxEntry& existing = entries_[it->second];
    if (existing.state != OutboxState::kRefused) return existing;
    previous = existing;
  }
  OutboxEntry e;
  e.order = next_order_;
  e.id = id;
  e.source = source;
  e.added_ms = NowMs();
  e.state = OutboxState::kPending;
  try {
    kj::Array<capnp::word> words = capnp::canonicalize(envelope);
    auto bytes = words.asBytes();
    e.envelope.assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  } catch (const kj::Exception& ex) {
    return Status::InvalidArgument(std::string("envelope cannot be stored: ") + ex.getDescription().cStr());
  }
  MUSTER_RETURN_IF_ERROR(Write(e));
  ++next_order_;
  if (previous) {
    // The refused record is superseded; removing it is tidying, not correctness (Load keeps the
    // later order for an id).
    (void)RemoveFile(PathFor(previous->order, previous->state));
    entries_.erase(previous->order);
  }
  by_id_[id] = e.order;
  entries_[e.order] = e;
  return e;
}

std::optional<OutboxEntry> Outbox::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return entries_.at(it->second);
}

std::vector<OutboxEntry> Outbox::Pending() const {
  std::vector<OutboxEntry> out;
  for (const auto& [order, e] : entries_) {
    if (e.state == OutboxState::kPending) out.push_back(e);
  }
  return out;
}

size_t Outbox::pending_count() const {
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(), [](const auto& kv) {
    return kv.second.state == OutboxState::kPending;
  }));
}

Status Outbox::Finish(const std::string& id, OutboxState state, const ReceiptInfo& receipt,
                      const std::string& reason, OutboxEntry* out) {
  auto it = by_id_.find(id);
  if (it == by_id_.end() || entries_[it->second].state != OutboxState::kPending) {
    return Status::NotFound("no pending outbox entry with id " + id);
  }
  OutboxEntry e = entries_[it->second];
  e.state = state;
  e.envelope.clear();
  e.receipt = receipt;
  e.receipt.client_message_id = id;
  e.reason = reason;
  // First the finished record (durable), then the pending one goes: a crash in between leaves
  // both, and Load keeps the finished one.
  MUSTER_RETURN_IF_ERROR(Write(e));
  MUSTER_RETURN_IF_ERROR(RemoveFile(PathFor(e.order, OutboxState::kPending)));
  MUSTER_RETURN_IF_ERROR(SyncDir(entries_dir_));
  entries_[e.order] = e;
  if (out) *out = e;
  return Status::Ok();
}

Status Outbox::MarkDone(const std::string& id, const ReceiptInfo& receipt) {
  return Finish(id, OutboxState::kDone, receipt, "", nullptr);
}

Status Outbox::MarkRefused(const std::string& id, const std::string& reason) {
  return Finish(id, OutboxState::kRefused, ReceiptInfo{}, reason, nullptr);
}

DrainReport Outbox::Drain(Connection& connection, int timeout_ms, const std::function<bool()>& stop) {
  DrainReport report;
  for (const OutboxEntry& entry : Pending()) {
    if (stop && stop()) {
      report.stopped = Status::Unavailable("stopped before every entry was published");
      return report;
    }
    auto decoded = wire::DecodedStruct::Decode(entry.envelope.data(), entry.envelope.size());
    if (!decoded.ok()) {
      report.stopped = decoded.status();
      return report;
    }
    Result<ReceiptInfo> receipt = Status::Internal("not published");
    try {
      schema::Envelope::Reader envelope = (*decoded)->Get<schema::Envelope>();
      receipt = connection.Publish(
          entry.id,
          [&](schema::Envelope::Builder b) {
            CopyEnvelope(envelope, b);
            b.setClientMessageId(entry.id);
          },
          timeout_ms);
    } catch (const kj::Exception& ex) {
      report.stopped = Status::Corruption("outbox entry " + entry.id + ": " + ex.getDescription().cStr());
      return report;
    }
    OutboxEntry finished;
    Status marked;
    if (receipt.ok()) {
      marked = Finish(entry.id, OutboxState::kDone, *receipt, "", &finished);
    } else if (IsPermanentRefusal(receipt.status())) {
      marked = Finish(entry.id, OutboxState::kRefused, ReceiptInfo{}, receipt.status().message(), &finished);
    } else {
      report.stopped = receipt.status();
      return report;
    }
    if (!marked.ok()) {
      report.stopped = marked;
      return report;
    }
    finished.envelope = entry.envelope;  // for the caller; the record on disk no longer has it
    report.finished.push_back(std::move(finished));
  }
  return report;
}

Status Outbox::PruneFinished(int64_t before_ms) {
  bool removed = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const OutboxEntry& e = it->second;
    if (e.state != OutboxState::kPending && e.added_ms < before_ms) {
      MUSTER_RETURN_IF_ERROR(RemoveFile(PathFor(e.order, e.state)));
      removed = true;
      by_id_.erase(e.id);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  if (removed) MUSTER_RETURN_IF_ERROR(SyncDir(entries_dir_));
  return Status::Ok();
}

}  // namespace muster::client
