// Small filesystem helpers with Status results: read a whole file, write one atomically
// (temp file, fsync, rename, fsync of the directory), create directories.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

#include "common/result.h"
#include "common/status.h"

namespace muster {

// Reads a whole file. With `max_bytes`, a larger file (or an endless one such as /dev/zero) is
// refused with InvalidArgument instead of being read.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = SIZE_MAX);

// Writes `contents` to `path` so that a crash leaves either the old or the new file, never a
// partial one. `mode` is applied to the new file before it becomes visible.
Status WriteFileAtomic(const std::string& path, const std::string& contents, mode_t mode = 0644);

// Makes the entries of `dir` (files created, renamed or removed in it) durable: fsync of the
// directory itself.
Status SyncDir(const std::string& dir);

// Removes a file; ok if it is not there.
Status RemoveFile(const std::string& path);

// Creates `path` and its parents; ok if it already exists as a directory.
Status MakeDirs(const std::string& path, mode_t mode = 0755);

bool PathExists(const std::string& path);

// Directory part of `path` ("." if none) and the joining of two parts.
std::string DirName(const std::string& path);
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace muster
