// BuildEdxlEnvelope and CheckRmForMuster: how EDXL-RM documents become Muster messages, and every
// reason one is refused.
#include "adapters/edxl/edxl_envelope.h"

#include <gtest/gtest.h>

#include <string>

#include "adapters/edxl/edxl_testing.h"
#include "adapters/edxl/rm_parser.h"
#include "schemas/equipment.capnp.h"

namespace muster::edxl {
namespace {

using Action = schema::EquipmentRequest::Action;
using testing::Fixture;
using testing::Replace;
using testing::ThreadHarness;

schema::EquipmentRequest::Reader BodyOf(capnp::MallocMessageBuilder& m) {
  return m.getRoot<schema::Envelope>().asReader().getBody().getEquipment();
}

TEST(EdxlEnvelopeTest, MapsARequestResource) {
  ThreadHarness h;
  EdxlEnvelopeOptions o;
  o.organisations = {"msd"};
  o.status = schema::MessageStatus::EXERCISE;
  o.classification = schema::Classification::RESTRICTED;
  o.precedence = schema::Precedence::IMMEDIATE;
  std::string xml = Fixture("request_resource.xml");
  auto m = h.Take(xml, o);
  ASSERT_TRUE(m.ok()) << m.status().message();
  auto e = (*m)->getRoot<schema::Envelope>().asReader();
  EXPECT_EQ(e.getSent().getUnixMillis(), 1782885900000);
  EXPECT_EQ(e.getSent().getUtcOffsetMinutes(), 480);
  EXPECT_EQ(e.getStatus(), schema::MessageStatus::EXERCISE);
  EXPECT_EQ(e.getClassification(), schema::Classification::RESTRICTED);
  EXPECT_EQ(e.getPrecedence(), schema::Precedence::IMMEDIATE);
  EXPECT_EQ(std::string(e.getIncident().cStr()), "INC-2026-031");
  ASSERT_EQ(e.getAddressing().getOrganisations().size(), 1u);
  EXPECT_EQ(std::string(e.getAddressing().getOrganisations()[0].cStr()), "msd");
  EXPECT_EQ(e.getReferences().size(), 0u);
  EXPECT_EQ(std::string(e.getOriginal().getMimeType().cStr()), "application/xml");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(e.getOriginal().getBytes().begin()),
                        e.getOriginal().getBytes().size()),
            xml);
  auto b = e.getBody().getEquipment();
  EXPECT_EQ(b.getAction(), Action::REQUEST);
  EXPECT_EQ(std::string(b.getRequestId().cStr()), "");
  EXPECT_EQ(std::string(b.getDeliverTo().cStr()), "Wujin levee km 12");
  EXPECT_EQ(b.getNeededByMillis(), 1782907200000);
  EXPECT_EQ(std::string(b.getPriority().cStr()), "urgent");
  EXPECT_EQ(std::string(b.getNote().cStr()), "Drainage pumps and drinking water for the Wujin levee seepage");
  EXPECT_EQ(std::string(b.getEdxlMessageId().cStr()), "CZ-EMA-RR-0001");
  EXPECT_EQ(std::string(b.getEdxlOriginatingMessageId().cStr()), "CZ-EMA-RR-0001");
  EXPECT_EQ(std::string(b.getEdxlPrecedingMessageId().cStr()), "");
  ASSERT_EQ(b.getItems().size(), 2u);
  auto pump = b.getItems()[0];
  EXPECT_EQ(std::string(pump.getItemId().cStr()), "1");
  EXPECT_EQ(std::string(pump.getResourceType().cStr()), "pump.high-capacity");
  EXPECT_EQ(std::string(pump.getEdxlTypeList().cStr()), "urn:x-changzhou:ema:equipment");
  EXPECT_EQ(pump.getQuantity(), 4);
  EXPECT_EQ(std::string(pump.getUnit().cStr()), "pc");
  EXPECT_EQ(std::string(pump.getEdxlUnitList().cStr()), "urn:x-changzhou:ema:units");
  EXPECT_EQ(std::string(pump.getDescription().cStr()), "Diesel drainage pump, at least 500 m3/h, with hoses");
  EXPECT_EQ(std::string(pump.getEdxlElementId().cStr()), "1");
  EXPECT_TRUE(pump.getEdxlHasQuantity());
  EXPECT_EQ(b.getItems()[1].getQuantity(), 100);
}

