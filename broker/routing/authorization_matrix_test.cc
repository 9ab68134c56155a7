// The demo policy's decisions as a table: for each (sender, kind, status, classification, action,
// addressing), whether CheckSend accepts it and, if so, exactly which principals
// ResolveRecipients delivers it to. The policy is the real demo policy, written by
// WriteDemoFiles as `musterd --demo` writes it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include "broker/demo_setup.h"
#include "broker/routing/recipient_resolver.h"
#include "security/authorization.h"
#include "security/policy_loader.h"

namespace muster::routing {
namespace {

using security::Clearance;

class DemoPolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/muster-matrix-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    std::string config_path;
    Status s = broker::WriteDemoFiles(*dir_ + "/demo", &config_path);
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto p = security::LoadPolicyFile(*dir_ + "/demo/policy.toml");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    policy_ = new std::shared_ptr<const security::Policy>(*p);
  }
  static void TearDownTestSuite() {
    std::system(("rm -rf " + *dir_).c_str());
    delete dir_;
    delete policy_;
  }
  static const security::Policy& policy() { return **policy_; }

  static std::string* dir_;
  static std::shared_ptr<const security::Policy>* policy_;
};

std::string* DemoPolicyTest::dir_ = nullptr;
std::shared_ptr<const security::Policy>* DemoPolicyTest::policy_ = nullptr;

// "org:msd,area:320402" → terms.
AddressTerms ParseTerms(const std::string& text) {
  AddressTerms terms;
  std::stringstream in(text);
  std::string term;
  while (std::getline(in, term, ',')) {
    auto colon = term.find(':');
    std::string type = term.substr(0, colon), value = term.substr(colon + 1);
    std::vector<std::string>* list = type == "principal" ? &terms.principals
                                     : type == "org"     ? &terms.organisations
                                     : type == "sector"  ? &terms.sectors
                                     : type == "role"    ? &terms.roles
                                     : type == "area"    ? &terms.areas
                                                         : nullptr;
    if (list == nullptr) {
      ADD_FAILURE() << "bad term in the table: " << term;
      continue;
    }
    list->push_back(value);
  }
  return terms;
}

Clearance C(const char* name) { return *security::ParseClearance(name); }

// Expected outcome: "DENIED" (CheckSend refuses: PermissionDenied), "NONE" (accepted by CheckSend,
// but nobody may receive it: FailedPrecondition), "INVALID" (bad addressing: InvalidArgument), or
// the exact set of recipients, space-separated.
struct Case {
  const char* sender;
  const char* kind;
  const char* status;
  const char* classification;
  const char* action;
  const char* to;
  const char* expect;
};

