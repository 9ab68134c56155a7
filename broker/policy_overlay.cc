// Run-time policy changes over the policy file.
#include "broker/policy_overlay.h"

#include <sstream>

#include "security/curve_keys.h"

namespace muster::broker {
namespace {

constexpr char kRevocationsKey[] = "policy.revocations";  // one id per line
constexpr char kKeysKey[] = "policy.keys";                // "id z85" per line

}  // namespace

std::shared_ptr<const security::Policy> WithOverrides(const security::Policy& policy,
                                                      const PolicyOverrides& overrides) {
  std::vector<security::Principal> principals = policy.principals();
  for (auto& p : principals) {
    if (overrides.revoked.count(p.id)) p.revoked = true;
    auto key = overrides.keys.find(p.id);
    if (key != overrides.keys.end()) {
      auto raw = security::DecodeZ85Key(key->second);
      if (raw.ok()) {
        p.public_key_z85 = key->second;
        p.public_key = *raw;
      }
    }
  }
  return std::make_shared<const security::Policy>(policy.organisations(), std::move(principals), policy.rules(),
                                                  policy.rate_limits(), policy.limits(), policy.source());
}

PolicyOverrides LoadOverrides(const store::Store& store) {
  PolicyOverrides out;
  auto revoked = store.Get(store::Column::kMeta, kRevocationsKey);
  if (revoked.ok() && revoked->has_value()) {
    std::istringstream in(**revoked);
    std::string id;
    while (std::getline(in, id)) {
      if (!id.empty()) out.revoked.insert(id);
    }
  }
  auto keys = store.Get(store::Column::kMeta, kKeysKey);
  if (keys.ok() && keys->has_value()) {
    std::istringstream in(**keys);
    std::string id, key;
    while (in >> id >> key) out.keys[id] = key;
  }
  return out;
}

void StoreOverrides(const PolicyOverrides& overrides, store::WriteSet* writes) {
  std::string revoked, keys;
  for (const auto& id : overrides.revoked) revoked += id + "\n";
  for (const auto& [id, key] : overrides.keys) keys += id + " " + key + "\n";
  writes->Put(store::Column::kMeta, kRevocationsKey, revoked);
  writes->Put(store::Column::kMeta, kKeysKey, keys);
}

}  // namespace muster::broker
