// SessionTable: the authenticated sessions of the broker, keyed by ZeroMQ routing id, and which
// session of each principal receives its deliveries (at most one; a newer receiving session
// supersedes the older one). Owned by the broker thread; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace muster::delivery {

struct Session {
  std::string routing_id;   // ZeroMQ routing id of the connection (not an identity)
  std::string principal;    // from the ZAP User-Id
  std::string org;
  std::string role;
  std::string client_name;
  std::string peer_address;
  int64_t connected_ms = 0;       // wall clock, for display
  int64_t last_seen_mono_ms = 0;  // monotonic, for liveness
  bool receive = false;
  uint32_t window = 0;
};

class SessionTable {
 public:
  Session* Find(const std::string& routing_id);
  Session& Add(Session session);
  // Removes the session; returns true if it was the principal's receiving session.
  bool Remove(const std::string& routing_id);

  // The receiving session of a principal, or nullptr.
  Session* Receiver(const std::string& principal);
  // Makes `routing_id` the receiving session of its principal; returns the routing id of the
  // session it supersedes ("" if none).
  std::string SetReceiver(const std::string& routing_id);

  // Routing ids of sessions silent since before `cutoff_mono_ms`.
  std::vector<std::string> SilentSince(int64_t cutoff_mono_ms) const;
  // Routing ids of every session of a principal.
  std::vector<std::string> SessionsOf(const std::string& principal) const;

  const std::map<std::string, Session>& all() const { return sessions_; }
  size_t size() const { return sessions_.size(); }

 private:
  std::map<std::string, Session> sessions_;
  std::map<std::string, std::string> receivers_;  // principal -> routing id
};

}  // namespace muster::delivery
