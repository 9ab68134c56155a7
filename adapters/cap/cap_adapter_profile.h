// CapProfile: the extra rules an adapter can require of CAP 1.2 alerts on top of ParseCap.
// Profiles stay within CAP (standards.md §1.6); they only refuse more.
//
// "cn", Chinese practice (standards.md §4):
//   - every dateTime of the alert itself (sent, and each info's effective, onset, expires) is
//     written in Beijing time with the offset "+08:00" (PROFILE_CN_TIME_OFFSET). The alert keeps
//     the times exactly as written: nothing is normalised.
//   - at least one area carries a GB/T 2260 division code (a 6-digit "GB/T 2260" geocode or a
//     12-digit "CPEAS Geographic Code", see cap_geocode.h): PROFILE_CN_MISSING_GEOCODE. These
//     codes are what the adapter addresses the alert to.
//   - identifiers in the issuer-code style, "CN-<issuer code>-<yyyymmddhhmmss>-<n>", need no rule
//     of their own: they pass CAP's identifier rules (no whitespace, ',', '<' or '&').
// Errors are Status::InvalidArgument "<CODE>: <where> '<value>': <why>", like ParseCap's.
// Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "schemas/alert.capnp.h"

namespace muster::cap {

enum class CapProfile { kNone, kChina };

// "" or "none" -> kNone, "cn" -> kChina; anything else is InvalidArgument.
Result<CapProfile> ParseCapProfile(std::string_view name);

// Checks `alert` (as ParseCap produced it) against `profile`; kNone accepts everything.
Status CheckCapProfile(schema::Alert::Reader alert, CapProfile profile);

}  // namespace muster::cap
