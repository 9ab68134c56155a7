// The gateway's HTTP(S) server: TLS, binding, authentication, routing, error bodies, lifecycle.
#include "adapters/gateway/gateway_server.h"

#include <sys/stat.h>

#include <chrono>
#include <set>
#include <zmq.hpp>

#include "adapters/gateway/agency.h"
#include "adapters/gateway/api_token.h"
#include "adapters/gateway/internal/http_reply.h"
#include "common/files.h"

namespace muster::gateway {
namespace {

using internal::ReplyError;
using internal::ReplyJson;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The default body of an error httplib produced itself (no route, body too large, …).
void FillDefaultError(httplib::Response& res) {
  switch (res.status) {
    case 404:
      ReplyError(res, 404, "not-found", "no such endpoint (see docs/gateway-openapi.yaml)");
      break;
    case 405:
      ReplyError(res, 405, "method-not-allowed", "this endpoint does not take that method");
      break;
    case 413:
      ReplyError(res, 413, "too-large", "the request body is larger than the gateway takes");
      break;
    case 414:
      ReplyError(res, 414, "too-large", "the request URI is too long");
      break;
    default:
      ReplyError(
          res, res.status, res.status < 500 ? "invalid" : "internal",
          res.status < 500 ? "the request could not be read" : "the gateway failed to answer");
      break;
  }
}

}  // namespace

GatewayServer::GatewayServer(const GatewayConfig& config, Logger& log)
    : config_(config), log_(log) {}

GatewayServer::~GatewayServer() {
  Stop();
  for (auto& a : agencies_) a->link->Stop();
}

Result<std::unique_ptr<GatewayServer>> GatewayServer::Create(const GatewayConfig& config,
                                                             Logger& log) {
  MUSTER_RETURN_IF_ERROR(config.Validate());
  std::unique_ptr<GatewayServer> s(new GatewayServer(config, log));
  s->context_ = std::make_unique<zmq::context_t>(1);
  MUSTER_RETURN_IF_ERROR(MakeDirs(config.state_dir, 0700).WithContext("state_dir"));
  std::vector<std::string> hashes;
  std::set<std::string> public_keys;
  for (const auto& a : config.agencies) {
    auto agency = OpenAgency(config, a, *s->context_, log);
    if (!agency.ok()) return agency.status();
    hashes.push_back(a.token_sha256);
    s->agencies_.push_back(std::move(agency).value());
  }
  s->tokens_ = std::make_unique<TokenTable>(std::move(hashes));

  if (config.insecure_http) {
    s->http_ = std::make_unique<httplib::Server>();
  } else {
    for (const std::string* path : {&config.cert, &config.key}) {
      auto bytes = ReadFile(*path, 1u << 20);
      if (!bytes.ok())
        return bytes.status().WithContext(path == &config.cert ? "gateway.cert" : "gateway.key");
    }
    struct stat st {};
    if (::stat(config.key.c_str(), &st) == 0 && (st.st_mode & 0004) != 0) {
      log.Warn("gateway", "the TLS key file is readable by everyone; make it 0600 or 0640",
               {{"key", config.key}});
    }
    auto tls = std::make_unique<httplib::SSLServer>(config.cert.c_str(), config.key.c_str());
    if (!tls->is_valid()) {
      return Status::InvalidArgument("gateway.cert/key: cannot load " + config.cert + " and " +
                                     config.key +
                                     " as a PEM certificate chain and its private key");
    }
    s->http_ = std::move(tls);
  }
  const size_t threads = config.threads ? config.threads : 8 + 2 * config.agencies.size();
  s->http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s->http_->set_payload_max_length(config.max_body_bytes);
  s->http_->set_read_timeout(std::chrono::seconds(15));
  s->http_->set_write_timeout(std::chrono::seconds(15));
  s->http_->set_keep_alive_max_count(1000);
  s->http_->set_keep_alive_timeout(30);
  s->Route();
  const std::string host = config.ListenHost();
  if (!s->http_->bind_to_port(host, config.ListenPort())) {
    return Status::IoError("cannot listen on " + config.listen +
                           " (in use, or not an address of this machine)");
  }
  s->port_ = config.ListenPort();
  return s;
}

Status GatewayServer::Serve() {
  PruneIdempotencyRecords();
  for (auto& a : agencies_) a->link->Start();
  log_.Info("gateway", "serving",
            {{"listen", config_.listen},
             {"tls", config_.insecure_http ? "no" : "yes"},
             {"agencies", std::to_string(agencies_.size())},
             {"broker", config_.broker}});
  bool ok = stopping_ ? true : http_->listen_after_bind();
  for (auto& a : agencies_) a->link->Stop();
  if (!ok && !stopping_) return Status::IoError("the HTTP server stopped unexpectedly");
  log_.Info("gateway", "stopped", {});
  return Status::Ok();
}

void GatewayServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (http_) http_->stop();
}

