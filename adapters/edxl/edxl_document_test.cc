// The EDXL-RM round trip of every supported message type (parse -> envelope -> write -> parse
// equal in everything Muster maps), the choice between the sender's original and a written
// document, and the documents written for messages from Muster clients, which carry no EDXL ids.
#include "adapters/edxl/edxl_document.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/edxl/edxl_testing.h"
#include "adapters/edxl/rm_parser.h"
#include "adapters/edxl/rm_writer.h"
#include "schemas/equipment.capnp.h"

namespace muster::edxl {
namespace {

using Action = schema::EquipmentRequest::Action;
using testing::Fixture;
using testing::Replace;
using testing::ThreadHarness;

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

struct Step {
  const char* fixture;
  uint64_t seq;
  RmType type;
  Action action;
};

// One thread through every supported type, in an order the broker would take it.
const Step kThread[] = {
    {"request_resource.xml", 1, RmType::kRequestResource, Action::REQUEST},
    {"response_to_request_resource.xml", 2, RmType::kResponseToRequestResource, Action::OFFER},
    {"response_to_request_resource_decline.xml", 3, RmType::kResponseToRequestResource, Action::DECLINE},
    {"commit_resource.xml", 4, RmType::kCommitResource, Action::COMMIT},
    {"report_dispatch.xml", 5, RmType::kReportResourceDeploymentStatus, Action::DISPATCH},
    {"report_deliver.xml", 6, RmType::kReportResourceDeploymentStatus, Action::DELIVER},
    {"request_resource_deployment_status.xml", 7, RmType::kRequestResourceDeploymentStatus,
     Action::STATUS_REQUEST},
    {"report_resource_deployment_status.xml", 8, RmType::kReportResourceDeploymentStatus,
     Action::STATUS_REPORT},
    {"request_return.xml", 9, RmType::kRequestReturn, Action::RETURN},
    {"release_resource.xml", 10, RmType::kReleaseResource, Action::RELEASE},
};

TEST(EdxlRoundTripTest, EveryTypeSurvivesEdxlToMusterToEdxl) {
  ThreadHarness h;
  for (const Step& step : kThread) {
    SCOPED_TRACE(step.fixture);
    std::string xml = Fixture(step.fixture);
    auto original = ParseRm(xml);
    ASSERT_TRUE(original.ok()) << original.status().message();
    ASSERT_EQ(original->type, step.type);
    auto message = h.Publish(xml, step.seq);
    ASSERT_NE(message, nullptr);
    auto envelope = message->getRoot<schema::Envelope>().asReader();
    EXPECT_EQ(envelope.getBody().getEquipment().getAction(), step.action);

    // The body alone (no original, no thread index) gives back every mapped element.
    auto back = RmMessageOf(envelope, step.seq, EdxlThreads{});
    ASSERT_TRUE(back.ok()) << back.status().message();
    std::string written = WriteRm(*back);
    auto reparsed = ParseRm(written);
    ASSERT_TRUE(reparsed.ok()) << reparsed.status().message() << "\n" << written;
    EXPECT_TRUE(RmDifferences(*original, *reparsed).empty())
        << Joined(RmDifferences(*original, *reparsed)) << written;

    // Delivered with its original, the sender's bytes are what the agency gets.
    auto doc = EdxlDocumentOf(envelope, step.seq, h.threads());
    ASSERT_TRUE(doc.ok()) << doc.status().message();
    EXPECT_TRUE(doc->from_original) << doc->note;
    EXPECT_EQ(doc->xml, xml);
  }
}

TEST(EdxlDocumentTest, WritesTheBodyWhenTheOriginalSaysSomethingElse) {
  ThreadHarness h;
  auto message = h.Publish(Fixture("request_resource.xml"), 1);
  ASSERT_NE(message, nullptr);
  // The sender swaps the original for one that asks for forty pumps; the broker checked four.
  std::string forged = Replace(Fixture("request_resource.xml"), "<rm:Amount>4<", "<rm:Amount>40<");
  message->getRoot<schema::Envelope>().getOriginal().setBytes(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(forged.data()), forged.size()));
  auto doc = EdxlDocumentOf(message->getRoot<schema::Envelope>().asReader(), 1, h.threads());
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->from_original);
  EXPECT_NE(doc->note.find("Amount"), std::string::npos) << doc->note;
  auto written = ParseRm(doc->xml);
  ASSERT_TRUE(written.ok()) << written.status().message();
  EXPECT_EQ(written->resources[0].quantity->amount, 4);

