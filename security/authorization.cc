// Send and receive decisions: narrow the rules step by step so that a refusal names the first
// thing no rule allows.
#include "security/authorization.h"

#include <algorithm>
#include <functional>

namespace muster::security {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// An absent filter (empty list) matches anything.
bool FilterMatches(const std::vector<std::string>& filter, std::string_view value) {
  return filter.empty() || Contains(filter, value);
}

// A rule with an `actions` filter matches only messages carrying one of those actions.
bool ActionMatches(const Rule& rule, std::string_view action) {
  return rule.actions.empty() || (!action.empty() && Contains(rule.actions, action));
}

bool SelectsPrincipal(const Rule& rule, const Organisation* org, const Principal& p) {
  if (org == nullptr) return false;
  return FilterMatches(rule.sectors, org->sector) && FilterMatches(rule.roles, p.role) &&
         FilterMatches(rule.orgs, org->id);
}

std::vector<const Rule*> Narrow(const std::vector<const Rule*>& rules,
                                const std::function<bool(const Rule&)>& keep) {
  std::vector<const Rule*> out;
  for (const Rule* r : rules)
    if (keep(*r)) out.push_back(r);
  return out;
}

std::vector<const Rule*> RulesFor(const Policy& policy, RuleAction action, const Principal& p) {
  const Organisation* org = policy.OrganisationOf(p);
  std::vector<const Rule*> out;
  for (const auto& r : policy.rules())
    if (r.action == action && SelectsPrincipal(r, org, p)) out.push_back(&r);
  return out;
}

Status CheckVocabulary(std::string_view kind, std::string_view status, std::string_view action) {
  if (!IsKnownKind(kind)) {
    return Status::InvalidArgument("unknown message kind '" + std::string(kind) + "'");
  }
  if (!IsKnownStatus(status)) {
    return Status::InvalidArgument("unknown message status '" + std::string(status) + "'");
  }
  if (!action.empty() && !IsKnownAction(kind, action)) {
    return Status::InvalidArgument("'" + std::string(action) + "' is not an action of " +
                                   std::string(kind) + " messages");
  }
  return Status::Ok();
}

std::string Name(Clearance c) { return std::string(ClearanceName(c)); }

// "equipment 'offer'" or "alert".
std::string WhatKind(std::string_view kind, std::string_view action) {
  std::string out(kind);
  if (!action.empty()) out += " '" + std::string(action) + "'";
  return out;
}

std::string AllowedActions(const std::vector<const Rule*>& rules) {
  std::vector<std::string> seen;
  for (const Rule* r : rules)
    for (const auto& a : r->actions)
      if (!Contains(seen, a)) seen.push_back(a);
  std::string out;
  for (const auto& a : seen) out += (out.empty() ? "" : ", ") + a;
  return out;
}

}  // namespace

std::string DescribePrincipal(const Policy& policy, const Principal& p) {
  const Organisation* org = policy.OrganisationOf(p);
  return p.id + " (role " + p.role + ", sector " + (org ? org->sector : "unknown") + ")";
}