TEST(EdxlEnvelopeTest, ThreadsAnOfferACommitAndLaterStepsToTheirObjects) {
  ThreadHarness h;
  ASSERT_NE(h.Publish(Fixture("request_resource.xml"), 1), nullptr);
  auto offer = h.Publish(Fixture("response_to_request_resource.xml"), 2);  // O-2
  ASSERT_NE(offer, nullptr);
  auto o = BodyOf(*offer);
  EXPECT_EQ(o.getAction(), Action::OFFER);
  EXPECT_EQ(std::string(o.getRequestId().cStr()), "R-1");
  EXPECT_EQ(std::string(o.getOfferId().cStr()), "");
  ASSERT_EQ(o.getItems().size(), 2u);
  EXPECT_EQ(std::string(o.getItems()[0].getItemId().cStr()), "1");  // the request's line item
  EXPECT_EQ(std::string(o.getItems()[0].getEdxlElementId().cStr()), "m1");
  EXPECT_EQ(std::string(o.getItems()[0].getEdxlPrecedingElementId().cStr()), "1");
  EXPECT_EQ(std::string(o.getItems()[0].getEdxlResponseType().cStr()), "Provisional");
  EXPECT_EQ(o.getItems()[0].getQuantity(), 2);
  auto env = offer->getRoot<schema::Envelope>().asReader();
  ASSERT_EQ(env.getReferences().size(), 1u);
  EXPECT_EQ(env.getReferences()[0], 1u);

  auto commit = h.Publish(Fixture("commit_resource.xml"), 4);
  ASSERT_NE(commit, nullptr);
  auto c = BodyOf(*commit);
  EXPECT_EQ(c.getAction(), Action::COMMIT);
  EXPECT_EQ(std::string(c.getOfferId().cStr()), "O-2");
  EXPECT_EQ(std::string(c.getRequestId().cStr()), "R-1");
  EXPECT_EQ(c.getItems().size(), 0u);  // a commit takes the whole offer
  ASSERT_EQ(c.getEdxlItems().size(), 2u);
  EXPECT_EQ(std::string(c.getEdxlItems()[1].getItemId().cStr()), "2");
  EXPECT_EQ(commit->getRoot<schema::Envelope>().asReader().getReferences()[0], 2u);

  auto dispatch = h.Publish(Fixture("report_dispatch.xml"), 5);
  ASSERT_NE(dispatch, nullptr);
  EXPECT_EQ(BodyOf(*dispatch).getAction(), Action::DISPATCH);
  EXPECT_EQ(BodyOf(*dispatch).getEtaMillis(), 1782898200000);
  EXPECT_EQ(BodyOf(*dispatch).getItems().size(), 0u);

  auto deliver = h.Publish(Fixture("report_deliver.xml"), 6);
  ASSERT_NE(deliver, nullptr);
  auto d = BodyOf(*deliver);
  EXPECT_EQ(d.getAction(), Action::DELIVER);
  ASSERT_EQ(d.getItems().size(), 2u);
  EXPECT_EQ(std::string(d.getItems()[1].getItemId().cStr()), "2");
  EXPECT_EQ(d.getItems()[1].getQuantity(), 48);

  auto status_request = h.Publish(Fixture("request_resource_deployment_status.xml"), 7);
  ASSERT_NE(status_request, nullptr);
  EXPECT_EQ(BodyOf(*status_request).getAction(), Action::STATUS_REQUEST);
  auto status_report = h.Publish(Fixture("report_resource_deployment_status.xml"), 8);
  ASSERT_NE(status_report, nullptr);
  EXPECT_EQ(BodyOf(*status_report).getAction(), Action::STATUS_REPORT);

  auto ret = h.Publish(Fixture("request_return.xml"), 9);
  ASSERT_NE(ret, nullptr);
  EXPECT_EQ(BodyOf(*ret).getAction(), Action::RETURN);
  ASSERT_EQ(BodyOf(*ret).getItems().size(), 2u);
  EXPECT_EQ(BodyOf(*ret).getItems()[1].getQuantity(), 0);

  auto release = h.Publish(Fixture("release_resource.xml"), 10);
  ASSERT_NE(release, nullptr);
  EXPECT_EQ(BodyOf(*release).getAction(), Action::RELEASE);
  EXPECT_EQ(std::string(BodyOf(*release).getOfferId().cStr()), "O-2");
}

