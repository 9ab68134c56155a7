// Broker socket setup.
#include "broker/transport/broker_socket.h"

namespace muster::transport {

Result<std::unique_ptr<zmq::socket_t>> BindBrokerSocket(zmq::context_t& context,
                                                         const BrokerSocketOptions& options) {
  try {
    auto socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::router);
    socket->set(zmq::sockopt::curve_server, 1);
    socket->set(zmq::sockopt::curve_secretkey, options.secret_key_z85);
    socket->set(zmq::sockopt::zap_domain, std::string(kZapDomain));
    int enforce = 1;
    if (zmq_setsockopt(socket->handle(), kZmqZapEnforceDomain, &enforce, sizeof(enforce)) != 0) {
      return Status::Internal("this libzmq does not support ZMQ_ZAP_ENFORCE_DOMAIN; refusing to "
                              "run without fail-closed authentication");
    }
    socket->set(zmq::sockopt::router_mandatory, 1);
    // The transport cap is twice the protocol limit: frames between the two get a `too-large`
    // reject from the broker; only larger ones are cut off by libzmq (which drops the peer).
    socket->set(zmq::sockopt::maxmsgsize, options.max_frame_bytes * 2);
    socket->set(zmq::sockopt::heartbeat_ivl, options.heartbeat_ms);
    socket->set(zmq::sockopt::heartbeat_timeout, options.heartbeat_ms * 3);
    socket->set(zmq::sockopt::heartbeat_ttl, options.heartbeat_ms * 3);
    socket->set(zmq::sockopt::handshake_ivl, options.handshake_ms);
    socket->set(zmq::sockopt::sndhwm, options.send_hwm);
    socket->set(zmq::sockopt::rcvhwm, options.receive_hwm);
    socket->set(zmq::sockopt::linger, 1000);
    socket->bind(options.endpoint);
    return socket;
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("cannot bind " + options.endpoint + ": " + e.what());
  }
}

}  // namespace muster::transport
