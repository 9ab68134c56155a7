// musterd configuration loading and validation.
#include "broker/config.h"

#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "common/files.h"
#include "common/log.h"

namespace muster::broker {
namespace {

Status KeyError(const std::string& path, const toml::node& node, const std::string& what) {
  std::ostringstream msg;
  msg << path << ":" << node.source().begin.line << ": " << what;
  return Status::InvalidArgument(msg.str());
}

Status ReadString(const std::string& path, const toml::table& t, const char* key, std::string* out) {
  if (const toml::node* n = t.get(key)) {
    auto v = n->value<std::string>();
    if (!v) return KeyError(path, *n, std::string("'") + key + "' must be a string");
    *out = *v;
  }
  return Status::Ok();
}

Status ReadU32(const std::string& path, const toml::table& t, const char* key, uint32_t* out) {
  if (const toml::node* n = t.get(key)) {
    auto v = n->value<int64_t>();
    if (!v || *v < 0 || *v > 0xffffffffll) {
      return KeyError(path, *n, std::string("'") + key + "' must be a non-negative integer");
    }
    *out = static_cast<uint32_t>(*v);
  }
  return Status::Ok();
}

Status CheckKeys(const std::string& path, const toml::table& t, const std::set<std::string>& allowed,
                 const std::string& section) {
  for (const auto& [key, node] : t) {
    if (!allowed.count(std::string(key.str()))) {
      return KeyError(path, node, "unknown key '" + std::string(key.str()) + "' in [" + section + "]");
    }
  }
  return Status::Ok();
}

}  // namespace

Status BrokerConfig::Validate() const {
  if (name.empty() || name.find_first_of(" \t\n/") != std::string::npos) {
    return Status::InvalidArgument("broker.name must be non-empty without spaces or '/'");
  }
  if (bind.rfind("tcp://", 0) != 0 && bind.rfind("ipc://", 0) != 0) {
    return Status::InvalidArgument("broker.bind must be a tcp:// or ipc:// endpoint, got '" + bind + "'");
  }
  if (data_dir.empty()) return Status::InvalidArgument("broker.data_dir must be set");
  if (secret_key.empty()) return Status::InvalidArgument("broker.secret_key must be set");
  if (policy.empty()) return Status::InvalidArgument("broker.policy must be set");
  if (signing_key.empty()) return Status::InvalidArgument("broker.signing_key must be set");
  LogLevel level;
  if (!ParseLogLevel(log_level, &level)) {
    return Status::InvalidArgument("broker.log_level must be debug, info, warn or error");
  }
  if (!metrics.empty() && metrics.rfind("127.", 0) != 0 && metrics.rfind("localhost:", 0) != 0 &&
      metrics.rfind("[::1]:", 0) != 0) {
    return Status::InvalidArgument("broker.metrics must be a loopback HOST:PORT (e.g. 127.0.0.1:7751), got '" +
                                   metrics + "'");
  }
  if (max_frame_bytes < 1024 || max_frame_bytes > (64u << 20)) {
    return Status::InvalidArgument("limits.max_frame_bytes must be between 1024 and 67108864");
  }
  if (delivery_window < 1 || delivery_window > 100000) {
    return Status::InvalidArgument("limits.delivery_window must be between 1 and 100000");
  }
  if (heartbeat_ms < 100) return Status::InvalidArgument("limits.heartbeat_ms must be at least 100");
  if (session_timeout_ms < 2 * heartbeat_ms) {
    return Status::InvalidArgument("limits.session_timeout_ms must be at least twice heartbeat_ms");
  }
  if (max_recipients < 1) return Status::InvalidArgument("limits.max_recipients must be at least 1");
  if (max_text_bytes < 256) return Status::InvalidArgument("limits.max_text_bytes must be at least 256");
  if (store_memory_mb < 32) return Status::InvalidArgument("limits.store_memory_mb must be at least 32");
  return Status::Ok();
}

Result<BrokerConfig> LoadBrokerConfig(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext("config");
  toml::table root;
  try {
    root = toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path << ":" << e.source().begin.line << ": " << e.description();
    return Status::InvalidArgument(msg.str());
  }
  BrokerConfig c;
  for (const auto& [key, node] : root) {
    if (key != "broker" && key != "limits") {
      return KeyError(path, node, "unknown section [" + std::string(key.str()) + "] (expected [broker] or [limits])");
    }
    if (!node.is_table()) return KeyError(path, node, "'" + std::string(key.str()) + "' must be a table");
  }
  if (auto* b = root["broker"].as_table()) {
    MUSTER_RETURN_IF_ERROR(CheckKeys(path, *b, {"name", "bind", "data_dir", "secret_key", "signing_key", "previous_signing_keys", "policy", "log_level",
                                    "metrics"}, "broker"));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "name", &c.name));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "bind", &c.bind));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "data_dir", &c.data_dir));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "secret_key", &c.secret_key));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "policy", &c.policy));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "signing_key", &c.signing_key));
    if (const toml::node* n = b->get("previous_signing_keys")) {
      auto* list = n->as_array();
      if (!list) return KeyError(path, *n, "'previous_signing_keys' must be a list of key files");
      for (auto& item : *list) {
        auto v = item.value<std::string>();
        if (!v) return KeyError(path, item, "'previous_signing_keys' must be a list of key files");
        c.previous_signing_keys.push_back(*v);
      }
    }
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "log_level", &c.log_level));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "metrics", &c.metrics));
  }
  if (auto* l = root["limits"].as_table()) {
    MUSTER_RETURN_IF_ERROR(CheckKeys(path, *l, {"max_frame_bytes", "delivery_window", "heartbeat_ms",
                                                "session_timeout_ms", "max_recipients", "max_text_bytes",
                                                "store_memory_mb"},
                                     "limits"));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *l, "max_frame_bytes", &c.max_frame_bytes));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *l, "delivery_window", &c.delivery_window));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *l, "heartbeat_ms", &c.heartbeat_ms));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *l, "session_timeout_ms", &c.session_timeout_ms));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *l, "max_recipients", &c.max_recipients));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *l, "max_text_bytes", &c.max_text_bytes));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *l, "store_memory_mb", &c.store_memory_mb));
  }
  std::string base = DirName(path);
  c.data_dir = JoinPath(base, c.data_dir);
  c.secret_key = JoinPath(base, c.secret_key);
  c.policy = JoinPath(base, c.policy);
  c.signing_key = JoinPath(base, c.signing_key);
  for (auto& k : c.previous_signing_keys) k = JoinPath(base, k);
  MUSTER_RETURN_IF_ERROR(c.Validate().WithContext(path));
  return c;
}

}  // namespace muster::broker
