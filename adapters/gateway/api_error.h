// ApiError: how every failure is answered over HTTP — a specific status code and a JSON object
// {"error": CODE, "reason": ONE LINE}. Broker refusals keep the broker's reject code name as
// CODE and its reason as REASON; the table is in docs/gateway-openapi.yaml:
//   400 invalid, malformed, unknown-command   403 forbidden          404 not-found
//   409 conflict, idempotency-key-reused      413 too-large          415 unsupported-media-type
//   422 no-recipients                         429 overloaded (Retry-After)
//   401 unauthenticated (the API token)       503 unavailable (Retry-After)   500 internal
// Value type; no exceptions.
#pragma once

#include <string>

#include "common/status.h"

namespace muster::gateway {

struct ApiError {
  int http_status = 500;
  std::string code = "internal";
  std::string reason;
  int retry_after_s = 0;  // > 0: sent as Retry-After
};

// {"error": code, "reason": reason} (the reason on one line).
std::string ApiErrorBody(const ApiError& error);

// A Status from the broker (RejectToStatus: "<code>: <reason>") or from the gateway itself, as
// the HTTP error to answer with.
ApiError ApiErrorFromStatus(const Status& status);

// The error an outbox entry refused by the broker is answered with (its stored reason is the
// RejectToStatus message).
ApiError ApiErrorFromRefusal(const std::string& reason);

}  // namespace muster::gateway
