// Reading and verifying the audit log.
#include "broker/audit/audit_reader.h"

#include <span>

#include <capnp/message.h>
#include <kj/exception.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "broker/store/keys.h"
#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::audit {
namespace {

using schema::AuditLeaf;
using security::Digest;

// Verification works on blocks of 2^16 leaves aligned to their size, so every subtree of level
// <= 16 lies inside one block and blocks can be checked independently, in parallel.
constexpr int kBlockLevel = 16;
constexpr uint64_t kBlockLeaves = uint64_t{1} << kBlockLevel;
constexpr size_t kMaxLeafBytes = 1u << 20;

struct EventNameEntry {
  AuditLeaf::Event event;
  const char* name;
};
constexpr EventNameEntry kEventNames[] = {
    {AuditLeaf::Event::ACCEPTED, "accepted"},
    {AuditLeaf::Event::REJECTED, "rejected"},
    {AuditLeaf::Event::DELIVERED, "delivered"},
    {AuditLeaf::Event::RECEIVED, "received"},
    {AuditLeaf::Event::ACKNOWLEDGED, "acknowledged"},
    {AuditLeaf::Event::ESCALATED, "escalated"},
    {AuditLeaf::Event::EXPIRED, "expired"},
    {AuditLeaf::Event::AUTHENTICATED, "authenticated"},
    {AuditLeaf::Event::AUTHENTICATION_REFUSED, "authentication-refused"},
    {AuditLeaf::Event::PRINCIPAL_ADDED, "principal-added"},
    {AuditLeaf::Event::PRINCIPAL_REVOKED, "principal-revoked"},
    {AuditLeaf::Event::POLICY_RELOADED, "policy-reloaded"},
    {AuditLeaf::Event::BROKER_STARTED, "broker-started"},
    {AuditLeaf::Event::BROKER_STOPPED, "broker-stopped"},
    {AuditLeaf::Event::QUERIED, "queried"},
    {AuditLeaf::Event::PRINCIPAL_CHANGED, "principal-changed"},
};

std::string Str(capnp::Text::Reader t) { return std::string(t.begin(), t.size()); }

std::string U(uint64_t v) { return std::to_string(v); }

bool SameDigest(const Digest& d, std::string_view bytes) {
  return bytes.size() == d.size() && std::memcmp(d.data(), bytes.data(), d.size()) == 0;
}

// The fields of a leaf that verification needs, decoded without copying its text.
struct LeafHeader {
  uint64_t index = 0;
  int64_t time_ms = 0;
  AuditLeaf::Event event = AuditLeaf::Event::BROKER_STARTED;
  uint64_t seq = 0;
  std::string digest;
};

// Decodes leaves through one reusable word-aligned buffer. Leaf bytes are untrusted here: any
// malformed input becomes Corruption.
class LeafDecoder {
 public:
  template <typename Fn>
  Status With(std::string_view bytes, Fn&& fn) {
    if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0 || bytes.size() > kMaxLeafBytes) {
      return Status::Corruption("a leaf record of " + U(bytes.size()) + " bytes is not a canonical AuditLeaf");
    }
    size_t words = bytes.size() / sizeof(capnp::word);
    if (buffer_.size() < words) buffer_.resize(words);
    std::memcpy(buffer_.data(), bytes.data(), bytes.size());
    kj::ArrayPtr<const capnp::word> segment(buffer_.data(), words);
    capnp::ReaderOptions options;
    options.traversalLimitInWords = std::max<uint64_t>(64, words * 4);
    options.nestingLimit = 16;
    try {
      capnp::SegmentArrayMessageReader reader(kj::arrayPtr(&segment, 1), options);
      fn(reader.getRoot<AuditLeaf>());
    } catch (const kj::Exception& e) {
      return Status::Corruption(std::string("the leaf record cannot be decoded: ") + e.getDescription().cStr());
    }
    return Status::Ok();
  }

  Status Header(std::string_view bytes, LeafHeader* out) {
    return With(bytes, [out](AuditLeaf::Reader leaf) {
      out->index = leaf.getIndex();
      out->time_ms = leaf.getTimeMillis();
      out->event = leaf.getEvent();
      out->seq = leaf.getSeq();
      auto d = leaf.getDigest();
      out->digest.assign(reinterpret_cast<const char*>(d.begin()), d.size());
    });
  }

  Status Record(std::string_view bytes, AuditRecord* out) {
    return With(bytes, [out, bytes](AuditLeaf::Reader leaf) {
      out->index = leaf.getIndex();
      out->time_ms = leaf.getTimeMillis();
      out->event = leaf.getEvent();
      out->actor = Str(leaf.getActor());
      out->org = Str(leaf.getOrg());
      out->seq = leaf.getSeq();
      auto d = leaf.getDigest();
      out->digest.assign(reinterpret_cast<const char*>(d.begin()), d.size());
      out->subject = Str(leaf.getSubject());
      out->code = Str(leaf.getCode());
      out->reason = Str(leaf.getReason());
      out->peer_address = Str(leaf.getPeerAddress());
      out->detail = Str(leaf.getDetail());
      out->incident = Str(leaf.getIncident());
      out->kind = Str(leaf.getKind());
      out->recipients.clear();
      for (auto r : leaf.getRecipients()) out->recipients.push_back(Str(r));
      out->attempt = leaf.getAttempt();
      out->leaf_bytes.assign(bytes.data(), bytes.size());
    });
  }

 private:
  std::vector<capnp::word> buffer_;
};

// An "accepted" leaf, to be matched with its message record.
struct AcceptedLeaf {
  uint64_t leaf = 0;
  uint64_t seq = 0;
  std::string digest;
};

// Problems found by one part of the verification.
struct Findings {
  std::vector<VerifyProblem> problems;

  void Add(uint64_t leaf, std::string what) { problems.push_back({leaf, std::move(what)}); }
};

// A subtree whose stored hash differs from the one recomputed from the leaves is reported only
// if the stored hash also differs from the hash of its stored children: otherwise the
// difference comes from below, where it has been reported already (a changed leaf makes every
// subtree above it differ; it is one problem, not twenty).
bool StoredParentMatchesStoredChildren(const Digest& parent, const Digest* left, const Digest* right) {
  return left != nullptr && right != nullptr && security::NodeHash(*left, *right) == parent;
}

std::string SubtreeName(int level, uint64_t index) {
  uint64_t first = index << level;
  uint64_t last = first + (uint64_t{1} << level) - 1;
  return "subtree (level " + std::to_string(level) + ", index " + U(index) + ") covering leaves " + U(first) +
         ".." + U(last);
}

