// Hostile and broken input against a real musterd: every bad frame gets a `reject` with a
// specific code, and the broker keeps serving the same connection and everyone else.
#include <gtest/gtest.h>

#include <capnp/any.h>
#include <random>

#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/raw_client.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/test_messages.h"

namespace muster::testing {
namespace {

class HostileFramesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = BrokerProcess::StartDemo(dir_.Sub("demo"));
    ASSERT_NE(broker_, nullptr);
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
    RawClientOptions o{broker_->endpoint(), broker_->KeyFile("command"), broker_->ServerKeyFile(), {}, ""};
    client_ = std::make_unique<RawClient>(context_, o);
  }
  void TearDown() override {
    client_.reset();
    if (broker_) {
      EXPECT_EQ(broker_->Stop(), 0) << broker_->Log();
    }
  }

  schema::RejectCode RejectFor(const std::string& bytes) {
    client_->Send(bytes);
    auto r = client_->ReceiveKind(schema::Frame::REJECT);
    EXPECT_NE(r, nullptr) << "no reject";
    if (!r) return schema::RejectCode::INTERNAL;
    EXPECT_FALSE(r->frame().getReject().getReason().size() == 0) << "a reject must say why";
    return r->frame().getReject().getCode();
  }

  static std::string Publish(const std::string& id, const TestAlert& alert) {
    capnp::MallocMessageBuilder m;
    auto p = m.initRoot<schema::Frame>().initPublish();
    p.setClientMessageId(id);
    FillAlert(alert, p.initEnvelope());
    return wire::EncodeFrame(m);
  }

  // The same connection, and another principal, are still served normally.
  void ExpectStillServing(const std::string& id) {
    TestAlert ok;
    ok.to_principals = {"msd"};
    client_->Send(Publish(id, ok));
    auto receipt = client_->ReceiveKind(schema::Frame::RECEIPT);
    ASSERT_NE(receipt, nullptr) << "the connection is no longer served";
    CommandResult other = RunCli(*broker_, "duty", {"alert", "--to", "principal:msd", "--event", "E", "--headline", "h"});
    EXPECT_EQ(other.exit_code, 0) << other.err;
  }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
  zmq::context_t context_{1};
  std::unique_ptr<RawClient> client_;
};

TEST_F(HostileFramesTest, PublishBeforeHelloNeedsHello) {
  TestAlert a;
  a.to_principals = {"msd"};
  EXPECT_EQ(RejectFor(Publish("early", a)), schema::RejectCode::HELLO_REQUIRED);
}

TEST_F(HostileFramesTest, EveryMalformedFrameIsRejectedWithItsCode) {
  client_->Send(RawClient::Hello());
  ASSERT_NE(client_->ReceiveKind(schema::Frame::WELCOME), nullptr);

  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::string junk(8 * (1 + rng() % 40), '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    EXPECT_EQ(RejectFor(junk), schema::RejectCode::MALFORMED) << "random frame " << i;
  }
  EXPECT_EQ(RejectFor("abc"), schema::RejectCode::MALFORMED);

  TestAlert a;
  a.to_principals = {"msd"};
  std::string good = Publish("truncated", a);
  EXPECT_EQ(RejectFor(good.substr(0, good.size() / 2 / 8 * 8)), schema::RejectCode::MALFORMED);

  TestAlert big = a;
  big.description_bytes = 1100 * 1024;  // over the 1 MiB frame limit
  EXPECT_EQ(RejectFor(Publish("big", big)), schema::RejectCode::TOO_LARGE);

  TestAlert long_field = a;
  long_field.description_bytes = 70 * 1024;  // under the frame limit, over the field limit
  EXPECT_EQ(RejectFor(Publish("long-field", long_field)), schema::RejectCode::TOO_LARGE);

  capnp::MallocMessageBuilder future;
  future.initRoot<schema::Frame>().setBye();
  auto data = future.getRoot<capnp::AnyStruct>().getDataSection();
  data[0] = 77;
  data[1] = 0;
  EXPECT_EQ(RejectFor(wire::EncodeFrame(future)), schema::RejectCode::UNKNOWN_COMMAND);

  capnp::MallocMessageBuilder bad_enum;
  auto p = bad_enum.initRoot<schema::Frame>().initPublish();
  p.setClientMessageId("bad-enum");
  FillAlert(a, p.initEnvelope());
  p.getEnvelope().setClassification(static_cast<schema::Classification>(9));
  EXPECT_EQ(RejectFor(wire::EncodeFrame(bad_enum)), schema::RejectCode::INVALID);

  capnp::MallocMessageBuilder no_body;
  auto nb = no_body.initRoot<schema::Frame>().initPublish();
  nb.setClientMessageId("no-body");
  nb.initEnvelope().initAddressing().initPrincipals(1).set(0, "msd");
  EXPECT_EQ(RejectFor(wire::EncodeFrame(no_body)), schema::RejectCode::INVALID);

  EXPECT_EQ(RejectFor(Publish("has space", a)), schema::RejectCode::INVALID);

  capnp::MallocMessageBuilder welcome;
  welcome.initRoot<schema::Frame>().initWelcome().setPrincipal("command");
  EXPECT_EQ(RejectFor(wire::EncodeFrame(welcome)), schema::RejectCode::UNKNOWN_COMMAND);

  client_->SendMultipart({RawClient::Hello(), RawClient::Hello()});
  auto multi = client_->ReceiveKind(schema::Frame::REJECT);
  ASSERT_NE(multi, nullptr);
  EXPECT_EQ(multi->frame().getReject().getCode(), schema::RejectCode::MALFORMED);

  ExpectStillServing("after-the-storm");
}

}  // namespace
}  // namespace muster::testing
