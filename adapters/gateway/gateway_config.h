// GatewayConfig: everything muster-gateway needs to run, loaded from TOML (muster-gateway.toml)
// and validated as a whole before anything is bound, opened or connected. Keys not listed here
// are errors that name their file and line. Relative paths are resolved against the file's own
// directory. API tokens are never in the file: only their SHA-256 (hex), so the file can be read
// by operators without giving away an agency's access.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace muster::gateway {

// One agency system that talks to the gateway: its own Muster principal and API token.
struct AgencyConfig {
  std::string name;          // the agency's principal id in the broker's policy; also names its
                             // state directory and appears in logs
  std::string key_file;      // the principal's CURVE secret key file (muster-keygen NAME)
  std::string token_sha256;  // SHA-256 of the API token, 64 lowercase hex digits (hash-token)
  int line = 0;              // where the [[agency]] table starts, for error messages
};

struct GatewayConfig {
  // [gateway]
  std::string listen = "127.0.0.1:8443";  // HOST:PORT for HTTPS ([::1]:PORT for IPv6)
  std::string cert;                       // PEM certificate chain for HTTPS
  std::string key;                        // PEM private key of `cert`
  bool insecure_http = false;             // plain HTTP instead of HTTPS: loopback `listen` only,
                                          // for tests and local development
  std::string state_dir = "state";        // outboxes, idempotency records, event journals
  std::string log_level = "info";         // debug, info, warn, error
  uint32_t threads = 0;                   // HTTP worker threads; 0 = 8 + 2 per agency (each
                                          // open event stream holds one)
  uint32_t max_body_bytes = 1u << 20;     // larger request bodies get 413
  uint32_t publish_wait_ms = 5000;        // how long a POST waits for the broker's receipt
                                          // before it answers 202 (the outbox keeps going)
  uint32_t max_pending = 10000;           // per agency: more unconfirmed documents get 429
  uint32_t idempotency_days = 30;         // how long an Idempotency-Key is remembered
  uint32_t sse_heartbeat_ms = 15000;      // a comment line on idle event streams this often
  uint32_t max_replay_events = 10000;     // per agency: events kept for Last-Event-ID replay
  // [broker]
  std::string broker = "tcp://127.0.0.1:7750";  // [broker] endpoint
  std::string server_key;                       // [broker] server_key: Z85 or a .pub file;
                                                // several, comma-separated, during a rotation
  uint32_t connect_timeout_ms = 3000;           // [broker] to connect and be welcomed
  // [[agency]]
  std::vector<AgencyConfig> agencies;

  // The host and port parts of `listen` (brackets of an IPv6 host removed). REQUIRES: Validate().
  std::string ListenHost() const;
  int ListenPort() const;

  // Names the first bad key and why.
  Status Validate() const;
};

// Loads and validates `path`.
Result<GatewayConfig> LoadGatewayConfig(const std::string& path);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(const std::string& host);

}  // namespace muster::gateway
