// Tests for send and receive decisions over a small policy written for them.
#include "security/authorization.h"

#include <gtest/gtest.h>

#include "security/policy_loader.h"

namespace muster::security {
namespace {

std::string Principal(const std::string& id, const std::string& org, const std::string& role,
                      const std::string& clearance, bool revoked = false) {
  return "[[principal]]\nid = \"" + id + "\"\norg = \"" + org + "\"\nrole = \"" + role +
         "\"\nclearance = \"" + clearance + "\"\npublic_key = \"" +
         GenerateCurveKeyPair()->public_z85 + "\"\n" + (revoked ? "revoked = true\n" : "") + "\n";
}

class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text = R"(
[[organisation]]
id = "ema"
name = "EMA"
sector = "government"
jurisdictions = ["320400"]

[[organisation]]
id = "vol-1"
name = "Volunteers"
sector = "volunteer"
jurisdictions = ["320402"]

[[organisation]]
id = "rescue-1"
name = "Rescue"
sector = "rescue"

[[rule]]
name = "officials send"
action = "send"
sectors = ["government"]
roles = ["adapter", "duty-officer"]
max_classification = "confidential"

[[rule]]
name = "officials receive"
action = "receive"
sectors = ["government"]
roles = ["adapter", "duty-officer"]
max_classification = "confidential"

[[rule]]
name = "volunteer reports"
action = "send"
sectors = ["volunteer"]
kinds = ["alert"]
statuses = ["actual", "exercise"]
max_classification = "public"
to = ["org", "principal"]

[[rule]]
name = "volunteer broadcasts"
action = "send"
sectors = ["volunteer"]
kinds = ["alert"]
statuses = ["actual"]
max_classification = "public"
to = ["area"]

[[rule]]
name = "volunteer offers"
action = "send"
sectors = ["volunteer"]
kinds = ["equipment"]
actions = ["offer", "status-report"]
to = ["principal"]

[[rule]]
name = "volunteer alerts"
action = "receive"
sectors = ["volunteer"]
kinds = ["alert"]
statuses = ["actual", "exercise", "test"]
via = ["area", "principal"]

[[rule]]
name = "volunteer requests"
action = "receive"
sectors = ["volunteer"]
kinds = ["equipment"]
actions = ["request"]
via = ["principal"]

[[rule]]
name = "rescue liaison only"
action = "send"
orgs = ["rescue-1"]
kinds = ["liaison"]
max_classification = "internal"
)";
    text += Principal("command", "ema", "adapter", "confidential");
    text += Principal("admin", "ema", "admin", "confidential");
    text += Principal("old", "ema", "adapter", "confidential", /*revoked=*/true);
    text += Principal("vol-1", "vol-1", "adapter", "public");
    text += Principal("rescue-1", "rescue-1", "adapter", "internal");
    auto p = ParsePolicy(text, "policy.toml", ".");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    policy_ = *p;
  }

  Status Send(const std::string& who, const std::string& kind, const std::string& status,
              Clearance c, std::vector<std::string> terms, const std::string& action = "") {
    const auto* p = policy_->FindPrincipal(who);
    EXPECT_NE(p, nullptr) << who;
    return CheckSend(*policy_, *p, {kind, status, action, c, std::move(terms)});
  }
  Status Receive(const std::string& who, const std::string& kind, const std::string& status,
                 Clearance c, const std::string& via, const std::string& action = "") {
    const auto* p = policy_->FindPrincipal(who);
    EXPECT_NE(p, nullptr) << who;
    return CheckReceive(*policy_, *p, {kind, status, action, c, via});
  }

  std::shared_ptr<const Policy> policy_;
};

void ExpectDenied(const Status& s, const std::string& reason) {
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find(reason), std::string::npos)
      << "want '" << reason << "', got '" << s.message() << "'";
}

TEST_F(AuthorizationTest, SendAllowedOnlyByARule) {
  EXPECT_TRUE(Send("command", "alert", "actual", Clearance::kConfidential,
                   {"principal", "org", "sector", "role", "area"})
                  .ok());
  EXPECT_TRUE(Send("command", "liaison", "system", Clearance::kPublic, {"org"}, "propose").ok());
  // The admin is in the government sector, but the rules select roles adapter and duty-officer.
  ExpectDenied(Send("admin", "alert", "actual", Clearance::kPublic, {"org"}),
               "no send rule allows admin (role admin, sector government) to send");
}

