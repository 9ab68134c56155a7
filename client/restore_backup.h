// Offline restore of a broker backup (written by `muster-admin backup`): checks the broker is not
// running on the data directory, moves the current data aside (DIR.before-restore-<time>) and
// copies the backup's store into place.
#pragma once

#include <string>

#include "common/result.h"

namespace muster::cli {

// Returns a one-line summary of what was done.
Result<std::string> RestoreBackup(const std::string& backup_dir, const std::string& data_dir);

}  // namespace muster::cli
