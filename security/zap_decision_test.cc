// Tests for the ZAP decision: only listed, unrevoked CURVE keys are admitted, as their principal.
#include "security/zap_decision.h"

#include <gtest/gtest.h>

#include "security/policy_loader.h"

namespace muster::security {
namespace {

class ZapDecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    good_ = *GenerateCurveKeyPair();
    revoked_ = *GenerateCurveKeyPair();
    std::string text =
        "[[organisation]]\nid=\"ema\"\nname=\"EMA\"\nsector=\"government\"\n"
        "[[principal]]\nid=\"command\"\norg=\"ema\"\nrole=\"adapter\"\npublic_key=\"" +
        good_.public_z85 +
        "\"\n"
        "[[principal]]\nid=\"old\"\norg=\"ema\"\nrole=\"officer\"\nrevoked=true\npublic_key=\"" +
        revoked_.public_z85 + "\"\n";
    policy_ = *ParsePolicy(text, "p", ".");
  }

  std::vector<std::string> Request(const std::string& mechanism, const std::string& z85,
                                   const std::string& domain = "muster") {
    std::vector<std::string> r = {"1.0", "7", domain, "127.0.0.1", "", mechanism};
    if (!z85.empty()) {
      RawKey raw = *DecodeZ85Key(z85);
      r.emplace_back(reinterpret_cast<const char*>(raw.data()), raw.size());
    }
    return r;
  }

  CurveKeyPair good_, revoked_;
  std::shared_ptr<const Policy> policy_;
};

TEST_F(ZapDecisionTest, AdmitsListedKeyAsItsPrincipal) {
  auto d = DecideZap(*policy_, Request("CURVE", good_.public_z85), "muster");
  EXPECT_TRUE(d.admitted);
  EXPECT_EQ(d.principal, "command");
  ASSERT_EQ(d.reply.size(), 6u);
  EXPECT_EQ(d.reply[1], "7");
  EXPECT_EQ(d.reply[2], "200");
  EXPECT_EQ(d.reply[4], "command");
  EXPECT_EQ(d.reply[5], "") << "no metadata: identity is User-Id only";
}

TEST_F(ZapDecisionTest, RefusesUnknownKey) {
  auto d = DecideZap(*policy_, Request("CURVE", GenerateCurveKeyPair()->public_z85), "muster");
  EXPECT_FALSE(d.admitted);
  EXPECT_EQ(d.reply[2], "400");
  EXPECT_EQ(d.reply[4], "");
  EXPECT_EQ(d.reason, "unknown key");
}

TEST_F(ZapDecisionTest, RefusesRevokedKey) {
  auto d = DecideZap(*policy_, Request("CURVE", revoked_.public_z85), "muster");
  EXPECT_FALSE(d.admitted);
  EXPECT_EQ(d.reply[2], "400");
  EXPECT_NE(d.reason.find("revoked"), std::string::npos);
}

TEST_F(ZapDecisionTest, RefusesNullAndPlainMechanisms) {
  EXPECT_FALSE(DecideZap(*policy_, Request("NULL", ""), "muster").admitted);
  auto plain = Request("PLAIN", "");
  plain.push_back("command");
  plain.push_back("secret");
  EXPECT_FALSE(DecideZap(*policy_, plain, "muster").admitted);
}

TEST_F(ZapDecisionTest, RefusesWrongDomainAndMalformedRequests) {
  EXPECT_FALSE(DecideZap(*policy_, Request("CURVE", good_.public_z85, "other"), "muster").admitted);
  auto truncated = Request("CURVE", good_.public_z85);
  truncated.back().resize(31);
  EXPECT_FALSE(DecideZap(*policy_, truncated, "muster").admitted);
  EXPECT_EQ(DecideZap(*policy_, {"1.0", "1"}, "muster").reply[2], "500");
  auto v2 = Request("CURVE", good_.public_z85);
  v2[0] = "2.0";
  EXPECT_FALSE(DecideZap(*policy_, v2, "muster").admitted);
}

}  // namespace
}  // namespace muster::security