TEST_F(AuthorizationTest, ClearanceAndRevocationComeFirst) {
  ExpectDenied(Send("vol-1", "alert", "actual", Clearance::kInternal, {"org"}),
               "classification internal is above your clearance (public)");
  ExpectDenied(Send("old", "alert", "actual", Clearance::kPublic, {"org"}),
               "principal 'old' is revoked");
}

TEST_F(AuthorizationTest, ReasonNamesTheFirstThingNotAllowed) {
  ExpectDenied(Send("vol-1", "liaison", "actual", Clearance::kPublic, {"org"}, "propose"),
               "vol-1 (role adapter, sector volunteer) may not send liaison messages");
  ExpectDenied(Send("vol-1", "alert", "test", Clearance::kPublic, {"org"}),
               "may not send test alert messages");
  ExpectDenied(Send("vol-1", "equipment", "actual", Clearance::kPublic, {"principal"}, "request"),
               "may not send equipment 'request' messages (allowed: offer, status-report)");
  ExpectDenied(Send("vol-1", "equipment", "actual", Clearance::kPublic, {"principal"}),
               "may not send equipment messages without an action");
  ExpectDenied(Send("rescue-1", "alert", "actual", Clearance::kPublic, {"org"}),
               "rescue-1 (role adapter, sector rescue) may not send alert messages");
  ExpectDenied(Send("vol-1", "equipment", "actual", Clearance::kPublic, {"org"}, "offer"),
               "may not address equipment 'offer' messages to org: terms (allowed: principal:)");
}

TEST_F(AuthorizationTest, EachTermTypeNeedsARuleButNotTheSameOne) {
  // org and principal come from "volunteer reports", area from "volunteer broadcasts".
  EXPECT_TRUE(Send("vol-1", "alert", "actual", Clearance::kPublic, {"org", "area"}).ok());
  EXPECT_TRUE(Send("vol-1", "alert", "actual", Clearance::kPublic, {"area", "principal"}).ok());
  // "volunteer broadcasts" is for actual traffic only: an exercise may not go to an area.
  EXPECT_TRUE(Send("vol-1", "alert", "exercise", Clearance::kPublic, {"org"}).ok());
  ExpectDenied(Send("vol-1", "alert", "exercise", Clearance::kPublic, {"org", "area"}),
               "may not address alert messages to area: terms (allowed: org:, principal:)");
  ExpectDenied(Send("vol-1", "alert", "actual", Clearance::kPublic, {"sector"}),
               "may not address alert messages to sector: terms");
  EXPECT_TRUE(
      Send("vol-1", "equipment", "exercise", Clearance::kPublic, {"principal"}, "status-report")
          .ok());
}

TEST_F(AuthorizationTest, ClassificationCeilingOfTheRules) {
  EXPECT_TRUE(
      Send("rescue-1", "liaison", "actual", Clearance::kInternal, {"sector"}, "accept").ok());
  // A clearance of confidential would not help: the rules stop at internal.
  ExpectDenied(Send("rescue-1", "liaison", "actual", Clearance::kRestricted, {"org"}, "accept"),
               "classification restricted is above your clearance (internal)");
}

TEST_F(AuthorizationTest, RuleCeilingBelowClearanceIsNamed) {
  std::string text = R"(
[[organisation]]
id = "msd"
name = "MSD"
sector = "military"
[[rule]]
name = "military routine"
action = "send"
sectors = ["military"]
max_classification = "internal"
)" + Principal("msd", "msd", "adapter", "confidential");
  auto p = ParsePolicy(text, "p.toml", ".");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Status s = CheckSend(**p, *(*p)->FindPrincipal("msd"),
                       {"alert", "actual", "", Clearance::kConfidential, {"org"}});
  ExpectDenied(s,
               "msd (role adapter, sector military) may send alert messages only up to internal "
               "(rule 'military routine'), not confidential");
}

