// The broker's public socket: a ROUTER that is a CURVE server with the ZAP domain "muster",
// ZMQ_ZAP_ENFORCE_DOMAIN set (so a missing or dead ZAP handler admits nobody), mandatory routing,
// bounded message size, heartbeats and high-water marks — every option set before bind().
// REQUIRES: the ZAP handler is already bound in the same context (ZapHandler::Start).
#pragma once

#include <memory>
#include <string>
#include <zmq.hpp>

#include "common/result.h"

namespace muster::transport {

inline constexpr char kZapDomain[] = "muster";
// Draft-only in Debian's libzmq 4.3 headers, but honoured by the library.
inline constexpr int kZmqZapEnforceDomain = 93;

struct BrokerSocketOptions {
  std::string endpoint;          // e.g. tcp://127.0.0.1:7750
  std::string secret_key_z85;    // the broker's CURVE secret key
  int64_t max_frame_bytes = 1 << 20;
  int heartbeat_ms = 5000;       // ZMTP PING interval; dead peers are dropped after 3x
  int handshake_ms = 10000;
  int send_hwm = 200000;
  int receive_hwm = 200000;
};

// Creates and binds the socket. Errors name the endpoint (e.g. address already in use).
Result<std::unique_ptr<zmq::socket_t>> BindBrokerSocket(zmq::context_t& context,
                                                         const BrokerSocketOptions& options);

}  // namespace muster::transport
