// Who is who for the workflow rules of the kind plugins: the sector of a publisher, the roles
// that take part in workflows, the principals of an organisation, and the set of extra
// recipients a step adds (unique, sorted, never the publisher itself). Pure functions over the
// policy; thread-safe.
#pragma once

#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/kinds/kind_plugin.h"
#include "schemas/common.capnp.h"
#include "security/policy.h"

namespace muster::kinds {

inline constexpr std::string_view kSectorGovernment = "government";
inline constexpr std::string_view kRoleOfficer = "officer";
inline constexpr std::string_view kRoleDutyOfficer = "duty-officer";
inline constexpr std::string_view kRoleAdapter = "adapter";
inline constexpr std::string_view kRoleAuditor = "auditor";

// adapter, officer and duty-officer act in workflows; auditors and admins never do, whatever
// their organisation.
bool IsWorkflowRole(std::string_view role);

// The publisher's sector: as the broker stamped it, else its organisation's in the policy.
std::string SectorOf(const MessageContext& context);

// Whether the publisher acts for a government-sector organisation (the bureau) in a workflow
// role.
bool ActsForGovernment(const MessageContext& context);

// The principals of `org` whose role is one of `roles` and that are not revoked, in policy order.
std::vector<std::string> PrincipalsOf(const security::Policy& policy, std::string_view org,
                                      std::initializer_list<std::string_view> roles);

// Extra recipients of one step: unique, sorted, without the publisher and without empty ids.
class RecipientSet {
 public:
  explicit RecipientSet(std::string publisher) : publisher_(std::move(publisher)) {}
  void Add(std::string_view principal);
  void AddAll(const std::vector<std::string>& principals);
  std::vector<std::string> Take() const { return {set_.begin(), set_.end()}; }

 private:
  std::string publisher_;
  std::set<std::string, std::less<>> set_;
};

// The clearance level that a message classification requires (the same four levels).
security::Clearance ClearanceFor(schema::Classification classification);

// Whether a viewer may see an object of `classification` by virtue of its role (duty officers
// and auditors see what their clearance allows).
bool SeesByRole(const Viewer& viewer, security::Clearance classification);

}  // namespace muster::kinds