struct BlockResult {
  Status status;
  Findings findings;
  std::vector<AcceptedLeaf> accepted;
  bool any_leaf = false;
  uint64_t first_leaf = 0, last_leaf = 0;
  int64_t first_time = 0, last_time = 0;
  uint64_t interior = 0;
  Digest root{};                 // recomputed hash of the whole block, when it is full
  std::optional<Digest> stored_root;  // its stored hash
  std::vector<std::pair<uint64_t, Digest>> partial;  // size -> hash of the leaves [begin, size)
};

// Checks the leaves [begin, end) of one block and the stored hashes of every subtree inside it;
// computes the hash of [begin, s) for each s in `sizes` (all in (begin, end]).
BlockResult VerifyBlock(const store::Store& store, uint64_t begin, uint64_t end,
                        const std::vector<uint64_t>& sizes) {
  BlockResult r;
  Findings& f = r.findings;
  const uint64_t n = end - begin;
  // Per level: hashes recomputed from the leaves, and the stored ones (with presence flags).
  std::vector<std::vector<Digest>> levels(kBlockLevel + 1);
  std::vector<std::vector<Digest>> stored(kBlockLevel + 1);
  std::vector<std::vector<uint8_t>> present(kBlockLevel + 1);
  std::vector<Digest>& leaves = levels[0];
  leaves.assign(n, Digest{});
  std::vector<uint8_t> have(n, 0);
  LeafDecoder decoder;
  LeafHeader h;
  int64_t previous_time = 0;
  uint64_t previous_leaf = 0;

  // 1. Leaf records: recompute each leaf hash and check the fields verification relies on.
  r.status = store.Scan(store::Column::kAudit, store::AuditKey(begin), store::AuditKey(end),
                        [&](std::string_view key, std::string_view value) {
    if (key.size() != 8) {
      f.Add(begin, "the audit column holds a malformed key of " + U(key.size()) + " bytes");
      return true;
    }
    const uint64_t index = store::DecodeU64(key);
    leaves[index - begin] = security::LeafHash(value);
    have[index - begin] = 1;
    Status d = decoder.Header(value, &h);
    if (!d.ok()) {
      f.Add(index, "leaf " + U(index) + ": " + d.message());
      return true;
    }
    if (h.index != index) f.Add(index, "leaf " + U(index) + ": its index field says " + U(h.index));
    if (!r.any_leaf) {
      r.any_leaf = true;
      r.first_leaf = index;
      r.first_time = h.time_ms;
    } else if (h.time_ms < previous_time) {
      f.Add(index, "leaf " + U(index) + ": its time (" + std::to_string(h.time_ms) + " ms) is earlier than leaf " +
                       U(previous_leaf) + "'s (" + std::to_string(previous_time) + " ms)");
    }
    previous_time = h.time_ms;
    previous_leaf = index;
    r.last_leaf = index;
    r.last_time = h.time_ms;
    if (h.event == AuditLeaf::Event::ACCEPTED) r.accepted.push_back({index, h.seq, h.digest});
    return true;
  });
  if (!r.status.ok()) return r;
  for (uint64_t i = 0; i < n;) {
    if (have[i]) {
      ++i;
      continue;
    }
    uint64_t j = i;
    while (j + 1 < n && !have[j + 1]) ++j;
    f.Add(begin + i, i == j ? "leaf " + U(begin + i) + ": the leaf record is missing"
                            : "leaves " + U(begin + i) + ".." + U(begin + j) + ": the leaf records are missing");
    i = j + 1;
  }

  // 2. Stored hashes, level by level; each level's recomputed hashes from the level below.
  for (int level = 0; level <= kBlockLevel; ++level) {
    uint64_t count = n;
    if (level > 0) {
      const std::vector<Digest>& below = levels[level - 1];
      count = below.size() / 2;
      if (count == 0) break;
      levels[level].resize(count);
      for (uint64_t j = 0; j < count; ++j) levels[level][j] = security::NodeHash(below[2 * j], below[2 * j + 1]);
    }
    std::vector<Digest>& here = levels[level];
    stored[level].assign(count, Digest{});
    present[level].assign(count, 0);
    const uint64_t base = begin >> level;
    r.status = store.Scan(store::Column::kTree, store::TreeKey(level, base), store::TreeKey(level, base + count),
                          [&](std::string_view key, std::string_view value) {
      if (key.size() != 9 || value.size() != 32) return true;  // a malformed hash counts as missing
      const uint64_t j = store::DecodeU64(key.substr(1)) - base;
      std::memcpy(stored[level][j].data(), value.data(), 32);
      present[level][j] = 1;
      return true;
    });
    if (!r.status.ok()) return r;
    for (uint64_t j = 0; j < count; ++j) {
      const uint64_t index = base + j;
      const uint64_t first = index << level;
      if (level == 0) {
        if (!have[j]) {
          if (present[0][j]) here[j] = stored[0][j];  // a missing leaf continues with its stored hash
          continue;
        }
        if (!present[0][j]) {
          f.Add(first, "leaf " + U(index) + ": no stored leaf hash");
        } else if (here[j] != stored[0][j]) {
          f.Add(first, "leaf " + U(index) + ": stored leaf hash does not match the leaf record");
        }
        continue;
      }
      if (present[level][j]) ++r.interior;
      if (!present[level][j]) {
        // Not reported again when both children are missing too: the gap below was.
        if (present[level - 1][2 * j] || present[level - 1][2 * j + 1]) {
          f.Add(first, SubtreeName(level, index) + ": no stored hash");
        }
      } else if (here[j] != stored[level][j] &&
                 !StoredParentMatchesStoredChildren(stored[level][j],
                                                    present[level - 1][2 * j] ? &stored[level - 1][2 * j] : nullptr,
                                                    present[level - 1][2 * j + 1] ? &stored[level - 1][2 * j + 1] : nullptr)) {
        f.Add(first, SubtreeName(level, index) + ": stored hash does not match its children");
      }
    }
  }
  if (n == kBlockLeaves) {
    r.root = levels[kBlockLevel][0];
    if (present[kBlockLevel][0]) r.stored_root = stored[kBlockLevel][0];
  }

  // 3. Hashes of the prefixes [begin, s) that checkpoints (or the whole log) end inside.
  for (uint64_t s : sizes) {
    const uint64_t len = s - begin;
    std::vector<Digest> parts;
    uint64_t pos = 0;
    for (int level = kBlockLevel; level >= 0; --level) {
      const uint64_t width = uint64_t{1} << level;
      if ((len & width) == 0) continue;
      parts.push_back(levels[level][pos >> level]);
      pos += width;
    }
    Digest folded = parts.back();
    for (size_t i = parts.size() - 1; i-- > 0;) folded = security::NodeHash(parts[i], folded);
    r.partial.emplace_back(s, folded);
  }
  return r;
}

