// Tests for recipient resolution over a small policy: the union of terms with the matched term,
// the receive-rule, clearance, revocation and sender filters, and errors for bad addressing.
#include "broker/routing/recipient_resolver.h"

#include <gtest/gtest.h>

#include "security/policy_loader.h"

namespace muster::routing {
namespace {

// Everyone but the volunteers receives everything up to confidential; volunteers receive public
// alerts via area or principal terms and equipment requests only via principal terms.
constexpr char kRules[] = R"(
[[rule]]
action = "receive"
sectors = ["government", "military"]
max_classification = "confidential"

[[rule]]
action = "receive"
sectors = ["volunteer"]
kinds = ["alert"]
via = ["area", "principal"]

[[rule]]
action = "receive"
sectors = ["volunteer"]
kinds = ["equipment"]
actions = ["request"]
via = ["principal"]
)";

std::shared_ptr<const security::Policy> TestPolicy(int extra_volunteers = 0) {
  std::string text = kRules;
  auto org = [&](const std::string& id, const char* sector, const char* jurisdiction) {
    text += "[[organisation]]\nid=\"" + id + "\"\nname=\"" + id + "\"\nsector=\"" + sector +
            "\"\njurisdictions=[" + jurisdiction + "]\n";
  };
  auto principal = [&](const std::string& id, const std::string& o, const char* role,
                       const char* clearance, bool revoked = false) {
    text += "[[principal]]\nid=\"" + id + "\"\norg=\"" + o + "\"\nrole=\"" + role +
            "\"\nclearance=\"" + clearance + "\"\npublic_key=\"" +
            security::GenerateCurveKeyPair()->public_z85 + "\"\n" +
            (revoked ? "revoked=true\n" : "");
  };
  org("ema", "government", "\"320400\"");
  org("msd", "military", "\"320400\"");
  org("vol-1", "volunteer", "\"320402\"");
  org("vol-2", "volunteer", "\"320481\"");
  principal("command", "ema", "adapter", "confidential");
  principal("duty", "ema", "duty-officer", "confidential");
  principal("msd", "msd", "adapter", "confidential");
  principal("liaison-1", "msd", "officer", "confidential", /*revoked=*/true);
  principal("vol-1", "vol-1", "adapter", "public");
  principal("vol-2", "vol-2", "duty-officer", "public");
  for (int i = 0; i < extra_volunteers; ++i) {
    org("x-" + std::to_string(i), "volunteer", "\"320402\"");
    principal("x-" + std::to_string(i), "x-" + std::to_string(i), "adapter", "public");
  }
  auto p = security::ParsePolicy(text, "test", ".");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

RouteRequest Request(const std::string& sender, security::Clearance classification) {
  RouteRequest r;
  r.sender = sender;
  r.classification = classification;
  return r;
}

AddressTerms Terms(std::vector<std::string> principals, std::vector<std::string> organisations,
                   std::vector<std::string> sectors, std::vector<std::string> roles,
                   std::vector<std::string> areas) {
  AddressTerms t;
  t.principals = std::move(principals);
  t.organisations = std::move(organisations);
  t.sectors = std::move(sectors);
  t.roles = std::move(roles);
  t.areas = std::move(areas);
  return t;
}

std::vector<std::string> Names(const std::vector<ResolvedRecipient>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(r.principal + "<-" + r.matched_term);
  return out;
}

TEST(RecipientResolverTest, UnionOfTermsWithMatchedTerm) {
  auto policy = TestPolicy();
  RouteRequest r = Request("command", security::Clearance::kInternal);
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
  RouteRequest r = Request("command", security::Clearance::kConfidential);
  r.terms.organisations = {"msd", "vol-1", "ema"};
  auto out = ResolveRecipients(*policy, r);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Names(*out), (std::vector<std::string>{"msd<-org:msd", "duty<-org:ema"}));
}

TEST(RecipientResolverTest, SectorRoleAndAreaTerms) {
  auto policy = TestPolicy();
  RouteRequest r = Request("command", security::Clearance::kPublic);
  r.terms.sectors = {"military"};
  EXPECT_EQ(Names(*ResolveRecipients(*policy, r)),
            std::vector<std::string>{"msd<-sector:military"});
  r.terms.sectors.clear();
  r.terms.roles = {"duty-officer"};
  // vol-2 is a duty officer, but volunteers do not receive alerts via role terms.
  EXPECT_EQ(Names(*ResolveRecipients(*policy, r)),
            std::vector<std::string>{"duty<-role:duty-officer"});
  r.terms.roles.clear();
  // A district: the city organisations whose jurisdiction covers it, and the station inside it.
  r.terms.areas = {"320402"};
  EXPECT_EQ(
      Names(*ResolveRecipients(*policy, r)),
      (std::vector<std::string>{"duty<-area:320402", "msd<-area:320402", "vol-1<-area:320402"}));
  // The city: everyone in it, down to the county stations.
  r.terms.areas = {"320400"};
  EXPECT_EQ(Names(*ResolveRecipients(*policy, r)),
            (std::vector<std::string>{"duty<-area:320400", "msd<-area:320400", "vol-1<-area:320400",
                                      "vol-2<-area:320400"}));
  // The province covers every jurisdiction in it.
  r.terms.areas = {"320000"};
  EXPECT_EQ(ResolveRecipients(*policy, r)->size(), 4u);
  r.terms.areas = {"320481", "320402"};
  EXPECT_EQ(Names(*ResolveRecipients(*policy, r)),
            (std::vector<std::string>{"duty<-area:320481", "msd<-area:320481", "vol-2<-area:320481",
                                      "vol-1<-area:320402"}));
  // Another city: nobody.
  r.terms.areas = {"320500"};
  auto none = ResolveRecipients(*policy, r);
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("the addressing reaches no principal"), std::string::npos)
      << none.status().message();
}

