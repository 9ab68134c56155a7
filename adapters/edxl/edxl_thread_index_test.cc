// EdxlThreadIndex: records survive a reopen, values with spaces, newlines and '%' round-trip, and
// unknown keys are not found.
#include "adapters/edxl/edxl_thread_index.h"

#include <gtest/gtest.h>

#include "adapters/edxl/edxl_testing.h"

namespace muster::edxl {
namespace {

using testing::ScratchDir;

TEST(EdxlThreadIndexTest, KeepsMessagesAndObjectsAcrossReopening) {
  ScratchDir dir;
  {
    auto index = EdxlThreadIndex::Open(dir.path() + "/t");
    ASSERT_TRUE(index.ok()) << index.status().message();
    ASSERT_TRUE((*index)->PutMessage({"CZ EMA%20\nRR-1", 7, "R-7", "", "CZ EMA%20\nRR-1"}).ok());
    ThreadObject o;
    o.object_id = "O-9";
    o.request_id = "R-7";
    o.originating_id = "CZ EMA%20\nRR-1";
    o.created_by = o.latest = "m 9";
    o.status = schema::MessageStatus::EXERCISE;
    o.classification = schema::Classification::RESTRICTED;
    o.incident = "INC 1";
    o.items.push_back(ThreadItem{"1", "m 1", "pump high", "urn:x y", "", "", "two%\nlines", 2.5});
    o.items.push_back(ThreadItem{"2", "m2", "", "", "box", "u", "", 0});
    ASSERT_TRUE((*index)->PutObject(o).ok());
  }
  auto index = EdxlThreadIndex::Open(dir.path() + "/t");
  ASSERT_TRUE(index.ok());
  auto m = (*index)->FindMessage("CZ EMA%20\nRR-1");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->seq, 7u);
  EXPECT_EQ(m->request_id, "R-7");
  EXPECT_EQ(m->offer_id, "");
  EXPECT_EQ(m->originating_id, "CZ EMA%20\nRR-1");
  auto o = (*index)->FindObject("O-9");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->request_id, "R-7");
  EXPECT_EQ(o->latest, "m 9");
  EXPECT_EQ(o->status, schema::MessageStatus::EXERCISE);
  EXPECT_EQ(o->classification, schema::Classification::RESTRICTED);
  EXPECT_EQ(o->incident, "INC 1");
  ASSERT_EQ(o->items.size(), 2u);
  EXPECT_EQ(o->items[0].element_id, "m 1");
  EXPECT_EQ(o->items[0].resource_type, "pump high");
  EXPECT_EQ(o->items[0].type_list, "urn:x y");
  EXPECT_EQ(o->items[0].description, "two%\nlines");
  EXPECT_EQ(o->items[0].quantity, 2.5);
  EXPECT_EQ(o->items[1].unit, "box");
  EXPECT_EQ(o->items[1].unit_list, "u");
  EXPECT_FALSE((*index)->FindMessage("CZ EMA%20\nRR-2").has_value());
  EXPECT_FALSE((*index)->FindObject("R-7").has_value());
}

TEST(EdxlThreadIndexTest, AMessageAndAnObjectWithTheSameNameAreDifferentRecords) {
  ScratchDir dir;
  auto index = EdxlThreadIndex::Open(dir.path());
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->PutMessage({"R-1", 1, "R-1", "", "R-1"}).ok());
  EXPECT_FALSE((*index)->FindObject("R-1").has_value());
  EXPECT_TRUE((*index)->FindMessage("R-1").has_value());
}

}  // namespace
}  // namespace muster::edxl
