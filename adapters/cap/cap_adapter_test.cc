// The CAP adapter's mapping (CAP document <-> envelope), its Chinese-practice profile and its
// reference index.
#include <capnp/message.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "adapters/cap/cap_adapter_envelope.h"
#include "adapters/cap/cap_adapter_profile.h"
#include "adapters/cap/cap_adapter_references.h"
#include "adapters/cap/cap_compare.h"
#include "adapters/cap/cap_parser.h"
#include "adapters/cap/cap_writer.h"

namespace muster::cap {
namespace {

using schema::Alert;
using schema::Envelope;

// A Changzhou flood alert in the issuer-code identifier style, Beijing time, GB/T 2260 codes.
std::string Xml(const std::string& status = "Actual", const std::string& sent = "2026-11-28T21:05:00+08:00",
                const std::string& expires1 = "2026-11-29T09:00:00+08:00",
                const std::string& expires2 = "2026-11-29T06:00:00+08:00",
                const std::string& geocodes = "<geocode><valueName>GB/T 2260</valueName><value>320481</value></geocode>"
                                              "<geocode><valueName>GB/T 2260</valueName><value>320402</value></geocode>",
                const std::string& extra = "<incidents>\"Taihu flood\" INC-2</incidents>") {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>CN-32040041600000-20261128210500-1</identifier>
  <sender>czqxt@cma.gov.cn</sender>
  <sent>)" + sent + R"(</sent>
  <status>)" + status + R"(</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  )" + extra + R"(
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>)" + expires1 + R"(</expires>
    <headline>常州市气象台发布暴雨橙色预警</headline>
    <area><areaDesc>溧阳市 天宁区</areaDesc>)" + geocodes + R"(</area>
  </info>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Rainstorm</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>)" + expires2 + R"(</expires>
    <area><areaDesc>Liyang</areaDesc></area>
  </info>
</alert>
)";
}

constexpr int64_t kNow = 1795000000000;  // 2026-11-18, before the sample's expiry

struct Built {
  std::unique_ptr<capnp::MallocMessageBuilder> alert;
  capnp::MallocMessageBuilder envelope;
  Status status;
  Envelope::Reader reader() { return envelope.getRoot<Envelope>().asReader(); }
};

std::unique_ptr<Built> Build(const std::string& xml, CapEnvelopeOptions o = {}) {
  auto b = std::make_unique<Built>();
  auto parsed = ParseCapMessage(xml);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  if (!parsed.ok()) {
    b->status = parsed.status();
    return b;
  }
  b->alert = std::move(parsed).value();
  if (o.now_ms == 0) o.now_ms = kNow;
  b->status = BuildCapEnvelope(xml, b->alert->getRoot<Alert>().asReader(), o, b->envelope.initRoot<Envelope>());
  return b;
}

TEST(CapEnvelopeTest, MapsStatusIncidentExpiryAreasAndKeepsTheOriginalBytes) {
  const std::string xml = Xml();
  auto b = Build(xml);
  ASSERT_TRUE(b->status.ok()) << b->status.message();
  auto e = b->reader();
  EXPECT_EQ(e.getStatus(), schema::MessageStatus::ACTUAL);
  EXPECT_EQ(e.getClassification(), schema::Classification::PUBLIC);
  EXPECT_EQ(e.getIncident(), "Taihu flood");
  // The earlier of the two info/expires: 2026-11-29T06:00:00+08:00.
  EXPECT_EQ(e.getExpiresMillis(), 1795903200000);
  EXPECT_EQ(e.getSent().getUtcOffsetMinutes(), 480);
  ASSERT_EQ(e.getAddressing().getAreas().size(), 2u);
  EXPECT_EQ(e.getAddressing().getAreas()[0], "320481");
  EXPECT_EQ(e.getAddressing().getAreas()[1], "320402");
  EXPECT_EQ(e.getOriginal().getMimeType(), "application/cap+xml");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(e.getOriginal().getBytes().begin()),
                        e.getOriginal().getBytes().size()),
            xml);
  ASSERT_EQ(e.getBody().which(), Envelope::Body::ALERT);
  EXPECT_TRUE(AlertDifferences(e.getBody().getAlert(), b->alert->getRoot<Alert>().asReader()).empty());
  EXPECT_EQ(e.getBody().getAlert().getSent(), "2026-11-28T21:05:00+08:00") << "times keep their lexical form";
}