TEST(EdxlEnvelopeTest, StepsCarryTheirObjectsLabels) {
  ThreadHarness h;
  EdxlEnvelopeOptions drill;
  drill.organisations = {"msd"};
  drill.status = schema::MessageStatus::EXERCISE;
  drill.classification = schema::Classification::CONFIDENTIAL;
  auto request = h.Take(Fixture("request_resource.xml"), drill);
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(RememberEquipment(h.index(), (*request)->getRoot<schema::Envelope>().asReader(), 1).ok());
  auto offer = h.Take(Fixture("response_to_request_resource.xml"));  // default labels asked for
  ASSERT_TRUE(offer.ok()) << offer.status().message();
  auto e = (*offer)->getRoot<schema::Envelope>().asReader();
  EXPECT_EQ(e.getStatus(), schema::MessageStatus::EXERCISE);
  EXPECT_EQ(e.getClassification(), schema::Classification::CONFIDENTIAL);
}

TEST(EdxlEnvelopeTest, MapsADeclineOfTheRequestWithItsReason) {
  ThreadHarness h;
  ASSERT_NE(h.Publish(Fixture("request_resource.xml"), 1), nullptr);
  auto decline = h.Take(Fixture("response_to_request_resource_decline.xml"));
  ASSERT_TRUE(decline.ok()) << decline.status().message();
  auto b = BodyOf(**decline);
  EXPECT_EQ(b.getAction(), Action::DECLINE);
  EXPECT_EQ(std::string(b.getRequestId().cStr()), "R-1");
  EXPECT_EQ(std::string(b.getOfferId().cStr()), "");
  EXPECT_EQ(std::string(b.getReason().cStr()), "No high-capacity pumps in our inventory");
}

TEST(EdxlEnvelopeTest, MapsADeclineOfAnOfferAndAReleaseOfTheRequest) {
  ThreadHarness h;
  ASSERT_NE(h.Publish(Fixture("request_resource.xml"), 1), nullptr);
  ASSERT_NE(h.Publish(Fixture("response_to_request_resource.xml"), 2), nullptr);
  std::string decline = Fixture("commit_resource.xml");
  for (int i = 0; i < 2; ++i) {
    decline = Replace(decline, "<rm:ResponseType>Accept</rm:ResponseType>",
                      "<rm:ResponseType>Decline</rm:ResponseType><rm:ResponseReason>Too late</rm:ResponseReason>");
  }
  auto d = h.Take(decline);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(BodyOf(**d).getAction(), Action::DECLINE);
  EXPECT_EQ(std::string(BodyOf(**d).getOfferId().cStr()), "O-2");
  EXPECT_EQ(std::string(BodyOf(**d).getReason().cStr()), "Too late");
  EXPECT_EQ(BodyOf(**d).getItems().size(), 2u);

  // A ReleaseResource answering the request itself closes the request.
  std::string release = Replace(Fixture("release_resource.xml"), "<PrecedingMessageID>CZ-EMA-RT-0001<",
                                "<PrecedingMessageID>CZ-EMA-RR-0001<");
  auto r = h.Take(release);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(BodyOf(**r).getAction(), Action::RELEASE);
  EXPECT_EQ(std::string(BodyOf(**r).getRequestId().cStr()), "R-1");
  EXPECT_EQ(std::string(BodyOf(**r).getOfferId().cStr()), "");
}