struct MessageFindings {
  Status status;
  std::vector<VerifyProblem> problems;
  std::vector<size_t> found;  // positions in the accepted list
  uint64_t messages = 0;
};

// Checks the message records with seq in [first_seq, end_seq) (end 0 = to the end) against the
// accepted leaves (sorted by leaf index).
MessageFindings VerifyMessages(const store::Store& store, uint64_t first_seq, uint64_t end_seq,
                               const std::vector<AcceptedLeaf>& accepted, uint64_t log_size) {
  MessageFindings m;
  m.status = store.Scan(store::Column::kMessages, store::MessageKey(first_seq),
                        end_seq == 0 ? std::string() : store::MessageKey(end_seq),
                        [&](std::string_view key, std::string_view value) {
    ++m.messages;
    if (key.size() != 8) {
      m.problems.push_back({log_size, "the messages column holds a malformed key of " + U(key.size()) + " bytes"});
      return true;
    }
    const uint64_t seq = store::DecodeU64(key);
    uint64_t leaf = 0;
    uint64_t envelope_seq = 0;
    auto decoded = wire::DecodedStruct::Decode(value.data(), value.size());
    Status read = decoded.ok() ? Status::Ok() : decoded.status();
    if (read.ok()) {
      try {
        auto stored = (*decoded)->Get<schema::StoredMessage>();
        leaf = stored.getLeafIndex();
        envelope_seq = stored.getEnvelope().getSeq();
      } catch (const kj::Exception& e) {
        read = Status::Corruption(e.getDescription().cStr());
      }
    }
    if (!read.ok()) {
      m.problems.push_back({log_size, "message " + U(seq) + ": the record cannot be decoded (" + read.message() + ")"});
      return true;
    }
    const std::string where = "message " + U(seq) + " (leaf " + U(leaf) + "): ";
    if (envelope_seq != seq) m.problems.push_back({leaf, where + "its envelope says seq " + U(envelope_seq)});
    if (leaf >= log_size) {
      m.problems.push_back({log_size, where + "the log has only " + U(log_size) + " leaves"});
      return true;
    }
    auto it = std::lower_bound(accepted.begin(), accepted.end(), leaf,
                               [](const AcceptedLeaf& a, uint64_t l) { return a.leaf < l; });
    if (it == accepted.end() || it->leaf != leaf) {
      m.problems.push_back({leaf, where + "leaf " + U(leaf) + " is not an accepted leaf"});
      return true;
    }
    m.found.push_back(static_cast<size_t>(it - accepted.begin()));
    if (it->seq != seq) {
      m.problems.push_back({leaf, where + "the leaf is about message " + U(it->seq)});
    } else if (!SameDigest(security::Sha256(value), it->digest)) {
      m.problems.push_back({leaf, where + "record does not match the digest in its leaf"});
    }
    return true;
  });
  return m;
}

// The tree hashes of a store, with a cache of what was read.
struct SubtreeKey {
  int level;
  uint64_t index;
  bool operator==(const SubtreeKey&) const = default;
};
struct SubtreeKeyHash {
  size_t operator()(const SubtreeKey& k) const { return std::hash<uint64_t>()(k.index * 64 + static_cast<uint64_t>(k.level)); }
};

}  // namespace

// ---- Leaves ----

std::string EventName(AuditLeaf::Event event) {
  for (const auto& e : kEventNames) {
    if (e.event == event) return e.name;
  }
  return "event-" + std::to_string(static_cast<int>(event));
}

std::optional<AuditLeaf::Event> ParseEventName(std::string_view name) {
  for (const auto& e : kEventNames) {
    if (name == e.name) return e.event;
  }
  return std::nullopt;
}

std::vector<std::string> EventNames() {
  std::vector<std::string> names;
  for (const auto& e : kEventNames) names.push_back(e.name);
  return names;
}

Result<AuditRecord> DecodeAuditRecord(std::string_view leaf_bytes) {
  LeafDecoder decoder;
  AuditRecord record;
  MUSTER_RETURN_IF_ERROR(decoder.Record(leaf_bytes, &record));
  return record;
}

AuditEvent ToAuditEvent(const AuditRecord& r) {
  AuditEvent e;
  e.event = r.event;
  e.actor = r.actor;
  e.org = r.org;
  e.seq = r.seq;
  e.digest = r.digest;
  e.subject = r.subject;
  e.code = r.code;
  e.reason = r.reason;
  e.peer_address = r.peer_address;
  e.detail = r.detail;
  e.incident = r.incident;
  e.kind = r.kind;
  e.recipients = r.recipients;
  e.attempt = r.attempt;
  return e;
}

// ---- Checkpoints ----

Result<StoredCheckpoint> ParseStoredCheckpoint(uint64_t size, std::string_view note) {
  StoredCheckpoint cp;
  cp.size = size;
  cp.note = std::string(note);
  auto parsed = security::ParseSignedNote(note);
  if (!parsed.ok()) return parsed.status();
  auto body = security::ParseCheckpointBody(parsed->text);
  if (!body.ok()) return body.status();
  cp.body = std::move(body).value();
  for (const auto& ext : cp.body.extensions) {
    if (ext.rfind("time ", 0) == 0) cp.time = ext.substr(5);
  }
  return cp;
}

// ---- Proof checks ----

namespace {

Status CheckNote(const std::string& note, uint64_t size, const Digest& root, const security::VerifierKey* key,
                 const std::string& what) {
  Result<security::Checkpoint> cp = Status::Internal("unset");
  if (key != nullptr) {
    cp = security::ParseAndVerifyCheckpoint(note, *key);
  } else {
    auto parsed = security::ParseSignedNote(note);
    cp = parsed.ok() ? security::ParseCheckpointBody(parsed->text) : Result<security::Checkpoint>(parsed.status());
  }
  if (!cp.ok()) return Status(cp.status().code(), what + ": " + cp.status().message());
  if (cp->size != size) {
    return Status::Corruption(what + " is for " + U(cp->size) + " leaves, not " + U(size));
  }
  if (cp->root != root) return Status::Corruption(what + " has a different root");
  return Status::Ok();
}

}  // namespace

