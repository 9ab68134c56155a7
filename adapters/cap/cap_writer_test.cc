// WriteCap: schema order, escaping, omission of absent fields, and the ParseCap round trip.
#include "adapters/cap/cap_writer.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <string>

#include "adapters/cap/cap_compare.h"
#include "adapters/cap/cap_parser.h"
#include "adapters/cap/internal/test_signing.h"

namespace muster::cap {
namespace {

using schema::Alert;

void SetNameValue(schema::NameValue::Builder nv, const char* name, const char* value) {
  nv.setName(name);
  nv.setValue(value);
}

// An alert with every field of the schema set, including awkward text.
void FillEverything(Alert::Builder a) {
  a.setIdentifier("MUSTER-2026-0002");
  a.setSender("ops@muster.example");
  a.setSent("2026-11-28T21:05:00+08:00");
  a.setStatus(Alert::CapStatus::EXERCISE);
  a.setMsgType(Alert::MsgType::UPDATE);
  a.setSource("Harbour EOC <drill> & co");
  a.setScope(Alert::Scope::RESTRICTED);
  a.setRestriction("responders only");
  a.setAddresses("ops \"fire desk\"");
  auto codes = a.initCodes(3);
  codes.set(0, "IPAWSv1.0");
  codes.set(1, "");
  codes.set(2, "profile:CN:1.0");
  a.setNote("  leading and trailing  ");
  a.setReferences("ops@muster.example,MUSTER-2026-0001,2026-11-28T20:00:00+08:00");
  a.setIncidents("typhoon-27 \"harbour flood\"");
  auto infos = a.initInfos(2);
  for (unsigned i = 0; i < 2; ++i) {
    auto info = infos[i];
    info.setLanguage(i == 0 ? "zh-CN" : "en-US");
    auto categories = info.initCategories(2);
    categories.set(0, Alert::Category::MET);
    categories.set(1, Alert::Category::CBRNE);
    info.setEvent(i == 0 ? "台风" : "Typhoon");
    auto responses = info.initResponseTypes(2);
    responses.set(0, Alert::ResponseType::ALL_CLEAR);
    responses.set(1, Alert::ResponseType::AVOID);
    info.setUrgency(Alert::Urgency::FUTURE);
    info.setSeverity(Alert::Severity::EXTREME);
    info.setCertainty(Alert::Certainty::UNLIKELY);
    info.setAudience("everyone");
    SetNameValue(info.initEventCodes(1)[0], "GB/T 35561", "11B01");
    info.setEffective("2026-11-28T21:05:00+08:00");
    info.setOnset("2026-11-28T22:00:00+08:00");
    info.setExpires("2026-11-29T21:00:00-00:00");
    info.setSenderName("Harbour EOC");
    info.setHeadline("a\r\nb]]>c");
    info.setDescription("line one\nline two\n\ttabbed");
    info.setInstruction("Go <up> & stay");
    info.setWeb("https://muster.example/a?b=1&c=2");
    info.setContact("+86 755 0000");
    auto parameters = info.initParameters(2);
    SetNameValue(parameters[0], "colour", "orange");
    SetNameValue(parameters[1], "empty", "");
    auto resources = info.initResources(2);
    resources[0].setResourceDesc("map");
    resources[0].setMimeType("image/png");
    resources[0].setSize("2048");
    resources[0].setUri("https://muster.example/map.png");
    resources[0].setDigest("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    resources[1].setResourceDesc("inline");
    resources[1].setMimeType("text/plain; charset=utf-8");
    resources[1].setUri("note.txt");
    resources[1].setDerefUri("aGVsbG8=");
    auto areas = info.initAreas(2);
    areas[0].setAreaDesc("Harbour district");
    auto polygons = areas[0].initPolygons(2);
    polygons.set(0, "22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10 22.50,114.00");
    polygons.set(1, "\n 1,1 1,2 2,2 1,1\n");
    auto circles = areas[0].initCircles(2);
    circles.set(0, "22.55,114.05 5");
    circles.set(1, "-35.3888,147.0598 25.0");
    auto geocodes = areas[0].initGeocodes(2);
    SetNameValue(geocodes[0], "GB/T 2260", "440304");
    SetNameValue(geocodes[1], "SAME", "006109");
    areas[0].setAltitude("-10.5");
    areas[0].setCeiling("1000");
    areas[1].setAreaDesc("Everywhere else");
  }
}

TEST(WriteCapTest, EveryFieldRoundTripsThroughParseCap) {
  capnp::MallocMessageBuilder original;
  FillEverything(original.initRoot<Alert>());
  std::string xml = WriteCap(original.getRoot<Alert>().asReader());

  auto parsed = ParseCapMessage(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << xml;
  std::vector<std::string> diffs = AlertDifferences(original.getRoot<Alert>().asReader(),
                                                    (*parsed)->getRoot<Alert>().asReader());
  for (const auto& d : diffs) ADD_FAILURE() << d;
  // Writing the parsed alert again gives the same bytes.
  EXPECT_EQ(WriteCap((*parsed)->getRoot<Alert>().asReader()), xml);
}

TEST(WriteCapTest, EmitsDeclarationNamespaceAndSchemaOrder) {
  capnp::MallocMessageBuilder message;
  FillEverything(message.initRoot<Alert>());
  std::string xml = WriteCap(message.getRoot<Alert>().asReader());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n",
                      0),
            0u);
  const char* order[] = {
      "<identifier>", "<sender>",     "<sent>",         "<status>",      "<msgType>",
      "<source>",     "<scope>",      "<restriction>",  "<addresses>",   "<code>",
      "<note>",       "<references>", "<incidents>",    "<info>",        "<language>",
      "<category>",   "<event>",      "<responseType>", "<urgency>",     "<severity>",
      "<certainty>",  "<audience>",   "<eventCode>",    "<effective>",   "<onset>",
      "<expires>",    "<senderName>", "<headline>",     "<description>", "<instruction>",
      "<web>",        "<contact>",    "<parameter>",    "<resource>",    "<resourceDesc>",
      "<mimeType>",   "<size>",       "<uri>",          "<digest>",      "<area>",
      "<areaDesc>",   "<polygon>",    "<circle>",       "<geocode>",     "<altitude>",
      "<ceiling>"};
  size_t last = 0;
  for (const char* tag : order) {
    size_t pos = xml.find(tag);
    ASSERT_NE(pos, std::string::npos) << tag;
    EXPECT_GT(pos, last) << tag << " out of order";
    last = pos;
  }
}

TEST(WriteCapTest, EscapesMarkupAndCarriageReturns) {
  capnp::MallocMessageBuilder message;
  FillEverything(message.initRoot<Alert>());
  std::string xml = WriteCap(message.getRoot<Alert>().asReader());
  EXPECT_NE(xml.find("<source>Harbour EOC &lt;drill&gt; &amp; co</source>"), std::string::npos);
  EXPECT_NE(xml.find("<headline>a&#13;\nb]]&gt;c</headline>"), std::string::npos);
  EXPECT_NE(xml.find("<web>https://muster.example/a?b=1&amp;c=2</web>"), std::string::npos);
}

TEST(WriteCapTest, OmitsAbsentOptionalFieldsAndUnsetEnums) {
  capnp::MallocMessageBuilder message;
  auto a = message.initRoot<Alert>();
  a.setIdentifier("A1");
  a.setSender("s@x");
  a.setSent("2026-01-01T00:00:00-00:00");
  a.setStatus(Alert::CapStatus::ACTUAL);
  a.setMsgType(Alert::MsgType::ALERT);
  a.setScope(Alert::Scope::PUBLIC);
  std::string xml = WriteCap(a.asReader());
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
            "  <identifier>A1</identifier>\n"
            "  <sender>s@x</sender>\n"
            "  <sent>2026-01-01T00:00:00-00:00</sent>\n"
            "  <status>Actual</status>\n"
            "  <msgType>Alert</msgType>\n"
            "  <scope>Public</scope>\n"
            "</alert>\n");
  a.setScope(Alert::Scope::UNSET);
  EXPECT_EQ(WriteCap(a.asReader()).find("<scope>"), std::string::npos);
}

TEST(WriteCapTest, ReplacesWhatXmlCannotCarry) {
  capnp::MallocMessageBuilder message;
  FillEverything(message.initRoot<Alert>());
  auto info = message.getRoot<Alert>().getInfos()[0];
  info.setHeadline("bell\x07 bad\xFF end\xEF\xBF\xBE");
  std::string xml = WriteCap(message.getRoot<Alert>().asReader());
  EXPECT_NE(xml.find("<headline>bell\xEF\xBF\xBD bad\xEF\xBF\xBD end\xEF\xBF\xBD\xEF\xBF\xBD"
                     "\xEF\xBF\xBD</headline>"),
            std::string::npos)
      << xml;
  EXPECT_TRUE(ParseCapMessage(xml).ok());
}

TEST(WriteCapTest, SignedAlertRoundTripsExceptTheSignature) {
  const std::string signed_xml = internal::SignForTest(
      "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>A1</identifier>"
      "<sender>s@x</sender><sent>2026-01-01T00:00:00-00:00</sent><status>Actual</status>"
      "<msgType>Alert</msgType><scope>Public</scope></alert>");
  auto first = ParseCapMessage(signed_xml);
  ASSERT_TRUE(first.ok()) << first.status().message();
  Alert::Reader a = (*first)->getRoot<Alert>().asReader();
  EXPECT_TRUE(a.getHasSignature());
  std::string written = WriteCap(a);
  EXPECT_EQ(written.find("Signature"), std::string::npos);
  auto second = ParseCapMessage(written);
  ASSERT_TRUE(second.ok());
  Alert::Reader b = (*second)->getRoot<Alert>().asReader();
  EXPECT_FALSE(b.getHasSignature());
  EXPECT_TRUE(AlertDifferences(a, b, {.ignore_has_signature = true}).empty());
  std::vector<std::string> diffs = AlertDifferences(a, b);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0], "hasSignature: true != false");
}