TEST(RecipientResolverTest, MatchedTermIsTheFirstTermAllowedToReachTheRecipient) {
  auto policy = TestPolicy();
  RouteRequest r = Request("command", security::Clearance::kPublic);
  // vol-1 is first reached through its org, which volunteers may not receive alerts through; the
  // area term reaches it too, and is allowed.
  r.terms.organisations = {"vol-1"};
  r.terms.areas = {"320402"};
  EXPECT_EQ(
      Names(*ResolveRecipients(*policy, r)),
      (std::vector<std::string>{"duty<-area:320402", "msd<-area:320402", "vol-1<-area:320402"}));
  // Adding a term never removes a recipient.
  r.terms.principals = {"vol-1"};
  EXPECT_EQ(Names(*ResolveRecipients(*policy, r)),
            (std::vector<std::string>{"vol-1<-principal:vol-1", "duty<-area:320402",
                                      "msd<-area:320402"}));
}

TEST(RecipientResolverTest, ReceiveRulesFilterKindActionAndVia) {
  auto policy = TestPolicy();
  RouteRequest r = Request("command", security::Clearance::kPublic);
  r.kind = "equipment";
  r.action = "request";
  r.terms.areas = {"320402"};
  r.terms.principals = {"vol-2"};
  // Equipment requests reach volunteers only when addressed to them by name.
  EXPECT_EQ(Names(*ResolveRecipients(*policy, r)),
            (std::vector<std::string>{"vol-2<-principal:vol-2", "duty<-area:320402",
                                      "msd<-area:320402"}));
  r.action = "commit";
  EXPECT_EQ(Names(*ResolveRecipients(*policy, r)),
            (std::vector<std::string>{"duty<-area:320402", "msd<-area:320402"}));
  r.terms.areas.clear();
  auto out = ResolveRecipients(*policy, r);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "no recipient is allowed to receive this message: vol-2 (no receive rule allows "
            "equipment 'commit')");
  r.kind = "liaison";
  r.action = "propose";
  r.terms.principals = {"vol-1"};
  r.terms.organisations = {"vol-1"};
  EXPECT_EQ(
      ResolveRecipients(*policy, r).status().message(),
      "no recipient is allowed to receive this message: vol-1 (no receive rule allows liaison)");
  r.kind = "alert";
  r.action.clear();
  r.terms.principals.clear();
  EXPECT_EQ(ResolveRecipients(*policy, r).status().message(),
            "no recipient is allowed to receive this message: vol-1 (no receive rule allows alert "
            "via org: terms)");
}

