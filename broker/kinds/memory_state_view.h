// MemoryStateView: a StateView over plain maps, for tests of the kind plugins. Commit() writes an
// Effect the way the broker's store does (each StateWrite under the plugin's kind) and records
// the message's recipients for RecipientsOf. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "broker/kinds/kind_plugin.h"

namespace muster::kinds {

class MemoryStateView : public StateView {
 public:
  Result<std::optional<std::string>> Get(std::string_view kind, std::string_view id) const override;
  Status List(std::string_view kind, std::string_view incident,
              const std::function<bool(std::string_view id, std::string_view record)>& visit)
      const override;
  // Recipients of a seq never committed: an empty list.
  Result<std::vector<std::string>> RecipientsOf(uint64_t seq) const override;

  void Commit(std::string_view kind, uint64_t seq, const Effect& effect,
              std::vector<std::string> recipients);
  size_t size() const { return records_.size(); }

 private:
  struct Entry {
    std::string record;
    std::string incident;
  };
  std::map<std::pair<std::string, std::string>, Entry, std::less<>> records_;
  std::map<uint64_t, std::vector<std::string>> recipients_;
};

}  // namespace muster::kinds