// Demo principals: command (ema, adapter, confidential), duty (ema, duty-officer, confidential),
// msd (msd, adapter, confidential), liaison-1 (msd, officer, confidential), rescue-1 (rescue-1,
// adapter, internal), vol-1 (vol-1, adapter, public), auditor (audit, auditor, confidential),
// admin (ema, admin, internal). Jurisdictions: ema and msd 320400, rescue-1 320481, vol-1 320402.
const Case kCases[] = {
    // The bureau's command centre.
    {"command", "alert", "actual", "confidential", "", "org:msd", "msd liaison-1"},
    {"command", "alert", "actual", "confidential", "", "principal:msd", "msd"},
    {"command", "alert", "actual", "confidential", "", "sector:volunteer", "NONE"},
    {"command", "alert", "actual", "confidential", "", "area:320402", "duty msd liaison-1"},
    {"command", "alert", "actual", "confidential", "", "org:vol-1", "NONE"},
    {"command", "alert", "actual", "confidential", "", "principal:vol-1", "NONE"},
    {"command", "alert", "actual", "public", "", "area:320402", "duty msd liaison-1 vol-1"},
    {"command", "alert", "actual", "public", "", "area:320400",
     "duty msd liaison-1 rescue-1 vol-1"},
    {"command", "alert", "actual", "public", "", "area:320481", "duty msd liaison-1 rescue-1"},
    {"command", "alert", "actual", "public", "", "area:320000",
     "duty msd liaison-1 rescue-1 vol-1"},
    {"command", "alert", "actual", "public", "", "area:110000", "NONE"},
    {"command", "alert", "actual", "internal", "", "area:320400", "duty msd liaison-1 rescue-1"},
    {"command", "alert", "actual", "restricted", "", "area:320400", "duty msd liaison-1"},
    {"command", "alert", "actual", "public", "", "sector:volunteer", "vol-1"},
    {"command", "alert", "actual", "public", "", "sector:rescue", "rescue-1"},
    {"command", "alert", "actual", "public", "", "sector:audit", "NONE"},
    {"command", "alert", "actual", "public", "", "role:auditor", "NONE"},
    {"command", "alert", "actual", "public", "", "role:admin", "NONE"},
    {"command", "alert", "actual", "public", "", "role:adapter", "msd rescue-1"},
    {"command", "alert", "actual", "public", "", "role:duty-officer", "duty"},
    {"command", "alert", "actual", "public", "", "role:officer", "liaison-1"},
    {"command", "alert", "actual", "public", "", "org:ema", "duty"},
    {"command", "alert", "actual", "public", "", "org:audit", "NONE"},
    {"command", "alert", "system", "public", "", "sector:volunteer", "NONE"},
    {"command", "alert", "exercise", "public", "", "sector:volunteer", "vol-1"},
    {"command", "alert", "test", "public", "", "principal:vol-1", "vol-1"},
    {"command", "alert", "system", "public", "", "org:msd", "msd liaison-1"},
    {"command", "alert", "system", "public", "", "area:320402", "duty msd liaison-1"},
    {"command", "equipment", "actual", "public", "request", "principal:vol-1", "vol-1"},
    {"command", "equipment", "actual", "public", "request", "org:vol-1", "vol-1"},
    {"command", "equipment", "actual", "public", "request", "area:320402", "duty msd liaison-1"},
    {"command", "equipment", "actual", "public", "request", "sector:volunteer", "NONE"},
    {"command", "equipment", "actual", "internal", "request", "org:vol-1", "NONE"},
    {"command", "equipment", "actual", "public", "commit", "principal:vol-1", "vol-1"},
    {"command", "equipment", "system", "public", "request", "principal:vol-1", "NONE"},
    {"command", "liaison", "actual", "confidential", "propose", "org:msd", "msd liaison-1"},
    {"command", "liaison", "actual", "public", "propose", "org:vol-1", "NONE"},
    {"command", "liaison", "actual", "internal", "propose", "principal:rescue-1", "rescue-1"},
    {"command", "liaison", "actual", "confidential", "propose", "principal:rescue-1", "NONE"},
    {"command", "alert", "actual", "public", "", "principal:command", "NONE"},
    {"command", "alert", "actual", "public", "", "principal:nobody", "INVALID"},
    {"command", "alert", "actual", "public", "", "area:3204", "INVALID"},
    {"command", "alert", "actual", "public", "", "sector:navy", "INVALID"},
    {"command", "alert", "actual", "public", "", "role:boss", "INVALID"},
    {"command", "alert", "actual", "public", "", "org:nowhere", "INVALID"},
    {"command", "alert", "actual", "public", "", "principal:vol-1,principal:auditor", "vol-1"},
    {"command", "alert", "actual", "confidential", "",
     "principal:msd,org:vol-1,sector:volunteer,area:320402", "duty msd liaison-1"},
    {"command", "alert", "actual", "restricted", "", "principal:rescue-1", "NONE"},
    {"command", "alert", "actual", "confidential", "",
     "org:rescue-1,sector:rescue,area:320481,role:adapter", "duty msd liaison-1"},
    {"command", "alert", "exercise", "internal", "", "role:adapter,role:officer",
     "msd liaison-1 rescue-1"},
    {"command", "alert", "actual", "public", "", "principal:admin", "NONE"},
    {"command", "alert", "actual", "public", "", "principal:auditor,org:audit", "NONE"},
    {"command", "alert", "actual", "internal", "",
     "principal:vol-1,org:vol-1,sector:volunteer,area:320402", "duty msd liaison-1"},
    {"command", "alert", "actual", "public", "", "principal:vol-1,role:adapter",
     "msd rescue-1 vol-1"},
    // The bureau's duty officer.
    {"duty", "alert", "actual", "confidential", "", "org:ema", "command"},
    {"duty", "alert", "actual", "confidential", "", "role:adapter", "command msd"},
    {"duty", "liaison", "actual", "restricted", "accept", "principal:liaison-1", "liaison-1"},
    {"duty", "equipment", "exercise", "internal", "dispatch", "org:rescue-1", "rescue-1"},
    {"duty", "alert", "actual", "public", "", "sector:government", "command"},
    {"duty", "alert", "actual", "public", "", "sector:government,sector:military",
     "command msd liaison-1"},
    {"duty", "equipment", "actual", "confidential", "request", "role:adapter", "command msd"},
    {"duty", "alert", "test", "public", "", "area:320402,area:320481",
     "command msd liaison-1 rescue-1 vol-1"},
    // The military sub-district.
    {"msd", "alert", "actual", "confidential", "", "org:ema", "command duty"},
    {"msd", "alert", "actual", "confidential", "", "area:320402", "command duty liaison-1"},
    {"msd", "alert", "actual", "confidential", "", "sector:volunteer", "NONE"},
    {"msd", "alert", "actual", "confidential", "", "org:vol-1", "NONE"},
    {"msd", "alert", "actual", "public", "", "org:vol-1", "vol-1"},
    {"msd", "equipment", "actual", "internal", "request", "sector:rescue", "rescue-1"},
    {"msd", "equipment", "actual", "public", "offer", "org:vol-1", "vol-1"},
    {"msd", "alert", "actual", "restricted", "", "org:rescue-1", "NONE"},
    {"msd", "alert", "exercise", "confidential", "", "role:duty-officer", "duty"},
    {"msd", "liaison", "actual", "restricted", "propose", "org:rescue-1", "NONE"},
    {"msd", "equipment", "actual", "public", "status-request", "area:320402",
     "command duty liaison-1"},
    // The sub-district's liaison officer.
    {"liaison-1", "liaison", "actual", "confidential", "arrive", "principal:duty", "duty"},
    {"liaison-1", "liaison", "actual", "confidential", "handover", "org:msd", "msd"},
    {"liaison-1", "alert", "actual", "public", "", "area:320400",
     "command duty msd rescue-1 vol-1"},
    {"liaison-1", "equipment", "actual", "confidential", "release",
     "principal:rescue-1,principal:vol-1", "NONE"},
    // The rescue team: up to internal, both ways.
    {"rescue-1", "alert", "actual", "internal", "", "org:ema", "command duty"},
    {"rescue-1", "alert", "actual", "confidential", "", "org:ema", "DENIED"},
    {"rescue-1", "alert", "actual", "restricted", "", "org:ema", "DENIED"},
    {"rescue-1", "liaison", "actual", "confidential", "propose", "principal:msd", "DENIED"},
    {"rescue-1", "alert", "actual", "public", "", "area:320481", "command duty msd liaison-1"},
    {"rescue-1", "alert", "actual", "public", "", "area:320402",
     "command duty msd liaison-1 vol-1"},
    {"rescue-1", "equipment", "actual", "internal", "request", "org:msd", "msd liaison-1"},
    {"rescue-1", "equipment", "actual", "public", "offer", "principal:vol-1", "vol-1"},
    {"rescue-1", "liaison", "exercise", "internal", "decline", "principal:command", "command"},
    {"rescue-1", "alert", "system", "internal", "", "sector:military", "msd liaison-1"},
    {"rescue-1", "alert", "actual", "public", "", "sector:rescue", "NONE"},
    {"rescue-1", "alert", "actual", "internal", "", "sector:volunteer", "NONE"},
    {"rescue-1", "equipment", "actual", "internal", "release", "area:320400",
     "command duty msd liaison-1"},
    // The volunteer station: public alerts to anyone, equipment offers to whom they answer.
    {"vol-1", "alert", "actual", "public", "", "org:ema", "command duty"},
    {"vol-1", "alert", "actual", "public", "", "principal:duty", "duty"},
    {"vol-1", "alert", "actual", "public", "", "area:320402", "command duty msd liaison-1"},
    {"vol-1", "alert", "actual", "public", "", "area:320400",
     "command duty msd liaison-1 rescue-1"},
    {"vol-1", "alert", "actual", "public", "", "role:duty-officer", "duty"},
    {"vol-1", "alert", "actual", "public", "", "sector:rescue", "rescue-1"},
    {"vol-1", "alert", "exercise", "public", "", "org:msd", "msd liaison-1"},
    {"vol-1", "alert", "test", "public", "", "principal:msd", "msd"},
    {"vol-1", "alert", "system", "public", "", "principal:msd", "DENIED"},
    {"vol-1", "alert", "actual", "internal", "", "org:ema", "DENIED"},
    {"vol-1", "alert", "actual", "confidential", "", "sector:military", "DENIED"},
    {"vol-1", "liaison", "actual", "public", "propose", "org:ema", "DENIED"},
    {"vol-1", "equipment", "actual", "public", "offer", "principal:command", "command"},
    {"vol-1", "equipment", "actual", "public", "offer", "org:msd", "msd liaison-1"},
    {"vol-1", "equipment", "actual", "public", "offer", "area:320400", "DENIED"},
    {"vol-1", "equipment", "actual", "public", "offer", "sector:government", "DENIED"},
    {"vol-1", "equipment", "actual", "public", "request", "org:ema", "DENIED"},
    {"vol-1", "equipment", "actual", "public", "commit", "principal:command", "DENIED"},
    {"vol-1", "equipment", "exercise", "public", "offer", "principal:rescue-1", "rescue-1"},
    {"vol-1", "equipment", "system", "public", "offer", "principal:command", "DENIED"},
    {"vol-1", "equipment", "actual", "public", "offer", "principal:command,area:320402", "DENIED"},
    {"vol-1", "alert", "actual", "public", "", "principal:auditor", "NONE"},
    {"vol-1", "alert", "actual", "public", "", "sector:volunteer", "NONE"},
    {"vol-1", "alert", "actual", "public", "", "principal:vol-1", "NONE"},
    // Auditors and admins send nothing.
    {"auditor", "alert", "actual", "public", "", "org:ema", "DENIED"},
    {"auditor", "alert", "actual", "confidential", "", "principal:msd", "DENIED"},
    {"auditor", "equipment", "actual", "public", "request", "org:vol-1", "DENIED"},
    {"auditor", "liaison", "actual", "public", "propose", "principal:duty", "DENIED"},
    {"auditor", "alert", "system", "public", "", "principal:command", "DENIED"},
    {"admin", "alert", "actual", "public", "", "org:ema", "DENIED"},
    {"admin", "alert", "actual", "internal", "", "principal:duty", "DENIED"},
    {"admin", "equipment", "actual", "public", "offer", "org:msd", "DENIED"},
    {"admin", "liaison", "actual", "public", "propose", "principal:msd", "DENIED"},
    {"admin", "alert", "system", "public", "", "role:adapter", "DENIED"},
};

