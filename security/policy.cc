// Policy lookups.
#include "security/policy.h"

namespace muster::security {

Policy::Policy(std::vector<Organisation> organisations, std::vector<Principal> principals,
               std::string source)
    : Policy(std::move(organisations), std::move(principals), {}, {}, PolicyLimits{},
             std::move(source)) {}

Policy::Policy(std::vector<Organisation> organisations, std::vector<Principal> principals,
               std::vector<Rule> rules, std::vector<RateLimit> rate_limits, PolicyLimits limits,
               std::string source)
    : organisations_(std::move(organisations)),
      principals_(std::move(principals)),
      rules_(std::move(rules)),
      rate_limits_(std::move(rate_limits)),
      limits_(limits),
      source_(std::move(source)) {
  for (size_t i = 0; i < organisations_.size(); ++i) org_index_[organisations_[i].id] = i;
  for (size_t i = 0; i < principals_.size(); ++i) {
    principal_index_[principals_[i].id] = i;
    key_index_[principals_[i].public_key] = i;
  }
}

const Organisation* Policy::FindOrganisation(std::string_view id) const {
  auto it = org_index_.find(id);
  return it == org_index_.end() ? nullptr : &organisations_[it->second];
}

const Principal* Policy::FindPrincipal(std::string_view id) const {
  auto it = principal_index_.find(id);
  return it == principal_index_.end() ? nullptr : &principals_[it->second];
}

const Principal* Policy::FindPrincipalByKey(const RawKey& key) const {
  auto it = key_index_.find(key);
  return it == key_index_.end() ? nullptr : &principals_[it->second];
}

const RateLimit* Policy::RateLimitForRole(std::string_view role) const {
  for (const auto& r : rate_limits_)
    if (r.role == role) return &r;
  return nullptr;
}

}  // namespace muster::security
