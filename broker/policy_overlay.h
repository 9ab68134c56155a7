// The policy in force = the policy file + revocations made at run time (`muster-admin revoke`),
// which are kept in the store so they survive restarts and reloads until lifted
// (`muster-admin restore`).
#pragma once

#include <memory>
#include <set>
#include <string>

#include "broker/store/store.h"
#include "common/result.h"
#include "security/policy.h"

namespace muster::broker {

// A copy of `policy` with every principal in `revoked` marked revoked.
std::shared_ptr<const security::Policy> WithRevocations(const security::Policy& policy,
                                                        const std::set<std::string>& revoked);

// The run-time revocations stored in the meta column (one id per line).
std::set<std::string> LoadRevocations(const store::Store& store);
std::string EncodeRevocations(const std::set<std::string>& revoked);
inline constexpr char kRevocationsKey[] = "policy.revocations";

}  // namespace muster::broker
