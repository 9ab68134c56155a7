// Policy: who exists and what they are — organisations {id, name, sector, jurisdictions} and
// principals {id, org, role, clearance, public key, revoked}. Immutable once built; share it as
// std::shared_ptr<const Policy>. PolicyHolder lets the ZAP thread and the broker thread read the
// current policy while a reload swaps in a new one atomically.
#pragma once

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

class Policy {
 public:
  Policy(std::vector<Organisation> organisations, std::vector<Principal> principals,
         std::string source);

  const Organisation* FindOrganisation(std::string_view id) const;
  const Principal* FindPrincipal(std::string_view id) const;
  // Finds the principal holding this CURVE key, revoked or not.
  const Principal* FindPrincipalByKey(const RawKey& key) const;

  const std::vector<Organisation>& organisations() const { return organisations_; }
  const std::vector<Principal>& principals() const { return principals_; }
  // Where the policy came from (file path), for messages.
  const std::string& source() const { return source_; }

 private:
  std::vector<Organisation> organisations_;
  std::vector<Principal> principals_;
  std::string source_;
  std::map<std::string, size_t, std::less<>> org_index_;
  std::map<std::string, size_t, std::less<>> principal_index_;
  std::map<RawKey, size_t> key_index_;
};

// Holds the policy in force. Thread-safe; readers get a snapshot that stays valid while they use it.
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