  // An original that is not valid EDXL-RM is not handed on either.
  std::string hostile = Fixture("hostile_dtd.xml");
  message->getRoot<schema::Envelope>().getOriginal().setBytes(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(hostile.data()), hostile.size()));
  doc = EdxlDocumentOf(message->getRoot<schema::Envelope>().asReader(), 1, h.threads());
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->from_original);
  EXPECT_NE(doc->note.find("FORBIDDEN_DTD"), std::string::npos) << doc->note;
}

// Envelopes as the `muster equip` client fills them (no EDXL ids, bare items).
class NativeThreadTest : public ::testing::Test {
 protected:
  // Delivers `m` as `seq` to the adapter: the document it writes, then the index records it.
  RmMessage Deliver(capnp::MallocMessageBuilder& m, uint64_t seq) {
    auto envelope = m.getRoot<schema::Envelope>().asReader();
    auto doc = EdxlDocumentOf(envelope, seq, h_.threads());
    EXPECT_TRUE(doc.ok()) << doc.status().message();
    EXPECT_TRUE(RememberEquipment(h_.index(), envelope, seq).ok());
    auto parsed = ParseRm(doc.ok() ? doc->xml : "");
    EXPECT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << (doc.ok() ? doc->xml : "");
    return parsed.ok() ? *parsed : RmMessage{};
  }

  schema::EquipmentRequest::Builder Start(capnp::MallocMessageBuilder& m, Action action,
                                          const char* sender) {
    auto e = m.initRoot<schema::Envelope>();
    e.setSender(sender);
    e.setSenderOrg(sender);
    e.getSent().setUnixMillis(1782885900000);
    e.getSent().setUtcOffsetMinutes(480);
    e.setIncident("INC-2026-031");
    auto b = e.initBody().initEquipment();
    b.setAction(action);
    return b;
  }

  ThreadHarness h_;
};

