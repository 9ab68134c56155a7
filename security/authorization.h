// Authorisation decisions over a Policy: may this principal send this message, may that one
// receive it. Deny by default: a send is allowed only when a send rule allows it, a receipt only
// when a receive rule does; beyond the rules, nobody sends or receives above their clearance and
// a revoked principal neither sends nor receives. Pure functions of the policy; thread-safe.
// Recipient resolution (addressing terms → principals) is in broker/routing/recipient_resolver.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "security/policy.h"

namespace muster::security {

struct SendRequest {
  std::string kind;    // alert, liaison, equipment
  std::string status;  // actual, exercise, test, system
  // The body's workflow action for liaison and equipment ("offer", "status-request"; see
  // KindActions); empty for none (alerts).
  std::string action;
  Clearance classification = Clearance::kPublic;
  // The addressing term types the message uses: principal, org, sector, role, area (each once or
  // repeated; order does not matter).
  std::vector<std::string> term_types;
};

// Ok when `sender` may send the message: not revoked, classification within its clearance, and
// for every term type used, some send rule selecting the sender allows this kind, status, action
// and classification to that term type (different term types may be allowed by different rules).
// Errors: PermissionDenied with a one-line reason naming what is not allowed ("vol-1 (role
// adapter, sector volunteer) may not send liaison messages"); InvalidArgument when the request
// names a kind, status, action or term type outside the vocabulary (a caller bug).
Status CheckSend(const Policy& policy, const Principal& sender, const SendRequest& request);

struct ReceiveRequest {
  std::string kind;
  std::string status;
  std::string action;  // empty for none
  Clearance classification = Clearance::kPublic;
  // The type of the addressing term through which the message reaches the recipient.
  std::string via_term_type;
};

// Ok when `recipient` may receive the message: not revoked, clearance at least the
// classification, and some receive rule selecting it allows this kind, status, action and
// classification via this term type. Errors: PermissionDenied with the reason, without the
// principal's id ("clearance public is below confidential", "no receive rule allows alert");
// InvalidArgument for values outside the vocabulary.
Status CheckReceive(const Policy& policy, const Principal& recipient,
                    const ReceiveRequest& request);

// For the read side (status, inbox, query views): could `recipient` have received a message of
// this kind, status and classification reaching it via `via_term_type` (the recipient's matched
// term's prefix, e.g. "area" for "area:320402")? This form is for a message without a workflow
// action; pass the action for liaison and equipment messages.
bool MayReceive(const Policy& policy, const Principal& recipient, std::string_view kind,
                std::string_view status, Clearance classification, std::string_view via_term_type);
bool MayReceive(const Policy& policy, const Principal& recipient, std::string_view kind,
                std::string_view status, Clearance classification, std::string_view via_term_type,
                std::string_view action);

// The principal's description in reasons: "vol-1 (role adapter, sector volunteer)".
std::string DescribePrincipal(const Policy& policy, const Principal& principal);

}  // namespace muster::security
