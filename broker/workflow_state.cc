// Workflow state over the store with an overlay of not-yet-durable changes.
#include "broker/workflow_state.h"

#include <kj/exception.h>

#include <set>

#include "broker/store/keys.h"
#include "schemas/frame_codec.h"
#include "schemas/store.capnp.h"

namespace muster::broker {
namespace {

std::string IndexKey(std::string_view kind, std::string_view incident, std::string_view id) {
  std::string key = "w";
  key.append(kind);
  key.push_back('\0');
  key.append(incident);
  key.push_back('\0');
  key.append(id);
  return key;
}

}  // namespace

std::string WorkflowState::Key(std::string_view kind, std::string_view id) {
  std::string key(kind);
  key.push_back('\0');
  key.append(id);
  return key;
}

Result<std::optional<std::string>> WorkflowState::Get(std::string_view kind, std::string_view id) const {
  auto it = staged_.find(Key(kind, id));
  if (it != staged_.end()) return std::optional<std::string>(it->second.record);
  return store_.Get(store::Column::kState, Key(kind, id));
}

Status WorkflowState::List(std::string_view kind, std::string_view incident,
                           const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::set<std::string> seen;
  bool go_on = true;
  const std::string kind_prefix = Key(kind, "");
  auto emit = [&](std::string_view id, std::string_view stored) {
    std::string key = Key(kind, id);
    seen.insert(key);
    auto it = staged_.find(key);
    go_on = visit(id, it != staged_.end() ? std::string_view(it->second.record) : stored);
    return go_on;
  };
  Status s;
  if (incident.empty()) {
    s = store_.Scan(store::Column::kState, kind_prefix, store::PrefixEnd(kind_prefix),
                    [&](std::string_view key, std::string_view value) { return emit(key.substr(kind_prefix.size()), value); });
  } else {
    std::string prefix = IndexKey(kind, incident, "");
    s = store_.Scan(store::Column::kIndexes, prefix, store::PrefixEnd(prefix), [&](std::string_view key, std::string_view) {
      std::string id(key.substr(prefix.size()));
      auto record = store_.Get(store::Column::kState, Key(kind, id));
      if (!record.ok() || !record->has_value()) return true;
      return emit(id, **record);
    });
  }
  MUSTER_RETURN_IF_ERROR(s);
  for (const auto& [key, staged] : staged_) {  // created by messages not yet durable
    if (!go_on) break;
    if (key.compare(0, kind_prefix.size(), kind_prefix) != 0 || seen.count(key)) continue;
    if (!incident.empty() && staged.incident != incident) continue;
    go_on = visit(std::string_view(key).substr(kind_prefix.size()), staged.record);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> WorkflowState::RecipientsOf(uint64_t seq) const {
  auto it = staged_recipients_.find(seq);
  if (it != staged_recipients_.end()) return it->second.first;
  auto bytes = store_.Get(store::Column::kMessages, store::MessageKey(seq));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return Status::NotFound("no message with seq " + std::to_string(seq));
  auto decoded = wire::DecodedStruct::Decode((*bytes)->data(), (*bytes)->size());
  if (!decoded.ok()) return decoded.status();
  try {
    std::vector<std::string> out;
    for (auto r : (*decoded)->Get<schema::StoredMessage>().getRecipients()) out.emplace_back(r.getPrincipal().cStr());
    return out;
  } catch (const kj::Exception& e) {
    return Status::Corruption(std::string("message ") + std::to_string(seq) + ": " + e.getDescription().cStr());
  }
}

void WorkflowState::Stage(std::string_view kind, const kinds::StateWrite& change, uint64_t version,
                          store::WriteSet* writes) {
  writes->Put(store::Column::kState, Key(kind, change.id), change.record);
  if (!change.incident.empty()) writes->Put(store::Column::kIndexes, IndexKey(kind, change.incident, change.id), "");
  staged_[Key(kind, change.id)] = Staged{change.record, change.incident, version};
}

void WorkflowState::StageRecipients(uint64_t seq, std::vector<std::string> recipients, uint64_t version) {
  staged_recipients_[seq] = {std::move(recipients), version};
}

void WorkflowState::Settle(uint64_t version) {
  for (auto it = staged_.begin(); it != staged_.end();) {
    it = it->second.version <= version ? staged_.erase(it) : std::next(it);
  }
  for (auto it = staged_recipients_.begin(); it != staged_recipients_.end();) {
    it = it->second.second <= version ? staged_recipients_.erase(it) : std::next(it);
  }
}

}  // namespace muster::broker