TEST(CapEnvelopeTest, EachCapStatusMapsAndDraftIsRefused) {
  EXPECT_EQ(Build(Xml("Exercise"))->reader().getStatus(), schema::MessageStatus::EXERCISE);
  EXPECT_EQ(Build(Xml("System"))->reader().getStatus(), schema::MessageStatus::SYSTEM);
  EXPECT_EQ(Build(Xml("Test"))->reader().getStatus(), schema::MessageStatus::TEST);
  auto draft = Build(Xml("Draft"));
  EXPECT_EQ(CapReasonCode(draft->status), "DRAFT_NOT_EXCHANGED") << draft->status.message();
}

TEST(CapEnvelopeTest, ExpiredAlertsAreRefusedUnlessExpiryIsIgnored) {
  CapEnvelopeOptions late;
  late.now_ms = 1796000000000;  // after 2026-11-29T06:00+08:00
  auto expired = Build(Xml(), late);
  EXPECT_EQ(CapReasonCode(expired->status), "ALREADY_EXPIRED") << expired->status.message();
  late.ignore_expires = true;
  auto archived = Build(Xml(), late);
  ASSERT_TRUE(archived->status.ok()) << archived->status.message();
  EXPECT_EQ(archived->reader().getExpiresMillis(), 0);
}

TEST(CapEnvelopeTest, ExplicitTargetsReplaceAreaAddressingAndNoAddressingIsRefused) {
  CapEnvelopeOptions o;
  o.principals = {"msd"};
  o.classification = schema::Classification::INTERNAL;
  auto b = Build(Xml(), o);
  ASSERT_TRUE(b->status.ok());
  EXPECT_EQ(b->reader().getAddressing().getAreas().size(), 0u);
  ASSERT_EQ(b->reader().getAddressing().getPrincipals().size(), 1u);
  EXPECT_EQ(b->reader().getClassification(), schema::Classification::INTERNAL);
  auto none = Build(Xml("Actual", "2026-11-28T21:05:00+08:00", "2026-11-29T09:00:00+08:00",
                        "2026-11-29T06:00:00+08:00", ""));
  EXPECT_EQ(CapReasonCode(none->status), "NO_ADDRESSING") << none->status.message();
}

TEST(CapEnvelopeTest, CapReferencesBecomeTheSeqsTheAdapterKnows) {
  const std::string extra =
      "<references>czqxt@cma.gov.cn,CN-1,2026-11-28T20:00:00+08:00 other,X,2026-11-28T20:00:00+08:00 "
      "czqxt@cma.gov.cn,CN-1,2026-11-28T20:00:00+08:00</references>";
  std::string xml = Xml("Actual", "2026-11-28T21:05:00+08:00", "2026-11-29T09:00:00+08:00",
                        "2026-11-29T06:00:00+08:00",
                        "<geocode><valueName>GB/T 2260</valueName><value>320481</value></geocode>", extra);
  size_t at = xml.find("<msgType>Alert");
  xml.replace(at, 14, "<msgType>Update");
  CapEnvelopeOptions o;
  o.find_reference = [](std::string_view sender, std::string_view id) -> std::optional<uint64_t> {
    if (sender == "czqxt@cma.gov.cn" && id == "CN-1") return 17;
    return std::nullopt;
  };
  auto b = Build(xml, o);
  ASSERT_TRUE(b->status.ok()) << b->status.message();
  ASSERT_EQ(b->reader().getReferences().size(), 1u);
  EXPECT_EQ(b->reader().getReferences()[0], 17u);
  EXPECT_EQ(CapReferencePairs(" a,b,c\n d,e,f ").size(), 2u);
  EXPECT_EQ(FirstCapIncident(""), "");
  EXPECT_EQ(FirstCapIncident("  INC-1 INC-2"), "INC-1");
}

TEST(CapDocumentTest, TheOriginalIsHandedOnWhenItMatchesTheBody) {
  const std::string xml = Xml();
  auto b = Build(xml);
  ASSERT_TRUE(b->status.ok());
  auto doc = CapDocumentOf(b->reader());
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->from_original);
  EXPECT_EQ(doc->xml, xml);
}

