// Watched-directory file handling shared by the adapters' run commands.
#include "client/watch_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/files.h"

namespace muster::cli {

bool IsSkippedInWatchDir(const std::string& name) {
  auto ends = [&](const char* suffix) {
    size_t n = std::strlen(suffix);
    return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
  };
  return name.empty() || name[0] == '.' || ends(".tmp") || ends(".part");
}

Status FileAway(const std::string& watch, const std::string& sub, const std::string& name,
                const std::string& suffix, const std::string& note) {
  const std::string to = JoinPath(watch, sub);
  MUSTER_RETURN_IF_ERROR(WriteFileAtomic(JoinPath(to, name + "." + suffix), note, 0644));
  if (::rename(JoinPath(watch, name).c_str(), JoinPath(to, name).c_str()) != 0) {
    return Status::IoError("rename " + name + " into " + sub + "/: " + std::strerror(errno));
  }
  MUSTER_RETURN_IF_ERROR(SyncDir(watch));
  return SyncDir(to);
}

}  // namespace muster::cli
