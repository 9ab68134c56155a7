// Flags the adapters share on the way in.
#include "client/adapter_intake.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "common/files.h"

namespace muster::cli {
namespace {

// `values` in the order the help names them.
template <typename T>
Result<T> Lookup(const std::vector<std::pair<std::string, T>>& values, const std::string& value,
                 const std::string& flag) {
  std::string names;
  for (const auto& [name, v] : values) {
    if (name == value) return v;
    names += (names.empty() ? "" : ", ") + name;
  }
  return Status::InvalidArgument(flag + " must be one of " + names + ", not '" + value + "'");
}

}  // namespace

Result<schema::MessageStatus> StatusFlag(const std::string& value) {
  static const std::vector<std::pair<std::string, schema::MessageStatus>> kValues = {
      {"actual", schema::MessageStatus::ACTUAL},
      {"exercise", schema::MessageStatus::EXERCISE},
      {"test", schema::MessageStatus::TEST},
      {"system", schema::MessageStatus::SYSTEM}};
  return Lookup(kValues, value, "--status");
}

Result<schema::Classification> ClassificationFlag(const std::string& value) {
  static const std::vector<std::pair<std::string, schema::Classification>> kValues = {
      {"public", schema::Classification::PUBLIC},
      {"internal", schema::Classification::INTERNAL},
      {"restricted", schema::Classification::RESTRICTED},
      {"confidential", schema::Classification::CONFIDENTIAL}};
  return Lookup(kValues, value, "--classification");
}

Result<schema::Precedence> PrecedenceFlag(const std::string& value) {
  static const std::vector<std::pair<std::string, schema::Precedence>> kValues = {
      {"flash", schema::Precedence::FLASH},
      {"immediate", schema::Precedence::IMMEDIATE},
      {"priority", schema::Precedence::PRIORITY},
      {"routine", schema::Precedence::ROUTINE}};
  return Lookup(kValues, value, "--precedence");
}

std::string AdapterOutboxDir(const std::string& outbox_flag, const GlobalFlags& g) {
  if (!outbox_flag.empty()) return outbox_flag;
  std::string key = g.key;
  if (key.empty() && std::getenv("MUSTER_KEY")) key = std::getenv("MUSTER_KEY");
  if (!key.empty()) {
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".key") == 0) key.resize(key.size() - 4);
    return key + ".outbox";
  }
  const char* home = std::getenv("HOME");
  return JoinPath(home ? home : ".", ".muster/outbox");
}

}  // namespace muster::cli