std::string Describe(const Case& c) {
  return std::string(c.sender) + " " + c.kind + "/" + c.status + "/" + c.classification +
         (*c.action ? std::string("/") + c.action : "") + " to " + c.to;
}

RouteRequest ToRoute(const Case& c) {
  RouteRequest r;
  r.sender = c.sender;
  r.classification = C(c.classification);
  r.terms = ParseTerms(c.to);
  r.kind = c.kind;
  r.status = c.status;
  r.action = c.action;
  return r;
}

// Runs a case through CheckSend and ResolveRecipients: "DENIED", "NONE", "INVALID" or the sorted
// recipient ids. `recipients` gets the resolved recipients when there are some.
std::string Outcome(const security::Policy& policy, const Case& c,
                    std::vector<ResolvedRecipient>* recipients = nullptr) {
  const security::Principal* sender = policy.FindPrincipal(c.sender);
  if (sender == nullptr) return "unknown sender";
  RouteRequest route = ToRoute(c);
  security::SendRequest send{c.kind, c.status, c.action, route.classification,
                             TermTypes(route.terms)};
  Status s = security::CheckSend(policy, *sender, send);
  if (s.code() == StatusCode::kPermissionDenied) return "DENIED";
  if (!s.ok()) return "CheckSend: " + s.ToString();
  auto out = ResolveRecipients(policy, route);
  if (out.status().code() == StatusCode::kFailedPrecondition) return "NONE";
  if (out.status().code() == StatusCode::kInvalidArgument) return "INVALID";
  if (!out.ok()) return "ResolveRecipients: " + out.status().ToString();
  std::vector<std::string> ids;
  for (const auto& r : *out) ids.push_back(r.principal);
  std::sort(ids.begin(), ids.end());
  std::string joined;
  for (const auto& id : ids) joined += (joined.empty() ? "" : " ") + id;
  if (recipients) *recipients = std::move(*out);
  return joined;
}

