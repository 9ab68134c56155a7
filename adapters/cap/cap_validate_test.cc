// ValidateAlert: one failing example per check of standards.md §1.5 that applies to the model,
// each with its stable reason code and the element it names, plus what a valid alert may hold.
#include "adapters/cap/cap_validate.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "adapters/cap/cap_parser.h"

namespace muster::cap {
namespace {

using schema::Alert;

// A valid alert that each case changes in exactly one place.
void FillBase(Alert::Builder a) {
  a.setIdentifier("MUSTER-2026-0001");
  a.setSender("ops@muster.example");
  a.setSent("2026-11-28T21:05:00+08:00");
  a.setStatus(Alert::CapStatus::ACTUAL);
  a.setMsgType(Alert::MsgType::ALERT);
  a.setScope(Alert::Scope::PUBLIC);
  auto info = a.initInfos(1)[0];
  info.setLanguage("zh-CN");
  info.initCategories(1).set(0, Alert::Category::MET);
  info.setEvent("Typhoon");
  info.initResponseTypes(1).set(0, Alert::ResponseType::PREPARE);
  info.setUrgency(Alert::Urgency::IMMEDIATE);
  info.setSeverity(Alert::Severity::SEVERE);
  info.setCertainty(Alert::Certainty::LIKELY);
  auto codes = info.initEventCodes(1);
  codes[0].setName("SAME");
  codes[0].setValue("HUW");
  info.setEffective("2026-11-28T21:05:00+08:00");
  info.setExpires("2026-11-29T21:00:00+08:00");
  info.setHeadline("Typhoon warning");
  info.setWeb("https://muster.example/alerts/1");
  auto params = info.initParameters(1);
  params[0].setName("colour");
  params[0].setValue("orange");
  auto res = info.initResources(1)[0];
  res.setResourceDesc("Map");
  res.setMimeType("image/png");
  res.setSize("1024");
  res.setUri("https://muster.example/map.png");
  auto area = info.initAreas(1)[0];
  area.setAreaDesc("Harbour district");
  area.initPolygons(1).set(0, "22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10 22.50,114.00");
  area.initCircles(1).set(0, "22.55,114.05 5");
  auto geo = area.initGeocodes(1);
  geo[0].setName("GB/T 2260");
  geo[0].setValue("440304");
  area.setAltitude("0");
  area.setCeiling("1000");
}

Status ValidateWith(const std::function<void(Alert::Builder)>& change) {
  capnp::MallocMessageBuilder message;
  auto a = message.initRoot<Alert>();
  FillBase(a);
  change(a);
  return ValidateAlert(a.asReader());
}

Alert::Info::Builder Info(Alert::Builder a) { return a.getInfos()[0]; }
Alert::Resource::Builder Res(Alert::Builder a) { return a.getInfos()[0].getResources()[0]; }
Alert::Area::Builder Area(Alert::Builder a) { return a.getInfos()[0].getAreas()[0]; }

TEST(ValidateAlertTest, BaseIsValid) {
  Status s = ValidateWith([](Alert::Builder) {});
  EXPECT_TRUE(s.ok()) << s.ToString();
}

struct Case {
  const char* name;
  std::function<void(Alert::Builder)> change;
  const char* code;
  const char* where;  // the message starts with "<code>: <where>"
};

class ValidateAlertRefusal : public testing::TestWithParam<Case> {};

TEST_P(ValidateAlertRefusal, RefusedWithCode) {
  const Case& c = GetParam();
  Status s = ValidateWith(c.change);
  ASSERT_FALSE(s.ok()) << c.name;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CapReasonCode(s), c.code) << s.message();
  std::string prefix = std::string(c.code) + ": " + c.where;
  EXPECT_EQ(s.message().substr(0, prefix.size()), prefix) << s.message();
  // The character after the path ends it (no "info[0]/eventCode" matching "info[0]/event").
  ASSERT_GT(s.message().size(), prefix.size());
  EXPECT_TRUE(s.message()[prefix.size()] == ':' || s.message()[prefix.size()] == ' ')
      << s.message();
}

const Case kCases[] = {
    // §1.5 item 2: required elements and enumerations.
    {"identifier_missing", [](Alert::Builder a) { a.setIdentifier(""); },
     "MISSING_REQUIRED_ELEMENT", "identifier"},
    {"sender_missing", [](Alert::Builder a) { a.setSender(""); }, "MISSING_REQUIRED_ELEMENT",
     "sender"},
    {"sent_missing", [](Alert::Builder a) { a.setSent(""); }, "MISSING_REQUIRED_ELEMENT", "sent"},
    {"status_unset", [](Alert::Builder a) { a.setStatus(Alert::CapStatus::UNSET); },
     "MISSING_REQUIRED_ELEMENT", "status"},
    {"status_unknown_value",
     [](Alert::Builder a) { a.setStatus(static_cast<Alert::CapStatus>(42)); }, "INVALID_ENUM_VALUE",
     "status"},
    {"msg_type_unset", [](Alert::Builder a) { a.setMsgType(Alert::MsgType::UNSET); },
     "MISSING_REQUIRED_ELEMENT", "msgType"},
    {"scope_unset", [](Alert::Builder a) { a.setScope(Alert::Scope::UNSET); },
     "MISSING_REQUIRED_ELEMENT", "scope"},
    {"category_none", [](Alert::Builder a) { Info(a).initCategories(0); },
     "MISSING_REQUIRED_ELEMENT", "info[0]/category"},
    {"category_unset",
     [](Alert::Builder a) {
       auto c = Info(a).initCategories(2);
       c.set(0, Alert::Category::MET);
       c.set(1, Alert::Category::UNSET);
     },
     "INVALID_ENUM_VALUE", "info[0]/category[1]"},
    {"event_missing", [](Alert::Builder a) { Info(a).setEvent(""); }, "MISSING_REQUIRED_ELEMENT",
     "info[0]/event"},
    {"response_type_unset",
     [](Alert::Builder a) { Info(a).initResponseTypes(1).set(0, Alert::ResponseType::UNSET); },
     "INVALID_ENUM_VALUE", "info[0]/responseType[0]"},
    {"urgency_unset", [](Alert::Builder a) { Info(a).setUrgency(Alert::Urgency::UNSET); },
     "MISSING_REQUIRED_ELEMENT", "info[0]/urgency"},
    {"severity_unset", [](Alert::Builder a) { Info(a).setSeverity(Alert::Severity::UNSET); },
     "MISSING_REQUIRED_ELEMENT", "info[0]/severity"},
    {"certainty_unset", [](Alert::Builder a) { Info(a).setCertainty(Alert::Certainty::UNSET); },
     "MISSING_REQUIRED_ELEMENT", "info[0]/certainty"},
    {"event_code_value_name_missing",
     [](Alert::Builder a) { Info(a).getEventCodes()[0].setName(""); }, "MISSING_REQUIRED_ELEMENT",
     "info[0]/eventCode[0]/valueName"},
    {"parameter_value_name_missing",
     [](Alert::Builder a) { Info(a).getParameters()[0].setName(""); }, "MISSING_REQUIRED_ELEMENT",
     "info[0]/parameter[0]/valueName"},
    {"resource_desc_missing", [](Alert::Builder a) { Res(a).setResourceDesc(""); },
     "MISSING_REQUIRED_ELEMENT", "info[0]/resource[0]/resourceDesc"},
    {"resource_mime_type_missing", [](Alert::Builder a) { Res(a).setMimeType(""); },
     "MISSING_REQUIRED_ELEMENT", "info[0]/resource[0]/mimeType"},
    {"area_desc_missing", [](Alert::Builder a) { Area(a).setAreaDesc(""); },
     "MISSING_REQUIRED_ELEMENT", "info[0]/area[0]/areaDesc"},
    {"geocode_value_name_missing", [](Alert::Builder a) { Area(a).getGeocodes()[0].setName(""); },
     "MISSING_REQUIRED_ELEMENT", "info[0]/area[0]/geocode[0]/valueName"},
    // Item 3: identifier and sender characters.
    {"identifier_space", [](Alert::Builder a) { a.setIdentifier("MUSTER 1"); },
     "INVALID_IDENTIFIER", "identifier"},
    {"identifier_comma", [](Alert::Builder a) { a.setIdentifier("MUSTER,1"); },
     "INVALID_IDENTIFIER", "identifier"},
    {"identifier_lt", [](Alert::Builder a) { a.setIdentifier("MUSTER<1"); }, "INVALID_IDENTIFIER",
     "identifier"},
    {"identifier_amp", [](Alert::Builder a) { a.setIdentifier("MUSTER&1"); }, "INVALID_IDENTIFIER",
     "identifier"},
    {"sender_space", [](Alert::Builder a) { a.setSender("ops @muster.example"); }, "INVALID_SENDER",
     "sender"},
    {"sender_comma", [](Alert::Builder a) { a.setSender("ops,muster"); }, "INVALID_SENDER",
     "sender"},
    // Item 4: dateTimes.
    {"sent_z", [](Alert::Builder a) { a.setSent("2026-11-28T13:05:00Z"); }, "INVALID_DATE", "sent"},
    {"sent_fraction", [](Alert::Builder a) { a.setSent("2026-11-28T21:05:00.5+08:00"); },
     "INVALID_DATE", "sent"},
    {"sent_no_offset", [](Alert::Builder a) { a.setSent("2026-11-28T21:05:00"); }, "INVALID_DATE",
     "sent"},
    {"sent_comma_offset", [](Alert::Builder a) { a.setSent("2026-11-28T21:05:00,08:00"); },
     "INVALID_DATE", "sent"},
    {"sent_month_13", [](Alert::Builder a) { a.setSent("2026-13-28T21:05:00+08:00"); },
     "INVALID_DATE", "sent"},
    {"effective_z", [](Alert::Builder a) { Info(a).setEffective("2026-11-28T13:05:00Z"); },
     "INVALID_DATE", "info[0]/effective"},
    {"onset_fraction", [](Alert::Builder a) { Info(a).setOnset("2026-11-28T21:05:00.25+08:00"); },
     "INVALID_DATE", "info[0]/onset"},
    {"expires_no_offset", [](Alert::Builder a) { Info(a).setExpires("2026-11-29T21:00:00"); },
     "INVALID_DATE", "info[0]/expires"},
    // Item 5: references.
    {"references_blank",
     [](Alert::Builder a) {
       a.setMsgType(Alert::MsgType::UPDATE);
       a.setReferences("   ");
     },
     "INVALID_REFERENCES", "references"},
    {"references_not_triple",
     [](Alert::Builder a) {
       a.setMsgType(Alert::MsgType::UPDATE);
       a.setReferences("ops@muster.example,MUSTER-2026-0000");
     },
     "INVALID_REFERENCES", "references"},
    {"references_bad_sent",
     [](Alert::Builder a) {
       a.setMsgType(Alert::MsgType::UPDATE);
       a.setReferences("ops@muster.example,MUSTER-2026-0000,2026-11-28T20:00:00Z");
     },
     "INVALID_REFERENCES", "references"},
    {"references_four_parts",
     [](Alert::Builder a) {
       a.setMsgType(Alert::MsgType::CANCEL);
       a.setReferences("a,b,2026-11-28T20:00:00+08:00,d");
     },
     "INVALID_REFERENCES", "references"},
    {"references_self",
     [](Alert::Builder a) {
       a.setMsgType(Alert::MsgType::UPDATE);
       a.setReferences("ops@muster.example,MUSTER-2026-0001,2026-11-28T21:05:00+08:00");
     },
     "CIRCULAR_REFERENCE", "references"},
    // Item 6: update, cancel, ack and error reference something.
    {"update_without_references", [](Alert::Builder a) { a.setMsgType(Alert::MsgType::UPDATE); },
     "UPDATE_OR_CANCEL_MUST_REFERENCE", "references"},
    {"cancel_without_references", [](Alert::Builder a) { a.setMsgType(Alert::MsgType::CANCEL); },
     "UPDATE_OR_CANCEL_MUST_REFERENCE", "references"},
    {"ack_without_references", [](Alert::Builder a) { a.setMsgType(Alert::MsgType::ACK); },
     "UPDATE_OR_CANCEL_MUST_REFERENCE", "references"},
    {"error_without_references", [](Alert::Builder a) { a.setMsgType(Alert::MsgType::ERROR); },
     "UPDATE_OR_CANCEL_MUST_REFERENCE", "references"},
    // Item 7: scope.
    {"restriction_with_public", [](Alert::Builder a) { a.setRestriction("internal"); },
     "RESTRICTION_SCOPE_MISMATCH", "restriction"},
    {"private_without_addresses", [](Alert::Builder a) { a.setScope(Alert::Scope::PRIVATE); },
     "ADDRESSES_SCOPE_MISMATCH", "addresses"},
    {"private_with_blank_addresses",
     [](Alert::Builder a) {
       a.setScope(Alert::Scope::PRIVATE);
       a.setAddresses(" \t");
     },
     "ADDRESSES_SCOPE_MISMATCH", "addresses"},
    // Item 8: polygons.
    {"polygon_three_pairs",
     [](Alert::Builder a) {
       Area(a).getPolygons().set(0, "22.50,114.00 22.60,114.00 22.50,114.00");
     },
     "INVALID_POLYGON", "info[0]/area[0]/polygon[0]"},
    {"polygon_open",
     [](Alert::Builder a) {
       Area(a).getPolygons().set(0, "22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10");
     },
     "INVALID_POLYGON", "info[0]/area[0]/polygon[0]"},
    {"polygon_latitude_range",
     [](Alert::Builder a) {
       Area(a).getPolygons().set(0, "92.50,114.00 22.60,114.00 22.60,114.10 92.50,114.00");
     },
     "INVALID_POLYGON", "info[0]/area[0]/polygon[0]"},
    {"polygon_longitude_range",
     [](Alert::Builder a) {
       Area(a).getPolygons().set(0, "22.50,184.00 22.60,114.00 22.60,114.10 22.50,184.00");
     },
     "INVALID_POLYGON", "info[0]/area[0]/polygon[0]"},
    {"polygon_bad_pair",
     [](Alert::Builder a) {
       Area(a).getPolygons().set(0, "22.50;114.00 22.60,114.00 22.60,114.10 22.50;114.00");
     },
     "INVALID_POLYGON", "info[0]/area[0]/polygon[0]"},
    {"polygon_self_intersection",
     [](Alert::Builder a) {
       // A bow tie: the edges (0,0)-(1,1) and (1,0)-(0,1) cross.
       Area(a).getPolygons().set(0, "0,0 1,1 1,0 0,1 0,0");
     },
     "INVALID_POLYGON_SELF_INTERSECTION", "info[0]/area[0]/polygon[0]"},
    // Item 9: circles.
    {"circle_negative_radius",
     [](Alert::Builder a) { Area(a).getCircles().set(0, "22.55,114.05 -5"); }, "INVALID_CIRCLE",
     "info[0]/area[0]/circle[0]"},
    {"circle_no_radius", [](Alert::Builder a) { Area(a).getCircles().set(0, "22.55,114.05"); },
     "INVALID_CIRCLE", "info[0]/area[0]/circle[0]"},
    {"circle_two_spaces", [](Alert::Builder a) { Area(a).getCircles().set(0, "22.55,114.05  5"); },
     "INVALID_CIRCLE", "info[0]/area[0]/circle[0]"},
    {"circle_bad_centre", [](Alert::Builder a) { Area(a).getCircles().set(0, "122.55,114.05 5"); },
     "INVALID_CIRCLE", "info[0]/area[0]/circle[0]"},
    // Item 10: altitude and ceiling.
    {"ceiling_without_altitude", [](Alert::Builder a) { Area(a).setAltitude(""); }, "INVALID_AREA",
     "info[0]/area[0]/ceiling"},
    {"ceiling_below_altitude", [](Alert::Builder a) { Area(a).setAltitude("2000"); },
     "INVALID_ALTITUDE_CEILING_RANGE", "info[0]/area[0]/ceiling"},
    {"altitude_not_decimal", [](Alert::Builder a) { Area(a).setAltitude("high"); },
     "INVALID_ALTITUDE", "info[0]/area[0]/altitude"},
    {"ceiling_not_decimal", [](Alert::Builder a) { Area(a).setCeiling("1e3"); }, "INVALID_CEILING",
     "info[0]/area[0]/ceiling"},
    // Item 11: language, MIME type, size, URIs.
    {"language_bad", [](Alert::Builder a) { Info(a).setLanguage("zh_CN"); }, "INVALID_LANGUAGE",
     "info[0]/language"},
    {"mime_type_bad", [](Alert::Builder a) { Res(a).setMimeType("png"); }, "INVALID_MIME_TYPE",
     "info[0]/resource[0]/mimeType"},
    {"size_negative", [](Alert::Builder a) { Res(a).setSize("-1"); }, "INVALID_SIZE",
     "info[0]/resource[0]/size"},
    {"uri_with_space", [](Alert::Builder a) { Res(a).setUri("https://muster.example/a b.png"); },
     "INVALID_URI", "info[0]/resource[0]/uri"},
    {"relative_uri_without_deref", [](Alert::Builder a) { Res(a).setUri("map.png"); },
     "RELATIVE_URI_MISSING_DEREF_URI", "info[0]/resource[0]/uri"},
    {"deref_uri_not_base64", [](Alert::Builder a) { Res(a).setDerefUri("not base64!"); },
     "INVALID_DEREF_URI", "info[0]/resource[0]/derefUri"},
    {"web_relative", [](Alert::Builder a) { Info(a).setWeb("/alerts/1"); }, "INVALID_WEB",
     "info[0]/web"},
    // Later info blocks are checked too.
    {"second_info_event_missing",
     [](Alert::Builder a) {
       capnp::MallocMessageBuilder scratch;
       auto copy = scratch.initRoot<Alert>();
       FillBase(copy);
       auto infos = a.initInfos(2);
       infos.setWithCaveats(0, copy.asReader().getInfos()[0]);
       infos.setWithCaveats(1, copy.asReader().getInfos()[0]);
       infos[1].setEvent("");
     },
     "MISSING_REQUIRED_ELEMENT", "info[1]/event"},
};

INSTANTIATE_TEST_SUITE_P(Section15, ValidateAlertRefusal, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

TEST(ValidateAlertTest, AcceptsWhatCapAllows) {
  // No info block at all; Draft status (valid CAP; a relay decides itself whether to take it).
  EXPECT_TRUE(ValidateWith([](Alert::Builder a) { a.initInfos(0); }).ok());
  EXPECT_TRUE(ValidateWith([](Alert::Builder a) { a.setStatus(Alert::CapStatus::DRAFT); }).ok());
  // UTC as -00:00 and +00:00.
  EXPECT_TRUE(ValidateWith([](Alert::Builder a) { a.setSent("2026-11-28T13:05:00-00:00"); }).ok());
  EXPECT_TRUE(ValidateWith([](Alert::Builder a) { a.setSent("2026-11-28T13:05:00+00:00"); }).ok());
  // An update naming another alert; restriction with scope Restricted; Private with addresses.
  EXPECT_TRUE(ValidateWith([](Alert::Builder a) {
                a.setMsgType(Alert::MsgType::UPDATE);
                a.setReferences(
                    "ops@muster.example,MUSTER-2026-0000,2026-11-28T20:00:00+08:00 "
                    "ops@muster.example,MUSTER-2026-0000b,2026-11-28T20:30:00+08:00");
              }).ok());
  EXPECT_TRUE(ValidateWith([](Alert::Builder a) {
                a.setScope(Alert::Scope::RESTRICTED);
                a.setRestriction("internal");
              }).ok());
  EXPECT_TRUE(ValidateWith([](Alert::Builder a) {
                a.setScope(Alert::Scope::PRIVATE);
                a.setAddresses("msd \"ema duty\"");
              }).ok());
  // A relative uri together with derefUri; a circle of radius 0 (a point).
  EXPECT_TRUE(ValidateWith([](Alert::Builder a) {
                Res(a).setUri("map.png");
                Res(a).setDerefUri("aGVsbG8=");
              }).ok());
  EXPECT_TRUE(
      ValidateWith([](Alert::Builder a) { Area(a).getCircles().set(0, "22.55,114.05 0"); }).ok());
}

// The model check agrees with the XML parser: whatever ParseCap accepts, ValidateAlert accepts.
TEST(ValidateAlertTest, AgreesWithParserOnAValidDocument) {
  constexpr std::string_view kXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>MUSTER-2026-0002</identifier>
  <sender>ops@muster.example</sender>
  <sent>2026-11-28T21:05:00+08:00</sent>
  <status>Exercise</status>
  <msgType>Cancel</msgType>
  <scope>Private</scope>
  <addresses>msd</addresses>
  <references>ops@muster.example,MUSTER-2026-0001,2026-11-28T21:00:00+08:00</references>
  <info>
    <category>Met</category>
    <event>Typhoon</event>
    <urgency>Past</urgency>
    <severity>Minor</severity>
    <certainty>Observed</certainty>
    <area><areaDesc>Harbour</areaDesc><altitude>10</altitude></area>
  </info>
</alert>
)";
  auto parsed = ParseCapMessage(kXml);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Status s = ValidateAlert((*parsed)->getRoot<Alert>().asReader());
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace muster::cap