TEST_F(NativeThreadTest, GivesMusterMessagesTheirEdxlFormAndThreading) {
  capnp::MallocMessageBuilder request;
  auto r = Start(request, Action::REQUEST, "duty");
  auto items = r.initItems(2);
  items[0].setResourceType("pump.high-capacity");
  items[0].setQuantity(4);
  items[0].setUnit("pc");
  items[0].setDescription("drainage pump");
  items[1].setResourceType("water.bottled");
  items[1].setQuantity(100);
  items[1].setUnit("box");
  r.setDeliverTo("Wujin levee km 12");
  r.setNeededByMillis(1782907200000);
  r.setPriority("urgent");
  RmMessage rr = Deliver(request, 11);
  EXPECT_EQ(rr.type, RmType::kRequestResource);
  EXPECT_EQ(rr.message_id, "urn:muster:seq:11");
  EXPECT_EQ(rr.originating_id, "urn:muster:seq:11");
  EXPECT_EQ(rr.sent.text, "2026-07-01T14:05:00+08:00");
  ASSERT_EQ(rr.resources.size(), 2u);
  EXPECT_EQ(rr.resources[1].element_id, "2");  // the broker's item ids
  EXPECT_EQ(rr.resources[0].type, (RmValue{std::string(kTypeList), "pump.high-capacity"}));
  EXPECT_EQ(rr.resources[0].quantity->unit, (RmValue{std::string(kUnitList), "pc"}));
  RmDerived d = DeriveRm(rr);
  EXPECT_EQ(d.deliver_to, "Wujin levee km 12");
  EXPECT_EQ(d.needed_by_millis, 1782907200000);
  EXPECT_EQ(d.priority, "urgent");
  ASSERT_FALSE(rr.contacts.empty());
  EXPECT_EQ(rr.contacts[0].description, "duty (duty)");

  capnp::MallocMessageBuilder offer;
  auto o = Start(offer, Action::OFFER, "msd");
  o.setRequestId("R-11");
  auto oi = o.initItems(1);
  oi[0].setItemId("1");
  oi[0].setQuantity(2);
  RmMessage rs = Deliver(offer, 12);
  EXPECT_EQ(rs.type, RmType::kResponseToRequestResource);
  EXPECT_EQ(rs.originating_id, "urn:muster:seq:11");
  EXPECT_EQ(rs.preceding_id, "urn:muster:seq:11");
  ASSERT_EQ(rs.resources.size(), 1u);
  EXPECT_EQ(rs.resources[0].response->preceding_element_id, "1");
  EXPECT_EQ(rs.resources[0].response->type, "Accept");
  EXPECT_EQ(rs.resources[0].type.value, "pump.high-capacity");  // from the request
  EXPECT_EQ(rs.resources[0].quantity->unit.value, "pc");

  // The agency answers the Muster offer in EDXL-RM: the commit finds offer O-12.
  std::string commit = Fixture("commit_resource.xml");
  commit = Replace(commit, "<OriginatingMessageID>CZ-EMA-RR-0001<", "<OriginatingMessageID>urn:muster:seq:11<");
  commit = Replace(commit, "<PrecedingMessageID>CZ-MSD-RS-0001<", "<PrecedingMessageID>urn:muster:seq:12<");
  commit = Replace(commit, "<rm:PrecedingResourceInfoElementID>m1<", "<rm:PrecedingResourceInfoElementID>1<");
  size_t start = commit.rfind("<ResourceInformation>");
  size_t end = commit.rfind("</ResourceInformation>") + std::string("</ResourceInformation>").size();
  commit.erase(start, end - start);
  auto committed = h_.Take(commit);
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  auto cb = (*committed)->getRoot<schema::Envelope>().asReader().getBody().getEquipment();
  EXPECT_EQ(cb.getAction(), Action::COMMIT);
  EXPECT_EQ(std::string(cb.getOfferId().cStr()), "O-12");

  // A Muster client's commit of the same offer is written with the offered items.
  capnp::MallocMessageBuilder native_commit;
  auto c = Start(native_commit, Action::COMMIT, "duty");
  c.setOfferId("O-12");
  RmMessage cr = Deliver(native_commit, 13);
  EXPECT_EQ(cr.type, RmType::kCommitResource);
  EXPECT_EQ(cr.preceding_id, "urn:muster:seq:12");
  ASSERT_EQ(cr.resources.size(), 1u);
  EXPECT_EQ(cr.resources[0].response->preceding_element_id, "1");
  EXPECT_EQ(cr.resources[0].quantity->amount, 2);

  capnp::MallocMessageBuilder dispatch;
  auto di = Start(dispatch, Action::DISPATCH, "msd");
  di.setOfferId("O-12");
  di.setEtaMillis(1782898200000);
  RmMessage sr = Deliver(dispatch, 14);
  EXPECT_EQ(sr.type, RmType::kReportResourceDeploymentStatus);
  EXPECT_EQ(sr.preceding_id, "urn:muster:seq:13");  // the latest message about the offer
  EXPECT_EQ(DeriveRm(sr).step, "dispatch");
  EXPECT_EQ(DeriveRm(sr).eta_millis, 1782898200000);

  capnp::MallocMessageBuilder cancel;
  auto ca = Start(cancel, Action::CANCEL, "duty");
  ca.setRequestId("R-11");
  ca.setReason("river has fallen");
  RmMessage cc = Deliver(cancel, 15);
  EXPECT_EQ(DeriveRm(cc).step, "cancel");
  EXPECT_EQ(cc.description, "river has fallen");
  ASSERT_EQ(cc.resources.size(), 2u);  // one per line item of the request

  capnp::MallocMessageBuilder decline;
  auto de = Start(decline, Action::DECLINE, "rescue-1");
  de.setRequestId("R-11");
  de.setReason("no pumps");
  RmMessage dd = Deliver(decline, 16);
  EXPECT_EQ(dd.type, RmType::kResponseToRequestResource);
  ASSERT_EQ(dd.resources.size(), 2u);
  EXPECT_EQ(dd.resources[0].response->type, "Decline");
  EXPECT_EQ(dd.resources[0].response->reason, "no pumps");
}

TEST_F(NativeThreadTest, ThreadsAMessageAboutAnObjectTheAdapterNeverSaw) {
  capnp::MallocMessageBuilder release;
  auto r = Start(release, Action::RELEASE, "msd");
  r.setOfferId("O-40");
  RmMessage rl = Deliver(release, 41);
  EXPECT_EQ(rl.type, RmType::kReleaseResource);
  EXPECT_EQ(rl.message_id, "urn:muster:seq:41");
  EXPECT_EQ(rl.preceding_id, "urn:muster:seq:40");
  EXPECT_EQ(rl.originating_id, "urn:muster:seq:40");
}

TEST(EdxlDocumentTest, RefusesOtherKinds) {
  capnp::MallocMessageBuilder m;
  m.initRoot<schema::Envelope>().initBody().initAlert();
  auto doc = EdxlDocumentOf(m.getRoot<schema::Envelope>().asReader(), 1, EdxlThreads{});
  EXPECT_FALSE(doc.ok());
}

}  // namespace
}  // namespace muster::edxl
