// Tests for GB/T 2260 division-code nesting.
#include "security/jurisdiction.h"

#include <gtest/gtest.h>

namespace muster::security {
namespace {

TEST(JurisdictionTest, ValidatesCodes) {
  for (const char* good : {"320400", "320481", "320000", "110000", "820000", "320402"}) {
    EXPECT_TRUE(IsDivisionCode(good)) << good;
    EXPECT_TRUE(CheckDivisionCode(good).ok()) << good;
  }
  for (const char* bad : {"", "3204", "3204000", "32040a", " 32040", "000000", "100000", "830000",
                          "990101", "32-400"}) {
    EXPECT_FALSE(IsDivisionCode(bad)) << bad;
  }
  Status s = CheckDivisionCode("3204");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'3204' is not a GB/T 2260 division code"), std::string::npos)
      << s.message();
}

TEST(JurisdictionTest, Levels) {
  EXPECT_EQ(LevelOf("320000"), DivisionLevel::kProvince);
  EXPECT_EQ(LevelOf("320400"), DivisionLevel::kPrefecture);
  EXPECT_EQ(LevelOf("320481"), DivisionLevel::kCounty);
  EXPECT_EQ(LevelOf("320401"), DivisionLevel::kCounty);
  EXPECT_EQ(LevelOf("110100"), DivisionLevel::kPrefecture);
}

TEST(JurisdictionTest, ProvinceCoversItsPrefecturesAndCounties) {
  EXPECT_TRUE(Covers("320000", "320000"));
  EXPECT_TRUE(Covers("320000", "320400"));
  EXPECT_TRUE(Covers("320000", "320481"));
  EXPECT_TRUE(Covers("320000", "321102"));
  EXPECT_FALSE(Covers("320000", "330000"));
  EXPECT_FALSE(Covers("320000", "330481"));
  EXPECT_FALSE(Covers("320000", "310000"));
}

TEST(JurisdictionTest, PrefectureCoversItsCountiesOnly) {
  EXPECT_TRUE(Covers("320400", "320400"));
  EXPECT_TRUE(Covers("320400", "320481"));
  EXPECT_TRUE(Covers("320400", "320402"));
  EXPECT_TRUE(Covers("320400", "320401"));
  EXPECT_FALSE(Covers("320400", "320500"));
  EXPECT_FALSE(Covers("320400", "320581"));
  EXPECT_FALSE(Covers("320400", "320000"));  // never the province above it
  EXPECT_FALSE(Covers("320400", "330481"));
}

TEST(JurisdictionTest, CountyCoversOnlyItself) {
  EXPECT_TRUE(Covers("320481", "320481"));
  EXPECT_FALSE(Covers("320481", "320482"));
  EXPECT_FALSE(Covers("320402", "320481"));
  EXPECT_FALSE(Covers("320481", "320400"));
  EXPECT_FALSE(Covers("320481", "320000"));
}

TEST(JurisdictionTest, InvalidCodesCoverNothing) {
  EXPECT_FALSE(Covers("32", "320400"));
  EXPECT_FALSE(Covers("320400", "32040"));
  EXPECT_FALSE(Covers("000000", "000100"));
  EXPECT_FALSE(Covers("", ""));
}

TEST(JurisdictionTest, OverlapIsSymmetric) {
  EXPECT_TRUE(Overlaps("320400", "320402"));
  EXPECT_TRUE(Overlaps("320402", "320400"));
  EXPECT_TRUE(Overlaps("320481", "320000"));
  EXPECT_TRUE(Overlaps("320000", "320481"));
  EXPECT_FALSE(Overlaps("320481", "320402"));
  EXPECT_FALSE(Overlaps("320400", "320500"));
  EXPECT_FALSE(Overlaps("320000", "110000"));
}

TEST(JurisdictionTest, JurisdictionReachesAnArea) {
  const std::vector<std::string> city = {"320400"};
  const std::vector<std::string> liyang = {"320481"};
  const std::vector<std::string> two = {"320481", "320500"};
  EXPECT_TRUE(JurisdictionReaches(city, "320402"));   // a district of the city
  EXPECT_TRUE(JurisdictionReaches(city, "320000"));   // the province around it
  EXPECT_FALSE(JurisdictionReaches(city, "320582"));  // another city's county
  EXPECT_TRUE(JurisdictionReaches(liyang, "320400"));
  EXPECT_FALSE(JurisdictionReaches(liyang, "320402"));
  EXPECT_TRUE(JurisdictionReaches(two, "320582"));
  EXPECT_FALSE(JurisdictionReaches({}, "320400"));
}

}  // namespace
}  // namespace muster::security
