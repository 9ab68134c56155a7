// RecipientResolver: turns a message's addressing terms into the principals that receive it,
// each with the term that matched it, filtered by policy: a recipient must exist, not be revoked,
// not be the sender, and hold a clearance at least the message's classification.
// Unknown principals or organisations in the addressing are errors (a typo must not silently
// drop a recipient). Pure function of the policy; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "security/policy.h"

namespace muster::routing {

struct AddressTerms {
  std::vector<std::string> principals;
  std::vector<std::string> organisations;
  std::vector<std::string> sectors;
  std::vector<std::string> roles;
  std::vector<std::string> areas;
  bool empty() const {
    return principals.empty() && organisations.empty() && sectors.empty() && roles.empty() &&
           areas.empty();
  }
};

struct RouteRequest {
  std::string sender;
  security::Clearance classification = security::Clearance::kPublic;
  AddressTerms terms;
};

struct ResolvedRecipient {
  std::string principal;
  std::string matched_term;  // e.g. "principal:msd" or "org:ema"
};

// Errors: InvalidArgument for an unknown or unsupported term; FailedPrecondition when the terms
// resolve to nobody allowed to receive the message (the reason lists who was filtered and why).
Result<std::vector<ResolvedRecipient>> ResolveRecipients(const security::Policy& policy,
                                                         const RouteRequest& request);

}  // namespace muster::routing