std::string Sorted(const std::string& expect) {
  std::stringstream in(expect);
  std::vector<std::string> ids;
  for (std::string id; in >> id;) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  std::string joined;
  for (const auto& id : ids) joined += (joined.empty() ? "" : " ") + id;
  return joined;
}

TEST_F(DemoPolicyTest, MatrixHasAtLeastAHundredCases) { EXPECT_GE(std::size(kCases), 100u); }

TEST_F(DemoPolicyTest, Matrix) {
  for (const Case& c : kCases) {
    EXPECT_EQ(Outcome(policy(), c), Sorted(c.expect)) << Describe(c);
  }
}

// Properties that must hold across the whole table, whatever each row expects.
TEST_F(DemoPolicyTest, NobodyReceivesAboveClearanceAndAuditorsAndAdminsReceiveNothing) {
  for (const Case& c : kCases) {
    std::vector<ResolvedRecipient> recipients;
    Outcome(policy(), c, &recipients);
    for (const auto& r : recipients) {
      const security::Principal* p = policy().FindPrincipal(r.principal);
      ASSERT_NE(p, nullptr);
      EXPECT_LE(C(c.classification), p->clearance) << Describe(c) << " reached " << r.principal;
      EXPECT_NE(r.principal, "auditor") << Describe(c);
      EXPECT_NE(r.principal, "admin") << Describe(c);
      EXPECT_NE(r.principal, c.sender) << Describe(c);
      if (r.principal == "rescue-1") {
        EXPECT_LE(C(c.classification), Clearance::kInternal) << Describe(c);
      }
      if (r.principal == "vol-1") {
        EXPECT_EQ(C(c.classification), Clearance::kPublic) << Describe(c);
      }
    }
  }
}

