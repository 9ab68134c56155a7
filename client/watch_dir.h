// The directory an agency drops documents into for an adapter's run (muster-cap, muster-edxl):
// which names are never read, and how a document is filed away once its fate is known (into
// done/ with its receipt, or failed/ with its error). Pure functions over the file system;
// thread-safe as the file system is.
#pragma once

#include <string>

#include "common/status.h"

namespace muster::cli {

// Names an agency uses while it writes a file, never read: hidden (".name"), "*.tmp", "*.part".
bool IsSkippedInWatchDir(const std::string& name);

// Moves WATCH/NAME into WATCH/SUB/ (which must exist), with WATCH/SUB/NAME.SUFFIX holding `note`
// written atomically before it; then fsyncs both directories. IoError naming what failed; the
// file stays in WATCH when the note or the rename failed.
Status FileAway(const std::string& watch, const std::string& sub, const std::string& name,
                const std::string& suffix, const std::string& note);

}  // namespace muster::cli
