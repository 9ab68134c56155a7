// Parties of workflow steps.
#include "broker/kinds/parties.h"

#include <algorithm>

namespace muster::kinds {

bool IsWorkflowRole(std::string_view role) {
  return role == kRoleAdapter || role == kRoleOfficer || role == kRoleDutyOfficer;
}

std::string SectorOf(const MessageContext& context) {
  if (!context.publisher.sector.empty()) return context.publisher.sector;
  if (context.policy == nullptr) return {};
  const security::Organisation* org = context.policy->FindOrganisation(context.publisher.org);
  return org == nullptr ? std::string() : org->sector;
}

bool ActsForGovernment(const MessageContext& context) {
  return IsWorkflowRole(context.publisher.role) && SectorOf(context) == kSectorGovernment;
}

std::vector<std::string> PrincipalsOf(const security::Policy& policy, std::string_view org,
                                      std::initializer_list<std::string_view> roles) {
  std::vector<std::string> out;
  for (const security::Principal& p : policy.principals()) {
    if (p.org != org || p.revoked) continue;
    if (std::find(roles.begin(), roles.end(), p.role) == roles.end()) continue;
    out.push_back(p.id);
  }
  return out;
}

void RecipientSet::Add(std::string_view principal) {
  if (principal.empty() || principal == publisher_) return;
  set_.emplace(principal);
}

void RecipientSet::AddAll(const std::vector<std::string>& principals) {
  for (const auto& p : principals) Add(p);
}

security::Clearance ClearanceFor(schema::Classification classification) {
  switch (classification) {
    case schema::Classification::PUBLIC:
      return security::Clearance::kPublic;
    case schema::Classification::INTERNAL:
      return security::Clearance::kInternal;
    case schema::Classification::RESTRICTED:
      return security::Clearance::kRestricted;
    case schema::Classification::CONFIDENTIAL:
      return security::Clearance::kConfidential;
  }
  return security::Clearance::kConfidential;  // unknown: the most restrictive
}

bool SeesByRole(const Viewer& viewer, security::Clearance classification) {
  return (viewer.role == kRoleDutyOfficer || viewer.role == kRoleAuditor) &&
         viewer.clearance >= classification;
}

}  // namespace muster::kinds
