// Logger: one line per event, "time level component message key=value…", to a FILE (stderr by
// default, which journald collects). Owned by main() and passed down by reference; thread-safe.
// Never pass secret keys or payloads as fields (length and hash prefix at most).
#pragma once

#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace muster {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug", "info", "warn", "error"; returns false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* out);

using LogField = std::pair<std::string_view, std::string>;

class Logger {
 public:
  explicit Logger(std::FILE* out = stderr, LogLevel min_level = LogLevel::kInfo)
      : out_(out), min_level_(min_level) {}
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void set_min_level(LogLevel level) { min_level_ = level; }
  bool Enabled(LogLevel level) const { return level >= min_level_; }

  void Log(LogLevel level, std::string_view component, std::string_view message,
           std::initializer_list<LogField> fields = {});
  void Debug(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kDebug, c, m, f);
  }
  void Info(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kInfo, c, m, f);
  }
  void Warn(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kWarn, c, m, f);
  }
  void Error(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kError, c, m, f);
  }

 private:
  std::FILE* out_;
  LogLevel min_level_;
  std::mutex mu_;
};

}  // namespace muster
