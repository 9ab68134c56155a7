// Helpers for Chinese practice layered on CAP 1.2 (standards.md §4): GB/T 2260 administrative
// division codes carried in <geocode>, and Beijing-time (+08:00) dateTimes. A profile, not part
// of CAP: these never refuse an alert, they only read what is there. Pure functions, thread-safe.
//
// Geocodes that count as GB/T 2260 area codes:
//   - valueName naming GB/T 2260, compared case-insensitively after dropping spaces, '/', '-',
//     '_' and '.': "GB/T 2260", "GB/T2260", "GBT2260", "GB 2260", "gb2260", optionally with the
//     edition year ("GB/T 2260-2007"); also "AdminCode" and "行政区划代码".
//     The value must be exactly a 6-digit code (see IsGbt2260Code).
//   - valueName "CPEAS Geographic Code" (same comparison), as sent by China Meteorological
//     Administration (wmo-capvalidator cn sample): a 12-digit statistical code whose first six
//     digits are the GB/T 2260 county-level code (six more digits for township and village).
//     The value must be 12 digits and its first six must pass IsGbt2260Code; those six are used.
// Surrounding XML whitespace in the value is ignored. Anything else is skipped silently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schemas/alert.capnp.h"

namespace muster::cap {

// True when `value_name` names GB/T 2260 6-digit codes (the first group above).
bool IsGbt2260ValueName(std::string_view value_name);

// True when `value_name` names CPEAS 12-digit codes.
bool IsCpeasValueName(std::string_view value_name);

// Six ASCII digits whose first two (the province) are within 11..82, the range GB/T 2260 uses.
bool IsGbt2260Code(std::string_view code);

// Every GB/T 2260 code found in any info/area/geocode, each once, in document order.
std::vector<std::string> ExtractGbt2260Codes(schema::Alert::Reader alert);

// True when `text` is a valid CAP dateTime (the rules ParseCap enforces) written in Beijing time,
// i.e. with the offset "+08:00".
bool IsChineseProfileTime(std::string_view text);

}  // namespace muster::cap
