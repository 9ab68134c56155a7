// Tests for musterd configuration: defaults, relative paths, and every bad key named.
#include "broker/config.h"

#include <gtest/gtest.h>

#include "common/files.h"
#include "broker/demo_setup.h"
#include "security/policy_loader.h"

namespace muster::broker {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/muster-config-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  Result<BrokerConfig> Load(const std::string& text) {
    std::string path = dir_ + "/musterd.toml";
    EXPECT_TRUE(WriteFileAtomic(path, text).ok());
    return LoadBrokerConfig(path);
  }
  std::string dir_;
};

TEST_F(ConfigTest, DefaultsAndPathsRelativeToTheFile) {
  auto c = Load("[broker]\nname = \"city\"\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "city");
  EXPECT_EQ(c->bind, "tcp://127.0.0.1:7750");
  EXPECT_EQ(c->data_dir, dir_ + "/data");
  EXPECT_EQ(c->policy, dir_ + "/policy.toml");
  EXPECT_EQ(c->delivery_window, 256u);
  EXPECT_EQ(c->store_memory_mb, 256u);
  auto small = Load("[limits]\nstore_memory_mb = 64\n");
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->store_memory_mb, 64u);
}

TEST_F(ConfigTest, BadKeysAndValuesAreNamed) {
  struct Case {
    std::string text, expected;
  };
  std::vector<Case> cases = {
      {"[broker]\nbindd = \"x\"\n", "musterd.toml:2: unknown key 'bindd' in [broker]"},
      {"[brokr]\n", "unknown section [brokr]"},
      {"[limits]\ndelivery_window = -1\n", "'delivery_window' must be a non-negative integer"},
      {"[limits]\ndelivery_window = 0\n", "limits.delivery_window must be between 1 and 100000"},
      {"[broker]\nbind = \"http://x\"\n", "broker.bind must be a tcp:// or ipc:// endpoint"},
      {"[broker]\nlog_level = \"loud\"\n", "broker.log_level must be debug, info, warn or error"},
      {"[limits]\nheartbeat_ms = 5000\nsession_timeout_ms = 6000\n", "session_timeout_ms must be at least twice"},
      {"[broker]\nname = 7\n", "'name' must be a string"},
      {"[limits]\nstore_memory_mb = 8\n", "limits.store_memory_mb must be at least 32"},
  };
  for (const auto& c : cases) {
    auto r = Load(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos) << r.status().message();
  }
}

TEST_F(ConfigTest, DemoFilesMakeAValidConfigAndPolicyAndAreNeverOverwritten) {
  std::string config_path;
  ASSERT_TRUE(WriteDemoFiles(dir_ + "/demo", &config_path).ok());
  auto c = LoadBrokerConfig(config_path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto policy = security::LoadPolicyFile(c->policy);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  for (const auto& p : DemoPrincipals()) EXPECT_NE((*policy)->FindPrincipal(p.id), nullptr) << p.id;
  EXPECT_EQ((*policy)->FindPrincipal("vol-1")->clearance, security::Clearance::kPublic);
  EXPECT_EQ((*policy)->FindOrganisation("rescue-1")->jurisdictions, std::vector<std::string>{"320481"});
  auto key_before = ReadFile(dir_ + "/demo/keys/msd.key");
  ASSERT_TRUE(WriteFileAtomic(config_path, "[broker]\nname = \"mine\"\n").ok());
  ASSERT_TRUE(WriteDemoFiles(dir_ + "/demo", &config_path).ok());
  EXPECT_EQ(*ReadFile(dir_ + "/demo/keys/msd.key"), *key_before);
  EXPECT_EQ(LoadBrokerConfig(config_path)->name, "mine");
}

}  // namespace
}  // namespace muster::broker