TEST(RecipientResolverTest, ExplainsWhyNobodyReceives) {
  auto policy = TestPolicy();
  RouteRequest r = Request("command", security::Clearance::kConfidential);
  r.terms.principals = {"vol-1", "liaison-1"};
  auto out = ResolveRecipients(*policy, r);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(out.status().message().find("vol-1 (clearance public is below confidential)"),
            std::string::npos);
  EXPECT_NE(out.status().message().find("liaison-1 (revoked)"), std::string::npos);
  r.terms.principals = {"command"};
  EXPECT_NE(ResolveRecipients(*policy, r).status().message().find("names only the sender"),
            std::string::npos);
}

TEST(RecipientResolverTest, LongReasonListsAreCut) {
  auto policy = TestPolicy(/*extra_volunteers=*/30);
  RouteRequest r = Request("command", security::Clearance::kInternal);
  r.terms.sectors = {"volunteer"};
  auto out = ResolveRecipients(*policy, r);
  ASSERT_FALSE(out.ok());
  // vol-1, vol-2 and 30 more: 20 named, 12 counted.
  EXPECT_NE(out.status().message().find("x-17 (clearance public is below internal), and 12 more"),
            std::string::npos)
      << out.status().message();
  EXPECT_EQ(out.status().message().find("x-18"), std::string::npos);
}

TEST(RecipientResolverTest, UnknownTermsAreErrors) {
  auto policy = TestPolicy();
  RouteRequest r = Request("command", security::Clearance::kPublic);
  r.terms.principals = {"msdd"};
  EXPECT_NE(ResolveRecipients(*policy, r).status().message().find("unknown principal 'msdd'"),
            std::string::npos);
  r.terms.principals.clear();
  r.terms.organisations = {"nobody"};
  EXPECT_NE(ResolveRecipients(*policy, r).status().message().find("unknown organisation"),
            std::string::npos);
  r.terms.organisations.clear();
  EXPECT_EQ(ResolveRecipients(*policy, r).status().code(), StatusCode::kInvalidArgument);
  struct Bad {
    AddressTerms terms;
    std::string expected;
  };
  std::vector<Bad> bad = {
      {Terms({}, {}, {"navy"}, {}, {}), "unknown sector 'navy' in addressing"},
      {Terms({}, {}, {}, {"boss"}, {}), "unknown role 'boss' in addressing"},
      {Terms({}, {}, {}, {}, {"3204"}),
       "area:3204 in addressing: '3204' is not a GB/T 2260 division code"},
      {Terms({}, {}, {}, {}, {"32040x"}), "'32040x' is not a GB/T 2260 division code"},
      {Terms({}, {}, {}, {}, {"000000"}), "'000000' is not a GB/T 2260 division code"},
      // A bad term is an error even when another term resolves.
      {Terms({"msd"}, {}, {}, {}, {"1"}), "'1' is not a GB/T 2260 division code"},
  };
  for (const auto& b : bad) {
    r.terms = b.terms;
    auto out = ResolveRecipients(*policy, r);
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument) << b.expected;
    EXPECT_NE(out.status().message().find(b.expected), std::string::npos) << out.status().message();
  }
  r.terms = Terms({"msd"}, {}, {}, {}, {});
  r.kind = "memo";
  EXPECT_EQ(ResolveRecipients(*policy, r).status().code(), StatusCode::kInvalidArgument);
  r.kind = "alert";
  r.status = "drill";
  EXPECT_EQ(ResolveRecipients(*policy, r).status().code(), StatusCode::kInvalidArgument);
  r.status = "actual";
  r.action = "offer";
  EXPECT_EQ(ResolveRecipients(*policy, r).status().code(), StatusCode::kInvalidArgument);
}

TEST(RecipientResolverTest, TermTypes) {
  EXPECT_TRUE(TermTypes({}).empty());
  AddressTerms t = Terms({"a", "b"}, {}, {"x"}, {}, {"320400"});
  EXPECT_EQ(TermTypes(t), (std::vector<std::string>{"principal", "sector", "area"}));
  EXPECT_EQ(TermTypeOf("area:320402"), "area");
  EXPECT_EQ(TermTypeOf("org:ema"), "org");
  EXPECT_EQ(TermTypeOf("nonsense"), "");
}

}  // namespace
}  // namespace muster::routing