TEST_F(AuthorizationTest, VocabularyErrorsAreInvalidArgument) {
  EXPECT_EQ(Send("command", "memo", "actual", Clearance::kPublic, {"org"}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Send("command", "alert", "drill", Clearance::kPublic, {"org"}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Send("command", "alert", "actual", Clearance::kPublic, {"org"}, "offer").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Send("command", "liaison", "actual", Clearance::kPublic, {"org"}, "offer").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Send("command", "alert", "actual", Clearance::kPublic, {"team"}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Receive("command", "alert", "actual", Clearance::kPublic, "").code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AuthorizationTest, ReceiveRules) {
  EXPECT_TRUE(
      Receive("command", "equipment", "system", Clearance::kConfidential, "role", "commit").ok());
  EXPECT_TRUE(Receive("vol-1", "alert", "test", Clearance::kPublic, "area").ok());
  EXPECT_TRUE(
      Receive("vol-1", "equipment", "actual", Clearance::kPublic, "principal", "request").ok());
  ExpectDenied(Receive("vol-1", "alert", "actual", Clearance::kInternal, "area"),
               "clearance public is below internal");
  ExpectDenied(Receive("vol-1", "alert", "system", Clearance::kPublic, "area"),
               "no receive rule allows system alert");
  ExpectDenied(Receive("vol-1", "alert", "actual", Clearance::kPublic, "org"),
               "no receive rule allows alert via org: terms");
  ExpectDenied(Receive("vol-1", "equipment", "actual", Clearance::kPublic, "principal", "offer"),
               "no receive rule allows equipment 'offer'");
  ExpectDenied(Receive("vol-1", "equipment", "actual", Clearance::kPublic, "area", "request"),
               "no receive rule allows equipment 'request' via area: terms");
  ExpectDenied(Receive("vol-1", "liaison", "actual", Clearance::kPublic, "principal", "propose"),
               "no receive rule allows liaison");
  ExpectDenied(Receive("admin", "alert", "actual", Clearance::kPublic, "principal"),
               "no receive rule allows alert");
  ExpectDenied(Receive("rescue-1", "alert", "actual", Clearance::kPublic, "principal"),
               "no receive rule allows alert");
  ExpectDenied(Receive("old", "alert", "actual", Clearance::kPublic, "principal"), "revoked");
}

TEST_F(AuthorizationTest, MayReceiveForTheReadSide) {
  const auto& vol = *policy_->FindPrincipal("vol-1");
  EXPECT_TRUE(MayReceive(*policy_, vol, "alert", "actual", Clearance::kPublic, "area"));
  EXPECT_FALSE(MayReceive(*policy_, vol, "alert", "actual", Clearance::kConfidential, "area"));
  EXPECT_FALSE(MayReceive(*policy_, vol, "alert", "actual", Clearance::kPublic, "sector"));
  EXPECT_FALSE(MayReceive(*policy_, vol, "alert", "actual", Clearance::kPublic, ""));
  // The action-less form never matches a rule that names actions.
  EXPECT_FALSE(MayReceive(*policy_, vol, "equipment", "actual", Clearance::kPublic, "principal"));
  EXPECT_TRUE(
      MayReceive(*policy_, vol, "equipment", "actual", Clearance::kPublic, "principal", "request"));
  EXPECT_FALSE(MayReceive(*policy_, *policy_->FindPrincipal("old"), "alert", "actual",
                          Clearance::kPublic, "principal"));
}

TEST_F(AuthorizationTest, APolicyWithoutRulesAllowsNothing) {
  std::string text = "[[organisation]]\nid = \"ema\"\nname = \"EMA\"\nsector = \"government\"\n" +
                     Principal("command", "ema", "adapter", "confidential") +
                     Principal("duty", "ema", "duty-officer", "confidential");
  auto p = ParsePolicy(text, "p.toml", ".");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const auto& command = *(*p)->FindPrincipal("command");
  ExpectDenied(CheckSend(**p, command, {"alert", "actual", "", Clearance::kPublic, {"principal"}}),
               "no send rule allows command");
  EXPECT_FALSE(MayReceive(**p, *(*p)->FindPrincipal("duty"), "alert", "actual", Clearance::kPublic,
                          "principal"));
}

}  // namespace
}  // namespace muster::security