TEST(EdxlEnvelopeTest, AReturnWithoutQuantitiesReturnsEverything) {
  ThreadHarness h;
  ASSERT_NE(h.Publish(Fixture("request_resource.xml"), 1), nullptr);
  ASSERT_NE(h.Publish(Fixture("response_to_request_resource.xml"), 2), nullptr);
  std::string xml = Fixture("request_return.xml");
  for (int i = 0; i < 2; ++i) {
    size_t start = xml.find("<AssignmentInformation>");
    size_t end = xml.find("</AssignmentInformation>") + std::string("</AssignmentInformation>").size();
    xml.erase(start, end - start);
  }
  xml = Replace(xml, "<PrecedingMessageID>CZ-MSD-SR-0002<", "<PrecedingMessageID>CZ-MSD-RS-0001<");
  auto r = h.Take(xml);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(BodyOf(**r).getItems().size(), 0u);
  EXPECT_EQ(BodyOf(**r).getEdxlItems().size(), 2u);
}

struct Refusal {
  const char* name;
  const char* fixture;
  const char* from;
  const char* to;
  const char* code;
  const char* mention;
  bool all = false;  // replace every occurrence of `from`, not only the first
};

class EdxlEnvelopeRefusalTest : public ::testing::TestWithParam<Refusal> {};

