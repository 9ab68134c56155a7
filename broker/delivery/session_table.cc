// Session bookkeeping.
#include "broker/delivery/session_table.h"

namespace muster::delivery {

Session* SessionTable::Find(const std::string& routing_id) {
  auto it = sessions_.find(routing_id);
  return it == sessions_.end() ? nullptr : &it->second;
}

Session& SessionTable::Add(Session session) {
  std::string id = session.routing_id;
  auto [it, inserted] = sessions_.insert_or_assign(id, std::move(session));
  return it->second;
}

bool SessionTable::Remove(const std::string& routing_id) {
  auto it = sessions_.find(routing_id);
  if (it == sessions_.end()) return false;
  bool was_receiver = false;
  auto r = receivers_.find(it->second.principal);
  if (r != receivers_.end() && r->second == routing_id) {
    receivers_.erase(r);
    was_receiver = true;
  }
  sessions_.erase(it);
  return was_receiver;
}

Session* SessionTable::Receiver(const std::string& principal) {
  auto r = receivers_.find(principal);
  if (r == receivers_.end()) return nullptr;
  return Find(r->second);
}

std::string SessionTable::SetReceiver(const std::string& routing_id) {
  Session* s = Find(routing_id);
  if (s == nullptr) return "";
  std::string previous;
  auto r = receivers_.find(s->principal);
  if (r != receivers_.end() && r->second != routing_id) previous = r->second;
  receivers_[s->principal] = routing_id;
  return previous;
}

std::vector<std::string> SessionTable::SilentSince(int64_t cutoff_mono_ms) const {
  std::vector<std::string> out;
  for (const auto& [id, s] : sessions_) {
    if (s.last_seen_mono_ms < cutoff_mono_ms) out.push_back(id);
  }
  return out;
}

std::vector<std::string> SessionTable::SessionsOf(const std::string& principal) const {
  std::vector<std::string> out;
  for (const auto& [id, s] : sessions_) {
    if (s.principal == principal) out.push_back(id);
  }
  return out;
}

}  // namespace muster::delivery
