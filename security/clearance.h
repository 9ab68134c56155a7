// Clearance and classification levels, sectors and roles: the vocabulary of the policy.
// public < internal < restricted < confidential.
#pragma once

#include <optional>
#include <string_view>

namespace muster::security {

enum class Clearance { kPublic = 0, kInternal = 1, kRestricted = 2, kConfidential = 3 };

std::optional<Clearance> ParseClearance(std::string_view text);
std::string_view ClearanceName(Clearance c);

// The sectors and roles the policy knows. Anything else in a policy file is an error.
bool IsKnownSector(std::string_view sector);
bool IsKnownRole(std::string_view role);

// Principal and organisation ids: 1..64 chars of [a-z0-9._-], starting with a letter or digit.
bool IsValidId(std::string_view id);

}  // namespace muster::security
