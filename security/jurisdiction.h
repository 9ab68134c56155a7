// GB/T 2260 administrative division codes and their nesting: a province XX0000 covers its
// prefectures XXYY00, which cover their counties XXYYZZ (320000 Jiangsu covers 320400 Changzhou,
// which covers 320481 Liyang and 320402 Tianning). Used to match `area:CODE` addressing against
// organisations' jurisdictions. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace muster::security {

enum class DivisionLevel { kProvince, kPrefecture, kCounty };

// Six ASCII digits whose first two (the province) are within 11..82, the range GB/T 2260 uses.
bool IsDivisionCode(std::string_view code);

// Ok, or InvalidArgument naming the code and the expected form.
Status CheckDivisionCode(std::string_view code);

// REQUIRES: IsDivisionCode(code). XX0000 is a province, XXYY00 a prefecture, anything else a
// county-level division.
DivisionLevel LevelOf(std::string_view code);

// True when `outer` is `inner` or contains it. Invalid codes cover nothing.
bool Covers(std::string_view outer, std::string_view inner);

// True when one of the two divisions covers the other.
bool Overlaps(std::string_view a, std::string_view b);

// True when some division of `jurisdictions` overlaps `area`: an area term reaches an
// organisation responsible for a division containing the area (the city bureau gets an alert for
// one of its districts) or inside it (a district station gets a city-wide alert).
bool JurisdictionReaches(const std::vector<std::string>& jurisdictions, std::string_view area);

}  // namespace muster::security
