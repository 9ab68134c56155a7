// API tokens: the stored hash is SHA-256 hex (FIPS 180-2 test vector), fresh tokens are long,
// distinct and URL-safe, the Bearer header is read strictly, and lookup finds exactly the agency
// whose hash matches.
#include "adapters/gateway/api_token.h"

#include <gtest/gtest.h>

#include <set>

namespace muster::gateway {
namespace {

TEST(ApiTokenTest, HashIsSha256Hex) {
  EXPECT_EQ(TokenSha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TokenSha256("").size(), 64u);
}

TEST(ApiTokenTest, NewTokensAreRandomAndUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto t = NewApiToken();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->rfind("mgw_", 0), 0u);
    EXPECT_EQ(t->size(), 4u + 43u);
    EXPECT_EQ(
        t->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
        std::string::npos);
    EXPECT_TRUE(seen.insert(*t).second);
  }
}

TEST(ApiTokenTest, BearerHeaderIsReadStrictly) {
  EXPECT_EQ(BearerToken("Bearer mgw_abc"), "mgw_abc");
  EXPECT_EQ(BearerToken("bearer   mgw_abc  "), "mgw_abc");
  EXPECT_EQ(BearerToken("BEARER mgw_abc"), "mgw_abc");
  EXPECT_EQ(BearerToken("Basic dXNlcjpwYXNz"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken("Bearermgw_abc"), "");
  EXPECT_EQ(BearerToken("Bearer a b"), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(ApiTokenTest, TableFindsOnlyTheMatchingAgency) {
  TokenTable table({TokenSha256("token-of-command"), TokenSha256("token-of-msd")});
  EXPECT_EQ(table.Find("token-of-command"), 0);
  EXPECT_EQ(table.Find("token-of-msd"), 1);
  EXPECT_EQ(table.Find("token-of-vol"), -1);
  EXPECT_EQ(table.Find(""), -1);
  // The configured value is the hash: presenting the hash itself is not the token.
  EXPECT_EQ(table.Find(TokenSha256("token-of-msd")), -1);
}

}  // namespace
}  // namespace muster::gateway