Status CheckInclusion(const InclusionProofResult& r, const security::VerifierKey* key) {
  auto record = DecodeAuditRecord(r.leaf_bytes);
  if (!record.ok()) return record.status();
  if (record->index != r.leaf_index) {
    return Status::Corruption("the leaf bytes are those of leaf " + U(record->index) + ", not " + U(r.leaf_index));
  }
  Status s = security::VerifyInclusion(r.leaf_index, r.tree_size, security::LeafHash(r.leaf_bytes), r.proof, r.root);
  if (!s.ok()) return Status(s.code(), "inclusion proof of leaf " + U(r.leaf_index) + " in the tree of " +
                                           U(r.tree_size) + " leaves: " + s.message());
  return CheckNote(r.checkpoint_note, r.tree_size, r.root, key, "the checkpoint");
}

Status CheckConsistency(const ConsistencyProofResult& r, const security::VerifierKey* key) {
  Status s = security::VerifyConsistency(r.old_size, r.new_size, r.proof, r.old_root, r.new_root);
  if (!s.ok()) {
    return Status(s.code(), "consistency from " + U(r.old_size) + " to " + U(r.new_size) + " leaves: " + s.message());
  }
  if (!r.old_checkpoint_note.empty()) {
    MUSTER_RETURN_IF_ERROR(CheckNote(r.old_checkpoint_note, r.old_size, r.old_root, key, "checkpoint " + U(r.old_size)));
  }
  if (!r.new_checkpoint_note.empty()) {
    MUSTER_RETURN_IF_ERROR(CheckNote(r.new_checkpoint_note, r.new_size, r.new_root, key, "checkpoint " + U(r.new_size)));
  }
  return Status::Ok();
}

// ---- Queries ----

bool Matches(const QueryFilter& f, const AuditRecord& r) {
  if (r.index < f.first_leaf) return false;
  if (f.end_leaf && r.index >= *f.end_leaf) return false;
  if (f.from_ms && r.time_ms < *f.from_ms) return false;
  if (f.to_ms && r.time_ms >= *f.to_ms) return false;
  if (f.event && r.event != *f.event) return false;
  const std::pair<char, const std::string*> wanted[] = {
      {'i', &f.incident}, {'a', &f.sender}, {'u', &f.recipient}, {'o', &f.org}, {'k', &f.kind}};
  bool any = false;
  for (const auto& w : wanted) any = any || !w.second->empty();
  if (!any) return true;
  const auto terms = IndexTerms(ToAuditEvent(r));
  for (const auto& [tag, value] : wanted) {
    if (value->empty()) continue;
    bool found = false;
    for (const auto& t : terms) found = found || (t.first == tag && t.second == *value);
    if (!found) return false;
  }
  return true;
}

// ---- AuditReader ----

AuditReader::AuditReader(const store::Store& store) : store_(store) {}

Result<uint64_t> AuditReader::Size() const {
  auto last = store_.LastKey(store::Column::kAudit);
  if (!last.ok()) return last.status();
  if (!last->has_value()) return uint64_t{0};
  if ((*last)->size() != 8) return Status::Corruption("the last audit key is not a leaf index");
  return store::DecodeU64(**last) + 1;
}

Result<AuditRecord> AuditReader::Leaf(uint64_t index) const {
  auto value = store_.Get(store::Column::kAudit, store::AuditKey(index));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return Status::NotFound("there is no leaf " + U(index));
  auto record = DecodeAuditRecord(**value);
  if (!record.ok()) return record.status().WithContext("leaf " + U(index));
  return record;
}

Result<std::vector<StoredCheckpoint>> AuditReader::Checkpoints() const {
  std::vector<StoredCheckpoint> out;
  Status error;
  Status s = store_.Scan(store::Column::kCheckpoints, "", "", [&](std::string_view key, std::string_view value) {
    if (key.size() != 8) return true;
    auto cp = ParseStoredCheckpoint(store::DecodeU64(key), value);
    if (!cp.ok()) {
      error = cp.status().WithContext("checkpoint " + U(store::DecodeU64(key)));
      return false;
    }
    out.push_back(std::move(cp).value());
    return true;
  });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  return out;
}

Result<std::optional<StoredCheckpoint>> AuditReader::LatestCheckpoint() const {
  auto key = store_.LastKey(store::Column::kCheckpoints);
  if (!key.ok()) return key.status();
  if (!key->has_value()) return std::optional<StoredCheckpoint>();
  if ((*key)->size() != 8) return Status::Corruption("the last checkpoint key is not a tree size");
  return CheckpointOfSize(store::DecodeU64(**key));
}

Result<std::optional<StoredCheckpoint>> AuditReader::CheckpointOfSize(uint64_t size) const {
  auto note = store_.Get(store::Column::kCheckpoints, store::CheckpointKey(size));
  if (!note.ok()) return note.status();
  if (!note->has_value()) return std::optional<StoredCheckpoint>();
  auto cp = ParseStoredCheckpoint(size, **note);
  if (!cp.ok()) return cp.status().WithContext("checkpoint " + U(size));
  if (cp->body.size != size) {
    return Status::Corruption("checkpoint " + U(size) + ": its note says size " + U(cp->body.size));
  }
  return std::optional<StoredCheckpoint>(std::move(cp).value());
}

Result<uint64_t> AuditReader::AcceptedLeafOf(uint64_t seq) const {
  auto bytes = store_.Get(store::Column::kMessages, store::MessageKey(seq));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return Status::NotFound("there is no message with seq " + U(seq));
  auto decoded = wire::DecodedStruct::Decode((*bytes)->data(), (*bytes)->size());
  if (!decoded.ok()) return decoded.status().WithContext("message " + U(seq));
  uint64_t leaf = 0;
  try {
    leaf = (*decoded)->Get<schema::StoredMessage>().getLeafIndex();
  } catch (const kj::Exception& e) {
    return Status::Corruption("message " + U(seq) + ": " + e.getDescription().cStr());
  }
  auto record = Leaf(leaf);
  if (!record.ok()) return record.status().WithContext("message " + U(seq));
  if (record->event != AuditLeaf::Event::ACCEPTED || record->seq != seq) {
    return Status::Corruption("message " + U(seq) + " names leaf " + U(leaf) + ", which is not its accepted leaf");
  }
  return leaf;
}