// Single-byte mutations of a full document: nothing crashes, every refusal carries a code, and
// every mutated document that is still accepted round-trips exactly.
TEST(WriteCapTest, MutatedDocumentsAreRefusedWithACodeOrRoundTrip) {
  capnp::MallocMessageBuilder original;
  FillEverything(original.initRoot<Alert>());
  const std::string xml = WriteCap(original.getRoot<Alert>().asReader());
  const std::string replacements("<>&\"' Z/\x01\xC3", 11);
  size_t accepted = 0;
  size_t refused = 0;
  auto check = [&](const std::string& doc) {
    auto first = ParseCapMessage(doc);
    if (!first.ok()) {
      ++refused;
      EXPECT_EQ(first.status().code(), StatusCode::kInvalidArgument) << first.status().message();
      EXPECT_NE(CapReasonCode(first.status()), "") << first.status().message();
      return;
    }
    ++accepted;
    Alert::Reader a = (*first)->getRoot<Alert>().asReader();
    auto second = ParseCapMessage(WriteCap(a));
    ASSERT_TRUE(second.ok()) << second.status().message() << "\n" << doc;
    EXPECT_TRUE(AlertDifferences(a, (*second)->getRoot<Alert>().asReader()).empty()) << doc;
  };
  for (size_t i = 0; i < xml.size(); ++i) {
    std::string doc = xml;
    doc[i] = replacements[i % replacements.size()];  // each position gets one replacement
    check(doc);
    check(xml.substr(0, i) + xml.substr(i + 1));  // deletion
  }
  EXPECT_GT(accepted, 0u);
  EXPECT_GT(refused, 0u);
}

