// Policy changes as audit events: a snapshot of who holds which key with which role, kept in the
// store, and the difference between the last snapshot and the policy now in force (principals
// added, revoked or removed, changed), so every enrolment and revocation is in the audit log —
// also changes made to the policy file while the broker was down.
#pragma once

#include <string>
#include <vector>

#include "broker/audit/audit_log.h"
#include "security/policy.h"

namespace muster::broker {

// One line per principal: "id org role clearance key revoked".
std::string PolicySnapshot(const security::Policy& policy);

// Events turning `previous` (a snapshot, possibly empty) into `current`.
std::vector<audit::AuditEvent> PolicyChanges(const std::string& previous, const security::Policy& current);

}  // namespace muster::broker
