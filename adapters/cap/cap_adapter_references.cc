// The adapter's index of CAP alerts by (sender, identifier) -> broker seq.
#include "adapters/cap/cap_adapter_references.h"

#include "common/files.h"
#include "security/sha256.h"

namespace muster::cap {

Result<std::unique_ptr<CapReferenceIndex>> CapReferenceIndex::Open(const std::string& dir) {
  MUSTER_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  return std::unique_ptr<CapReferenceIndex>(new CapReferenceIndex(dir));
}

std::string CapReferenceIndex::PathFor(std::string_view sender, std::string_view identifier) const {
  std::string key = std::string(sender) + "," + std::string(identifier);
  return JoinPath(dir_, security::ToHex(security::Sha256(key)).substr(0, 40));
}

Status CapReferenceIndex::Record(std::string_view sender, std::string_view identifier, uint64_t seq) {
  std::string text = std::to_string(seq) + "\n" + std::string(sender) + "," + std::string(identifier) + "\n";
  return WriteFileAtomic(PathFor(sender, identifier), text, 0600);
}

std::optional<uint64_t> CapReferenceIndex::Find(std::string_view sender, std::string_view identifier) const {
  auto text = ReadFile(PathFor(sender, identifier));
  if (!text.ok()) return std::nullopt;
  size_t nl = text->find('\n');
  if (nl == std::string::npos || nl == 0 || nl > 20) return std::nullopt;
  // The second line guards against a (practically impossible) hash prefix collision.
  std::string key = std::string(sender) + "," + std::string(identifier);
  if (text->compare(nl + 1, std::string::npos, key + "\n") != 0) return std::nullopt;
  uint64_t seq = 0;
  for (size_t i = 0; i < nl; ++i) {
    char c = (*text)[i];
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  return seq;
}

}  // namespace muster::cap
