// RecipientResolver: turns a message's addressing terms into the principals that receive it, each
// with the term that matched it. Recipients are the union of the terms — principal:ID, org:ID,
// sector:NAME, role:NAME and area:CODE (a GB/T 2260 code reaching every principal whose
// organisation's jurisdiction covers the area or lies inside it) — filtered by the policy's
// receive rules (security::CheckReceive: kind, status, action, classification, the term type the
// message reaches them through, clearance, revocation); the sender never receives its own message.
// Unknown principals, organisations, sectors or roles and malformed area codes are errors (a typo
// must not silently drop a recipient). Pure function of the policy; thread-safe.
// Whether the sender may send the message at all is security::CheckSend's decision.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "security/authorization.h"
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
  std::string kind = "alert";     // alert, liaison, equipment
  std::string status = "actual";  // actual, exercise, test, system
  std::string action;             // the body's workflow action ("offer"); empty for none
};

struct ResolvedRecipient {
  std::string principal;
  std::string matched_term;  // e.g. "principal:msd", "org:ema", "area:320402"
};

// Terms are taken in the order principal, org, sector, role, area, each list in its own order, and
// the principals a term reaches in policy order. A recipient's matched_term is the first term that
// reaches it through which a receive rule lets it receive the message: a principal reached by
// several terms receives if any of them is allowed, so adding a term never removes a recipient.
// With the demo rules this is the first matching term whenever that term is allowed. Recipients
// are returned in the order they were matched.
// Errors: InvalidArgument for empty addressing, an unknown principal, organisation, sector or role,
// a malformed area code, or a kind, status or action outside the vocabulary; FailedPrecondition
// when nobody may receive the message (the reason lists who was filtered and why, e.g.
// "vol-1 (clearance public is below confidential)", "admin (no receive rule allows alert)").
// The policy's max_recipients is not applied here.
Result<std::vector<ResolvedRecipient>> ResolveRecipients(const security::Policy& policy,
                                                         const RouteRequest& request);

// The term types `terms` uses, each once, in the order principal, org, sector, role, area: what
// security::SendRequest::term_types expects.
std::vector<std::string> TermTypes(const AddressTerms& terms);

// The type of a matched term: "area" for "area:320402"; empty when there is no ':'.
std::string_view TermTypeOf(std::string_view matched_term);

}  // namespace muster::routing