TEST(AlertDifferencesTest, NamesEachDifferingField) {
  capnp::MallocMessageBuilder m1;
  capnp::MallocMessageBuilder m2;
  FillEverything(m1.initRoot<Alert>());
  FillEverything(m2.initRoot<Alert>());
  Alert::Builder b = m2.getRoot<Alert>();
  EXPECT_TRUE(AlertDifferences(m1.getRoot<Alert>().asReader(), b.asReader()).empty());
  b.setNote("changed");
  b.getInfos()[1].getAreas()[0].getPolygons().set(1, "0,0 0,1 1,1 0,0");
  b.getInfos()[0].getCategories().set(1, Alert::Category::FIRE);
  b.getInfos()[0].initParameters(1);
  std::vector<std::string> diffs = AlertDifferences(m1.getRoot<Alert>().asReader(), b.asReader());
  ASSERT_EQ(diffs.size(), 4u);
  EXPECT_EQ(diffs[0], "note: '  leading and trailing  ' != 'changed'");
  EXPECT_EQ(diffs[1], "info[0]/category[1]: 11 != 6");
  EXPECT_EQ(diffs[2], "info[0]/parameter: 2 entries != 1 entries");
  EXPECT_EQ(diffs[3].rfind("info[1]/area[0]/polygon[1]: ", 0), 0u);
}

}  // namespace
}  // namespace muster::cap
