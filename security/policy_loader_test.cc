// Tests for policy loading: a valid policy, and every kind of mistake named with its line.
#include "security/policy_loader.h"

#include <gtest/gtest.h>

namespace muster::security {
namespace {

std::string Key() { return GenerateCurveKeyPair()->public_z85; }

std::string ValidPolicy(const std::string& k1, const std::string& k2) {
  return "[[organisation]]\n"
         "id = \"ema\"\n"
         "name = \"Emergency management bureau\"\n"
         "sector = \"government\"\n"
         "jurisdictions = [\"320400\"]\n"
         "\n"
         "[[principal]]\n"
         "id = \"command\"\n"
         "org = \"ema\"\n"
         "role = \"adapter\"\n"
         "clearance = \"confidential\"\n"
         "public_key = \"" + k1 + "\"\n"
         "\n"
         "[[principal]]\n"
         "id = \"duty\"\n"
         "org = \"ema\"\n"
         "role = \"duty-officer\"\n"
         "clearance = \"internal\"\n"
         "public_key = \"" + k2 + "\"\n"
         "revoked = true\n";
}

TEST(PolicyLoaderTest, LoadsValidPolicy) {
  std::string k1 = Key(), k2 = Key();
  auto p = ParsePolicy(ValidPolicy(k1, k2), "policy.toml", ".");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Principal* command = (*p)->FindPrincipal("command");
  ASSERT_NE(command, nullptr);
  EXPECT_EQ(command->org, "ema");
  EXPECT_EQ(command->clearance, Clearance::kConfidential);
  EXPECT_FALSE(command->revoked);
  EXPECT_EQ((*p)->FindPrincipalByKey(*DecodeZ85Key(k2))->id, "duty");
  EXPECT_TRUE((*p)->FindPrincipal("duty")->revoked);
  EXPECT_EQ((*p)->FindOrganisation("ema")->jurisdictions, std::vector<std::string>{"320400"});
  EXPECT_EQ((*p)->FindPrincipal("nobody"), nullptr);
}

struct BadCase {
  std::string name;
  std::string find;
  std::string replace;
  std::string expected;  // substring of the error
};

TEST(PolicyLoaderTest, NamesLineAndReasonOfEachMistake) {
  std::string k1 = Key(), k2 = Key();
  std::string good = ValidPolicy(k1, k2);
  std::vector<BadCase> cases = {
      {"unknown key", "role = \"adapter\"", "role = \"adapter\"\nrol = \"x\"", ":11: principal 'command': unknown key 'rol'"},
      {"unknown section", "[[organisation]]", "[limitz]\nx=1\n[[organisation]]", ":1: unknown section 'limitz'"},
      {"unknown role", "role = \"adapter\"", "role = \"boss\"", "unknown role 'boss'"},
      {"unknown sector", "\"government\"", "\"navy\"", "unknown sector 'navy'"},
      {"bad clearance", "\"confidential\"", "\"secret\"", "unknown clearance 'secret'"},
      {"bad jurisdiction", "\"320400\"", "\"3204\"", ":5: organisation 'ema': a jurisdiction is a 6-digit"},
      {"jurisdiction outside the provinces", "\"320400\"", "\"000000\"", ":5: organisation 'ema': a jurisdiction is a 6-digit"},
      {"undefined org", "org = \"ema\"\nrole = \"adapter\"", "org = \"emx\"\nrole = \"adapter\"", "organisation 'emx' is not defined"},
      {"bad key", k1, "tooshort", "a CURVE key is 40 Z85 characters"},
      {"shared key", k2, k1, "uses the same public key as principal 'command'"},
      {"reserved id", "id = \"duty\"", "id = \"muster\"", "'muster' is reserved"},
      {"duplicate id", "id = \"duty\"", "id = \"command\"", "principal 'command': defined twice"},
      {"bad id", "id = \"duty\"", "id = \"Duty Officer\"", "id must be"},
      {"syntax", "sector = \"government\"", "sector = government", "policy.toml:4:"},
      {"revoked type", "revoked = true", "revoked = \"yes\"", "'revoked' must be true or false"},
  };
  for (const auto& c : cases) {
    std::string text = good;
    auto pos = text.find(c.find);
    ASSERT_NE(pos, std::string::npos) << c.name;
    text.replace(pos, c.find.size(), c.replace);
    auto p = ParsePolicy(text, "policy.toml", ".");
    ASSERT_FALSE(p.ok()) << c.name;
    EXPECT_NE(p.status().message().find(c.expected), std::string::npos)
        << c.name << ": got '" << p.status().message() << "'";
  }
}

// The valid policy with rules, rate limits and limits appended (rules start at line 22).
std::string PolicyWithRules(const std::string& k1, const std::string& k2) {
  return ValidPolicy(k1, k2) +
         "\n"                                          // 21
         "[[rule]]\n"                                  // 22
         "name = \"officials send\"\n"                 // 23
         "action = \"send\"\n"                         // 24
         "sectors = [\"government\"]\n"                // 25
         "roles = [\"adapter\", \"duty-officer\"]\n"   // 26
         "orgs = [\"ema\"]\n"                          // 27
         "kinds = [\"alert\", \"equipment\"]\n"        // 28
         "statuses = [\"actual\", \"exercise\"]\n"     // 29
         "max_classification = \"internal\"\n"         // 30
         "to = [\"principal\", \"area\"]\n"            // 31
         "actions = [\"request\", \"offer\"]\n"        // 32
         "\n"                                          // 33
         "[[rule]]\n"                                  // 34
         "action = \"receive\"\n"                      // 35
         "via = [\"org\"]\n"                           // 36
         "\n"                                          // 37
         "[[rate_limit]]\n"                            // 38
         "role = \"adapter\"\n"                        // 39
         "per_second = 200.0\n"                       // 40
         "burst = 400\n"                              // 41
         "\n"                                          // 42
         "[[rate_limit]]\n"                            // 43
         "role = \"officer\"\n"                        // 44
         "per_second = 20\n"                          // 45
         "burst = 40\n"                               // 46
         "\n"                                          // 47
         "[limits]\n"                                  // 48
         "max_recipients = 500\n";                    // 49
}

TEST(PolicyLoaderTest, LoadsRulesRateLimitsAndLimits) {
  auto p = ParsePolicy(PolicyWithRules(Key(), Key()), "policy.toml", ".");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ((*p)->rules().size(), 2u);
  const Rule& send = (*p)->rules()[0];
  EXPECT_EQ(send.name, "officials send");
  EXPECT_EQ(send.line, 22);
  EXPECT_EQ(send.action, RuleAction::kSend);
  EXPECT_EQ(send.sectors, std::vector<std::string>{"government"});
  EXPECT_EQ(send.roles, (std::vector<std::string>{"adapter", "duty-officer"}));
  EXPECT_EQ(send.orgs, std::vector<std::string>{"ema"});
  EXPECT_EQ(send.kinds, (std::vector<std::string>{"alert", "equipment"}));
  EXPECT_EQ(send.statuses, (std::vector<std::string>{"actual", "exercise"}));
  EXPECT_EQ(send.max_classification, Clearance::kInternal);
  EXPECT_EQ(send.term_types, (std::vector<std::string>{"principal", "area"}));
  EXPECT_EQ(send.actions, (std::vector<std::string>{"request", "offer"}));
  const Rule& receive = (*p)->rules()[1];
  EXPECT_EQ(receive.name, "");
  EXPECT_EQ(receive.label(), "rule at line 34");
  EXPECT_EQ(send.label(), "rule 'officials send'");
  EXPECT_EQ(receive.action, RuleAction::kReceive);
  EXPECT_TRUE(receive.sectors.empty());
  EXPECT_TRUE(receive.kinds.empty());
  EXPECT_EQ(receive.max_classification, Clearance::kPublic);  // the default
  EXPECT_EQ(receive.term_types, std::vector<std::string>{"org"});

  const RateLimit* adapter = (*p)->RateLimitForRole("adapter");
  ASSERT_NE(adapter, nullptr);
  EXPECT_DOUBLE_EQ(adapter->per_second, 200.0);
  EXPECT_EQ(adapter->burst, 400);
  const RateLimit* officer = (*p)->RateLimitForRole("officer");
  ASSERT_NE(officer, nullptr);
  EXPECT_DOUBLE_EQ(officer->per_second, 20.0);  // an integer is accepted as a rate
  EXPECT_EQ((*p)->RateLimitForRole("duty-officer"), nullptr);
  EXPECT_EQ((*p)->max_recipients(), 500u);
}

TEST(PolicyLoaderTest, DefaultsWithoutRulesOrLimits) {
  auto p = ParsePolicy(ValidPolicy(Key(), Key()), "policy.toml", ".");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE((*p)->rules().empty());
  EXPECT_TRUE((*p)->rate_limits().empty());
  EXPECT_EQ((*p)->max_recipients(), 10000u);
}

TEST(PolicyLoaderTest, NamesLineAndReasonOfEachMistakeInRulesAndLimits) {
  std::string k1 = Key(), k2 = Key();
  std::string good = PolicyWithRules(k1, k2);
  std::vector<BadCase> cases = {
      {"unknown key in a rule", "orgs = [\"ema\"]", "orgs = [\"ema\"]\nsender = \"x\"",
       "policy.toml:28: rule 'officials send': unknown key 'sender'"},
      {"missing action", "action = \"receive\"\n", "", "policy.toml:34: rule at line 34: missing 'action'"},
      {"bad action", "action = \"send\"", "action = \"publish\"",
       ":24: rule 'officials send': 'action' must be \"send\" or \"receive\", not 'publish'"},
      {"action not a string", "action = \"send\"", "action = 1", ":24: rule 'officials send': 'action' must be a string"},
      {"name not a string", "name = \"officials send\"", "name = 3", ":23: rule: 'name' must be a string"},
      {"bad sector", "sectors = [\"government\"]", "sectors = [\"navy\"]",
       ":25: rule 'officials send': unknown value 'navy' in 'sectors'"},
      {"bad role", "\"duty-officer\"]", "\"boss\"]", ":26: rule 'officials send': unknown value 'boss' in 'roles'"},
      {"undefined org", "orgs = [\"ema\"]", "orgs = [\"emx\"]",
       ":27: rule 'officials send': unknown value 'emx' in 'orgs' (ids of organisations defined"},
      {"bad kind", "kinds = [\"alert\", \"equipment\"]", "kinds = [\"alert\", \"memo\"]",
       ":28: rule 'officials send': unknown value 'memo' in 'kinds' (alert, liaison, equipment)"},
      {"bad status", "\"exercise\"]", "\"drill\"]",
       ":29: rule 'officials send': unknown value 'drill' in 'statuses' (actual, exercise, test, system)"},
      {"bad classification", "max_classification = \"internal\"", "max_classification = \"secret\"",
       ":30: rule 'officials send': unknown classification 'secret' in 'max_classification'"},
      {"bad term type", "to = [\"principal\", \"area\"]", "to = [\"principal\", \"team\"]",
       ":31: rule 'officials send': unknown value 'team' in 'to' (principal, org, sector, role, area)"},
      {"via in a send rule", "to = [\"principal\", \"area\"]", "via = [\"principal\"]",
       ":31: rule 'officials send': 'via' belongs in a receive rule; a send rule takes 'to'"},
      {"to in a receive rule", "via = [\"org\"]", "to = [\"org\"]",
       ":36: rule at line 34: 'to' belongs in a send rule; a receive rule takes 'via'"},
      {"bad action name", "actions = [\"request\", \"offer\"]", "actions = [\"request\", \"propose\"]",
       ":32: rule 'officials send': unknown value 'propose' in 'actions' (an action of equipment: "
       "request, offer, commit"},
      {"actions on alerts only", "kinds = [\"alert\", \"equipment\"]", "kinds = [\"alert\"]",
       ":32: rule 'officials send': 'actions' given, but alert messages have no workflow actions"},
      {"empty list", "statuses = [\"actual\", \"exercise\"]", "statuses = []",
       ":29: rule 'officials send': 'statuses' is empty, which matches nothing; leave it out"},
      {"list not a list", "sectors = [\"government\"]", "sectors = \"government\"",
       ":25: rule 'officials send': 'sectors' must be a list of strings"},
      {"list of numbers", "sectors = [\"government\"]", "sectors = [1]",
       ":25: rule 'officials send': 'sectors' must be a list of strings"},
      {"rate limit without role", "role = \"officer\"\n", "", ":43: rate_limit: missing 'role'"},
      {"rate limit unknown role", "role = \"officer\"", "role = \"boss\"", ":44: rate_limit: unknown role 'boss'"},
      {"rate limit twice", "role = \"officer\"", "role = \"adapter\"",
       ":43: rate_limit for role 'adapter': defined twice"},
      {"rate limit unknown key", "burst = 40\n", "burst = 40\nwindow = 3\n", ":47: rate_limit: unknown key 'window'"},
      {"rate zero", "per_second = 20\n", "per_second = 0.0\n",
       ":45: rate_limit for role 'officer': 'per_second' must be a number greater than 0"},
      {"rate negative", "per_second = 20\n", "per_second = -5\n", "'per_second' must be a number greater than 0"},
      {"rate text", "per_second = 20\n", "per_second = \"fast\"\n", "'per_second' must be a number greater than 0"},
      {"rate missing", "per_second = 20\n", "", ":43: rate_limit for role 'officer': missing 'per_second'"},
      {"burst zero", "burst = 40\n", "burst = 0\n", ":46: rate_limit for role 'officer': 'burst' must be an integer of at least 1"},
      {"burst float", "burst = 40\n", "burst = 4.5\n", "'burst' must be an integer of at least 1"},
      {"burst missing", "burst = 40\n", "", ":43: rate_limit for role 'officer': missing 'burst'"},
      {"limits unknown key", "max_recipients = 500", "max_recipient = 500", ":49: limits: unknown key 'max_recipient'"},
      {"limits zero", "max_recipients = 500", "max_recipients = 0", ":49: limits: 'max_recipients' must be an integer"},
      {"limits text", "max_recipients = 500", "max_recipients = \"all\"", ":49: limits: 'max_recipients' must be an integer"},
      {"limits as array", "[limits]", "[[limits]]", "'limits' must be written [limits]"},
  };
  for (const auto& c : cases) {
    std::string text = good;
    auto pos = text.find(c.find);
    ASSERT_NE(pos, std::string::npos) << c.name;
    text.replace(pos, c.find.size(), c.replace);
    auto p = ParsePolicy(text, "policy.toml", ".");
    ASSERT_FALSE(p.ok()) << c.name;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(p.status().message().find(c.expected), std::string::npos)
        << c.name << ": got '" << p.status().message() << "'";
  }
}

TEST(PolicyLoaderTest, SectionsMustBeWrittenAsArraysOfTables) {
  std::string good = ValidPolicy(Key(), Key());
  auto p = ParsePolicy(good + "[rule]\naction = \"send\"\n", "policy.toml", ".");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("'rule' must be written [[rule]]"), std::string::npos)
      << p.status().message();
  p = ParsePolicy(good + "[rate_limit]\nrole = \"adapter\"\n", "policy.toml", ".");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("'rate_limit' must be written [[rate_limit]]"),
            std::string::npos)
      << p.status().message();
}

TEST(PolicyLoaderTest, EmptyPolicyIsRefused) {
  EXPECT_FALSE(ParsePolicy("", "policy.toml", ".").ok());
}

}  // namespace
}  // namespace muster::security
