// ZAP handler thread.
#include "broker/transport/zap_handler.h"

#include <zmq_addon.hpp>

#include "broker/transport/broker_socket.h"

namespace muster::transport {

ZapHandler::ZapHandler(zmq::context_t& context, security::PolicyHolder& policy, Logger& log,
                       AuthListener* listener)
    : context_(context), policy_(policy), log_(log), listener_(listener) {}

ZapHandler::~ZapHandler() { Stop(); }

Status ZapHandler::Start() {
  try {
    socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::rep);
    socket_->set(zmq::sockopt::linger, 0);
    socket_->bind("inproc://zeromq.zap.01");
  } catch (const zmq::error_t& e) {
    socket_.reset();
    return Status::Unavailable(std::string("cannot bind the ZAP handler: ") + e.what());
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void ZapHandler::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  socket_.reset();
}

void ZapHandler::Loop() {
  while (!stop_.load()) {
    try {
      zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0) continue;
      std::vector<zmq::message_t> parts;
      if (!zmq::recv_multipart(*socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
        continue;
      }
      std::vector<std::string> request;
      request.reserve(parts.size());
      for (auto& p : parts) request.emplace_back(p.to_string());
      auto policy = policy_.Get();
      security::ZapDecision d = security::DecideZap(*policy, request, kZapDomain);
      std::vector<zmq::message_t> reply;
      for (auto& frame : d.reply) reply.emplace_back(frame.data(), frame.size());
      zmq::send_multipart(*socket_, reply);
      if (d.admitted) {
        log_.Info("zap", "admitted", {{"principal", d.principal}, {"peer", d.peer_address}});
      } else {
        log_.Warn("zap", "refused", {{"reason", d.reason}, {"key", d.key_z85}, {"peer", d.peer_address}});
      }
      if (listener_) listener_->OnZapDecision(d);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) return;
      log_.Error("zap", "handler error", {{"error", e.what()}});
    }
  }
}

}  // namespace muster::transport
