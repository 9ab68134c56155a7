// BrokerConfig: everything musterd needs to run, loaded from TOML (musterd.toml) plus command-line
// overrides, and validated as a whole before anything is bound or opened. Relative paths in the
// file are resolved against the file's own directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace muster::broker {

struct BrokerConfig {
  // [broker]
  std::string name = "muster";                    // broker name; audit origin is muster/<name>
  std::string bind = "tcp://127.0.0.1:7750";      // public ROUTER endpoint
  std::string data_dir = "data";                  // RocksDB store directory
  std::string secret_key = "keys/broker.key";     // the broker's CURVE secret key file
  std::string policy = "policy.toml";             // organisations and principals
  std::string signing_key = "keys/broker.signing.key";  // Ed25519 key that signs audit checkpoints
  std::vector<std::string> previous_signing_keys;  // during a rotation: old keys that co-sign
  std::string log_level = "info";                 // debug, info, warn, error
  std::string metrics;                            // "127.0.0.1:7751": Prometheus /metrics; empty = off
  // [limits]
  uint32_t max_frame_bytes = 1u << 20;            // larger frames are refused
  uint32_t delivery_window = 256;                 // unacked deliveries per receiving session
  uint32_t heartbeat_ms = 5000;                   // clients ping at least this often
  uint32_t session_timeout_ms = 20000;            // silent sessions are dropped after this
  uint32_t max_recipients = 10000;                // recipients one message may resolve to
  uint32_t max_text_bytes = 65536;                // any single text field
  uint32_t store_memory_mb = 256;                 // the store's cache and memtables together

  // The audit log's origin line: "muster/<name>".
  std::string origin() const { return "muster/" + name; }

  // Names the first bad key and why.
  Status Validate() const;
};

// Loads `path`; keys not listed above are errors that name their line.
Result<BrokerConfig> LoadBrokerConfig(const std::string& path);

}  // namespace muster::broker
