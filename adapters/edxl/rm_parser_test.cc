// ParseRm: the hand-written fixtures parse into the values they hold, and every way a document
// is refused names its reason code.
#include "adapters/edxl/rm_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/edxl/edxl_testing.h"

namespace muster::edxl {
namespace {

using testing::Fixture;
using testing::Replace;

TEST(RmParserTest, ReadsARequestResource) {
  auto m = ParseRm(Fixture("request_resource.xml"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->type, RmType::kRequestResource);
  EXPECT_EQ(m->message_id, "CZ-EMA-RR-0001");
  EXPECT_EQ(m->sent.text, "2026-07-01T14:05:00+08:00");
  EXPECT_EQ(m->sent.utc_offset_minutes, 480);
  EXPECT_EQ(m->sent.unix_millis, 1782885900000);
  EXPECT_EQ(m->description, "Drainage pumps and drinking water for the Wujin levee seepage");
  EXPECT_EQ(m->originating_id, "CZ-EMA-RR-0001");
  EXPECT_EQ(m->preceding_id, "");
  EXPECT_EQ(m->incident_id, "INC-2026-031");
  ASSERT_EQ(m->contacts.size(), 1u);
  EXPECT_EQ(m->contacts[0].role, "Requester");
  ASSERT_EQ(m->resources.size(), 2u);
  const RmResourceInfo& pump = m->resources[0];
  EXPECT_EQ(pump.element_id, "1");
  EXPECT_FALSE(pump.response.has_value());
  EXPECT_EQ(pump.type, (RmValue{"urn:x-changzhou:ema:equipment", "pump.high-capacity"}));
  EXPECT_EQ(pump.description, "Diesel drainage pump, at least 500 m3/h, with hoses");
  EXPECT_EQ(pump.priority, "urgent");
  ASSERT_TRUE(pump.quantity.has_value());
  EXPECT_EQ(pump.quantity->amount, 4);
  EXPECT_EQ(pump.quantity->unit, (RmValue{"urn:x-changzhou:ema:units", "pc"}));
  ASSERT_EQ(pump.schedules.size(), 1u);
  EXPECT_EQ(pump.schedules[0].type, "RequestedArrival");
  EXPECT_EQ(pump.schedules[0].location, "Wujin levee km 12");
  RmDerived d = DeriveRm(*m);
  EXPECT_EQ(d.deliver_to, "Wujin levee km 12");
  EXPECT_EQ(d.needed_by_millis, 1782907200000);
  EXPECT_EQ(d.priority, "urgent");
}

TEST(RmParserTest, ReadsResponsesAndSteps) {
  auto offer = ParseRm(Fixture("response_to_request_resource.xml"));
  ASSERT_TRUE(offer.ok()) << offer.status().message();
  EXPECT_EQ(offer->type, RmType::kResponseToRequestResource);
  EXPECT_EQ(offer->preceding_id, "CZ-EMA-RR-0001");
  ASSERT_EQ(offer->resources.size(), 2u);
  ASSERT_TRUE(offer->resources[0].response.has_value());
  EXPECT_EQ(offer->resources[0].response->preceding_element_id, "1");
  EXPECT_EQ(offer->resources[0].response->type, "Provisional");
  EXPECT_EQ(offer->resources[1].response->type, "Accept");
  EXPECT_EQ(offer->resources[1].quantity->amount, 50);

  auto dispatch = ParseRm(Fixture("report_dispatch.xml"));
  ASSERT_TRUE(dispatch.ok()) << dispatch.status().message();
  EXPECT_EQ(DeriveRm(*dispatch).step, "dispatch");
  EXPECT_EQ(DeriveRm(*dispatch).eta_millis, 1782898200000);

  auto report = ParseRm(Fixture("report_resource_deployment_status.xml"));
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(DeriveRm(*report).step, "");  // another value list: kept verbatim, not a step
}

TEST(RmParserTest, EveryFixtureOfASupportedTypeParses) {
  for (const char* name :
       {"request_resource.xml", "response_to_request_resource.xml",
        "response_to_request_resource_decline.xml", "commit_resource.xml", "report_dispatch.xml",
        "report_deliver.xml", "request_resource_deployment_status.xml",
        "report_resource_deployment_status.xml", "request_return.xml", "release_resource.xml",
        "request_quote.xml"}) {
    auto m = ParseRm(Fixture(name));
    EXPECT_TRUE(m.ok()) << name << ": " << m.status().message();
  }
}

TEST(RmParserTest, AcceptsEitherNamespaceForTheStructureAndAnyPrefix) {
  // All in the message namespace (as some producers write it), with another prefix.
  std::string xml = R"(<?xml version="1.0"?>
<x:RequestResourceDeploymentStatus xmlns:x="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg">
  <x:MessageID>A-2</x:MessageID>
  <x:SentDateTime>2026-07-02T08:00:00-00:00</x:SentDateTime>
  <x:MessageContentType>RequestResourceDeploymentStatus</x:MessageContentType>
  <x:OriginatingMessageID>A-1</x:OriginatingMessageID>
  <x:ContactInformation><x:ContactRole>Requester</x:ContactRole></x:ContactInformation>
</x:RequestResourceDeploymentStatus>)";
  auto m = ParseRm(xml);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->type, RmType::kRequestResourceDeploymentStatus);
  EXPECT_EQ(m->sent.utc_offset_minutes, 0);
}

struct Refusal {
  const char* name;
  const char* fixture;
  const char* from;  // replaced in the fixture ("" = the fixture as it is)
  const char* to;
  const char* code;
  const char* mention;  // a word the reason names
};

class RmParserRefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(RmParserRefusalTest, NamesTheReason) {
  const Refusal& r = GetParam();
  std::string xml = Fixture(r.fixture);
  if (std::string(r.from).size() != 0) xml = Replace(xml, r.from, r.to);
  auto m = ParseRm(xml);
  ASSERT_FALSE(m.ok()) << r.name << " was accepted";
  EXPECT_EQ(RmReasonCode(m.status()), r.code) << m.status().message();
  EXPECT_NE(m.status().message().find(r.mention), std::string::npos) << m.status().message();
}

constexpr char kRequest[] = "request_resource.xml";
constexpr char kOffer[] = "response_to_request_resource.xml";

const Refusal kRefusals[] = {
    // Hostile XML, refused before any parser sees it.
    {"Dtd", "hostile_dtd.xml", "", "", "FORBIDDEN_DTD", "DOCTYPE"},
    {"XInclude", "hostile_xinclude.xml", "", "", "FORBIDDEN_XINCLUDE", "XInclude"},
    {"Entity", kRequest, "<rmsg:MessageID>CZ-EMA-RR-0001", "<rmsg:MessageID>&ext;", "FORBIDDEN_ENTITY", "ext"},
    {"ProcessingInstruction", kRequest, "<!-- EDXL-RM", "<?xml-stylesheet href=\"x.xsl\"?><!-- EDXL-RM",
     "FORBIDDEN_PROCESSING_INSTRUCTION", "xml-stylesheet"},
    {"Malformed", kRequest, "</rmsg:MessageID>", "</rmsg:MessageId>", "MALFORMED_XML", "byte"},
    {"UndeclaredPrefix", kRequest, "<rmsg:MessageID>CZ-EMA-RR-0001</rmsg:MessageID>",
     "<q:MessageID>CZ-EMA-RR-0001</q:MessageID>", "MALFORMED_XML", "prefix"},
    // The root.
    {"UnknownNamespace", kOffer, "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg",
     "urn:oasis:names:tc:emergency:EDXL:RM:2.0:msg", "UNKNOWN_NAMESPACE", "RM:2.0"},
    // Structure.
    {"MissingMessageId", kRequest, "<rmsg:MessageID>CZ-EMA-RR-0001</rmsg:MessageID>", "",
     "MISSING_REQUIRED_ELEMENT", "MessageID"},
    {"MissingSentDateTime", kRequest, "<rmsg:SentDateTime>2026-07-01T14:05:00+08:00</rmsg:SentDateTime>",
     "", "MISSING_REQUIRED_ELEMENT", "SentDateTime"},
    {"MissingContactInformation", "request_resource_deployment_status.xml",
     "<ContactInformation>\n    <rm:ContactDescription>Command centre, Changzhou emergency management "
     "bureau</rm:ContactDescription>\n    <rm:ContactRole>Requester</rm:ContactRole>\n  "
     "</ContactInformation>",
     "", "MISSING_REQUIRED_ELEMENT", "ContactInformation"},
    {"MissingResourceInfoElementId", kRequest, "<rmsg:ResourceInfoElementID>2</rmsg:ResourceInfoElementID>",
     "", "MISSING_REQUIRED_ELEMENT", "ResourceInfoElementID"},
    {"DuplicateMessageId", kRequest, "<rmsg:MessageID>CZ-EMA-RR-0001</rmsg:MessageID>",
     "<rmsg:MessageID>A</rmsg:MessageID><rmsg:MessageID>B</rmsg:MessageID>", "DUPLICATE_ELEMENT",
     "MessageID"},
    {"MissingMessageContentType", kRequest, "<rmsg:MessageContentType>RequestResource</rmsg:MessageContentType>", "",
     "MISSING_REQUIRED_ELEMENT", "MessageContentType"},
    {"Sequence", kOffer,
     "<OriginatingMessageID>CZ-EMA-RR-0001</OriginatingMessageID>\n  "
     "<PrecedingMessageID>CZ-EMA-RR-0001</PrecedingMessageID>",
     "<PrecedingMessageID>CZ-EMA-RR-0001</PrecedingMessageID>\n  "
     "<OriginatingMessageID>CZ-EMA-RR-0001</OriginatingMessageID>",
     "INVALID_SEQUENCE", "must come before"},
    {"UnknownElement", kRequest, "<rmsg:MessageDescription>", "<rmsg:Urgency>high</rmsg:Urgency><rmsg:MessageDescription>",
     "UNSUPPORTED_ELEMENT", "Urgency"},
    {"ForeignElement", kRequest, "<rmsg:MessageDescription>",
     "<x:Note xmlns:x=\"urn:example\">n</x:Note><rmsg:MessageDescription>", "UNSUPPORTED_ELEMENT",
     "urn:example"},
    {"MessageRecall", "request_resource_deployment_status.xml", "<ContactInformation>",
     "<MessageRecall><rm:RecalledMessageID>X</rm:RecalledMessageID></MessageRecall><ContactInformation>",
     "UNSUPPORTED_ELEMENT", "MessageRecall"},
    {"TextBetweenElements", kRequest, "<rmsg:MessageDescription>", "stray<rmsg:MessageDescription>",
     "INVALID_CONTENT", "stray"},
    {"ElementInText", kRequest, "<rmsg:MessageDescription>Drainage",
     "<rmsg:MessageDescription><rmsg:b>x</rmsg:b>Drainage", "INVALID_CONTENT", "MessageDescription"},
    // Values.
    {"ContentTypeMismatch", kRequest, "<rmsg:MessageContentType>RequestResource<",
     "<rmsg:MessageContentType>CommitResource<", "CONTENT_TYPE_MISMATCH", "RequestResource"},
    {"UnknownContentType", kRequest, "<rmsg:MessageContentType>RequestResource<",
     "<rmsg:MessageContentType>RequestPizza<", "CONTENT_TYPE_MISMATCH", "RequestPizza"},
    {"DateWithoutOffset", kRequest, "2026-07-01T14:05:00+08:00", "2026-07-01T14:05:00",
     "INVALID_DATE", "SentDateTime"},
    {"DateWithZ", kRequest, "2026-07-01T14:05:00+08:00", "2026-07-01T06:05:00Z", "INVALID_DATE",
     "SentDateTime"},
    {"DateOutOfRange", kRequest, "<rmsg:DateTime>2026-07-01T20:00:00+08:00",
     "<rmsg:DateTime>2026-07-01T25:00:00+08:00", "INVALID_DATE", "ScheduleInformation[0]/DateTime"},
    {"EmptyMessageId", kRequest, "<rmsg:MessageID>CZ-EMA-RR-0001</rmsg:MessageID>",
     "<rmsg:MessageID> </rmsg:MessageID>", "INVALID_ID", "MessageID"},
    {"MessageIdWithSpace", kRequest, "<rmsg:MessageID>CZ-EMA-RR-0001</rmsg:MessageID>",
     "<rmsg:MessageID>CZ EMA</rmsg:MessageID>", "INVALID_ID", "whitespace"},
    {"AmountNotANumber", kRequest, "<rm:Amount>4</rm:Amount>", "<rm:Amount>four</rm:Amount>",
     "INVALID_QUANTITY", "four"},
    {"AmountNaN", kRequest, "<rm:Amount>4</rm:Amount>", "<rm:Amount>NaN</rm:Amount>", "INVALID_QUANTITY",
     "NaN"},
    {"AmountInfinite", kRequest, "<rm:Amount>4</rm:Amount>", "<rm:Amount>1e999</rm:Amount>",
     "INVALID_QUANTITY", "1e999"},
    {"ResponseType", kOffer, "<rm:ResponseType>Accept<", "<rm:ResponseType>accept<", "INVALID_ENUM_VALUE",
     "Accept, Decline, Provisional"},
    {"ScheduleType", kRequest, "<rmsg:ScheduleType>RequestedArrival<",
     "<rmsg:ScheduleType>Arrival<", "INVALID_ENUM_VALUE", "RequestedArrival"},
    {"DuplicateElementId", kRequest, "<rmsg:ResourceInfoElementID>2<", "<rmsg:ResourceInfoElementID>1<",
     "DUPLICATE_ELEMENT_ID", "ResourceInformation[1]"},
    // Conditional rules.
    {"PrecedingInRequest", kRequest, "<rmsg:IncidentInformation>",
     "<rmsg:PrecedingMessageID>X</rmsg:PrecedingMessageID><rmsg:IncidentInformation>",
     "NOT_APPLICABLE_ELEMENT", "starts a thread"},
    {"RequestNotStartingItsThread", kRequest,
     "<rmsg:OriginatingMessageID>CZ-EMA-RR-0001<", "<rmsg:OriginatingMessageID>CZ-EMA-RR-0000<",
     "INVALID_THREADING", "starts a thread"},
    {"PrecededByItself", "commit_resource.xml", "<PrecedingMessageID>CZ-MSD-RS-0001<",
     "<PrecedingMessageID>CZ-EMA-CR-0001<", "INVALID_THREADING", "own MessageID"},
    {"ResponseWithoutPreceding", kOffer, "<PrecedingMessageID>CZ-EMA-RR-0001</PrecedingMessageID>", "",
     "MISSING_REQUIRED_ELEMENT", "PrecedingMessageID"},
    {"ResponseWithoutResponseInformation", "commit_resource.xml",
     "<ResponseInformation>\n      <rm:PrecedingResourceInfoElementID>m2</"
     "rm:PrecedingResourceInfoElementID>\n      <rm:ResponseType>Accept</rm:ResponseType>\n    "
     "</ResponseInformation>",
     "", "MISSING_REQUIRED_ELEMENT", "ResponseInformation"},
    {"ProvisionalWithoutReason", kOffer,
     "<rm:ResponseReason>Two of four: the others are deployed at Liyang</rm:ResponseReason>", "",
     "MISSING_REASON", "Provisional"},
    {"ReleaseWithoutResource", "release_resource.xml",
     "<Resource>\n      <TypeStructure>\n        <rm:ValueListURN>urn:x-changzhou:ema:equipment</"
     "rm:ValueListURN>\n        <rm:Value>pump.high-capacity</rm:Value>\n      </TypeStructure>\n    "
     "</Resource>",
     "", "MISSING_REQUIRED_ELEMENT", "<Resource>"},
};

INSTANTIATE_TEST_SUITE_P(Refusals, RmParserRefusalTest, ::testing::ValuesIn(kRefusals),
                         [](const ::testing::TestParamInfo<Refusal>& info) { return info.param.name; });

TEST(RmParserTest, RefusesAQuantityMissingFromAnAcceptingResponse) {
  // The second element's AssignmentInformation removed.
  std::string xml = Fixture(kOffer);
  size_t start = xml.rfind("<AssignmentInformation>");
  size_t end = xml.find("</AssignmentInformation>", start) + std::string("</AssignmentInformation>").size();
  xml.erase(start, end - start);
  auto m = ParseRm(xml);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(RmReasonCode(m.status()), "MISSING_REQUIRED_ELEMENT") << m.status().message();
  EXPECT_NE(m.status().message().find("Quantity"), std::string::npos) << m.status().message();
}

TEST(RmParserTest, RefusesReleaseWithoutQuantity) {
  std::string xml = Fixture("release_resource.xml");
  size_t start = xml.find("<AssignmentInformation>");
  size_t end = xml.find("</AssignmentInformation>") + std::string("</AssignmentInformation>").size();
  xml.erase(start, end - start);
  auto m = ParseRm(xml);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(RmReasonCode(m.status()), "MISSING_REQUIRED_ELEMENT") << m.status().message();
  EXPECT_NE(m.status().message().find("ReleaseResource"), std::string::npos) << m.status().message();
}

TEST(RmParserTest, RefusesAnUnknownMessageType) {
  std::string xml = Fixture(kOffer);
  for (int i = 0; i < 2; ++i) {
    size_t at = xml.find("ResponseToRequestResource xmlns");
    if (at == std::string::npos) at = xml.find("/ResponseToRequestResource>") + 1;
    xml.replace(at, std::string("ResponseToRequestResource").size(), "ResponseToRequestPizza");
  }
  auto m = ParseRm(xml);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(RmReasonCode(m.status()), "UNKNOWN_MESSAGE_TYPE") << m.status().message();
  EXPECT_NE(m.status().message().find("ResponseToRequestPizza"), std::string::npos);
}

TEST(RmParserTest, RefusesOversizedAndDeepDocuments) {
  std::string big(kMaxDocumentBytes + 1, ' ');
  EXPECT_EQ(RmReasonCode(ParseRm(big).status()), "DOCUMENT_TOO_LARGE");
  std::string deep = Fixture("request_resource_deployment_status.xml");
  std::string nest;
  for (int i = 0; i < 60; ++i) nest += "<a>";
  for (int i = 0; i < 60; ++i) nest += "</a>";
  deep = Replace(deep, "<rm:ContactRole>Requester</rm:ContactRole>",
                 "<rm:ContactRole>Requester</rm:ContactRole><rm:AdditionalContactInformation>" + nest +
                     "</rm:AdditionalContactInformation>");
  auto m = ParseRm(deep);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(RmReasonCode(m.status()), "MALFORMED_XML") << m.status().message();
  EXPECT_NE(m.status().message().find("nested deeper"), std::string::npos) << m.status().message();
}

TEST(RmParserTest, KeepsVerbatimContentUnchecked) {
  // CIQ and other namespaces inside elements kept only verbatim are not Muster's to check.
  auto m = ParseRm(Fixture("request_resource.xml"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  std::string xml = Replace(Fixture("request_resource.xml"), "<rmsg:Name>",
                            "<rmsg:TypeInfo><x:Pump xmlns:x=\"urn:example:pumps\" x:class=\"B\"/></rmsg:TypeInfo><rmsg:Name>");
  EXPECT_TRUE(ParseRm(xml).ok()) << ParseRm(xml).status().message();
}

}  // namespace
}  // namespace muster::edxl
