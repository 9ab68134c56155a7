// WriteRm: what ParseRm reads, WriteRm writes back so that ParseRm reads the same again.
#include "adapters/edxl/rm_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/edxl/edxl_testing.h"
#include "adapters/edxl/rm_parser.h"

namespace muster::edxl {
namespace {

using testing::Fixture;

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class RmWriterFixtureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RmWriterFixtureTest, ParseWriteParseKeepsEveryMappedElement) {
  auto first = ParseRm(Fixture(GetParam()));
  ASSERT_TRUE(first.ok()) << first.status().message();
  std::string written = WriteRm(*first);
  auto second = ParseRm(written);
  ASSERT_TRUE(second.ok()) << second.status().message() << "\n" << written;
  EXPECT_TRUE(RmDifferences(*first, *second).empty()) << Joined(RmDifferences(*first, *second));
  // Per element as well: the schedules, priorities and steps element by element.
  ASSERT_EQ(first->resources.size(), second->resources.size());
  for (size_t k = 0; k < first->resources.size(); ++k) {
    const auto& a = first->resources[k];
    const auto& b = second->resources[k];
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(a.step, b.step);
    ASSERT_EQ(a.schedules.size(), b.schedules.size());
    for (size_t s = 0; s < a.schedules.size(); ++s) {
      EXPECT_EQ(a.schedules[s].type, b.schedules[s].type);
      EXPECT_EQ(a.schedules[s].location, b.schedules[s].location);
      EXPECT_EQ(a.schedules[s].date_time.has_value(), b.schedules[s].date_time.has_value());
      if (a.schedules[s].date_time) {
        EXPECT_EQ(a.schedules[s].date_time->text, b.schedules[s].date_time->text);
      }
    }
  }
  EXPECT_EQ(first->sent.text, second->sent.text);
  ASSERT_EQ(first->contacts.size(), second->contacts.size());
  EXPECT_EQ(first->contacts[0].description, second->contacts[0].description);
  EXPECT_EQ(first->contacts[0].role, second->contacts[0].role);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, RmWriterFixtureTest,
    ::testing::Values("request_resource.xml", "response_to_request_resource.xml",
                      "response_to_request_resource_decline.xml", "commit_resource.xml",
                      "report_dispatch.xml", "report_deliver.xml",
                      "request_resource_deployment_status.xml",
                      "report_resource_deployment_status.xml", "request_return.xml",
                      "release_resource.xml"),
    [](const ::testing::TestParamInfo<const char*>& info) {
      std::string name = info.param;
      std::string out;
      for (char c : name.substr(0, name.size() - 4)) {
        if (c != '_') out += c;
      }
      return out;
    });

RmMessage Minimal() {
  RmMessage m;
  m.type = RmType::kReportResourceDeploymentStatus;
  m.message_id = "M-1";
  m.sent.unix_millis = 1782885900000;
  m.sent.utc_offset_minutes = 480;
  m.originating_id = "R-0";
  m.preceding_id = "R-0";
  return m;
}

TEST(RmWriterTest, WritesTimesFromInstantsAndAmountsExactly) {
  RmMessage m = Minimal();
  RmResourceInfo r;
  r.element_id = "1";
  r.quantity = RmQuantity{0.1, "", {std::string(kUnitList), "t"}};
  RmSchedule s;
  s.type = "EstimatedArrival";
  s.date_time = RmDateTime{"", 1782898200000, -300};
  r.schedules.push_back(s);
  m.resources.push_back(r);
  std::string xml = WriteRm(m);
  EXPECT_NE(xml.find("<SentDateTime>2026-07-01T14:05:00+08:00</SentDateTime>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<DateTime>2026-07-01T04:30:00-05:00</DateTime>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<rm:Amount>0.1</rm:Amount>"), std::string::npos) << xml;
  auto back = ParseRm(xml);
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << xml;
  EXPECT_EQ(back->resources[0].quantity->amount, 0.1);
  EXPECT_TRUE(RmDifferences(m, *back).empty()) << Joined(RmDifferences(m, *back));
}

TEST(RmWriterTest, EscapesMarkupAndReplacesWhatXmlCannotCarry) {
  RmMessage m = Minimal();
  m.description = "a < b & c > d \"q\" 'a'\x01 and \xff end";
  m.incident_id = "INC <1>";
  std::string xml = WriteRm(m);
  auto back = ParseRm(xml);
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << xml;
  EXPECT_EQ(back->description, "a < b & c > d \"q\" 'a'\xEF\xBF\xBD and \xEF\xBF\xBD end");
  EXPECT_EQ(back->incident_id, "INC <1>");
}

TEST(RmWriterTest, GivesAMessageWithoutContactsTheRequiredOne) {
  std::string xml = WriteRm(Minimal());
  auto back = ParseRm(xml);
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << xml;
  ASSERT_EQ(back->contacts.size(), 1u);
  EXPECT_EQ(back->contacts[0].role, "Sender");
}

TEST(RmDifferencesTest, NamesWhatDiffers) {
  auto a = ParseRm(Fixture("request_resource.xml"));
  ASSERT_TRUE(a.ok());
  RmMessage b = *a;
  EXPECT_TRUE(RmDifferences(*a, b).empty());
  b.resources[1].quantity->amount = 99;
  b.resources[0].schedules[0].location = "elsewhere";
  b.resources[1].schedules[0].location = "elsewhere";
  b.description = "changed";
  std::vector<std::string> diffs = RmDifferences(*a, b);
  ASSERT_EQ(diffs.size(), 3u) << Joined(diffs);
  EXPECT_EQ(diffs[0], "MessageDescription: 'Drainage pumps and drinking water for the Wujin levee seepage' != 'changed'");
  EXPECT_EQ(diffs[1], "ResourceInformation[1]/AssignmentInformation/Quantity/MeasuredQuantity/Amount: 100 != 99");
  EXPECT_NE(diffs[2].find("LocationDescription"), std::string::npos);
}

TEST(RmDifferencesTest, ComparesTimesAsInstants) {
  auto a = ParseRm(Fixture("request_resource.xml"));
  ASSERT_TRUE(a.ok());
  RmMessage b = *a;
  b.resources[0].schedules[0].date_time->text = "2026-07-01T12:00:00+00:00";  // the same instant
  EXPECT_TRUE(RmDifferences(*a, b).empty());
  b.resources[0].schedules[0].date_time->unix_millis -= 60000;  // a minute earlier
  EXPECT_EQ(RmDifferences(*a, b).size(), 1u);
}

}  // namespace
}  // namespace muster::edxl
