// Policy snapshots and their differences.
#include "broker/policy_audit.h"

#include <map>
#include <sstream>

namespace muster::broker {
namespace {

struct Entry {
  std::string org, role, clearance, key;
  bool revoked = false;
  bool operator==(const Entry&) const = default;
};

std::map<std::string, Entry> Parse(const std::string& snapshot) {
  std::map<std::string, Entry> out;
  std::istringstream in(snapshot);
  std::string id;
  Entry e;
  int revoked = 0;
  while (in >> id >> e.org >> e.role >> e.clearance >> e.key >> revoked) {
    e.revoked = revoked != 0;
    out[id] = e;
  }
  return out;
}

}  // namespace

std::string PolicySnapshot(const security::Policy& policy) {
  std::string out;
  for (const auto& p : policy.principals()) {
    out += p.id + " " + p.org + " " + p.role + " " + std::string(security::ClearanceName(p.clearance)) + " " +
           p.public_key_z85 + " " + (p.revoked ? "1" : "0") + "\n";
  }
  return out;
}

std::vector<audit::AuditEvent> PolicyChanges(const std::string& previous, const security::Policy& current) {
  std::map<std::string, Entry> before = Parse(previous);
  std::map<std::string, Entry> after = Parse(PolicySnapshot(current));
  std::vector<audit::AuditEvent> events;
  auto event = [&](schema::AuditLeaf::Event type, const std::string& id, const Entry& e, const std::string& why) {
    audit::AuditEvent ev;
    ev.event = type;
    ev.subject = id;
    ev.org = e.org;
    ev.detail = "role " + e.role + ", clearance " + e.clearance + ", key " + e.key;
    ev.reason = why;
    events.push_back(ev);
  };
  for (const auto& [id, e] : after) {
    auto it = before.find(id);
    if (it == before.end()) {
      event(e.revoked ? schema::AuditLeaf::Event::PRINCIPAL_REVOKED : schema::AuditLeaf::Event::PRINCIPAL_ADDED, id, e,
            e.revoked ? "listed as revoked" : "added");
    } else if (e.revoked && !it->second.revoked) {
      event(schema::AuditLeaf::Event::PRINCIPAL_REVOKED, id, e, "revoked");
    } else if (!(e == it->second)) {
      event(schema::AuditLeaf::Event::PRINCIPAL_CHANGED, id, e, e.key != it->second.key ? "key replaced" : "changed");
    }
  }
  for (const auto& [id, e] : before) {
    if (!after.count(id) && !e.revoked) event(schema::AuditLeaf::Event::PRINCIPAL_REVOKED, id, e, "removed from the policy");
  }
  return events;
}

}  // namespace muster::broker
