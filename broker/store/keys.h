// Key codec of the store: how each column's keys are laid out so that RocksDB's byte order is the
// order the broker needs (seq order, and per recipient precedence-then-seq order).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace muster::store {

// 8-byte big-endian, so byte order equals numeric order.
std::string EncodeU64(uint64_t v);
uint64_t DecodeU64(std::string_view bytes);  // REQUIRES: bytes.size() >= 8

// messages: seq.
inline std::string MessageKey(uint64_t seq) { return EncodeU64(seq); }

// pending: recipient \0 (255 - precedence) seq. Higher precedence sorts first.
std::string PendingKey(std::string_view recipient, int precedence, uint64_t seq);
// The prefix of all pending keys of one recipient.
std::string PendingPrefix(std::string_view recipient);
struct PendingKeyParts {
  int precedence = 0;
  uint64_t seq = 0;
};
// Parses a pending key of the given recipient; false if it is not one.
bool ParsePendingKey(std::string_view key, std::string_view recipient, PendingKeyParts* out);

// delivery: seq recipient.
std::string DeliveryKey(uint64_t seq, std::string_view recipient);
std::string DeliveryPrefix(uint64_t seq);

// dedup: sender \0 client message id.
std::string DedupKey(std::string_view sender, std::string_view client_message_id);

// audit: leaf index.
inline std::string AuditKey(uint64_t index) { return EncodeU64(index); }
// tree: level (1 byte) then index: the complete subtree covering leaves
// [index * 2^level, (index + 1) * 2^level).
std::string TreeKey(int level, uint64_t index);
// checkpoints: tree size.
inline std::string CheckpointKey(uint64_t size) { return EncodeU64(size); }
// indexes: tag (1 byte: 'i' incident, 'a' actor, 'u' recipient, 'o' org, 'k' kind), value, \0,
// leaf index. The value is empty-free text without \0.
std::string IndexKey(char tag, std::string_view value, uint64_t leaf_index);
std::string IndexPrefix(char tag, std::string_view value);

// indexes: acknowledgement deadlines, "D" deadline seq (binary), so a scan up to now finds every
// deadline that has passed.
std::string DeadlineKey(int64_t deadline_ms, uint64_t seq);
inline constexpr char kDeadlinePrefix[] = "D";
bool ParseDeadlineKey(std::string_view key, int64_t* deadline_ms, uint64_t* seq);

// The first key after every key that starts with `prefix`.
std::string PrefixEnd(std::string_view prefix);

}  // namespace muster::store
