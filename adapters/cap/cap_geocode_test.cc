// GB/T 2260 area codes from geocodes, and the +08:00 check.
#include "adapters/cap/cap_geocode.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace muster::cap {
namespace {

using schema::Alert;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// An alert with one info whose areas carry the given geocodes (one area per inner list).
std::vector<std::string> CodesFrom(const std::vector<Pairs>& areas) {
  capnp::MallocMessageBuilder message;
  auto info = message.initRoot<Alert>().initInfos(1)[0];
  auto area_list = info.initAreas(static_cast<unsigned>(areas.size()));
  for (unsigned a = 0; a < areas.size(); ++a) {
    auto geocodes = area_list[a].initGeocodes(static_cast<unsigned>(areas[a].size()));
    for (unsigned g = 0; g < areas[a].size(); ++g) {
      geocodes[g].setName(areas[a][g].first);
      geocodes[g].setValue(areas[a][g].second);
    }
  }
  return ExtractGbt2260Codes(message.getRoot<Alert>().asReader());
}

TEST(Gbt2260Test, DocumentedValueNamesAreRecognised) {
  for (const char* name :
       {"GB/T 2260", "GB/T2260", "GBT2260", "gbt2260", "GB 2260", "gb2260", "GB/T 2260-2007",
        "gb-t-2260", " GB/T 2260 ", "AdminCode", "admincode", "ADMIN_CODE", "行政区划代码"}) {
    EXPECT_TRUE(IsGbt2260ValueName(name)) << name;
  }
  for (const char* name : {"SAME", "FIPS6", "GB/T 2261", "GB/T 22600", "GB/T 2260-07", "admin",
                           "CPEAS Geographic Code", ""}) {
    EXPECT_FALSE(IsGbt2260ValueName(name)) << name;
  }
  EXPECT_TRUE(IsCpeasValueName("CPEAS Geographic Code"));
  EXPECT_TRUE(IsCpeasValueName("cpeas geographic code"));
  EXPECT_FALSE(IsCpeasValueName("CPEAS"));
}

TEST(Gbt2260Test, CodeShape) {
  EXPECT_TRUE(IsGbt2260Code("110000"));
  EXPECT_TRUE(IsGbt2260Code("440304"));
  EXPECT_TRUE(IsGbt2260Code("820000"));
  EXPECT_FALSE(IsGbt2260Code("000000"));
  EXPECT_FALSE(IsGbt2260Code("100000"));
  EXPECT_FALSE(IsGbt2260Code("830000"));
  EXPECT_FALSE(IsGbt2260Code("44030"));
  EXPECT_FALSE(IsGbt2260Code("4403041"));
  EXPECT_FALSE(IsGbt2260Code("44030a"));
}

TEST(Gbt2260Test, ExtractsCodesInOrderOnce) {
  std::vector<std::string> codes =
      CodesFrom({{{"GB/T 2260", "440304"}, {"SAME", "006109"}, {"AdminCode", " 440305\n"}},
                 {{"gbt2260", "440304"}, {"GB/T 2260", "110101"}}});
  EXPECT_EQ(codes, (std::vector<std::string>{"440304", "440305", "110101"}));
}

TEST(Gbt2260Test, CpeasTwelveDigitCodesGiveTheirCountyPrefix) {
  EXPECT_EQ(CodesFrom({{{"CPEAS Geographic Code", "130602000000"}}}),
            (std::vector<std::string>{"130602"}));
  // Wrong lengths are not guessed at.
  EXPECT_TRUE(CodesFrom({{{"CPEAS Geographic Code", "130602"}}}).empty());
  EXPECT_TRUE(CodesFrom({{{"GB/T 2260", "130602000000"}}}).empty());
}

TEST(Gbt2260Test, SkipsMalformedValues) {
  EXPECT_TRUE(CodesFrom({{{"GB/T 2260", "44030"},
                          {"GB/T 2260", "000000"},
                          {"GB/T 2260", "44 0304"},
                          {"GB/T 2260", ""}}})
                  .empty());
}

TEST(ChineseProfileTimeTest, RequiresAValidCapDateTimeInBeijingTime) {
  EXPECT_TRUE(IsChineseProfileTime("2024-07-12T21:31:38+08:00"));
  EXPECT_FALSE(IsChineseProfileTime("2024-07-12T13:31:38-00:00"));
  EXPECT_FALSE(IsChineseProfileTime("2024-07-12T21:31:38-08:00"));
  EXPECT_FALSE(IsChineseProfileTime("2024-07-12T21:31:38+0800"));
  EXPECT_FALSE(IsChineseProfileTime("2024-07-12T21:31:38.5+08:00"));
  EXPECT_FALSE(IsChineseProfileTime("2024-07-12T21:31:38Z"));
  EXPECT_FALSE(IsChineseProfileTime("2024-07-12 21:31:38+08:00"));
  EXPECT_FALSE(IsChineseProfileTime("2024-02-30T21:31:38+08:00"));
  EXPECT_FALSE(IsChineseProfileTime(""));
}

}  // namespace
}  // namespace muster::cap
