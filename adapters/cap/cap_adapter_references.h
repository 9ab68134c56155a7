// CapReferenceIndex: which broker seq carries the CAP alert (sender, identifier), as far as this
// adapter has seen: alerts it published (recorded on their receipt) and alerts delivered to it.
// CAP messages name earlier alerts by sender and identifier (references), the broker by seq, and
// the broker needs the seqs to apply an Update, Cancel, Ack or Error (BuildCapEnvelope).
//
// On disk: one small file per alert in a directory, named by the first 40 hex digits of
// SHA-256("sender,identifier"), holding "<seq>\n<sender>,<identifier>\n"; written atomically.
// A later record for the same alert replaces the earlier one. Losing the directory loses only
// the mapping: references the adapter no longer knows are left out of the envelope.
// Owned by one adapter process (it lives in the outbox directory, which is locked). Not
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace muster::cap {

class CapReferenceIndex {
 public:
  // Opens (creating if needed) the index in `dir`.
  static Result<std::unique_ptr<CapReferenceIndex>> Open(const std::string& dir);
  CapReferenceIndex(const CapReferenceIndex&) = delete;
  CapReferenceIndex& operator=(const CapReferenceIndex&) = delete;

  Status Record(std::string_view sender, std::string_view identifier, uint64_t seq);
  std::optional<uint64_t> Find(std::string_view sender, std::string_view identifier) const;

 private:
  explicit CapReferenceIndex(std::string dir) : dir_(std::move(dir)) {}
  std::string PathFor(std::string_view sender, std::string_view identifier) const;

  std::string dir_;
};

}  // namespace muster::cap
