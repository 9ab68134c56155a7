// muster-gateway configuration: strict TOML loading and validation.
#include "adapters/gateway/gateway_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "common/files.h"
#include "common/log.h"

namespace muster::gateway {
namespace {

Status KeyError(const std::string& path, const toml::node& node, const std::string& what) {
  std::ostringstream msg;
  msg << path << ":" << node.source().begin.line << ": " << what;
  return Status::InvalidArgument(msg.str());
}

Status ReadString(const std::string& path, const toml::table& t, const char* key,
                  std::string* out) {
  if (const toml::node* n = t.get(key)) {
    auto v = n->value<std::string>();
    if (!v) return KeyError(path, *n, std::string("'") + key + "' must be a string");
    *out = *v;
  }
  return Status::Ok();
}

Status ReadBool(const std::string& path, const toml::table& t, const char* key, bool* out) {
  if (const toml::node* n = t.get(key)) {
    if (!n->is_boolean())
      return KeyError(path, *n, std::string("'") + key + "' must be true or false");
    *out = n->value<bool>().value_or(false);
  }
  return Status::Ok();
}

Status ReadU32(const std::string& path, const toml::table& t, const char* key, uint32_t* out) {
  if (const toml::node* n = t.get(key)) {
    auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;
    if (!v || *v < 0 || *v > 0xffffffffll) {
      return KeyError(path, *n, std::string("'") + key + "' must be a non-negative integer");
    }
    *out = static_cast<uint32_t>(*v);
  }
  return Status::Ok();
}

Status CheckKeys(const std::string& path, const toml::table& t,
                 const std::set<std::string>& allowed, const std::string& section) {
  for (const auto& [key, node] : t) {
    if (!allowed.count(std::string(key.str()))) {
      return KeyError(path, node,
                      "unknown key '" + std::string(key.str()) + "' in [" + section + "]");
    }
  }
  return Status::Ok();
}

bool IsHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool ValidAgencyName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  if (name[0] == '.' || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Splits HOST:PORT ([V6]:PORT); false if malformed.
bool SplitListen(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= listen.size()) return false;
  std::string h = listen.substr(0, colon);
  std::string p = listen.substr(colon + 1);
  if (h.front() == '[') {
    if (h.back() != ']' || h.size() < 3) return false;
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    return false;  // an IPv6 host needs brackets
  }
  if (p.size() > 5 || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  int n = std::stoi(p);
  if (n < 1 || n > 65535) return false;
  *host = h;
  *port = n;
  return true;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string GatewayConfig::ListenHost() const {
  std::string host;
  int port = 0;
  return SplitListen(listen, &host, &port) ? host : std::string();
}

int GatewayConfig::ListenPort() const {
  std::string host;
  int port = 0;
  return SplitListen(listen, &host, &port) ? port : 0;
}

Status GatewayConfig::Validate() const {
  std::string host;
  int port = 0;
  if (!SplitListen(listen, &host, &port)) {
    return Status::InvalidArgument("gateway.listen must be HOST:PORT (or [IPv6]:PORT), got '" +
                                   listen + "'");
  }
  if (insecure_http) {
    if (!IsLoopbackHost(host)) {
      return Status::InvalidArgument(
          "gateway.insecure_http is allowed only with a loopback listen address "
          "(127.0.0.1, ::1, localhost), not '" +
          host + "': agencies get HTTPS");
    }
    if (!cert.empty() || !key.empty()) {
      return Status::InvalidArgument(
          "gateway.insecure_http = true and gateway.cert/key are both set: choose one");
    }
  } else if (cert.empty() || key.empty()) {
    return Status::InvalidArgument(
        "gateway.cert and gateway.key must name the PEM certificate and key for HTTPS "
        "(plain HTTP only with insecure_http = true on a loopback address)");
  }
  if (state_dir.empty()) return Status::InvalidArgument("gateway.state_dir must be set");
  LogLevel level;
  if (!ParseLogLevel(log_level, &level))
    return Status::InvalidArgument("gateway.log_level must be debug, info, warn or error");
  if (threads > 1024) return Status::InvalidArgument("gateway.threads must be at most 1024");
  if (max_body_bytes < 1024 || max_body_bytes > (16u << 20)) {
    return Status::InvalidArgument("gateway.max_body_bytes must be between 1024 and 16777216");
  }
  if (publish_wait_ms > 60000)
    return Status::InvalidArgument("gateway.publish_wait_ms must be at most 60000");
  if (max_pending < 1) return Status::InvalidArgument("gateway.max_pending must be at least 1");
  if (idempotency_days < 1 || idempotency_days > 3650) {
    return Status::InvalidArgument("gateway.idempotency_days must be between 1 and 3650");
  }
  if (sse_heartbeat_ms < 100 || sse_heartbeat_ms > 300000) {
    return Status::InvalidArgument("gateway.sse_heartbeat_ms must be between 100 and 300000");
  }
  if (max_replay_events < 1)
    return Status::InvalidArgument("gateway.max_replay_events must be at least 1");
  if (broker.rfind("tcp://", 0) != 0 && broker.rfind("ipc://", 0) != 0) {
    return Status::InvalidArgument("broker.endpoint must be a tcp:// or ipc:// endpoint, got '" +
                                   broker + "'");
  }
  if (server_key.empty())
    return Status::InvalidArgument("broker.server_key must name the broker's public key");
  if (connect_timeout_ms < 100 || connect_timeout_ms > 60000) {
    return Status::InvalidArgument("broker.connect_timeout_ms must be between 100 and 60000");
  }
  if (agencies.empty())
    return Status::InvalidArgument("no [[agency]]: the gateway serves at least one agency");
  std::set<std::string> names, tokens, keys;
  for (const auto& a : agencies) {
    std::string where = "[[agency]] at line " + std::to_string(a.line);
    if (!ValidAgencyName(a.name)) {
      return Status::InvalidArgument(
          where +
          ": name must be the agency's principal id (letters, digits, '-', '_', "
          "'.', at most 64), got '" +
          a.name + "'");
    }
    if (!names.insert(a.name).second)
      return Status::InvalidArgument(where + ": agency '" + a.name + "' is listed twice");
    if (a.key_file.empty())
      return Status::InvalidArgument(where + ": key_file must name the agency's secret key");
    if (!keys.insert(a.key_file).second) {
      return Status::InvalidArgument(where + ": key_file " + a.key_file +
                                     " is used by another agency");
    }
    if (!IsHex64(a.token_sha256)) {
      return Status::InvalidArgument(where +
                                     ": token_sha256 must be 64 lowercase hex digits "
                                     "(muster-gateway hash-token), never the token itself");
    }
    if (!tokens.insert(a.token_sha256).second) {
      return Status::InvalidArgument(where + ": the same token_sha256 is given to two agencies");
    }
  }
  return Status::Ok();
}

Result<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  auto text = ReadFile(path, 1u << 20);
  if (!text.ok()) return text.status().WithContext("config");
  toml::table root;
  try {
    root = toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path << ":" << e.source().begin.line << ": " << e.description();
    return Status::InvalidArgument(msg.str());
  }
  GatewayConfig c;
  for (const auto& [key, node] : root) {
    std::string k(key.str());
    if (k != "gateway" && k != "broker" && k != "agency") {
      return KeyError(path, node,
                      "unknown section [" + k + "] (expected [gateway], [broker] or [[agency]])");
    }
    if (k == "agency" ? !node.is_array_of_tables() : !node.is_table()) {
      return KeyError(path, node,
                      k == "agency" ? "'agency' must be tables: write [[agency]]"
                                    : "'" + k + "' must be a table");
    }
  }
  if (auto* g = root["gateway"].as_table()) {
    MUSTER_RETURN_IF_ERROR(
        CheckKeys(path, *g,
                  {"listen", "cert", "key", "insecure_http", "state_dir", "log_level", "threads",
                   "max_body_bytes", "publish_wait_ms", "max_pending", "idempotency_days",
                   "sse_heartbeat_ms", "max_replay_events"},
                  "gateway"));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *g, "listen", &c.listen));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *g, "cert", &c.cert));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *g, "key", &c.key));
    MUSTER_RETURN_IF_ERROR(ReadBool(path, *g, "insecure_http", &c.insecure_http));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *g, "state_dir", &c.state_dir));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *g, "log_level", &c.log_level));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *g, "threads", &c.threads));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *g, "max_body_bytes", &c.max_body_bytes));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *g, "publish_wait_ms", &c.publish_wait_ms));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *g, "max_pending", &c.max_pending));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *g, "idempotency_days", &c.idempotency_days));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *g, "sse_heartbeat_ms", &c.sse_heartbeat_ms));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *g, "max_replay_events", &c.max_replay_events));
  }
  if (auto* b = root["broker"].as_table()) {
    MUSTER_RETURN_IF_ERROR(
        CheckKeys(path, *b, {"endpoint", "server_key", "connect_timeout_ms"}, "broker"));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "endpoint", &c.broker));
    MUSTER_RETURN_IF_ERROR(ReadString(path, *b, "server_key", &c.server_key));
    MUSTER_RETURN_IF_ERROR(ReadU32(path, *b, "connect_timeout_ms", &c.connect_timeout_ms));
  }
  if (auto* list = root["agency"].as_array()) {
    for (const auto& node : *list) {
      const toml::table& t = *node.as_table();
      MUSTER_RETURN_IF_ERROR(CheckKeys(path, t, {"name", "key_file", "token_sha256"}, "[agency]"));
      AgencyConfig a;
      a.line = static_cast<int>(t.source().begin.line);
      MUSTER_RETURN_IF_ERROR(ReadString(path, t, "name", &a.name));
      MUSTER_RETURN_IF_ERROR(ReadString(path, t, "key_file", &a.key_file));
      MUSTER_RETURN_IF_ERROR(ReadString(path, t, "token_sha256", &a.token_sha256));
      c.agencies.push_back(std::move(a));
    }
  }
  const std::string base = DirName(path);
  auto resolve = [&](std::string* p) {
    if (!p->empty()) *p = JoinPath(base, *p);
  };
  resolve(&c.cert);
  resolve(&c.key);
  resolve(&c.state_dir);
  for (auto& a : c.agencies) resolve(&a.key_file);
  // A server key that names a file is resolved too (a 40-character Z85 key is left as it is).
  std::string keys;
  size_t start = 0;
  while (start <= c.server_key.size() && !c.server_key.empty()) {
    size_t comma = c.server_key.find(',', start);
    std::string item =
        c.server_key.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? c.server_key.size() + 1 : comma + 1;
    if (item.empty()) continue;
    if (item.size() != 40 || PathExists(JoinPath(base, item))) item = JoinPath(base, item);
    keys += (keys.empty() ? "" : ",") + item;
  }
  c.server_key = keys;
  MUSTER_RETURN_IF_ERROR(c.Validate().WithContext(path));
  return c;
}

}  // namespace muster::gateway
