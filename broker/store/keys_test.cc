// Tests for the store key layout: byte order must equal the delivery order.
#include "broker/store/keys.h"

#include <gtest/gtest.h>

namespace muster::store {
namespace {

TEST(KeysTest, U64RoundTripsAndSortsNumerically) {
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 1ull << 40, ~0ull}) EXPECT_EQ(DecodeU64(EncodeU64(v)), v);
  EXPECT_LT(EncodeU64(255), EncodeU64(256));
  EXPECT_LT(EncodeU64(1), EncodeU64(1ull << 40));
}

TEST(KeysTest, PendingKeysSortByPrecedenceThenSeq) {
  auto flash_late = PendingKey("vol-1", 3, 900);
  auto routine_early = PendingKey("vol-1", 0, 5);
  auto routine_later = PendingKey("vol-1", 0, 6);
  EXPECT_LT(flash_late, routine_early);
  EXPECT_LT(routine_early, routine_later);
  PendingKeyParts parts;
  ASSERT_TRUE(ParsePendingKey(flash_late, "vol-1", &parts));
  EXPECT_EQ(parts.precedence, 3);
  EXPECT_EQ(parts.seq, 900u);
  EXPECT_FALSE(ParsePendingKey(flash_late, "vol-2", &parts));
  EXPECT_EQ(flash_late.substr(0, PendingPrefix("vol-1").size()), PendingPrefix("vol-1"));
  // One recipient's prefix never covers another whose id extends it.
  EXPECT_NE(PendingKey("vol-10", 0, 1).substr(0, PendingPrefix("vol-1").size()), PendingPrefix("vol-1"));
}

TEST(KeysTest, PrefixEnd) {
  EXPECT_EQ(PrefixEnd("ab"), "ac");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("\xff", 1)), "");
}

}  // namespace
}  // namespace muster::store
