// Mapping of broker refusals and gateway failures to HTTP errors.
#include "adapters/gateway/api_error.h"

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

namespace muster::gateway {
namespace {

struct Mapped {
  int http_status;
  const char* code;  // null: keep the broker's code name
};

// The broker's reject code names (client/RejectToStatus) and their HTTP answer.
const std::map<std::string, Mapped>& BrokerCodes() {
  static const auto* const k = new std::map<std::string, Mapped>{
      {"malformed", {400, nullptr}},
      {"unknown-command", {400, nullptr}},
      {"invalid", {400, nullptr}},
      {"too-large", {413, nullptr}},
      {"forbidden", {403, nullptr}},
      {"no-recipients", {422, nullptr}},
      {"not-found", {404, nullptr}},
      {"conflict", {409, nullptr}},
      {"overloaded", {429, nullptr}},
      {"unavailable", {503, nullptr}},
      // The broker did not admit the agency's principal, or the session was lost: nothing the
      // agency's request can change; the gateway's operator must look.
      {"unauthenticated", {503, "unavailable"}},
      {"hello-required", {503, "unavailable"}},
      {"unsupported-version", {503, "unavailable"}},
      {"internal", {500, nullptr}},
  };
  return *k;
}

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// "(retry after 1500 ms)" in an overloaded reason -> whole seconds, at least 1.
int RetryAfterSeconds(const std::string& reason) {
  size_t at = reason.rfind("(retry after ");
  if (at == std::string::npos) return 1;
  long ms = std::strtol(reason.c_str() + at + 13, nullptr, 10);
  return ms <= 0 ? 1 : static_cast<int>((ms + 999) / 1000);
}

}  // namespace

std::string ApiErrorBody(const ApiError& error) {
  nlohmann::ordered_json j;
  j["error"] = error.code;
  j["reason"] = OneLine(error.reason);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiError ApiErrorFromStatus(const Status& status) {
  const std::string& message = status.message();
  size_t colon = message.find(": ");
  if (colon != std::string::npos) {
    auto it = BrokerCodes().find(message.substr(0, colon));
    if (it != BrokerCodes().end()) {
      ApiError e;
      e.http_status = it->second.http_status;
      e.code = it->second.code ? it->second.code : it->first;
      e.reason = message.substr(colon + 2);
      if (e.http_status == 429) e.retry_after_s = RetryAfterSeconds(message);
      if (e.http_status == 503) e.retry_after_s = 5;
      return e;
    }
  }
  ApiError e;
  e.reason = message;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      e.http_status = 400;
      e.code = "invalid";
      break;
    case StatusCode::kNotFound:
      e.http_status = 404;
      e.code = "not-found";
      break;
    case StatusCode::kPermissionDenied:
      e.http_status = 403;
      e.code = "forbidden";
      break;
    case StatusCode::kUnauthenticated:
      e.http_status = 401;
      e.code = "unauthenticated";
      break;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      e.http_status = 409;
      e.code = "conflict";
      break;
    case StatusCode::kOverloaded:
      e.http_status = 429;
      e.code = "overloaded";
      e.retry_after_s = 5;
      break;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kIoError:
      e.http_status = 503;
      e.code = "unavailable";
      e.retry_after_s = 5;
      break;
    default:
      e.http_status = 500;
      e.code = "internal";
      break;
  }
  return e;
}

ApiError ApiErrorFromRefusal(const std::string& reason) {
  ApiError e = ApiErrorFromStatus(Status::InvalidArgument(reason));
  // A refusal is final: no Retry-After, whatever the code.
  e.retry_after_s = 0;
  return e;
}

}  // namespace muster::gateway