Status CheckSend(const Policy& policy, const Principal& sender, const SendRequest& request) {
  MUSTER_RETURN_IF_ERROR(CheckVocabulary(request.kind, request.status, request.action));
  for (const auto& t : request.term_types) {
    if (!IsKnownTermType(t))
      return Status::InvalidArgument("unknown addressing term type '" + t + "'");
  }
  if (sender.revoked) {
    return Status::PermissionDenied("principal '" + sender.id + "' is revoked");
  }
  if (request.classification > sender.clearance) {
    return Status::PermissionDenied("classification " + Name(request.classification) +
                                    " is above your clearance (" + Name(sender.clearance) + ")");
  }
  const std::string who = DescribePrincipal(policy, sender);
  auto rules = RulesFor(policy, RuleAction::kSend, sender);
  if (rules.empty()) return Status::PermissionDenied("no send rule allows " + who + " to send");
  rules = Narrow(rules, [&](const Rule& r) { return FilterMatches(r.kinds, request.kind); });
  if (rules.empty()) {
    return Status::PermissionDenied(who + " may not send " + request.kind + " messages");
  }
  rules = Narrow(rules, [&](const Rule& r) { return FilterMatches(r.statuses, request.status); });
  if (rules.empty()) {
    return Status::PermissionDenied(who + " may not send " + request.status + " " + request.kind +
                                    " messages");
  }
  auto with_action = Narrow(rules, [&](const Rule& r) { return ActionMatches(r, request.action); });
  if (with_action.empty()) {
    std::string allowed = AllowedActions(rules);
    return Status::PermissionDenied(who + " may not send " +
                                    (request.action.empty()
                                         ? request.kind + " messages without an action"
                                         : WhatKind(request.kind, request.action) + " messages") +
                                    (allowed.empty() ? "" : " (allowed: " + allowed + ")"));
  }
  rules = std::move(with_action);
  auto within =
      Narrow(rules, [&](const Rule& r) { return request.classification <= r.max_classification; });
  if (within.empty()) {
    Clearance highest = Clearance::kPublic;
    const Rule* best = rules.front();
    for (const Rule* r : rules) {
      if (r->max_classification > highest) {
        highest = r->max_classification;
        best = r;
      }
    }
    return Status::PermissionDenied(who + " may send " + WhatKind(request.kind, request.action) +
                                    " messages only up to " + Name(highest) + " (" + best->label() +
                                    "), not " + Name(request.classification));
  }
  rules = std::move(within);
  for (const auto& t : request.term_types) {
    bool allowed = std::any_of(rules.begin(), rules.end(),
                               [&](const Rule* r) { return FilterMatches(r->term_types, t); });
    if (!allowed) {
      std::vector<std::string> types;
      for (const Rule* r : rules)
        for (const auto& rt : r->term_types)
          if (!Contains(types, rt)) types.push_back(rt);
      std::string list;
      for (const auto& rt : types) list += (list.empty() ? "" : ", ") + rt + ":";
      return Status::PermissionDenied(who + " may not address " +
                                      WhatKind(request.kind, request.action) + " messages to " + t +
                                      ": terms (allowed: " + list + ")");
    }
  }
  return Status::Ok();
}

Status CheckReceive(const Policy& policy, const Principal& recipient,
                    const ReceiveRequest& request) {
  MUSTER_RETURN_IF_ERROR(CheckVocabulary(request.kind, request.status, request.action));
  if (!IsKnownTermType(request.via_term_type)) {
    return Status::InvalidArgument("unknown addressing term type '" + request.via_term_type + "'");
  }
  if (recipient.revoked) return Status::PermissionDenied("revoked");
  if (recipient.clearance < request.classification) {
    return Status::PermissionDenied("clearance " + Name(recipient.clearance) + " is below " +
                                    Name(request.classification));
  }
  const std::string what = WhatKind(request.kind, request.action);
  auto rules = RulesFor(policy, RuleAction::kReceive, recipient);
  rules = Narrow(rules, [&](const Rule& r) { return FilterMatches(r.kinds, request.kind); });
  if (rules.empty()) return Status::PermissionDenied("no receive rule allows " + request.kind);
  rules = Narrow(rules, [&](const Rule& r) { return FilterMatches(r.statuses, request.status); });
  if (rules.empty()) {
    return Status::PermissionDenied("no receive rule allows " + request.status + " " +
                                    request.kind);
  }
  rules = Narrow(rules, [&](const Rule& r) { return ActionMatches(r, request.action); });
  if (rules.empty()) return Status::PermissionDenied("no receive rule allows " + what);
  rules =
      Narrow(rules, [&](const Rule& r) { return request.classification <= r.max_classification; });
  if (rules.empty()) {
    return Status::PermissionDenied("no receive rule allows " + Name(request.classification) + " " +
                                    what);
  }
  rules = Narrow(rules,
                 [&](const Rule& r) { return FilterMatches(r.term_types, request.via_term_type); });
  if (rules.empty()) {
    return Status::PermissionDenied("no receive rule allows " + what + " via " +
                                    request.via_term_type + ": terms");
  }
  return Status::Ok();
}

bool MayReceive(const Policy& policy, const Principal& recipient, std::string_view kind,
                std::string_view status, Clearance classification, std::string_view via_term_type) {
  return MayReceive(policy, recipient, kind, status, classification, via_term_type, "");
}

bool MayReceive(const Policy& policy, const Principal& recipient, std::string_view kind,
                std::string_view status, Clearance classification, std::string_view via_term_type,
                std::string_view action) {
  ReceiveRequest r{std::string(kind), std::string(status), std::string(action), classification,
                   std::string(via_term_type)};
  return CheckReceive(policy, recipient, r).ok();
}

}  // namespace muster::security
