// Policy: who exists and what they may do — organisations {id, name, sector, jurisdictions},
// principals {id, org, role, clearance, public key, revoked}, the send and receive rules, the
// per-role rate limits and the message limits. Immutable once built; share it as
// std::shared_ptr<const Policy>. PolicyHolder lets the ZAP thread and the broker thread read the
// current policy while a reload swaps in a new one atomically. The decisions made with it are in
// security/authorization.h; the file format is in docs/policy.md.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "security/clearance.h"
#include "security/curve_keys.h"

namespace muster::security {

struct Organisation {
  std::string id;
  std::string name;
  std::string sector;                      // government, military, rescue, volunteer, audit
  std::vector<std::string> jurisdictions;  // GB/T 2260 division codes
};

struct Principal {
  std::string id;
  std::string org;
  std::string role;  // adapter, officer, duty-officer, auditor, admin
  Clearance clearance = Clearance::kPublic;
  std::string public_key_z85;
  RawKey public_key{};
  bool revoked = false;
};

enum class RuleAction { kSend, kReceive };

// One [[rule]]: allows the principals it selects (by their organisation's sector, their role,
// their organisation) to send, or to receive, the messages it selects. An empty filter list
// matches anything; the loader refuses an empty list written in the file.
struct Rule {
  std::string name;  // free text from the file, may be empty; see label()
  int line = 0;      // where the rule starts in the policy file
  // How reasons and errors name the rule: "rule 'NAME'", or "rule at line N" when unnamed.
  std::string label() const {
    return name.empty() ? "rule at line " + std::to_string(line) : "rule '" + name + "'";
  }
  RuleAction action = RuleAction::kSend;
  // Who.
  std::vector<std::string> sectors;
  std::vector<std::string> roles;
  std::vector<std::string> orgs;
  // What.
  std::vector<std::string> kinds;     // alert, liaison, equipment
  std::vector<std::string> statuses;  // actual, exercise, test, system
  Clearance max_classification = Clearance::kPublic;
  // Send rules (`to`): the addressing term types the sender may use. Receive rules (`via`): the
  // term types through which a message may reach the recipient.
  std::vector<std::string> term_types;
  // Workflow actions of liaison/equipment bodies. When given, a message without an action (an
  // alert) does not match the rule.
  std::vector<std::string> actions;
};

// Per-principal token bucket parameters for the principals of one role.
struct RateLimit {
  std::string role;
  double per_second = 0;  // > 0
  int64_t burst = 1;      // >= 1
};

struct PolicyLimits {
  // The most recipients one message may resolve to.
  uint32_t max_recipients = 10000;
};

class Policy {
 public:
  // A policy without rules: it authenticates principals but allows no traffic.
  Policy(std::vector<Organisation> organisations, std::vector<Principal> principals,
         std::string source);
  Policy(std::vector<Organisation> organisations, std::vector<Principal> principals,
         std::vector<Rule> rules, std::vector<RateLimit> rate_limits, PolicyLimits limits,
         std::string source);

  const Organisation* FindOrganisation(std::string_view id) const;
  const Principal* FindPrincipal(std::string_view id) const;
  // Finds the principal holding this CURVE key, revoked or not.
  const Principal* FindPrincipalByKey(const RawKey& key) const;
  // The principal's organisation; never null for a principal of this policy.
  const Organisation* OrganisationOf(const Principal& principal) const {
    return FindOrganisation(principal.org);
  }

  const std::vector<Organisation>& organisations() const { return organisations_; }
  const std::vector<Principal>& principals() const { return principals_; }
  const std::vector<Rule>& rules() const { return rules_; }
  const std::vector<RateLimit>& rate_limits() const { return rate_limits_; }
  // The token bucket for principals of `role`, or null: that role is not rate limited.
  const RateLimit* RateLimitForRole(std::string_view role) const;
  const PolicyLimits& limits() const { return limits_; }
  uint32_t max_recipients() const { return limits_.max_recipients; }
  // Where the policy came from (file path), for messages.
  const std::string& source() const { return source_; }

 private:
  std::vector<Organisation> organisations_;
  std::vector<Principal> principals_;
  std::vector<Rule> rules_;
  std::vector<RateLimit> rate_limits_;
  PolicyLimits limits_;
  std::string source_;
  std::map<std::string, size_t, std::less<>> org_index_;
  std::map<std::string, size_t, std::less<>> principal_index_;
  std::map<RawKey, size_t> key_index_;
};

// Holds the policy in force. Thread-safe; readers get a snapshot that stays valid while they use
// it.
class PolicyHolder {
 public:
  explicit PolicyHolder(std::shared_ptr<const Policy> initial) : current_(std::move(initial)) {}
  PolicyHolder(const PolicyHolder&) = delete;
  PolicyHolder& operator=(const PolicyHolder&) = delete;

  std::shared_ptr<const Policy> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  void Set(std::shared_ptr<const Policy> next) {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Policy> current_;  // guarded by mu_
};

}  // namespace muster::security
