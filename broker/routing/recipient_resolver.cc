// Recipient resolution.
#include "broker/routing/recipient_resolver.h"

#include <map>
#include <set>

#include "security/jurisdiction.h"

namespace muster::routing {
namespace {

// How many filtered principals a refusal names before "and N more".
constexpr size_t kMaxReasonsListed = 20;

Status ValidateRequest(const security::Policy& policy, const RouteRequest& request) {
  if (request.terms.empty()) {
    return Status::InvalidArgument(
        "the message has no addressing (use --to principal:ID, org:ID, sector:NAME, role:NAME or "
        "area:CODE)");
  }
  if (!security::IsKnownKind(request.kind)) {
    return Status::InvalidArgument("unknown message kind '" + request.kind + "'");
  }
  if (!security::IsKnownStatus(request.status)) {
    return Status::InvalidArgument("unknown message status '" + request.status + "'");
  }
  if (!request.action.empty() && !security::IsKnownAction(request.kind, request.action)) {
    return Status::InvalidArgument("'" + request.action + "' is not an action of " + request.kind +
                                   " messages");
  }
  for (const auto& id : request.terms.principals) {
    if (policy.FindPrincipal(id) == nullptr) {
      return Status::InvalidArgument("unknown principal '" + id + "' in addressing");
    }
  }
  for (const auto& org : request.terms.organisations) {
    if (policy.FindOrganisation(org) == nullptr) {
      return Status::InvalidArgument("unknown organisation '" + org + "' in addressing");
    }
  }
  for (const auto& sector : request.terms.sectors) {
    if (!security::IsKnownSector(sector)) {
      return Status::InvalidArgument("unknown sector '" + sector +
                                     "' in addressing (government, military, rescue, volunteer, "
                                     "audit)");
    }
  }
  for (const auto& role : request.terms.roles) {
    if (!security::IsKnownRole(role)) {
      return Status::InvalidArgument("unknown role '" + role +
                                     "' in addressing (adapter, officer, duty-officer, auditor, "
                                     "admin)");
    }
  }
  for (const auto& area : request.terms.areas) {
    if (Status s = security::CheckDivisionCode(area); !s.ok()) {
      return Status::InvalidArgument("area:" + area + " in addressing: " + s.message());
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<ResolvedRecipient>> ResolveRecipients(const security::Policy& policy,
                                                         const RouteRequest& request) {
  MUSTER_RETURN_IF_ERROR(ValidateRequest(policy, request));
  std::vector<ResolvedRecipient> out;
  std::set<std::string, std::less<>> accepted;
  std::map<std::string, std::string, std::less<>> denied;  // principal → first reason
  std::vector<std::string> denied_order;
  bool reached_sender = false;

  auto consider = [&](const security::Principal& p, const char* type, const std::string& value) {
    if (accepted.count(p.id)) return;
    if (p.id == request.sender) {
      reached_sender = true;
      return;
    }
    security::ReceiveRequest r{request.kind, request.status, request.action, request.classification,
                               type};
    Status s = security::CheckReceive(policy, p, r);
    if (s.ok()) {
      accepted.insert(p.id);
      out.push_back({p.id, std::string(type) + ":" + value});
    } else if (denied.emplace(p.id, s.message()).second) {
      denied_order.push_back(p.id);
    }
  };

  for (const auto& id : request.terms.principals)
    consider(*policy.FindPrincipal(id), "principal", id);
  for (const auto& org : request.terms.organisations) {
    for (const auto& p : policy.principals())
      if (p.org == org) consider(p, "org", org);
  }
  for (const auto& sector : request.terms.sectors) {
    for (const auto& p : policy.principals()) {
      const security::Organisation* o = policy.OrganisationOf(p);
      if (o != nullptr && o->sector == sector) consider(p, "sector", sector);
    }
  }
  for (const auto& role : request.terms.roles) {
    for (const auto& p : policy.principals())
      if (p.role == role) consider(p, "role", role);
  }
  for (const auto& area : request.terms.areas) {
    for (const auto& p : policy.principals()) {
      const security::Organisation* o = policy.OrganisationOf(p);
      if (o != nullptr && security::JurisdictionReaches(o->jurisdictions, area)) {
        consider(p, "area", area);
      }
    }
  }

  if (out.empty()) {
    std::string reason = "no recipient is allowed to receive this message";
    if (!denied_order.empty()) {
      reason += ": ";
      size_t listed = 0;
      for (const auto& id : denied_order) {
        if (listed == kMaxReasonsListed) {
          reason += ", and " + std::to_string(denied_order.size() - listed) + " more";
          break;
        }
        reason += (listed++ ? ", " : "") + id + " (" + denied[id] + ")";
      }
    } else if (reached_sender) {
      reason += " (the addressing names only the sender)";
    } else {
      reason += " (the addressing reaches no principal)";
    }
    return Status::FailedPrecondition(reason);
  }
  return out;
}

std::vector<std::string> TermTypes(const AddressTerms& terms) {
  std::vector<std::string> out;
  if (!terms.principals.empty()) out.push_back("principal");
  if (!terms.organisations.empty()) out.push_back("org");
  if (!terms.sectors.empty()) out.push_back("sector");
  if (!terms.roles.empty()) out.push_back("role");
  if (!terms.areas.empty()) out.push_back("area");
  return out;
}

std::string_view TermTypeOf(std::string_view matched_term) {
  auto colon = matched_term.find(':');
  return colon == std::string_view::npos ? std::string_view() : matched_term.substr(0, colon);
}

}  // namespace muster::routing
