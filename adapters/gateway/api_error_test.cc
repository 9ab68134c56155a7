// Every broker refusal and gateway failure gets its specific HTTP status and a one-line JSON
// body; overload and unavailability carry Retry-After, final refusals never do.
#include "adapters/gateway/api_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace muster::gateway {
namespace {

TEST(ApiErrorTest, BrokerRefusalsKeepTheirCodeAndReason) {
  struct Case {
    Status status;
    int http;
    std::string code;
  };
  const std::vector<Case> cases = {
      {Status::InvalidArgument("invalid: body: MISSING_REQUIRED_ELEMENT: info[0]/event"), 400,
       "invalid"},
      {Status::InvalidArgument("malformed: bad frame"), 400, "malformed"},
      {Status::InvalidArgument("too-large: incident: 300 bytes"), 413, "too-large"},
      {Status::PermissionDenied("forbidden: vol-1 may not send confidential"), 403, "forbidden"},
      {Status::FailedPrecondition("no-recipients: nobody may receive this"), 422, "no-recipients"},
      {Status::NotFound("not-found: no message with seq 9"), 404, "not-found"},
      {Status::FailedPrecondition("conflict: assignment L-3 is released"), 409, "conflict"},
      {Status::Overloaded("overloaded: rate limit (retry after 1500 ms)"), 429, "overloaded"},
      {Status::Unavailable("unavailable: the store is not writable"), 503, "unavailable"},
      {Status::Unauthenticated("unauthenticated: principal 'x' is no longer admitted"), 503,
       "unavailable"},
      {Status::Internal("internal: boom"), 500, "internal"},
  };
  for (const auto& c : cases) {
    ApiError e = ApiErrorFromStatus(c.status);
    EXPECT_EQ(e.http_status, c.http) << c.status.message();
    EXPECT_EQ(e.code, c.code) << c.status.message();
    EXPECT_EQ(e.reason, c.status.message().substr(c.status.message().find(": ") + 2));
  }
  EXPECT_EQ(ApiErrorFromStatus(Status::Overloaded("overloaded: rate limit (retry after 1500 ms)"))
                .retry_after_s,
            2);
  EXPECT_EQ(ApiErrorFromStatus(Status::Unavailable("unavailable: down")).retry_after_s, 5);
}

TEST(ApiErrorTest, GatewayFailuresMapByStatusCode) {
  EXPECT_EQ(ApiErrorFromStatus(Status::InvalidArgument("to: bad target")).http_status, 400);
  EXPECT_EQ(ApiErrorFromStatus(Status::InvalidArgument("to: bad target")).reason, "to: bad target");
  EXPECT_EQ(ApiErrorFromStatus(Status::IoError("fsync: disk full")).http_status, 503);
  EXPECT_EQ(ApiErrorFromStatus(Status::Overloaded("10000 waiting")).http_status, 429);
  EXPECT_GT(ApiErrorFromStatus(Status::Overloaded("10000 waiting")).retry_after_s, 0);
  EXPECT_EQ(ApiErrorFromStatus(Status::DeadlineExceeded("slow")).http_status, 503);
}

TEST(ApiErrorTest, StoredRefusalsAreFinal) {
  ApiError e = ApiErrorFromRefusal("forbidden: vol-1 may not send confidential traffic");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "forbidden");
  EXPECT_EQ(e.retry_after_s, 0);
}

TEST(ApiErrorTest, BodyIsOneLineJson) {
  ApiError e;
  e.http_status = 400;
  e.code = "invalid";
  e.reason = "line one\nline two";
  std::string body = ApiErrorBody(e);
  EXPECT_EQ(body.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["error"], "invalid");
  EXPECT_EQ(j["reason"], "line one line two");
}

}  // namespace
}  // namespace muster::gateway
