// Tests for the generic envelope checks.
#include "broker/envelope_check.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

namespace muster::broker {
namespace {

class EnvelopeCheckTest : public ::testing::Test {
 protected:
  schema::Envelope::Builder Fresh() {
    message_ = std::make_unique<capnp::MallocMessageBuilder>();
    auto e = message_->initRoot<schema::Envelope>();
    e.initAddressing().initPrincipals(1).set(0, "msd");
    auto info = e.initBody().initAlert().initInfos(1)[0];
    info.setEvent("Flood");
    return e;
  }
  std::unique_ptr<capnp::MallocMessageBuilder> message_;
  EnvelopeLimits limits_;
};

TEST_F(EnvelopeCheckTest, AcceptsAPlainAlert) {
  EXPECT_TRUE(CheckEnvelope("id-1", Fresh().asReader(), limits_).ok());
}

TEST_F(EnvelopeCheckTest, BoundsEveryTextFieldAndNamesItsPath) {
  auto e = Fresh();
  e.getBody().getAlert().getInfos()[0].initAreas(1)[0].setAreaDesc(std::string(70000, 'a'));
  Status s = CheckEnvelope("id-1", e.asReader(), limits_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("body.alert.infos[0].areas[0].areaDesc: 70000 bytes exceeds the limit of 65536"),
            std::string::npos)
      << s.message();
}

TEST_F(EnvelopeCheckTest, RefusesUnknownEnumerationValues) {
  auto e = Fresh();
  e.getBody().getAlert().getInfos()[0].setSeverity(static_cast<schema::Alert::Severity>(42));
  Status s = CheckEnvelope("id-1", e.asReader(), limits_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("body.alert.infos[0].severity: unknown value 42"), std::string::npos) << s.message();
}

TEST_F(EnvelopeCheckTest, SmallFramesStillHaveTheirEnumerationsChecked) {
  EnvelopeChecker checker(limits_);
  auto e = Fresh();
  e.getBody().getAlert().getInfos()[0].initCategories(1).set(0, static_cast<schema::Alert::Category>(99));
  Status s = checker.Check("id-1", e.asReader(), /*frame_bytes=*/512);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("body.alert.infos[0].categories[0]: unknown value 99"), std::string::npos) << s.message();
  e.setClassification(static_cast<schema::Classification>(7));
  EXPECT_FALSE(checker.Check("id-3", e.asReader(), 512).ok());
  auto ok = Fresh();  // (replaces the message `e` lives in)
  EXPECT_TRUE(checker.Check("id-2", ok.asReader(), 512).ok());
}

TEST_F(EnvelopeCheckTest, RefusesBadIdsMissingBodiesAndEmptyAlerts) {
  EXPECT_FALSE(CheckEnvelope("", Fresh().asReader(), limits_).ok());
  EXPECT_FALSE(CheckEnvelope("with space", Fresh().asReader(), limits_).ok());
  EXPECT_FALSE(CheckEnvelope(std::string(129, 'x'), Fresh().asReader(), limits_).ok());
  auto e = Fresh();
  e.getBody().setNone();
  EXPECT_NE(CheckEnvelope("id", e.asReader(), limits_).message().find("needs a body"), std::string::npos);
  auto term = Fresh();
  term.getAddressing().initOrganisations(1).set(0, "");
  EXPECT_FALSE(CheckEnvelope("id", term.asReader(), limits_).ok());
}

}  // namespace
}  // namespace muster::broker
