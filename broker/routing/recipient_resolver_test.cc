// Tests for recipient resolution over a small policy.
#include "broker/routing/recipient_resolver.h"

#include <gtest/gtest.h>

#include "security/policy_loader.h"

namespace muster::routing {
namespace {

std::shared_ptr<const security::Policy> TestPolicy() {
  std::string text;
  auto org = [&](const char* id, const char* sector) {
    text += std::string("[[organisation]]\nid=\"") + id + "\"\nname=\"" + id + "\"\nsector=\"" + sector + "\"\n";
  };
  auto principal = [&](const char* id, const char* o, const char* clearance, bool revoked = false) {
    text += std::string("[[principal]]\nid=\"") + id + "\"\norg=\"" + o + "\"\nrole=\"adapter\"\nclearance=\"" +
            clearance + "\"\npublic_key=\"" + security::GenerateCurveKeyPair()->public_z85 + "\"\n" +
            (revoked ? "revoked=true\n" : "");
  };
  org("ema", "government");
  org("msd", "military");
  org("vol-1", "volunteer");
  principal("command", "ema", "confidential");
  principal("duty", "ema", "confidential");
  principal("msd", "msd", "confidential");
  principal("liaison-1", "msd", "confidential", /*revoked=*/true);
  principal("vol-1", "vol-1", "public");
  auto p = security::ParsePolicy(text, "test", ".");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

std::vector<std::string> Names(const std::vector<ResolvedRecipient>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.principal + "<-" + r.matched_term);
  return out;
}

TEST(RecipientResolverTest, UnionOfTermsWithMatchedTerm) {
  auto policy = TestPolicy();
  RouteRequest r{"command", security::Clearance::kInternal, {}};
  r.terms.principals = {"vol-1", "msd"};
  r.terms.organisations = {"msd", "ema"};
  auto out = ResolveRecipients(*policy, r);
  ASSERT_TRUE(out.ok());
  // vol-1 is cleared for public only: filtered out of internal traffic.
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"msd<-principal:msd", "duty<-org:ema"}));
  r.classification = security::Clearance::kPublic;
  out = ResolveRecipients(*policy, r);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"vol-1<-principal:vol-1", "msd<-principal:msd",
                                                   "duty<-org:ema"}));
}

TEST(RecipientResolverTest, FiltersByClearanceRevocationAndSender) {
  auto policy = TestPolicy();
  RouteRequest r{"command", security::Clearance::kConfidential, {}};
  r.terms.organisations = {"msd", "vol-1", "ema"};
  auto out = ResolveRecipients(*policy, r);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"msd<-org:msd", "duty<-org:ema"}));
}

TEST(RecipientResolverTest, ExplainsWhyNobodyReceives) {
  auto policy = TestPolicy();
  RouteRequest r{"command", security::Clearance::kConfidential, {}};
  r.terms.principals = {"vol-1", "liaison-1"};
  auto out = ResolveRecipients(*policy, r);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(out.status().message().find("vol-1 (clearance public is below confidential)"), std::string::npos);
  EXPECT_NE(out.status().message().find("liaison-1 (revoked)"), std::string::npos);
}

TEST(RecipientResolverTest, UnknownTermsAreErrors) {
  auto policy = TestPolicy();
  RouteRequest r{"command", security::Clearance::kPublic, {}};
  r.terms.principals = {"msdd"};
  EXPECT_NE(ResolveRecipients(*policy, r).status().message().find("unknown principal 'msdd'"), std::string::npos);
  r.terms.principals.clear();
  r.terms.organisations = {"nobody"};
  EXPECT_NE(ResolveRecipients(*policy, r).status().message().find("unknown organisation"), std::string::npos);
  r.terms.organisations.clear();
  EXPECT_EQ(ResolveRecipients(*policy, r).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace muster::routing