security::SubtreeHashLookup AuditReader::CachingLookup() const {
  auto cache = std::make_shared<std::unordered_map<SubtreeKey, Digest, SubtreeKeyHash>>();
  auto lookup = StoreLookup(store_);
  return [cache, lookup](int level, uint64_t index) -> Result<Digest> {
    SubtreeKey key{level, index};
    auto it = cache->find(key);
    if (it != cache->end()) return it->second;
    auto h = lookup(level, index);
    if (!h.ok()) return h;
    if (cache->size() >= (1u << 20)) cache->clear();
    cache->emplace(key, *h);
    return h;
  };
}

Result<InclusionProofResult> AuditReader::InclusionProof(uint64_t leaf_index) const {
  auto latest = LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) {
    return Status::FailedPrecondition("no checkpoint has been signed yet; the broker signs one each second while the log grows");
  }
  const StoredCheckpoint& cp = **latest;
  if (leaf_index >= cp.size) {
    return Status::FailedPrecondition("leaf " + U(leaf_index) + " is not covered by the latest checkpoint (" +
                                      U(cp.size) + " leaves) yet; the broker signs one each second while the log grows");
  }
  InclusionProofResult r;
  r.leaf_index = leaf_index;
  r.tree_size = cp.size;
  r.root = cp.body.root;
  r.checkpoint_note = cp.note;
  auto proof = security::InclusionProof(leaf_index, cp.size, StoreLookup(store_));
  if (!proof.ok()) return proof.status();
  r.proof = std::move(proof).value();
  auto bytes = store_.Get(store::Column::kAudit, store::AuditKey(leaf_index));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return Status::Corruption("leaf " + U(leaf_index) + " is missing from the store");
  r.leaf_bytes = std::move(**bytes);
  return r;
}

Result<ConsistencyProofResult> AuditReader::ConsistencyProof(uint64_t old_size, uint64_t new_size) const {
  MUSTER_ASSIGN_OR_RETURN(uint64_t size, Size());
  if (old_size == 0 || old_size > new_size) {
    return Status::InvalidArgument("a consistency proof needs 0 < OLD <= NEW (got " + U(old_size) + " and " +
                                   U(new_size) + ")");
  }
  if (new_size > size) {
    return Status::InvalidArgument("the log has only " + U(size) + " leaves (asked for " + U(new_size) + ")");
  }
  ConsistencyProofResult r;
  r.old_size = old_size;
  r.new_size = new_size;
  auto lookup = CachingLookup();
  auto root_of = [&](uint64_t s, Digest* root, std::string* note) -> Status {
    auto cp = CheckpointOfSize(s);
    if (!cp.ok()) return cp.status();
    if (cp->has_value()) {
      *root = (*cp)->body.root;
      *note = (*cp)->note;
      return Status::Ok();
    }
    auto h = security::RangeHash(0, s, lookup);
    if (!h.ok()) return h.status();
    *root = *h;
    return Status::Ok();
  };
  MUSTER_RETURN_IF_ERROR(root_of(old_size, &r.old_root, &r.old_checkpoint_note));
  MUSTER_RETURN_IF_ERROR(root_of(new_size, &r.new_root, &r.new_checkpoint_note));
  auto proof = security::ConsistencyProof(old_size, new_size, lookup);
  if (!proof.ok()) return proof.status();
  r.proof = std::move(proof).value();
  return r;
}

Result<uint64_t> AuditReader::FirstLeafAtOrAfter(int64_t time_ms, uint64_t size) const {
  uint64_t lo = 0, hi = size;
  LeafDecoder decoder;
  LeafHeader h;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    auto bytes = store_.Get(store::Column::kAudit, store::AuditKey(mid));
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) return Status::Corruption("leaf " + U(mid) + " is missing (run muster-audit verify)");
    Status d = decoder.Header(**bytes, &h);
    if (!d.ok()) return d.WithContext("leaf " + U(mid));
    if (h.time_ms < time_ms) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Result<QueryResult> AuditReader::Query(const QueryFilter& filter) const {
  QueryResult out;
  MUSTER_ASSIGN_OR_RETURN(uint64_t size, Size());
  uint64_t begin = filter.first_leaf;
  uint64_t end = filter.end_leaf ? std::min(size, *filter.end_leaf) : size;
  if (filter.from_ms && begin < end) {
    MUSTER_ASSIGN_OR_RETURN(uint64_t b, FirstLeafAtOrAfter(*filter.from_ms, size));
    begin = std::max(begin, b);
  }
  if (filter.to_ms && begin < end) {
    MUSTER_ASSIGN_OR_RETURN(uint64_t e, FirstLeafAtOrAfter(*filter.to_ms, size));
    end = std::min(end, e);
  }
  if (begin >= end) {
    out.plan = "no leaves in range";
    return out;
  }

  // The most selective index among the filters: count each one's entries in [begin, end),
  // never further than the best so far nor than kCountCap (beyond that, any will do).
  constexpr uint64_t kCountCap = uint64_t{1} << 16;
  const std::pair<char, const std::string*> terms[] = {
      {'i', &filter.incident}, {'a', &filter.sender}, {'u', &filter.recipient}, {'o', &filter.org}, {'k', &filter.kind}};
  const char* const term_names[] = {"incident", "sender", "recipient", "org", "kind"};
  int best = -1;
  uint64_t best_count = kCountCap + 1;
  for (int t = 0; t < 5; ++t) {
    const std::string& value = *terms[t].second;
    if (value.empty() || !IsIndexedTag(terms[t].first)) continue;
    uint64_t count = 0;
    Status s = store_.Scan(store::Column::kIndexes, store::IndexKey(terms[t].first, value, begin),
                           store::IndexKey(terms[t].first, value, end), [&](std::string_view, std::string_view) {
                             return ++count < best_count;
                           });
    if (!s.ok()) return s;
    if (count < best_count || best < 0) {
      best = t;
      best_count = count;
    }
  }

  AuditRecord record;
  LeafDecoder decoder;
  Status error;
  // Returns false to stop.
  auto consider = [&](uint64_t index, std::string_view bytes) -> bool {
    if (filter.max_examined != 0 && out.examined >= filter.max_examined) {
      out.resume_at = index;
      return false;
    }
    ++out.examined;
    Status d = decoder.Record(bytes, &record);
    if (!d.ok()) {
      error = d.WithContext("leaf " + U(index));
      return false;
    }
    if (record.index != index) {
      error = Status::Corruption("leaf " + U(index) + " says it is leaf " + U(record.index) + " (run muster-audit verify)");
      return false;
    }
    if (!Matches(filter, record)) return true;
    out.records.push_back(record);
    if (filter.limit != 0 && out.records.size() >= filter.limit) {
      if (index + 1 < end) out.resume_at = index + 1;
      return false;
    }
    return true;
  };

  Status s;
  if (best >= 0) {
    const char tag = terms[best].first;
    const std::string& value = *terms[best].second;
    const std::string prefix = store::IndexPrefix(tag, value);
    out.plan = std::string("index ") + term_names[best] + "=" + value + " (" + (best_count > kCountCap ? "over " + U(kCountCap) : U(best_count)) + " entries in leaves " +
               U(begin) + ".." + U(end - 1) + ")";
    s = store_.Scan(store::Column::kIndexes, store::IndexKey(tag, value, begin), store::IndexKey(tag, value, end),
                    [&](std::string_view key, std::string_view) {
      if (key.size() != prefix.size() + 8) return true;
      const uint64_t index = store::DecodeU64(key.substr(prefix.size()));
      auto bytes = store_.Get(store::Column::kAudit, store::AuditKey(index));
      if (!bytes.ok()) {
        error = bytes.status();
        return false;
      }
      if (!bytes->has_value()) {
        error = Status::Corruption("an index entry names leaf " + U(index) + ", which is missing (run muster-audit verify)");
        return false;
      }
      return consider(index, **bytes);
    });
  } else {
    out.plan = "scan of leaves " + U(begin) + ".." + U(end - 1);
    s = store_.Scan(store::Column::kAudit, store::AuditKey(begin), store::AuditKey(end),
                    [&](std::string_view key, std::string_view value) {
      if (key.size() != 8) return true;
      return consider(store::DecodeU64(key), value);
    });
  }
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  return out;
}

