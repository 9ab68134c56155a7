// GB/T 2260 division-code nesting.
#include "security/jurisdiction.h"

#include <string>

namespace muster::security {

bool IsDivisionCode(std::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code)
    if (c < '0' || c > '9') return false;
  int province = (code[0] - '0') * 10 + (code[1] - '0');
  return province >= 11 && province <= 82;
}

Status CheckDivisionCode(std::string_view code) {
  if (IsDivisionCode(code)) return Status::Ok();
  return Status::InvalidArgument("'" + std::string(code) +
                                 "' is not a GB/T 2260 division code (6 digits such as 320400, "
                                 "the first two a province from 11 to 82)");
}

DivisionLevel LevelOf(std::string_view code) {
  if (code.substr(2) == "0000") return DivisionLevel::kProvince;
  if (code.substr(4) == "00") return DivisionLevel::kPrefecture;
  return DivisionLevel::kCounty;
}

bool Covers(std::string_view outer, std::string_view inner) {
  if (!IsDivisionCode(outer) || !IsDivisionCode(inner)) return false;
  if (outer == inner) return true;
  switch (LevelOf(outer)) {
    case DivisionLevel::kProvince:
      return inner.substr(0, 2) == outer.substr(0, 2);
    case DivisionLevel::kPrefecture:
      return inner.substr(0, 4) == outer.substr(0, 4);
    case DivisionLevel::kCounty:
      return false;
  }
  return false;
}

bool Overlaps(std::string_view a, std::string_view b) { return Covers(a, b) || Covers(b, a); }

bool JurisdictionReaches(const std::vector<std::string>& jurisdictions, std::string_view area) {
  for (const auto& j : jurisdictions)
    if (Overlaps(j, area)) return true;
  return false;
}

}  // namespace muster::security
