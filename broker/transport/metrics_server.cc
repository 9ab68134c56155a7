// Prometheus metrics endpoint on cpp-httplib.
#include "broker/transport/metrics_server.h"

#include <httplib.h>

namespace muster::transport {

struct MetricsServer::Impl {
  httplib::Server server;
};

MetricsServer::MetricsServer() : impl_(std::make_unique<Impl>()) {}

MetricsServer::~MetricsServer() { Stop(); }

Status MetricsServer::Start(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("metrics address must be HOST:PORT, got " + address);
  std::string host = address.substr(0, colon);
  int port = std::atoi(address.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return Status::InvalidArgument("bad metrics port in " + address);
  impl_->server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    res.set_content(text_, "text/plain; version=0.0.4");
  });
  if (!impl_->server.bind_to_port(host, port)) {
    return Status::Unavailable("cannot listen for metrics on " + address);
  }
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  return Status::Ok();
}

void MetricsServer::Stop() {
  if (thread_.joinable()) {
    impl_->server.stop();
    thread_.join();
  }
}

void MetricsServer::Publish(std::string text) {
  std::lock_guard<std::mutex> lock(mu_);
  text_ = std::move(text);
}

}  // namespace muster::transport
