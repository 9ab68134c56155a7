// State records of the kind plugins (schemas/state.capnp): their canonical bytes, which are what
// StateWrite.record and StateView::Get carry, the object ids ("L-<seq>", "R-<seq>", "O-<seq>",
// "<seq>") that name them, and the history entries they share. Pure functions, thread-safe.
#pragma once

#include <capnp/message.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "schemas/frame_codec.h"
#include "schemas/state.capnp.h"

namespace muster::kinds {

// The canonical form (capnp::canonicalize: one segment, no segment table) of `root`.
template <typename Reader>
std::string EncodeRecord(Reader root) {
  kj::Array<capnp::word> words = capnp::canonicalize(root);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// Decodes a stored record; Corruption names `what` ("liaison record L-12") when the bytes are not
// a record.
Result<std::unique_ptr<wire::DecodedStruct>> DecodeRecord(std::string_view bytes,
                                                          std::string_view what);

// "L-12" from ("L-", 12).
std::string ObjectId(std::string_view prefix, uint64_t seq);

// The seq in an object id with this prefix ("L-12" -> 12), or nullopt when `id` is not of that
// form (the prefix, then decimal digits without a leading zero, value > 0).
std::optional<uint64_t> SeqOfObjectId(std::string_view id, std::string_view prefix);

// One entry of an object's history (schema::HistoryEntry) as a plain value.
struct HistoryStep {
  uint64_t seq = 0;
  std::string action;
  std::string by;
  int64_t at_ms = 0;
  std::string note;
  std::string state;
};
std::vector<HistoryStep> ReadHistory(capnp::List<schema::HistoryEntry>::Reader list);
// REQUIRES: list.size() == steps.size().
void WriteHistory(const std::vector<HistoryStep>& steps,
                  capnp::List<schema::HistoryEntry>::Builder list);

// "a; b", or whichever is non-empty.
std::string JoinNote(std::string_view a, std::string_view b);

}  // namespace muster::kinds
