// muster-gateway's configuration: a complete file loads with its paths resolved against the
// file's directory; every mistake is refused before anything runs, naming the file and line or
// the key.
#include "adapters/gateway/gateway_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "common/files.h"

namespace muster::gateway {
namespace {

namespace fs = std::filesystem;

constexpr char kHash1[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr char kHash2[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

class GatewayConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/muster-gwconfig-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Result<GatewayConfig> Load(const std::string& text) {
    const std::string path = dir_ + "/gateway.toml";
    EXPECT_TRUE(WriteFileAtomic(path, text).ok());
    return LoadGatewayConfig(path);
  }

  static std::string Agencies() {
    return std::string(
               "[[agency]]\nname = \"command\"\nkey_file = \"keys/command.key\"\ntoken_sha256 = "
               "\"") +
           kHash1 +
           "\"\n\n[[agency]]\nname = \"msd\"\nkey_file = "
           "\"/etc/muster/keys/msd.key\"\ntoken_sha256 = \"" +
           kHash2 + "\"\n";
  }

  std::string dir_;
};

TEST_F(GatewayConfigTest, CompleteFileLoadsWithPathsResolved) {
  auto c = Load(R"([gateway]
listen = "0.0.0.0:8443"
cert = "tls/gateway.crt"
key = "tls/gateway.key"
state_dir = "state"
publish_wait_ms = 2500
max_pending = 50

[broker]
endpoint = "tcp://10.0.0.5:7750"
server_key = "keys/broker.pub"
connect_timeout_ms = 1500

)" + Agencies());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ListenHost(), "0.0.0.0");
  EXPECT_EQ(c->ListenPort(), 8443);
  EXPECT_EQ(c->cert, dir_ + "/tls/gateway.crt");
  EXPECT_EQ(c->key, dir_ + "/tls/gateway.key");
  EXPECT_EQ(c->state_dir, dir_ + "/state");
  EXPECT_EQ(c->server_key, dir_ + "/keys/broker.pub");
  EXPECT_EQ(c->broker, "tcp://10.0.0.5:7750");
  EXPECT_EQ(c->publish_wait_ms, 2500u);
  EXPECT_EQ(c->max_pending, 50u);
  EXPECT_EQ(c->connect_timeout_ms, 1500u);
  ASSERT_EQ(c->agencies.size(), 2u);
  EXPECT_EQ(c->agencies[0].name, "command");
  EXPECT_EQ(c->agencies[0].key_file, dir_ + "/keys/command.key");
  EXPECT_EQ(c->agencies[1].key_file, "/etc/muster/keys/msd.key");
  EXPECT_EQ(c->agencies[1].token_sha256, kHash2);
}

TEST_F(GatewayConfigTest, InlineZ85ServerKeyIsKeptAndIPv6ListenIsSplit) {
  auto c =
      Load(std::string(
               "[gateway]\nlisten = \"[::1]:9443\"\ninsecure_http = true\n[broker]\nserver_key = "
               "\"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"\n") +
           Agencies());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server_key, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
  EXPECT_EQ(c->ListenHost(), "::1");
  EXPECT_EQ(c->ListenPort(), 9443);
}

TEST_F(GatewayConfigTest, UnknownKeysAndSectionsNameTheirLine) {
  auto c = Load("[gateway]\nlisten = \"127.0.0.1:1\"\nlisten_port = 5\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("gateway.toml:3: unknown key 'listen_port' in [gateway]"),
            std::string::npos)
      << c.status().message();

  c = Load("[server]\nx = 1\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("gateway.toml:1: unknown section [server]"),
            std::string::npos);

  c = Load(std::string("[broker]\nserver_key = \"k.pub\"\n") + Agencies() + "token = \"secret\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("gateway.toml:12: unknown key 'token'"), std::string::npos)
      << c.status().message();

  c = Load("[agency]\nname = \"x\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("write [[agency]]"), std::string::npos)
      << c.status().message();

  c = Load("[gateway]\nmax_pending = \"many\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(
      c.status().message().find("gateway.toml:2: 'max_pending' must be a non-negative integer"),
      std::string::npos);

  c = Load("[gateway\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("gateway.toml:1:"), std::string::npos)
      << c.status().message();
}

TEST_F(GatewayConfigTest, PlainHttpOnlyOnLoopbackAndOnlyWhenAskedFor) {
  const std::string broker = "[broker]\nserver_key = \"k.pub\"\n";
  auto c = Load("[gateway]\nlisten = \"127.0.0.1:8080\"\n" + broker + Agencies());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("gateway.cert and gateway.key"), std::string::npos)
      << c.status().message();

  c = Load("[gateway]\nlisten = \"0.0.0.0:8080\"\ninsecure_http = true\n" + broker + Agencies());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("insecure_http is allowed only with a loopback"),
            std::string::npos);

  c = Load(
      "[gateway]\nlisten = \"127.0.0.1:8080\"\ninsecure_http = true\ncert = \"c.pem\"\nkey = "
      "\"k.pem\"\n" +
      broker + Agencies());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("choose one"), std::string::npos);

  c = Load("[gateway]\nlisten = \"localhost:8080\"\ninsecure_http = true\n" + broker + Agencies());
  EXPECT_TRUE(c.ok()) << c.status().ToString();
}

TEST_F(GatewayConfigTest, AgenciesAreCheckedOneByOne) {
  const std::string head =
      "[gateway]\nlisten = \"127.0.0.1:8080\"\ninsecure_http = true\n[broker]\nserver_key = "
      "\"k.pub\"\n";
  auto c = Load(head);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("no [[agency]]"), std::string::npos);

  c = Load(
      head +
      "[[agency]]\nname = \"command\"\nkey_file = \"c.key\"\ntoken_sha256 = \"my-secret-token\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(
                "[[agency]] at line 6: token_sha256 must be 64 lowercase hex digits"),
            std::string::npos)
      << c.status().message();

  c = Load(head + "[[agency]]\nname = \"a\"\nkey_file = \"a.key\"\ntoken_sha256 = \"" + kHash1 +
           "\"\n[[agency]]\nname = \"a\"\nkey_file = \"b.key\"\ntoken_sha256 = \"" + kHash2 +
           "\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("agency 'a' is listed twice"), std::string::npos);

  c = Load(head + "[[agency]]\nname = \"a\"\nkey_file = \"a.key\"\ntoken_sha256 = \"" + kHash1 +
           "\"\n[[agency]]\nname = \"b\"\nkey_file = \"b.key\"\ntoken_sha256 = \"" + kHash1 +
           "\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("same token_sha256"), std::string::npos);

  c = Load(head + "[[agency]]\nname = \"../etc\"\nkey_file = \"a.key\"\ntoken_sha256 = \"" +
           kHash1 + "\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("name must be the agency's principal id"), std::string::npos);
}

TEST_F(GatewayConfigTest, ValidateNamesBadLimits) {
  GatewayConfig c;
  c.insecure_http = true;
  c.server_key = "k.pub";
  c.agencies.push_back({"command", "c.key", kHash1, 1});
  EXPECT_TRUE(c.Validate().ok()) << c.Validate().ToString();
  c.listen = "127.0.0.1";
  EXPECT_NE(c.Validate().message().find("gateway.listen must be HOST:PORT"), std::string::npos);
  c.listen = "127.0.0.1:70000";
  EXPECT_FALSE(c.Validate().ok());
  c.listen = "127.0.0.1:8080";
  c.broker = "http://broker:7750";
  EXPECT_NE(c.Validate().message().find("broker.endpoint"), std::string::npos);
  c.broker = "tcp://127.0.0.1:7750";
  c.sse_heartbeat_ms = 10;
  EXPECT_NE(c.Validate().message().find("gateway.sse_heartbeat_ms"), std::string::npos);
  c.sse_heartbeat_ms = 15000;
  c.max_body_bytes = 10;
  EXPECT_NE(c.Validate().message().find("gateway.max_body_bytes"), std::string::npos);
}

}  // namespace
}  // namespace muster::gateway
