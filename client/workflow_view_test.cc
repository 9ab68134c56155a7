// The workflow view: a show table becomes one JSON object with an array per part, a list one
// object per row; time flags take durations and times.
#include "client/workflow_view.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace muster::cli {
namespace {

void Fill(schema::Table::Builder t, const std::vector<std::string>& columns,
          const std::vector<std::vector<std::string>>& rows) {
  auto c = t.initColumns(static_cast<unsigned>(columns.size()));
  for (size_t k = 0; k < columns.size(); ++k) c.set(static_cast<unsigned>(k), columns[k]);
  auto r = t.initRows(static_cast<unsigned>(rows.size()));
  for (size_t k = 0; k < rows.size(); ++k) {
    auto cells = r[static_cast<unsigned>(k)].initCells(static_cast<unsigned>(rows[k].size()));
    for (size_t j = 0; j < rows[k].size(); ++j) cells.set(static_cast<unsigned>(j), rows[k][j]);
  }
}

TEST(WorkflowViewTest, ShowJsonHasTheObjectAndAnArrayPerPart) {
  capnp::MallocMessageBuilder m;
  auto t = m.initRoot<schema::Table>();
  Fill(t, {"id", "state", "item.id", "item.requested", "history.action"},
       {{"R-1", "open", "1", "4", ""},
        {"R-1", "open", "2", "100", ""},
        {"R-1", "open", "", "", "request"}});
  nlohmann::ordered_json j = ShowJson(t.asReader());
  EXPECT_EQ(j.dump(),
            R"({"id":"R-1","state":"open","item":[{"id":"1","requested":"4"},)"
            R"({"id":"2","requested":"100"}],"history":[{"action":"request"}]})");
}

TEST(WorkflowViewTest, ListJsonHasOneObjectPerRow) {
  capnp::MallocMessageBuilder m;
  auto t = m.initRoot<schema::Table>();
  Fill(t, {"id", "state"}, {{"L-1", "on-site"}, {"L-4", "proposed"}});
  EXPECT_EQ(ListJson(t.asReader()).dump(),
            R"([{"id":"L-1","state":"on-site"},{"id":"L-4","state":"proposed"}])");
  Fill(t, {"id"}, {});
  EXPECT_EQ(ListJson(t.asReader()).dump(), "[]");
}

TEST(WorkflowViewTest, TimeFlags) {
  auto in_two_hours = ParseTimeFlag("--eta", "2h", 1000);
  ASSERT_TRUE(in_two_hours.ok());
  EXPECT_EQ(*in_two_hours, 1000 + 2 * 3600 * 1000);
  auto at = ParseTimeFlag("--eta", "2026-11-28T23:00:00+08:00", 0);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, 1795878000000);
  auto bad = ParseTimeFlag("--eta", "soon", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("--eta takes", 0), 0u);
}

}  // namespace
}  // namespace muster::cli
