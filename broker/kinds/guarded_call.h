// GuardedCall: runs one entry point of a kind plugin (validate, apply, query) so that an exception
// from inside it — a Cap'n Proto reader on a malformed body, an allocation failure — becomes
// Status::Internal("<kind>: <what>") for the caller instead of unwinding into the broker.
#pragma once

#include <kj/exception.h>

#include <exception>
#include <string>
#include <string_view>

#include "common/result.h"

namespace muster::kinds {

template <typename F>
auto GuardedCall(std::string_view kind, F&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const kj::Exception& e) {
    return Status::Internal(std::string(kind) + ": " + e.getDescription().cStr());
  } catch (const std::exception& e) {
    return Status::Internal(std::string(kind) + ": " + e.what());
  }
}

}  // namespace muster::kinds
