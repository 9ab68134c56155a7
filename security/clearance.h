// The vocabulary of the policy: clearance and classification levels (public < internal <
// restricted < confidential), sectors, roles, message kinds and statuses, addressing term types
// and the workflow actions of each kind. Anything outside it in a policy file is an error.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace muster::security {

enum class Clearance { kPublic = 0, kInternal = 1, kRestricted = 2, kConfidential = 3 };

std::optional<Clearance> ParseClearance(std::string_view text);
std::string_view ClearanceName(Clearance c);

// government, military, rescue, volunteer, audit.
bool IsKnownSector(std::string_view sector);
// adapter, officer, duty-officer, auditor, admin.
bool IsKnownRole(std::string_view role);
// alert, liaison, equipment.
bool IsKnownKind(std::string_view kind);
// actual, exercise, test, system.
bool IsKnownStatus(std::string_view status);
// The addressing term types, named as their prefixes: principal, org, sector, role, area.
bool IsKnownTermType(std::string_view term_type);

// The workflow actions a kind's body carries: the enum names of schemas/liaison.capnp and
// schemas/equipment.capnp in lower case, words joined by '-' (statusRequest → "status-request").
// Alerts have none (an empty span).
std::span<const std::string_view> KindActions(std::string_view kind);
bool IsKnownAction(std::string_view kind, std::string_view action);

// Principal and organisation ids: 1..64 chars of [a-z0-9._-], starting with a letter or digit.
bool IsValidId(std::string_view id);

}  // namespace muster::security
