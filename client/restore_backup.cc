// Restoring a backup into a broker's data directory.
#include "client/restore_backup.h"

#include <ctime>
#include <filesystem>

#include "broker/store/store.h"
#include "common/files.h"

namespace muster::cli {

Result<std::string> RestoreBackup(const std::string& backup_dir, const std::string& data_dir) {
  namespace fs = std::filesystem;
  std::string source = JoinPath(backup_dir, "db");
  if (!PathExists(JoinPath(source, "CURRENT"))) {
    return Status::NotFound(backup_dir + " is not a Muster backup (no db/CURRENT); make one with muster-admin backup");
  }
  // The backup must open as a store.
  {
    auto check = store::Store::Open({source, /*read_only=*/true});
    if (!check.ok()) return check.status().WithContext("backup " + backup_dir);
  }
  std::string moved;
  if (PathExists(data_dir)) {
    {
      // Refuse while a broker holds the store (the probe's lock is released at the end of scope).
      auto live = store::Store::Open({data_dir});
      if (!live.ok() && live.status().code() == StatusCode::kUnavailable) {
        return Status::FailedPrecondition("the store in " + data_dir + " is in use: stop musterd first");
      }
    }
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", std::gmtime(&now));
    moved = data_dir + ".before-restore-" + stamp;
    std::error_code ec;
    fs::rename(data_dir, moved, ec);
    if (ec) return Status::IoError("cannot move " + data_dir + " aside: " + ec.message());
  }
  std::error_code ec;
  fs::copy(source, data_dir, fs::copy_options::recursive, ec);
  if (ec) return Status::IoError("cannot copy the backup into " + data_dir + ": " + ec.message());
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  return std::string("restored ") + backup_dir + " into " + data_dir +
         (moved.empty() ? "" : "; the previous data is in " + moved);
}

}  // namespace muster::cli
