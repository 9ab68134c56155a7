// WorkflowState: the kind plugins' view of workflow state (kinds::StateView) over the store, plus
// an overlay of changes made by messages that are accepted but not yet durable — so consecutive
// steps on one object inside one commit group see each other. Records live in the `state`
// column under kind \0 id; an index in `indexes` ("w" kind \0 incident \0 id) serves incident
// listings. Broker thread only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/kinds/kind_plugin.h"
#include "broker/store/store.h"
#include "broker/store/write_set.h"

namespace muster::broker {

class WorkflowState final : public kinds::StateView {
 public:
  explicit WorkflowState(const store::Store& store) : store_(store) {}

  Result<std::optional<std::string>> Get(std::string_view kind, std::string_view id) const override;
  Status List(std::string_view kind, std::string_view incident,
              const std::function<bool(std::string_view id, std::string_view record)>& visit) const override;
  Result<std::vector<std::string>> RecipientsOf(uint64_t seq) const override;

  // A version for the changes of one message; versions increase in submission order.
  uint64_t NextVersion() { return next_version_++; }
  // Adds the store writes of a state change to `writes` and shows it in the overlay until
  // Settle(version) (after its commit completed, successfully or not).
  void Stage(std::string_view kind, const kinds::StateWrite& change, uint64_t version, store::WriteSet* writes);
  // Recipients of a message not yet durable (for updates within one commit group).
  void StageRecipients(uint64_t seq, std::vector<std::string> recipients, uint64_t version);
  // Forgets staged changes up to `version`: their commit has completed.
  void Settle(uint64_t version);

 private:
  struct Staged {
    std::string record;
    std::string incident;
    uint64_t version = 0;
  };
  static std::string Key(std::string_view kind, std::string_view id);
  std::map<std::string, Staged> staged_;  // by Key(kind, id)
  std::map<uint64_t, std::pair<std::vector<std::string>, uint64_t>> staged_recipients_;
  uint64_t next_version_ = 1;
  const store::Store& store_;
};

}  // namespace muster::broker