// Each refusal is checked against a thread holding the request (seq 1) and the offer (seq 2).
TEST_P(EdxlEnvelopeRefusalTest, NamesTheReason) {
  const Refusal& r = GetParam();
  ThreadHarness h;
  ASSERT_NE(h.Publish(Fixture("request_resource.xml"), 1), nullptr);
  ASSERT_NE(h.Publish(Fixture("response_to_request_resource.xml"), 2), nullptr);
  std::string xml = Fixture(r.fixture);
  if (std::string(r.from).size() != 0) xml = Replace(xml, r.from, r.to);
  while (r.all && xml.find(r.from) != std::string::npos) xml = Replace(xml, r.from, r.to);
  EdxlEnvelopeOptions o;
  o.roles = {"duty-officer"};
  if (std::string(r.name) == "NoAddressing") o.roles.clear();
  auto parsed = ParseRm(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  o.threads = h.threads();
  capnp::MallocMessageBuilder out;
  Status s = BuildEdxlEnvelope(xml, *parsed, o, out.initRoot<schema::Envelope>());
  ASSERT_FALSE(s.ok()) << r.name << " was accepted";
  EXPECT_EQ(RmReasonCode(s), r.code) << s.message();
  EXPECT_NE(s.message().find(r.mention), std::string::npos) << s.message();
  if (!std::string(r.code).starts_with("UNKNOWN_THREAD") && std::string(r.code) != "NO_OFFER_IN_THREAD" &&
      std::string(r.code) != "UNKNOWN_RESOURCE_ELEMENT" && std::string(r.code) != "PARTIAL_COMMIT" &&
      std::string(r.code) != "INVALID_THREADING" && std::string(r.code) != "NO_ADDRESSING") {
    // What needs no thread is what `validate` reports too.
    EXPECT_EQ(RmReasonCode(CheckRmForMuster(*parsed)), r.code);
  }
}

constexpr char kRequest[] = "request_resource.xml";
constexpr char kOffer[] = "response_to_request_resource.xml";
constexpr char kCommit[] = "commit_resource.xml";

const Refusal kRefusals[] = {
    {"UnsupportedType", "request_quote.xml", "", "", "UNSUPPORTED_MESSAGE_TYPE", "RequestQuote"},
    {"NoAddressing", kRequest, "", "", "NO_ADDRESSING", "--to"},
    {"RequestWithoutType", kRequest, "<rm:Value>water.bottled</rm:Value>", "<rm:Value></rm:Value>",
     "MISSING_REQUIRED_ELEMENT", "TypeStructure"},
    {"RequestQuantityTextOnly", kRequest,
     "<rm:MeasuredQuantity>\n          <rm:Amount>4</rm:Amount>\n          <rm:UnitOfMeasure>\n"
     "            <rm:ValueListURN>urn:x-changzhou:ema:units</rm:ValueListURN>\n"
     "            <rm:Value>pc</rm:Value>\n          </rm:UnitOfMeasure>\n        </rm:MeasuredQuantity>",
     "<rm:QuantityText>four pumps</rm:QuantityText>", "INVALID_QUANTITY", "QuantityText"},
    {"RequestZeroQuantity", kRequest, "<rm:Amount>4</rm:Amount>", "<rm:Amount>0</rm:Amount>",
     "INVALID_QUANTITY", "greater than 0"},
    {"RequestNegativeQuantity", kRequest, "<rm:Amount>100</rm:Amount>", "<rm:Amount>-5</rm:Amount>",
     "INVALID_QUANTITY", "greater than 0"},
    {"RequestWithoutUnit", kRequest,
     "<rm:UnitOfMeasure>\n            <rm:ValueListURN>urn:x-changzhou:ema:units</rm:ValueListURN>\n"
     "            <rm:Value>pc</rm:Value>\n          </rm:UnitOfMeasure>",
     "", "MISSING_REQUIRED_ELEMENT", "UnitOfMeasure"},
    {"RequestWithoutPlace", kRequest, "<rm:LocationDescription>Wujin levee km 12</rm:LocationDescription>",
     "", "MISSING_REQUIRED_ELEMENT", "where to deliver", true},
    {"OfferOfNothing", kOffer, "<rm:Amount>50</rm:Amount>", "<rm:Amount>0</rm:Amount>", "INVALID_QUANTITY",
     "greater than 0"},
    {"MixedResponse", kOffer, "<rm:ResponseType>Accept</rm:ResponseType>",
     "<rm:ResponseType>Decline</rm:ResponseType><rm:ResponseReason>none</rm:ResponseReason>",
     "MIXED_RESPONSE", "accepts"},
    {"DeclineWithoutReason", "response_to_request_resource_decline.xml",
     "<rm:ResponseReason>No high-capacity pumps in our inventory</rm:ResponseReason>", "", "MISSING_REASON",
     "ResponseReason"},
    {"ProvisionalCommit", kCommit, "<rm:ResponseType>Accept</rm:ResponseType>",
     "<rm:ResponseType>Provisional</rm:ResponseType><rm:ResponseReason>maybe</rm:ResponseReason>",
     "PROVISIONAL_COMMIT", "binding"},
    {"InconsistentReturn", "request_return.xml",
     "<AssignmentInformation>\n      <Quantity>\n        <rm:MeasuredQuantity>\n"
     "          <rm:Amount>0</rm:Amount>\n          <rm:UnitOfMeasure>\n"
     "            <rm:ValueListURN>urn:x-changzhou:ema:units</rm:ValueListURN>\n"
     "            <rm:Value>box</rm:Value>\n          </rm:UnitOfMeasure>\n"
     "        </rm:MeasuredQuantity>\n      </Quantity>\n    </AssignmentInformation>",
     "", "INCONSISTENT_QUANTITIES", "1 of 2"},
    {"StepOutsideAReport", "request_resource_deployment_status.xml",
     "<ResourceInfoElementID>m1</ResourceInfoElementID>",
     "<ResourceInfoElementID>m1</ResourceInfoElementID><Resource><ResourceStatus><DeploymentStatus>"
     "<rm:ValueListURN>urn:muster:edxl:step</rm:ValueListURN><rm:Value>dispatch</rm:Value>"
     "</DeploymentStatus></ResourceStatus></Resource>",
     "INVALID_STEP", "ReportResourceDeploymentStatus"},
    {"UnknownStep", "report_dispatch.xml", "<rm:Value>dispatch</rm:Value>", "<rm:Value>teleport</rm:Value>",
     "INVALID_STEP", "teleport"},
    {"DifferentSteps", "report_dispatch.xml", "<rm:Value>dispatch</rm:Value>", "<rm:Value>deliver</rm:Value>",
     "INCONSISTENT_STEP", "dispatch"},
    {"DispatchWithoutEta", "report_dispatch.xml", "<ScheduleType>EstimatedArrival</ScheduleType>",
     "<ScheduleType>EstimatedDeparture</ScheduleType>", "MISSING_REQUIRED_ELEMENT", "EstimatedArrival",
     true},
    // Threading.
    {"UnknownPreceding", kCommit, "<PrecedingMessageID>CZ-MSD-RS-0001<", "<PrecedingMessageID>CZ-MSD-RS-0099<",
     "UNKNOWN_THREAD", "CZ-MSD-RS-0099"},
    {"WrongThread", kCommit, "<OriginatingMessageID>CZ-EMA-RR-0001<", "<OriginatingMessageID>CZ-EMA-RR-0777<",
     "INVALID_THREADING", "CZ-EMA-RR-0001"},
    {"CommitOfTheRequest", kCommit, "<PrecedingMessageID>CZ-MSD-RS-0001<",
     "<PrecedingMessageID>CZ-EMA-RR-0001<", "NO_OFFER_IN_THREAD", "R-1"},
    {"OfferAnsweringAnOffer", "response_to_request_resource_decline.xml",
     "<PrecedingMessageID>CZ-EMA-RR-0001<", "<PrecedingMessageID>CZ-MSD-RS-0001<", "INVALID_THREADING",
     "O-2"},
    {"OfferOfAnUnknownItem", kOffer, "<rm:PrecedingResourceInfoElementID>2<",
     "<rm:PrecedingResourceInfoElementID>7<", "UNKNOWN_RESOURCE_ELEMENT", "'7'"},
    {"PartialCommit", kCommit, "<rm:Amount>50</rm:Amount>", "<rm:Amount>40</rm:Amount>", "PARTIAL_COMMIT",
     "offers 50"},
};

TEST(EdxlEnvelopeTest, RefusesACommitOfPartOfTheOffer) {
  ThreadHarness h;
  ASSERT_NE(h.Publish(Fixture(kRequest), 1), nullptr);
  ASSERT_NE(h.Publish(Fixture(kOffer), 2), nullptr);
  std::string xml = Fixture(kCommit);
  size_t start = xml.rfind("<ResourceInformation>");
  size_t end = xml.rfind("</ResourceInformation>") + std::string("</ResourceInformation>").size();
  xml.erase(start, end - start);
  auto m = h.Take(xml);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(RmReasonCode(m.status()), "PARTIAL_COMMIT") << m.status().message();
  EXPECT_NE(m.status().message().find("line item 2"), std::string::npos) << m.status().message();
  // Committing no element at all takes the offer as it is.
  start = xml.find("<ResourceInformation>");
  end = xml.rfind("</ResourceInformation>") + std::string("</ResourceInformation>").size();
  xml.erase(start, end - start);
  auto whole = h.Take(xml);
  ASSERT_TRUE(whole.ok()) << whole.status().message();
  EXPECT_EQ(BodyOf(**whole).getAction(), Action::COMMIT);
}

INSTANTIATE_TEST_SUITE_P(Refusals, EdxlEnvelopeRefusalTest, ::testing::ValuesIn(kRefusals),
                         [](const ::testing::TestParamInfo<Refusal>& info) { return info.param.name; });

}  // namespace
}  // namespace muster::edxl