TEST(CapDocumentTest, AnOriginalThatSaysSomethingElseIsReplacedByTheBody) {
  auto b = Build(Xml());
  ASSERT_TRUE(b->status.ok());
  auto e = b->envelope.getRoot<Envelope>();
  std::string other = Xml("Exercise");
  e.getOriginal().setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(other.data()), other.size()));
  auto doc = CapDocumentOf(e.asReader());
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->from_original);
  EXPECT_NE(doc->note.find("differs"), std::string::npos) << doc->note;
  EXPECT_EQ(doc->xml, WriteCap(e.getBody().getAlert().asReader()));
  // A hostile original is not handed on either.
  std::string hostile = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" + Xml();
  e.getOriginal().setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(hostile.data()), hostile.size()));
  doc = CapDocumentOf(e.asReader());
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->from_original);
  EXPECT_NE(doc->note.find("FORBIDDEN_DTD"), std::string::npos) << doc->note;
}

TEST(CapDocumentTest, WithoutAnOriginalTheBodyIsWrittenAndOtherKindsAreRefused) {
  auto b = Build(Xml());
  ASSERT_TRUE(b->status.ok());
  auto e = b->envelope.getRoot<Envelope>();
  e.disownOriginal();
  auto doc = CapDocumentOf(e.asReader());
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->from_original);
  EXPECT_TRUE(doc->note.empty());
  auto again = ParseCapMessage(doc->xml);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(AlertDifferences(again.value()->getRoot<Alert>().asReader(), e.getBody().getAlert().asReader()).empty());
  e.getBody().setNone();
  EXPECT_FALSE(CapDocumentOf(e.asReader()).ok());
}

TEST(CapProfileTest, ChineseProfileRequiresBeijingTimeAndAGbt2260Code) {
  auto check = [](const std::string& xml) {
    auto parsed = ParseCapMessage(xml);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    return CheckCapProfile(parsed.value()->getRoot<Alert>().asReader(), CapProfile::kChina);
  };
  EXPECT_TRUE(check(Xml()).ok()) << "issuer-code identifiers, +08:00 and GB/T 2260 codes pass";
  Status utc = check(Xml("Actual", "2026-11-28T13:05:00-00:00"));
  EXPECT_EQ(CapReasonCode(utc), "PROFILE_CN_TIME_OFFSET");
  EXPECT_NE(utc.message().find("sent '2026-11-28T13:05:00-00:00'"), std::string::npos) << utc.message();
  Status expires = check(Xml("Actual", "2026-11-28T21:05:00+08:00", "2026-11-29T09:00:00+09:00"));
  EXPECT_NE(expires.message().find("info[0]/expires"), std::string::npos) << expires.message();
  Status nocode = check(Xml("Actual", "2026-11-28T21:05:00+08:00", "2026-11-29T09:00:00+08:00",
                            "2026-11-29T06:00:00+08:00",
                            "<geocode><valueName>SAME</valueName><value>006113</value></geocode>"));
  EXPECT_EQ(CapReasonCode(nocode), "PROFILE_CN_MISSING_GEOCODE") << nocode.message();
  auto parsed = ParseCapMessage(Xml("Actual", "2026-11-28T13:05:00-00:00"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(CheckCapProfile(parsed.value()->getRoot<Alert>().asReader(), CapProfile::kNone).ok());
  EXPECT_EQ(ParseCapProfile("cn").value(), CapProfile::kChina);
  EXPECT_EQ(ParseCapProfile("").value(), CapProfile::kNone);
  EXPECT_FALSE(ParseCapProfile("us").ok());
}

TEST(CapReferenceIndexTest, RecordsSurviveReopenAndTheLatestWins) {
  char tmpl[] = "/tmp/muster-capref-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/refs";
  {
    auto index = CapReferenceIndex::Open(dir);
    ASSERT_TRUE(index.ok());
    EXPECT_FALSE((*index)->Find("s", "i").has_value());
    ASSERT_TRUE((*index)->Record("s", "i", 5).ok());
    ASSERT_TRUE((*index)->Record("s", "i", 6).ok());
    ASSERT_TRUE((*index)->Record("s", "j", 7).ok());
  }
  auto index = CapReferenceIndex::Open(dir);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->Find("s", "i"), std::optional<uint64_t>(6));
  EXPECT_EQ((*index)->Find("s", "j"), std::optional<uint64_t>(7));
  EXPECT_FALSE((*index)->Find("t", "i").has_value());
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}

}  // namespace
}  // namespace muster::cap
