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
      {"undefined org", "org = \"ema\"\nrole = \"adapter\"", "org = \"emx\"\nrole = \"adapter\"", "organisation 'emx' is not defined"},
      {"bad key", k1, "tooshort", "a CURVE key is 40 Z85 characters"},
      {"shared key", k2, k1, "uses the same public key as principal 'command'"},
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

TEST(PolicyLoaderTest, EmptyPolicyIsRefused) {
  EXPECT_FALSE(ParsePolicy("", "policy.toml", ".").ok());
}

}  // namespace
}  // namespace muster::security
