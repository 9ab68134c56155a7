// Names and formatting for Status.
#include "common/status.h"

namespace muster {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid-argument";
    case StatusCode::kNotFound: return "not-found";
    case StatusCode::kAlreadyExists: return "already-exists";
    case StatusCode::kPermissionDenied: return "permission-denied";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kFailedPrecondition: return "failed-precondition";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIoError: return "io-error";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kOverloaded: return "overloaded";
    case StatusCode::kDeadlineExceeded: return "deadline-exceeded";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return Status(code_, std::move(m));
}

}  // namespace muster
