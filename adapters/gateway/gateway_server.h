// GatewayServer: muster-gateway's HTTP(S) front. Agency systems that speak neither ZeroMQ nor XML
// publish and receive Muster messages as JSON:
//   POST /v1/messages                 publish (Idempotency-Key required): 201 receipt | 202 queued
//   GET  /v1/submissions/{id}         what became of a queued document
//   GET  /v1/messages/{seq}/status    the broker's delivery status (for what the agency may see)
//   GET  /v1/events                   server-sent events of deliveries (Last-Event-ID resumes)
//   POST /v1/acks                     {"seqs": [...], "level": "received" | "acknowledged"}
//   GET  /v1/health                   {"status": "ok"} (no token needed)
// "Authorization: Bearer <token>" selects the agency; every error is {"error", "reason"} with a
// specific status (api_error.h). The contract is docs/gateway-openapi.yaml.
// Each agency speaks to the broker as its own principal, with its own key: its BrokerLink
// publishes and queries, each event stream opens its receiving session.
//
// Ownership: owns the HTTP server, the ZeroMQ context and every Agency; borrows the Logger.
// Thread-safety: Serve blocks one thread; Stop and PruneIdempotencyRecords may be called from
// any other. Failure: Create validates everything (state, keys, TLS files, the port) before
// anything is served.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "adapters/gateway/gateway_config.h"
#include "common/log.h"
#include "common/result.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace zmq {
class context_t;
}  // namespace zmq

namespace muster::gateway {

struct Agency;
class TokenTable;

class GatewayServer {
 public:
  // Opens every agency's state, loads the TLS certificate and key and binds `listen`.
  static Result<std::unique_ptr<GatewayServer>> Create(const GatewayConfig& config, Logger& log);
  ~GatewayServer();
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  // Starts the broker links and serves until Stop(). Open event streams end within a second of
  // Stop; documents already accepted stay in the outboxes for the next start.
  Status Serve();
  void Stop();

  // Forgets Idempotency-Keys (and the receipts they answer with) older than idempotency_days.
  void PruneIdempotencyRecords();

  int port() const { return port_; }

  // One endpoint the server registers, written as docs/gateway-openapi.yaml writes it
  // ("GET", "/v1/messages/{seq}/status"). `muster-gateway routes` prints them.
  struct Endpoint {
    std::string method;
    std::string path;
  };
  static std::vector<Endpoint> Endpoints();

 private:
  GatewayServer(const GatewayConfig& config, Logger& log);
  void Route();
  Agency* Authenticate(const httplib::Request& req, httplib::Response& res);
  void PostMessage(Agency& agency, const httplib::Request& req, httplib::Response& res);
  void GetSubmission(Agency& agency, const httplib::Request& req, httplib::Response& res);
  void GetStatus(Agency& agency, const httplib::Request& req, httplib::Response& res);
  void GetEvents(Agency& agency, const httplib::Request& req, httplib::Response& res);
  void PostAcks(Agency& agency, const httplib::Request& req, httplib::Response& res);

  using Handler = void (GatewayServer::*)(Agency&, const httplib::Request&, httplib::Response&);
  struct RouteSpec {
    const char* method;   // GET or POST
    const char* path;     // as the OpenAPI document names it
    const char* pattern;  // what httplib matches
    Handler handler;      // null: GET /v1/health, which needs no token
  };
  // Every endpoint; Route registers these and nothing else.
  static const std::vector<RouteSpec>& RouteTable();

  const GatewayConfig config_;
  Logger& log_;
  std::unique_ptr<zmq::context_t> context_;
  std::vector<std::unique_ptr<Agency>> agencies_;
  std::unique_ptr<TokenTable> tokens_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace muster::gateway
