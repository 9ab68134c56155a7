// Policy vocabulary.
#include "security/clearance.h"

#include <array>

namespace muster::security {
namespace {

constexpr std::array<std::string_view, 5> kSectors = {"government", "military", "rescue",
                                                      "volunteer", "audit"};
constexpr std::array<std::string_view, 5> kRoles = {"adapter", "officer", "duty-officer",
                                                    "auditor", "admin"};
constexpr std::array<std::string_view, 3> kKinds = {"alert", "liaison", "equipment"};
constexpr std::array<std::string_view, 4> kStatuses = {"actual", "exercise", "test", "system"};
constexpr std::array<std::string_view, 5> kTermTypes = {"principal", "org", "sector", "role",
                                                        "area"};
constexpr std::array<std::string_view, 6> kLiaisonActions = {"propose", "accept",   "decline",
                                                             "arrive",  "handover", "release"};
constexpr std::array<std::string_view, 11> kEquipmentActions = {
    "request", "offer",  "commit",  "decline",        "dispatch",      "deliver",
    "return",  "cancel", "release", "status-request", "status-report"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view value) {
  for (auto k : list)
    if (k == value) return true;
  return false;
}

}  // namespace

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

bool IsKnownSector(std::string_view s) { return Contains(kSectors, s); }
bool IsKnownRole(std::string_view r) { return Contains(kRoles, r); }
bool IsKnownKind(std::string_view k) { return Contains(kKinds, k); }
bool IsKnownStatus(std::string_view s) { return Contains(kStatuses, s); }
bool IsKnownTermType(std::string_view t) { return Contains(kTermTypes, t); }

std::span<const std::string_view> KindActions(std::string_view kind) {
  if (kind == "liaison") return kLiaisonActions;
  if (kind == "equipment") return kEquipmentActions;
  return {};
}

bool IsKnownAction(std::string_view kind, std::string_view action) {
  for (auto a : KindActions(kind))
    if (a == action) return true;
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
