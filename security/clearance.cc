// Policy vocabulary.
#include "security/clearance.h"

#include <array>

namespace muster::security {

std::optional<Clearance> ParseClearance(std::string_view text) {
  if (text == "public") return Clearance::kPublic;
  if (text == "internal") return Clearance::kInternal;
  if (text == "restricted") return Clearance::kRestricted;
  if (text == "confidential") return Clearance::kConfidential;
  return std::nullopt;
}

std::string_view ClearanceName(Clearance c) {
  switch (c) {
    case Clearance::kPublic: return "public";
    case Clearance::kInternal: return "internal";
    case Clearance::kRestricted: return "restricted";
    case Clearance::kConfidential: return "confidential";
  }
  return "public";
}

bool IsKnownSector(std::string_view s) {
  static constexpr std::array<std::string_view, 5> kSectors = {"government", "military", "rescue",
                                                               "volunteer", "audit"};
  for (auto k : kSectors)
    if (k == s) return true;
  return false;
}

bool IsKnownRole(std::string_view r) {
  static constexpr std::array<std::string_view, 5> kRoles = {"adapter", "officer", "duty-officer",
                                                             "auditor", "admin"};
  for (auto k : kRoles)
    if (k == r) return true;
  return false;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (i == 0 && !alnum) return false;
    if (!alnum && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace muster::security
