// Tests for the session table: receivers, supersession, silence.
#include "broker/delivery/session_table.h"

#include <gtest/gtest.h>

namespace muster::delivery {
namespace {

Session Make(const std::string& id, const std::string& principal, int64_t seen) {
  Session s;
  s.routing_id = id;
  s.principal = principal;
  s.last_seen_mono_ms = seen;
  return s;
}

TEST(SessionTableTest, ANewerReceiverSupersedesTheOlder) {
  SessionTable t;
  t.Add(Make("a", "msd", 0));
  t.Add(Make("b", "msd", 0));
  EXPECT_EQ(t.SetReceiver("a"), "");
  EXPECT_EQ(t.SetReceiver("b"), "a");
  EXPECT_EQ(t.Receiver("msd")->routing_id, "b");
  EXPECT_FALSE(t.Remove("a"));
  EXPECT_TRUE(t.Remove("b"));
  EXPECT_EQ(t.Receiver("msd"), nullptr);
}

TEST(SessionTableTest, SilentSessions) {
  SessionTable t;
  t.Add(Make("a", "msd", 100));
  t.Add(Make("b", "vol-1", 500));
  EXPECT_EQ(t.SilentSince(200), std::vector<std::string>{"a"});
  EXPECT_EQ(t.SessionsOf("vol-1"), std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace muster::delivery
