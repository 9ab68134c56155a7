// The policy in force = the policy file + changes made at run time with muster-admin: revocations
// (`revoke`, lifted by `restore`) and replaced keys (`set-key`). They are kept in the store so they
// survive restarts and reloads.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "broker/store/store.h"
#include "common/result.h"
#include "security/policy.h"

namespace muster::broker {

struct PolicyOverrides {
  std::set<std::string> revoked;
  std::map<std::string, std::string> keys;  // principal -> Z85 public key
};

// A copy of `policy` with the overrides applied.
std::shared_ptr<const security::Policy> WithOverrides(const security::Policy& policy,
                                                      const PolicyOverrides& overrides);

// The overrides stored in the meta column.
PolicyOverrides LoadOverrides(const store::Store& store);
// Adds the writes that store `overrides` to `writes`.
void StoreOverrides(const PolicyOverrides& overrides, store::WriteSet* writes);

}  // namespace muster::broker
