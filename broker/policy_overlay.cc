// Run-time revocations over the policy file.
#include "broker/policy_overlay.h"

#include <sstream>

namespace muster::broker {

std::shared_ptr<const security::Policy> WithRevocations(const security::Policy& policy,
                                                        const std::set<std::string>& revoked) {
  std::vector<security::Principal> principals = policy.principals();
  for (auto& p : principals) {
    if (revoked.count(p.id)) p.revoked = true;
  }
  return std::make_shared<const security::Policy>(policy.organisations(), std::move(principals), policy.rules(),
                                                  policy.rate_limits(), policy.limits(), policy.source());
}

std::set<std::string> LoadRevocations(const store::Store& store) {
  std::set<std::string> out;
  auto value = store.Get(store::Column::kMeta, kRevocationsKey);
  if (!value.ok() || !value->has_value()) return out;
  std::istringstream in(**value);
  std::string id;
  while (std::getline(in, id)) {
    if (!id.empty()) out.insert(id);
  }
  return out;
}

std::string EncodeRevocations(const std::set<std::string>& revoked) {
  std::string out;
  for (const auto& id : revoked) out += id + "\n";
  return out;
}

}  // namespace muster::broker
