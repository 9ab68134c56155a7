// Recipient resolution.
#include "broker/routing/recipient_resolver.h"

#include <set>

namespace muster::routing {

Result<std::vector<ResolvedRecipient>> ResolveRecipients(const security::Policy& policy,
                                                         const RouteRequest& request) {
  if (request.terms.empty()) {
    return Status::InvalidArgument("the message has no addressing (use --to principal:ID or org:ID)");
  }
  if (!request.terms.sectors.empty() || !request.terms.roles.empty() || !request.terms.areas.empty()) {
    return Status::InvalidArgument(
        "sector:, role: and area: addressing are not enabled on this broker; use principal: or org:");
  }
  std::vector<ResolvedRecipient> out;
  std::set<std::string> seen;
  std::vector<std::string> filtered;
  auto consider = [&](const security::Principal& p, const std::string& term) {
    if (seen.count(p.id)) return;
    seen.insert(p.id);
    if (p.id == request.sender) return;
    if (p.revoked) {
      filtered.push_back(p.id + " (revoked)");
      return;
    }
    if (p.clearance < request.classification) {
      filtered.push_back(p.id + " (clearance " + std::string(security::ClearanceName(p.clearance)) +
                         " is below " + std::string(security::ClearanceName(request.classification)) +
                         ")");
      return;
    }
    out.push_back({p.id, term});
  };
  for (const auto& id : request.terms.principals) {
    const security::Principal* p = policy.FindPrincipal(id);
    if (p == nullptr) return Status::InvalidArgument("unknown principal '" + id + "' in addressing");
    consider(*p, "principal:" + id);
  }
  for (const auto& org : request.terms.organisations) {
    if (policy.FindOrganisation(org) == nullptr) {
      return Status::InvalidArgument("unknown organisation '" + org + "' in addressing");
    }
    for (const auto& p : policy.principals()) {
      if (p.org == org) consider(p, "org:" + org);
    }
  }
  if (out.empty()) {
    std::string reason = "no recipient is allowed to receive this message";
    if (!filtered.empty()) {
      reason += ": ";
      for (size_t i = 0; i < filtered.size(); ++i) reason += (i ? ", " : "") + filtered[i];
    } else {
      reason += " (the addressing names only the sender)";
    }
    return Status::FailedPrecondition(reason);
  }
  return out;
}

}  // namespace muster::routing