// A confidential alert addressed to sector:volunteer, area:320402 or org:vol-1 (or to vol-1 by
// name, or by role) never reaches vol-1, whoever sends it and however the terms are combined.
TEST_F(DemoPolicyTest, ConfidentialNeverReachesTheVolunteerStation) {
  const std::vector<std::string> addressings = {
      "sector:volunteer", "area:320402",
      "org:vol-1",        "principal:vol-1",
      "role:adapter",     "area:320400",
      "area:320000",      "sector:volunteer,area:320402,org:vol-1,principal:vol-1"};
  for (const auto& sender : {"command", "duty", "msd", "liaison-1"}) {
    for (const auto& kind : {"alert", "equipment", "liaison"}) {
      for (const auto& to : addressings) {
        for (const char* cls : {"internal", "restricted", "confidential"}) {
          std::string action = std::string(kind) == "alert"       ? ""
                               : std::string(kind) == "equipment" ? "request"
                                                                  : "propose";
          Case c{sender, kind, "actual", cls, action.c_str(), to.c_str(), ""};
          std::vector<ResolvedRecipient> recipients;
          std::string outcome = Outcome(policy(), c, &recipients);
          EXPECT_EQ(outcome.find("vol-1"), std::string::npos) << Describe(c) << ": " << outcome;
        }
      }
    }
  }
}

TEST_F(DemoPolicyTest, MatchedTermsAreRecorded) {
  std::vector<ResolvedRecipient> rs;
  Case c{"command", "alert", "actual", "public", "", "area:320402", ""};
  ASSERT_EQ(Outcome(policy(), c, &rs), "duty liaison-1 msd vol-1");
  for (const auto& r : rs) EXPECT_EQ(r.matched_term, "area:320402") << r.principal;
  // vol-1 does not receive equipment through an area term, but does through its org.
  c = {"command", "equipment", "actual", "public", "request", "area:320402,org:vol-1", ""};
  ASSERT_EQ(Outcome(policy(), c, &rs), "duty liaison-1 msd vol-1");
  for (const auto& r : rs) {
    EXPECT_EQ(r.matched_term, r.principal == "vol-1" ? "org:vol-1" : "area:320402") << r.principal;
  }
  c = {"duty",     "alert", "actual",
       "internal", "",      "principal:msd,org:msd,role:adapter,sector:rescue",
       ""};
  ASSERT_EQ(Outcome(policy(), c, &rs), "command liaison-1 msd rescue-1");
  std::map<std::string, std::string> terms;
  for (const auto& r : rs) terms[r.principal] = r.matched_term;
  EXPECT_EQ(terms["msd"], "principal:msd");
  EXPECT_EQ(terms["liaison-1"], "org:msd");
  EXPECT_EQ(terms["rescue-1"], "sector:rescue");  // sector terms come before role terms
  EXPECT_EQ(terms["command"], "role:adapter");
}

