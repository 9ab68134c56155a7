// In-memory state for plugin tests.
#include "broker/kinds/memory_state_view.h"

namespace muster::kinds {

Result<std::optional<std::string>> MemoryStateView::Get(std::string_view kind,
                                                        std::string_view id) const {
  auto it = records_.find(std::make_pair(std::string(kind), std::string(id)));
  if (it == records_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second.record);
}

Status MemoryStateView::List(
    std::string_view kind, std::string_view incident,
    const std::function<bool(std::string_view id, std::string_view record)>& visit) const {
  for (const auto& [key, entry] : records_) {
    if (key.first != kind) continue;
    if (!incident.empty() && entry.incident != incident) continue;
    if (!visit(key.second, entry.record)) break;
  }
  return Status::Ok();
}

Result<std::vector<std::string>> MemoryStateView::RecipientsOf(uint64_t seq) const {
  auto it = recipients_.find(seq);
  if (it == recipients_.end()) return std::vector<std::string>();
  return it->second;
}

void MemoryStateView::Commit(std::string_view kind, uint64_t seq, const Effect& effect,
                             std::vector<std::string> recipients) {
  for (const StateWrite& w : effect.writes) {
    records_[std::make_pair(std::string(kind), w.id)] = Entry{w.record, w.incident};
  }
  recipients_[seq] = std::move(recipients);
}

}  // namespace muster::kinds