// ---- Verify ----

namespace {

// Runs VerifyBlock on `threads` worker threads, at most 2 * threads blocks ahead of the consumer,
// which takes the results in block order.
class BlockPipeline {
 public:
  BlockPipeline(const store::Store& store, uint64_t size, const std::set<uint64_t>& wanted, int threads)
      : store_(store), size_(size), wanted_(wanted), blocks_((size + kBlockLeaves - 1) / kBlockLeaves),
        lead_(2 * static_cast<uint64_t>(threads)), results_(blocks_) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~BlockPipeline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  BlockPipeline(const BlockPipeline&) = delete;
  BlockPipeline& operator=(const BlockPipeline&) = delete;

  uint64_t blocks() const { return blocks_; }

  // REQUIRES: called with block = 0, 1, 2, ... in turn.
  BlockResult Take(uint64_t block) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return results_[block].has_value(); });
    BlockResult r = std::move(*results_[block]);
    results_[block].reset();
    consumed_ = block + 1;
    cv_.notify_all();
    return r;
  }

 private:
  void Work() {
    for (;;) {
      uint64_t block;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || next_ >= blocks_ || next_ < consumed_ + lead_; });
        if (stop_ || next_ >= blocks_) return;
        block = next_++;
      }
      const uint64_t begin = block * kBlockLeaves;
      const uint64_t end = std::min(size_, begin + kBlockLeaves);
      std::vector<uint64_t> sizes(wanted_.upper_bound(begin), wanted_.upper_bound(end));
      BlockResult r = VerifyBlock(store_, begin, end, sizes);
      {
        std::lock_guard<std::mutex> lock(mu_);
        results_[block] = std::move(r);
      }
      cv_.notify_all();
    }
  }

  const store::Store& store_;
  const uint64_t size_;
  const std::set<uint64_t>& wanted_;
  const uint64_t blocks_;
  const uint64_t lead_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::optional<BlockResult>> results_;  // guarded by mu_
  uint64_t next_ = 0;                                 // guarded by mu_
  uint64_t consumed_ = 0;                             // guarded by mu_
  bool stop_ = false;                                 // guarded by mu_
  std::vector<std::thread> workers_;
};

struct SignedRoot {
  uint64_t size;
  Digest root;
};

// The stored checkpoints' signatures, sizes and origins, and the consistency of each valid one
// with the valid one before it, proved from the stored tree. Independent of the leaf pass, so it
// runs beside it; whether the stored tree is the recomputed one is the leaf pass's finding.
struct CheckpointFindings {
  Status status;
  std::vector<VerifyProblem> problems;
  std::vector<SignedRoot> valid;  // by size
  std::string origin;
  std::optional<StoredCheckpoint> latest;  // the newest valid one
  std::map<uint64_t, Status> consistent_with_previous;  // size -> proof check against the valid one before
};

CheckpointFindings CheckCheckpoints(const std::vector<std::pair<uint64_t, std::string>>& notes,
                                    std::span<const security::VerifierKey> key, uint64_t log_size,
                                    const security::SubtreeHashLookup& lookup) {
  CheckpointFindings c;
  uint64_t origin_size = 0;
  for (const auto& [cp_size, note] : notes) {
    const uint64_t where = cp_size == 0 ? 0 : cp_size - 1;
    auto cp = security::ParseAndVerifyCheckpoint(note, key);
    if (!cp.ok()) {
      c.problems.push_back({where, "checkpoint " + U(cp_size) + ": " +
                                       (cp.status().code() == StatusCode::kUnauthenticated
                                            ? "signature does not verify (" + cp.status().message() + ")"
                                            : "malformed note (" + cp.status().message() + ")")});
      continue;
    }
    if (cp->size != cp_size) {
      c.problems.push_back({where, "checkpoint " + U(cp_size) + ": its note says size " + U(cp->size)});
      continue;
    }
    if (c.origin.empty()) {
      c.origin = cp->origin;
      origin_size = cp_size;
    } else if (cp->origin != c.origin) {
      c.problems.push_back({where, "checkpoint " + U(cp_size) + ": its origin \"" + cp->origin + "\" differs from \"" +
                                       c.origin + "\" of checkpoint " + U(origin_size)});
    }
    if (!c.valid.empty() && cp_size <= log_size && cp_size > 0) {
      const SignedRoot& previous = c.valid.back();
      auto proof = security::ConsistencyProof(previous.size, cp_size, lookup);
      c.consistent_with_previous[cp_size] =
          proof.ok() ? security::VerifyConsistency(previous.size, cp_size, *proof, previous.root, cp->root)
                     : proof.status();
    }
    c.valid.push_back({cp_size, cp->root});
    auto stored = ParseStoredCheckpoint(cp_size, note);
    if (stored.ok()) c.latest = std::move(stored).value();
  }
  return c;
}

}  // namespace