TEST_F(DemoPolicyTest, RefusalsSayWhy) {
  auto send = [&](const char* who, const char* kind, const char* cls, const char* action,
                  std::vector<std::string> types) {
    return security::CheckSend(policy(), *policy().FindPrincipal(who),
                               {kind, "actual", action, C(cls), std::move(types)})
        .message();
  };
  EXPECT_EQ(send("vol-1", "liaison", "public", "propose", {"org"}),
            "vol-1 (role adapter, sector volunteer) may not send liaison messages");
  EXPECT_EQ(send("auditor", "alert", "public", "", {"org"}),
            "no send rule allows auditor (role auditor, sector audit) to send");
  EXPECT_EQ(send("admin", "alert", "public", "", {"org"}),
            "no send rule allows admin (role admin, sector government) to send");
  EXPECT_EQ(send("rescue-1", "alert", "confidential", "", {"org"}),
            "classification confidential is above your clearance (internal)");
  EXPECT_EQ(send("vol-1", "equipment", "public", "request", {"org"}),
            "vol-1 (role adapter, sector volunteer) may not send equipment 'request' messages "
            "(allowed: offer)");
  EXPECT_EQ(send("vol-1", "equipment", "public", "offer", {"principal", "area"}),
            "vol-1 (role adapter, sector volunteer) may not address equipment 'offer' messages to "
            "area: terms (allowed: principal:, org:)");

  RouteRequest r = ToRoute({"command", "alert", "actual", "confidential", "",
                            "org:vol-1,principal:admin,principal:auditor", ""});
  EXPECT_EQ(
      ResolveRecipients(policy(), r).status().message(),
      "no recipient is allowed to receive this message: admin (clearance internal is below "
      "confidential), auditor (no receive rule allows alert), vol-1 (clearance public is below "
      "confidential)");
}

TEST_F(DemoPolicyTest, ReadSideAgreesWithRouting) {
  const auto& vol = *policy().FindPrincipal("vol-1");
  EXPECT_TRUE(security::MayReceive(policy(), vol, "alert", "actual", Clearance::kPublic, "area"));
  EXPECT_FALSE(
      security::MayReceive(policy(), vol, "alert", "actual", Clearance::kConfidential, "area"));
  EXPECT_FALSE(security::MayReceive(policy(), vol, "alert", "actual", Clearance::kPublic, "role"));
  EXPECT_FALSE(security::MayReceive(policy(), vol, "alert", "system", Clearance::kPublic, "area"));
  EXPECT_TRUE(security::MayReceive(policy(), vol, "equipment", "actual", Clearance::kPublic, "org",
                                   "request"));
  EXPECT_FALSE(security::MayReceive(policy(), vol, "equipment", "actual", Clearance::kPublic,
                                    "area", "request"));
  const auto& rescue = *policy().FindPrincipal("rescue-1");
  EXPECT_TRUE(security::MayReceive(policy(), rescue, "liaison", "exercise", Clearance::kInternal,
                                   "principal", "propose"));
  EXPECT_FALSE(security::MayReceive(policy(), rescue, "alert", "actual", Clearance::kRestricted,
                                    "principal"));
  for (const char* who : {"auditor", "admin"}) {
    EXPECT_FALSE(security::MayReceive(policy(), *policy().FindPrincipal(who), "alert", "actual",
                                      Clearance::kPublic, "principal"))
        << who;
  }
}

TEST_F(DemoPolicyTest, DemoPrincipalsRateLimitsAndLimits) {
  for (const auto& p : broker::DemoPrincipals()) {
    const security::Principal* found = policy().FindPrincipal(p.id);
    ASSERT_NE(found, nullptr) << p.id;
    EXPECT_EQ(found->org, p.org);
    EXPECT_EQ(found->role, p.role);
    EXPECT_EQ(security::ClearanceName(found->clearance), p.clearance);
  }
  const security::Principal* admin = policy().FindPrincipal("admin");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->role, "admin");
  EXPECT_EQ(admin->org, "ema");
  EXPECT_EQ(admin->clearance, Clearance::kInternal);
  const security::RateLimit* adapter = policy().RateLimitForRole("adapter");
  ASSERT_NE(adapter, nullptr);
  EXPECT_DOUBLE_EQ(adapter->per_second, 200);
  EXPECT_EQ(adapter->burst, 400);
  for (const char* role : {"officer", "duty-officer"}) {
    const security::RateLimit* r = policy().RateLimitForRole(role);
    ASSERT_NE(r, nullptr) << role;
    EXPECT_DOUBLE_EQ(r->per_second, 20);
    EXPECT_EQ(r->burst, 40);
  }
  EXPECT_EQ(policy().max_recipients(), 10000u);
}

}  // namespace
}  // namespace muster::routing