void GatewayServer::PruneIdempotencyRecords() {
  const int64_t before =
      WallMs() - static_cast<int64_t>(config_.idempotency_days) * 24 * 3600 * 1000;
  for (auto& a : agencies_) {
    Status s = a->submissions->PruneFinished(before);
    if (!s.ok())
      log_.Warn("gateway", "cannot prune old idempotency records",
                {{"agency", a->config.name}, {"reason", s.message()}});
  }
}

Agency* GatewayServer::Authenticate(const httplib::Request& req, httplib::Response& res) {
  const std::string authorization = req.get_header_value("Authorization");
  const std::string token = BearerToken(authorization);
  int index = tokens_->Find(token);
  if (index < 0) {
    log_.Warn("gateway", "refused a request without a valid token",
              {{"peer", req.remote_addr},
               {"path", req.path},
               {"presented", token.empty() ? "no" : "yes"}});
    ReplyError(res, 401, "unauthenticated",
               authorization.empty() ? "give the agency's API token: Authorization: Bearer <token>"
                                     : "the API token is not valid for any agency of this gateway");
    return nullptr;
  }
  return agencies_[static_cast<size_t>(index)].get();
}

const std::vector<GatewayServer::RouteSpec>& GatewayServer::RouteTable() {
  static const auto* const kTable = new std::vector<RouteSpec>{
      {"POST", "/v1/messages", "/v1/messages", &GatewayServer::PostMessage},
      {"GET", "/v1/submissions/{id}", R"(/v1/submissions/([A-Za-z0-9._-]{1,128}))",
       &GatewayServer::GetSubmission},
      {"GET", "/v1/messages/{seq}/status", R"(/v1/messages/([0-9]{1,20})/status)",
       &GatewayServer::GetStatus},
      {"GET", "/v1/events", "/v1/events", &GatewayServer::GetEvents},
      {"POST", "/v1/acks", "/v1/acks", &GatewayServer::PostAcks},
      {"GET", "/v1/health", "/v1/health", nullptr},
  };
  return *kTable;
}

std::vector<GatewayServer::Endpoint> GatewayServer::Endpoints() {
  std::vector<Endpoint> out;
  for (const RouteSpec& r : RouteTable()) out.push_back({r.method, r.path});
  return out;
}

void GatewayServer::Route() {
  for (const RouteSpec& route : RouteTable()) {
    httplib::Server::Handler serve;
    if (route.handler == nullptr) {
      serve = [](const httplib::Request&, httplib::Response& res) {
        ReplyJson(res, 200, {{"status", "ok"}});
      };
    } else {
      serve = [this, handler = route.handler](const httplib::Request& req, httplib::Response& res) {
        res.set_header("Cache-Control", "no-store");
        Agency* agency = Authenticate(req, res);
        if (agency != nullptr) (this->*handler)(*agency, req, res);
      };
    }
    if (std::string(route.method) == "POST") {
      http_->Post(route.pattern, serve);
    } else {
      http_->Get(route.pattern, serve);
    }
  }
  http_->set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty() || res.content_provider_)
          return httplib::Server::HandlerResponse::Unhandled;
        FillDefaultError(res);
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_->set_exception_handler(
      [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log_.Error("gateway", "request failed", {{"path", req.path}, {"reason", what}});
        ReplyError(res, 500, "internal", "the gateway failed to answer this request");
      });
  http_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    if (log_.Enabled(LogLevel::kDebug)) {
      log_.Debug("gateway", "request",
                 {{"method", req.method},
                  {"path", req.path},
                  {"status", std::to_string(res.status)},
                  {"peer", req.remote_addr}});
    }
  });
}

}  // namespace muster::gateway
