// Tests for the frame codec: round trip, and every kind of malformed input refused with a Status.
#include "schemas/frame_codec.h"

#include <capnp/any.h>
#include <gtest/gtest.h>

#include <random>

namespace muster::wire {
namespace {

std::string HelloBytes() {
  capnp::MallocMessageBuilder m;
  auto hello = m.initRoot<schema::Frame>().initHello();
  hello.setProtocolVersion(1);
  hello.setClientName("test");
  return EncodeFrame(m);
}

TEST(FrameCodecTest, RoundTrip) {
  std::string bytes = HelloBytes();
  auto d = DecodedFrame::Decode(bytes.data(), bytes.size());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ((*d)->frame().which(), schema::Frame::HELLO);
  EXPECT_EQ((*d)->frame().getHello().getClientName(), "test");
}

TEST(FrameCodecTest, RefusesRandomBytes) {
  std::mt19937 rng(42);
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string junk(8 * (1 + rng() % 32), '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    auto d = DecodedFrame::Decode(junk.data(), junk.size());
    if (!d.ok()) ++refused;
  }
  EXPECT_GT(refused, 1900);  // random bytes are almost never a valid message; none may crash
}

TEST(FrameCodecTest, RefusesTruncatedAndOversizedFrames) {
  std::string bytes = HelloBytes();
  for (size_t cut = 8; cut < bytes.size(); cut += 8) {
    auto d = DecodedFrame::Decode(bytes.data(), cut);
    EXPECT_FALSE(d.ok()) << "truncated to " << cut;
  }
  EXPECT_FALSE(DecodedFrame::Decode(bytes.data(), bytes.size() - 3).ok());
  EXPECT_FALSE(DecodedFrame::Decode(bytes.data(), 0).ok());
  FrameLimits tight;
  tight.max_frame_bytes = 16;
  auto big = DecodedFrame::Decode(bytes.data(), bytes.size(), tight);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("exceeds the limit"), std::string::npos);
}

TEST(FrameCodecTest, UnknownUnionMemberDecodesAndIsReportedByWhich) {
  capnp::MallocMessageBuilder m;
  m.initRoot<schema::Frame>().setBye();
  auto data = m.getRoot<capnp::AnyStruct>().getDataSection();
  ASSERT_GE(data.size(), 2u);
  data[0] = 99;  // a command from a newer protocol
  data[1] = 0;
  std::string bytes = EncodeFrame(m);
  auto d = DecodedFrame::Decode(bytes.data(), bytes.size());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(static_cast<int>((*d)->frame().which()), 99);
}

}  // namespace
}  // namespace muster::wire