Result<VerifyReport> AuditReader::Verify(const security::VerifierKey& first_key, const VerifyOptions& options) const {
  const auto started = std::chrono::steady_clock::now();
  std::vector<security::VerifierKey> all_keys = {first_key};
  all_keys.insert(all_keys.end(), options.more_keys.begin(), options.more_keys.end());
  const std::span<const security::VerifierKey> key(all_keys);
  VerifyReport report;
  std::vector<VerifyProblem> problems;
  auto add = [&problems](uint64_t leaf, std::string what) { problems.push_back({leaf, std::move(what)}); };

  std::optional<security::Checkpoint> seen;
  if (options.seen_checkpoint) {
    auto cp = security::ParseAndVerifyCheckpoint(*options.seen_checkpoint, key);
    if (!cp.ok()) return Status::InvalidArgument("the seen checkpoint: " + cp.status().message());
    seen = std::move(cp).value();
  }

  MUSTER_ASSIGN_OR_RETURN(const uint64_t size, Size());
  report.leaves = size;

  // The stored checkpoints, and the sizes whose recomputed roots are needed.
  std::vector<std::pair<uint64_t, std::string>> notes;
  std::set<uint64_t> wanted;
  Status s = store_.Scan(store::Column::kCheckpoints, "", "", [&](std::string_view k, std::string_view note) {
    ++report.checkpoints;
    if (k.size() != 8) {
      add(size, "the checkpoints column holds a malformed key of " + U(k.size()) + " bytes");
      return true;
    }
    const uint64_t cp_size = store::DecodeU64(k);
    if (cp_size > 0 && cp_size <= size) wanted.insert(cp_size);
    notes.emplace_back(cp_size, std::string(note));
    return true;
  });
  if (!s.ok()) return s;
  if (seen && seen->size > 0 && seen->size <= size) wanted.insert(seen->size);
  if (size > 0) wanted.insert(size);

  // Checkpoint signatures and consistency proofs beside the leaf pass.
  const int threads = std::max(1, options.threads);
  auto checkpoint_task = std::async(std::launch::async, [&notes, &key, size, lookup = CachingLookup()]() {
    return CheckCheckpoints(notes, key, size, lookup);
  });

  // Leaves and tree, block by block.
  struct EdgeNode {  // a maximal complete subtree of level >= kBlockLevel so far
    int level;
    Digest hash;
    std::optional<Digest> stored;
  };
  std::vector<EdgeNode> edge;
  std::map<uint64_t, Digest> roots;
  std::vector<AcceptedLeaf> accepted;
  uint64_t dropped = 0;
  bool any_leaf = false;
  uint64_t last_leaf = 0;
  int64_t last_time = 0;
  Status failed;
  {
    BlockPipeline pipeline(store_, size, wanted, threads);
    for (uint64_t b = 0; b < pipeline.blocks(); ++b) {
      BlockResult r = pipeline.Take(b);
      if (!r.status.ok()) {
        failed = r.status;
        break;
      }
      report.interior_hashes += r.interior;
      // Keep only what the report can show of a badly damaged block; count the rest.
      std::stable_sort(r.findings.problems.begin(), r.findings.problems.end(),
                       [](const VerifyProblem& x, const VerifyProblem& y) { return x.leaf < y.leaf; });
      if (r.findings.problems.size() > options.max_problems) {
        dropped += r.findings.problems.size() - options.max_problems;
        r.findings.problems.resize(options.max_problems);
      }
      for (auto& p : r.findings.problems) problems.push_back(std::move(p));
      accepted.insert(accepted.end(), std::make_move_iterator(r.accepted.begin()),
                      std::make_move_iterator(r.accepted.end()));
      if (r.any_leaf) {
        if (any_leaf && r.first_time < last_time) {
          add(r.first_leaf, "leaf " + U(r.first_leaf) + ": its time (" + std::to_string(r.first_time) +
                                " ms) is earlier than leaf " + U(last_leaf) + "'s (" + std::to_string(last_time) + " ms)");
        }
        any_leaf = true;
        last_leaf = r.last_leaf;
        last_time = r.last_time;
      }
      for (const auto& [s_end, partial] : r.partial) {
        Digest h = partial;
        for (size_t i = edge.size(); i-- > 0;) h = security::NodeHash(edge[i].hash, h);
        roots[s_end] = h;
      }
      const uint64_t begin = b * kBlockLeaves;
      if (std::min(size, begin + kBlockLeaves) - begin == kBlockLeaves) {
        edge.push_back({kBlockLevel, r.root, r.stored_root});
        const uint64_t end = begin + kBlockLeaves;
        while (edge.size() >= 2 && edge[edge.size() - 1].level == edge[edge.size() - 2].level) {
          const EdgeNode right = edge.back();
          edge.pop_back();
          const EdgeNode left = edge.back();
          const int level = left.level + 1;
          const uint64_t index = (end >> level) - 1;
          EdgeNode parent{level, security::NodeHash(left.hash, right.hash), std::nullopt};
          auto stored = store_.Get(store::Column::kTree, store::TreeKey(level, index));
          if (!stored.ok()) {
            failed = stored.status();
            break;
          }
          if (stored->has_value() && (*stored)->size() == 32) parent.stored = *security::DigestFromBytes(**stored);
          edge.back() = parent;
          if (parent.stored) ++report.interior_hashes;
          if (!parent.stored) {
            if (left.stored || right.stored) add(index << level, SubtreeName(level, index) + ": no stored hash");
          } else if (*parent.stored != parent.hash &&
                     !StoredParentMatchesStoredChildren(*parent.stored, left.stored ? &*left.stored : nullptr,
                                                        right.stored ? &*right.stored : nullptr)) {
            add(index << level, SubtreeName(level, index) + ": stored hash does not match its children");
          }
        }
        if (!failed.ok()) break;
      }
      if (options.progress) options.progress(std::min(size, (b + 1) * kBlockLeaves), size);
    }
  }
  CheckpointFindings checkpoints = checkpoint_task.get();
  if (!failed.ok()) return failed;
  for (auto& p : checkpoints.problems) problems.push_back(std::move(p));
  report.latest_checkpoint = checkpoints.latest;
  const std::string& origin = checkpoints.origin;

  // A checkpoint beyond the end of the log: leaves were cut off after it was signed.
  {
    const SignedRoot* beyond = nullptr;
    uint64_t beyond_count = 0;
    for (const auto& v : checkpoints.valid) {
      if (v.size > size) {
        beyond = &v;
        ++beyond_count;
      }
    }
    if (beyond != nullptr) {
      add(size, "the log has " + U(size) + " leaves but checkpoint " + U(beyond->size) + " was signed" +
                    (beyond_count > 1 ? " (and " + U(beyond_count - 1) + " more beyond the end)" : std::string()) +
                    ": leaves were removed");
    }
  }

  report.root = size == 0 ? security::EmptyRoot() : roots[size];

  // Stored hashes beyond the last leaf: the end of the log was cut off.
  bool orphan = false;
  uint64_t orphan_leaf = 0;
  s = store_.Scan(store::Column::kTree, store::TreeKey(0, size), store::TreeKey(1, 0),
                  [&](std::string_view k, std::string_view) {
    if (k.size() == 9) {
      orphan = true;
      orphan_leaf = store::DecodeU64(k.substr(1));
    }
    return false;
  });
  if (!s.ok()) return s;
  if (orphan) {
    add(size, "the log has " + U(size) + " leaves but the tree holds a hash for leaf " + U(orphan_leaf) +
                  ": leaves were removed from the end");
  }

  // Message records against their accepted leaves, split by seq range across the threads.
  {
    std::optional<uint64_t> first_seq;
    s = store_.Scan(store::Column::kMessages, "", "", [&](std::string_view k, std::string_view) {
      if (k.size() == 8) first_seq = store::DecodeU64(k);
      return false;
    });
    if (!s.ok()) return s;
    auto last_key = store_.LastKey(store::Column::kMessages);
    if (!last_key.ok()) return last_key.status();
    std::vector<uint8_t> found(accepted.size(), 0);
    if (first_seq && last_key->has_value() && (*last_key)->size() == 8) {
      const uint64_t last_seq = store::DecodeU64(**last_key);
      const uint64_t span = last_seq >= *first_seq ? last_seq - *first_seq + 1 : 1;
      const uint64_t parts = std::min<uint64_t>(static_cast<uint64_t>(threads), span);
      std::vector<std::future<MessageFindings>> tasks;
      for (uint64_t p = 0; p < parts; ++p) {
        const uint64_t from = p == 0 ? 0 : *first_seq + span / parts * p;
        const uint64_t to = p + 1 == parts ? 0 : *first_seq + span / parts * (p + 1);
        tasks.push_back(std::async(std::launch::async, [this, from, to, &accepted, size]() {
          return VerifyMessages(store_, from, to, accepted, size);
        }));
      }
      Status failed;
      for (auto& t : tasks) {
        MessageFindings m = t.get();
        if (!m.status.ok()) failed = m.status;
        report.messages += m.messages;
        for (auto& p : m.problems) problems.push_back(std::move(p));
        for (size_t i : m.found) found[i] = 1;
      }
      if (!failed.ok()) return failed;
    }
    for (size_t i = 0; i < accepted.size(); ++i) {
      if (!found[i]) {
        add(accepted[i].leaf, "leaf " + U(accepted[i].leaf) + " (accepted, message " + U(accepted[i].seq) +
                                  "): the message record is missing");
      }
    }
  }

  // Checkpoints against the recomputed tree, and each one consistent with the one before.
  {
    auto lookup = CachingLookup();
    const SignedRoot* previous = nullptr;  // the last checkpoint that matched the recomputed tree
    const SignedRoot* before = nullptr;    // the last valid checkpoint
    for (const auto& v : checkpoints.valid) {
      const SignedRoot* predecessor = before;
      before = &v;
      if (v.size > size || v.size == 0) continue;
      if (roots.at(v.size) != v.root) {
        add(v.size - 1, "checkpoint " + U(v.size) + ": the recomputed root of its " + U(v.size) +
                            " leaves does not match its signed root (a leaf in " + U(previous ? previous->size : 0) +
                            ".." + U(v.size - 1) + " has changed since it was signed)");
        continue;
      }
      if (previous != nullptr) {
        Status c;
        auto known = checkpoints.consistent_with_previous.find(v.size);
        if (previous == predecessor && known != checkpoints.consistent_with_previous.end()) {
          c = known->second;
        } else {
          auto proof = security::ConsistencyProof(previous->size, v.size, lookup);
          c = proof.ok() ? security::VerifyConsistency(previous->size, v.size, *proof, previous->root, v.root)
                         : proof.status();
        }
        if (!c.ok()) {
          add(v.size - 1, "checkpoint " + U(v.size) + " is not consistent with checkpoint " + U(previous->size) + ": " +
                              c.message());
        }
      }
      previous = &v;
    }
  }

  // The checkpoint the auditor saw before.
  if (seen) {
    if (!origin.empty() && seen->origin != origin) {
      add(0, "the seen checkpoint is for \"" + seen->origin + "\" but the log's checkpoints are for \"" + origin + "\"");
    }
    if (seen->size > size) {
      add(size, "the log has " + U(size) + " leaves but the seen checkpoint was signed for " + U(seen->size) +
                    ": leaves were removed");
    } else if (seen->size > 0 && roots.at(seen->size) != seen->root) {
      add(seen->size - 1, "the log does not reproduce the seen checkpoint of " + U(seen->size) +
                              " leaves: some of those leaves have changed");
    } else if (seen->size > 0 && report.latest_checkpoint && report.latest_checkpoint->size >= seen->size &&
               report.latest_checkpoint->size <= size) {
      auto proof = security::ConsistencyProof(seen->size, report.latest_checkpoint->size, CachingLookup());
      Status c = proof.ok() ? security::VerifyConsistency(seen->size, report.latest_checkpoint->size, *proof,
                                                          seen->root, report.latest_checkpoint->body.root)
                            : proof.status();
      if (!c.ok()) {
        add(seen->size - 1, "the latest checkpoint (" + U(report.latest_checkpoint->size) +
                                ") is not consistent with the seen checkpoint: " + c.message());
      }
    }
  }

  std::stable_sort(problems.begin(), problems.end(),
                   [](const VerifyProblem& a, const VerifyProblem& b) { return a.leaf < b.leaf; });
  report.problem_count = problems.size() + dropped;
  if (problems.size() > options.max_problems) problems.resize(options.max_problems);
  report.problems = std::move(problems);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace muster::audit
