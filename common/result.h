// Result<T>: either a value or a non-ok Status. Used where a function returns data that may be
// missing for an expected reason.
#pragma once

#include <optional>
#include <utility>

#include "common/check.h"
#include "common/status.h"

namespace muster {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    MUSTER_CHECK(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & {
    MUSTER_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    MUSTER_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    MUSTER_CHECK(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace muster

#define MUSTER_CONCAT_INNER(a, b) a##b
#define MUSTER_CONCAT(a, b) MUSTER_CONCAT_INNER(a, b)
// Evaluates a Result expression; on error returns its Status, else moves the value into `lhs`.
#define MUSTER_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto MUSTER_CONCAT(muster_result_, __LINE__) = (expr);            \
  if (!MUSTER_CONCAT(muster_result_, __LINE__).ok())                \
    return MUSTER_CONCAT(muster_result_, __LINE__).status();        \
  lhs = std::move(MUSTER_CONCAT(muster_result_, __LINE__)).value()
