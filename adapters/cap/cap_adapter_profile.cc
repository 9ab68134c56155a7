// CAP profiles: the Chinese-practice rules.
#include "adapters/cap/cap_adapter_profile.h"

#include <string>

#include "adapters/cap/cap_geocode.h"

namespace muster::cap {
namespace {

Status CheckTime(std::string_view where, std::string_view value) {
  if (value.empty() || IsChineseProfileTime(value)) return Status::Ok();
  return Status::InvalidArgument("PROFILE_CN_TIME_OFFSET: " + std::string(where) + " '" + std::string(value) +
                                 "': the cn profile requires Beijing time, written with the offset +08:00");
}

}  // namespace

Result<CapProfile> ParseCapProfile(std::string_view name) {
  if (name.empty() || name == "none") return CapProfile::kNone;
  if (name == "cn") return CapProfile::kChina;
  return Status::InvalidArgument("unknown profile '" + std::string(name) + "': use cn (or none)");
}

Status CheckCapProfile(schema::Alert::Reader alert, CapProfile profile) {
  if (profile == CapProfile::kNone) return Status::Ok();
  MUSTER_RETURN_IF_ERROR(CheckTime("sent", alert.getSent().cStr()));
  unsigned i = 0;
  for (auto info : alert.getInfos()) {
    std::string at = "info[" + std::to_string(i++) + "]/";
    MUSTER_RETURN_IF_ERROR(CheckTime(at + "effective", info.getEffective().cStr()));
    MUSTER_RETURN_IF_ERROR(CheckTime(at + "onset", info.getOnset().cStr()));
    MUSTER_RETURN_IF_ERROR(CheckTime(at + "expires", info.getExpires().cStr()));
  }
  if (ExtractGbt2260Codes(alert).empty()) {
    return Status::InvalidArgument(
        "PROFILE_CN_MISSING_GEOCODE: alert: the cn profile requires at least one area with a GB/T 2260 "
        "division code (geocode valueName \"GB/T 2260\" with a 6-digit code, or \"CPEAS Geographic "
        "Code\" with 12 digits)");
  }
  return Status::Ok();
}

}  // namespace muster::cap
