// How gateway handlers answer: JSON bodies, and ApiErrors with their status and Retry-After.
// (Private to adapters/gateway; httplib types stay out of the public headers.)
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "adapters/gateway/api_error.h"

namespace muster::gateway::internal {

inline void ReplyJson(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  "application/json");
}

inline void ReplyError(httplib::Response& res, const ApiError& error) {
  res.status = error.http_status;
  if (error.retry_after_s > 0) res.set_header("Retry-After", std::to_string(error.retry_after_s));
  if (error.http_status == 401)
    res.set_header("WWW-Authenticate", "Bearer realm=\"muster-gateway\"");
  res.set_content(ApiErrorBody(error) + "\n", "application/json");
}

inline void ReplyError(httplib::Response& res, int status, const std::string& code,
                       const std::string& reason) {
  ApiError e;
  e.http_status = status;
  e.code = code;
  e.reason = reason;
  ReplyError(res, e);
}

// True when the request says its body is JSON ("application/json", parameters allowed).
inline bool IsJsonRequest(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

}  // namespace muster::gateway::internal
