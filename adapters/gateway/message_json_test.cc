// The POST /v1/messages document <-> envelope mapping: every envelope field, the three body
// kinds through Cap'n Proto's JSON codec, the alert defaults (`muster alert`'s) and the CAP 1.2
// check, strictness about unknown fields and types, round trip through MessageJson, and the
// fingerprint that tells a retry from a reused Idempotency-Key.
#include "adapters/gateway/message_json.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include "common/time_text.h"

namespace muster::gateway {
namespace {

using nlohmann::json;

EnvelopeDefaults Defaults() {
  EnvelopeDefaults d;
  d.principal = "command";
  d.client_message_id = "gw-0123456789abcdef0123456789abcdef";
  d.now_ms = 1795000000000;  // 2026-11-18T09:46:40Z
  d.utc_offset_minutes = 480;
  return d;
}

const char kAlert[] = R"({
  "kind": "alert",
  "to": ["org:msd", "principal:duty", "area:320481"],
  "status": "exercise",
  "classification": "restricted",
  "precedence": "immediate",
  "incident": "INC-2026-031",
  "sent": "2026-11-28T21:05:00+08:00",
  "expires": "2026-11-29T03:00:00+08:00",
  "ack_by": "2026-11-28T21:35:00+08:00",
  "references": [7],
  "body": {"infos": [{"categories": ["met"], "event": "Flood", "urgency": "immediate", "severity": "severe",
                      "certainty": "observed", "headline": "River above warning level",
                      "areas": [{"areaDesc": "Liyang", "geocodes": [{"name": "GB/T 2260", "value": "320481"}]}]}]}
})";

json Doc(const char* text) { return json::parse(text); }

std::string Canonical(schema::Envelope::Reader e) {
  auto words = capnp::canonicalize(e);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

TEST(MessageJsonTest, AlertDocumentFillsEveryEnvelopeField) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Envelope>();
  Status s = FillEnvelopeFromJson(Doc(kAlert), Defaults(), e);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(std::string(e.getClientMessageId().cStr()), Defaults().client_message_id);
  EXPECT_EQ(e.getStatus(), schema::MessageStatus::EXERCISE);
  EXPECT_EQ(e.getClassification(), schema::Classification::RESTRICTED);
  EXPECT_EQ(e.getPrecedence(), schema::Precedence::IMMEDIATE);
  EXPECT_EQ(std::string(e.getIncident().cStr()), "INC-2026-031");
  EXPECT_EQ(e.getSent().getUtcOffsetMinutes(), 480);
  EXPECT_EQ(FormatInstant(e.getSent().getUnixMillis(), 480), "2026-11-28T21:05:00+08:00");
  EXPECT_EQ(FormatInstant(e.getExpiresMillis(), 480), "2026-11-29T03:00:00+08:00");
  EXPECT_EQ(FormatInstant(e.getAckDeadlineMillis(), 480), "2026-11-28T21:35:00+08:00");
  ASSERT_EQ(e.getReferences().size(), 1u);
  EXPECT_EQ(e.getReferences()[0], 7u);
  auto a = e.getAddressing();
  ASSERT_EQ(a.getOrganisations().size(), 1u);
  EXPECT_EQ(std::string(a.getOrganisations()[0].cStr()), "msd");
  ASSERT_EQ(a.getPrincipals().size(), 1u);
  EXPECT_EQ(std::string(a.getPrincipals()[0].cStr()), "duty");
  ASSERT_EQ(a.getAreas().size(), 1u);
  EXPECT_EQ(std::string(a.getAreas()[0].cStr()), "320481");
  ASSERT_EQ(e.getBody().which(), schema::Envelope::Body::ALERT);
  auto alert = e.getBody().getAlert();
  // Filled the way `muster alert` fills them.
  EXPECT_EQ(std::string(alert.getIdentifier().cStr()), "command." + Defaults().client_message_id);
  EXPECT_EQ(std::string(alert.getSender().cStr()), "command");
  EXPECT_EQ(std::string(alert.getSent().cStr()), "2026-11-28T21:05:00+08:00");
  EXPECT_EQ(alert.getStatus(), schema::Alert::CapStatus::EXERCISE);
  EXPECT_EQ(alert.getMsgType(), schema::Alert::MsgType::ALERT);
  EXPECT_EQ(alert.getScope(), schema::Alert::Scope::RESTRICTED);
  EXPECT_EQ(std::string(alert.getRestriction().cStr()), "restricted");
  EXPECT_EQ(std::string(alert.getIncidents().cStr()), "INC-2026-031");
  ASSERT_EQ(alert.getInfos().size(), 1u);
  auto info = alert.getInfos()[0];
  EXPECT_EQ(std::string(info.getEvent().cStr()), "Flood");
  EXPECT_EQ(info.getSeverity(), schema::Alert::Severity::SEVERE);
  EXPECT_EQ(std::string(info.getExpires().cStr()), "2026-11-29T03:00:00+08:00");
  ASSERT_EQ(info.getAreas().size(), 1u);
  EXPECT_EQ(std::string(info.getAreas()[0].getGeocodes()[0].getValue().cStr()), "320481");
}

TEST(MessageJsonTest, WhatTheBodySetsIsKept) {
  json doc = Doc(kAlert);
  doc["body"]["identifier"] = "CN-32040041600000-20261128210500-1";
  doc["body"]["sender"] = "czqxt@cma.gov.cn";
  doc["body"]["scope"] = "public";
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Envelope>();
  ASSERT_TRUE(FillEnvelopeFromJson(doc, Defaults(), e).ok());
  auto alert = e.getBody().getAlert();
  EXPECT_EQ(std::string(alert.getIdentifier().cStr()), "CN-32040041600000-20261128210500-1");
  EXPECT_EQ(std::string(alert.getSender().cStr()), "czqxt@cma.gov.cn");
  EXPECT_EQ(alert.getScope(), schema::Alert::Scope::PUBLIC);
  EXPECT_EQ(alert.getRestriction().size(), 0u);
}

TEST(MessageJsonTest, DefaultsForOptionalEnvelopeFields) {
  json doc = {{"kind", "alert"},
              {"to", {"org:msd"}},
              {"status", "test"},
              {"body",
               {{"infos",
                 {{{"categories", {"other"}},
                   {"event", "Test"},
                   {"urgency", "unknown"},
                   {"severity", "unknown"},
                   {"certainty", "unknown"}}}}}}};
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Envelope>();
  Status s = FillEnvelopeFromJson(doc, Defaults(), e);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(e.getClassification(), schema::Classification::INTERNAL);
  EXPECT_EQ(e.getPrecedence(), schema::Precedence::ROUTINE);
  EXPECT_EQ(e.getSent().getUnixMillis(), Defaults().now_ms);
  EXPECT_EQ(e.getSent().getUtcOffsetMinutes(), 480);
  EXPECT_EQ(e.getExpiresMillis(), 0);
  EXPECT_EQ(e.getAckDeadlineMillis(), 0);
  EXPECT_EQ(e.getReferences().size(), 0u);
}

TEST(MessageJsonTest, LiaisonAndEquipmentBodies) {
  json liaison = {{"kind", "liaison"},
                  {"to", {"org:ema"}},
                  {"status", "exercise"},
                  {"incident", "INC-1"},
                  {"body",
                   {{"action", "propose"},
                    {"officer", "liaison-1"},
                    {"toOrg", "ema"},
                    {"post", "forward command"},
                    {"untilMillis", "1795003600000"},
                    {"location", {{"present", false}}}}}};
  capnp::MallocMessageBuilder m1;
  auto e1 = m1.initRoot<schema::Envelope>();
  Status s = FillEnvelopeFromJson(liaison, Defaults(), e1);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(e1.getBody().which(), schema::Envelope::Body::LIAISON);
  EXPECT_EQ(e1.getBody().getLiaison().getAction(), schema::LiaisonAssignment::Action::PROPOSE);
  EXPECT_EQ(std::string(e1.getBody().getLiaison().getOfficer().cStr()), "liaison-1");
  EXPECT_EQ(e1.getBody().getLiaison().getUntilMillis(), 1795003600000);

  json equipment = {{"kind", "equipment"},
                    {"to", {"org:msd"}},
                    {"status", "actual"},
                    {"body",
                     {{"action", "request"},
                      {"deliverTo", "Liyang depot"},
                      {"neededByMillis", 1795003600000},
                      {"items",
                       {{{"itemId", "1"},
                         {"resourceType", "pump.high-capacity"},
                         {"quantity", 4},
                         {"unit", "each"}}}}}}};
  capnp::MallocMessageBuilder m2;
  auto e2 = m2.initRoot<schema::Envelope>();
  s = FillEnvelopeFromJson(equipment, Defaults(), e2);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto req = e2.getBody().getEquipment();
  EXPECT_EQ(req.getAction(), schema::EquipmentRequest::Action::REQUEST);
  ASSERT_EQ(req.getItems().size(), 1u);
  EXPECT_EQ(req.getItems()[0].getQuantity(), 4.0);
  EXPECT_EQ(req.getNeededByMillis(), 1795003600000);  // a number works as well as a string
}

TEST(MessageJsonTest, RoundTripThroughMessageJson) {
  capnp::MallocMessageBuilder m1;
  auto e1 = m1.initRoot<schema::Envelope>();
  ASSERT_TRUE(FillEnvelopeFromJson(Doc(kAlert), Defaults(), e1).ok());
  nlohmann::ordered_json shown = MessageJson(e1.asReader());
  EXPECT_EQ(shown["kind"], "alert");
  EXPECT_EQ(shown["to"], nlohmann::ordered_json({"principal:duty", "org:msd", "area:320481"}));
  EXPECT_EQ(shown["status"], "exercise");
  EXPECT_EQ(shown["sent"], "2026-11-28T21:05:00+08:00");
  EXPECT_EQ(shown["expires"], "2026-11-28T19:00:00+00:00");
  EXPECT_EQ(shown["references"], nlohmann::ordered_json({7}));
  EXPECT_EQ(shown["body"]["infos"][0]["headline"], "River above warning level");

  capnp::MallocMessageBuilder m2;
  auto e2 = m2.initRoot<schema::Envelope>();
  Status s = FillEnvelopeFromJson(json::parse(shown.dump()), Defaults(), e2);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Canonical(e1.asReader()), Canonical(e2.asReader()));
}

TEST(MessageJsonTest, RefusalsNameTheField) {
  struct Case {
    std::function<void(json&)> change;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& d) { d["priority"] = "high"; }, "unknown field 'priority'"},
      {[](json& d) { d.erase("status"); }, "status: required"},
      {[](json& d) { d.erase("kind"); }, "kind: required"},
      {[](json& d) { d["kind"] = "memo"; }, "kind: 'memo' is not one of alert, equipment, liaison"},
      {[](json& d) { d["classification"] = "secret"; }, "classification: 'secret' is not one of"},
      {[](json& d) { d["precedence"] = 3; }, "precedence: must be one of"},
      {[](json& d) { d["to"] = "org:msd"; }, "to: must be a list"},
      {[](json& d) { d["to"] = {"msd"}; }, "to: bad target 'msd'"},
      {[](json& d) { d["to"] = {"org:msd,org:ema"}; }, "is not one target"},
      {[](json& d) { d["expires"] = "tomorrow"; }, "expires: not a date-time"},
      {[](json& d) { d["references"] = {-1}; }, "references: every item is a broker seq"},
      {[](json& d) { d.erase("body"); }, "body: required"},
      {[](json& d) { d["body"]["infos"][0]["colour"] = "red"; },
       "body: unknown field 'colour' (the body is the Alert struct"},
      {[](json& d) { d["body"]["infos"][0]["severity"] = "apocalyptic"; },
       "body: no such enumerant 'apocalyptic'"},
      {[](json& d) { d["body"]["infos"][0].erase("event"); },
       "body: MISSING_REQUIRED_ELEMENT: info[0]/event"},
      {[](json& d) { d["incident"] = 42; }, "incident: must be a string"},
  };
  for (const auto& c : cases) {
    json doc = Doc(kAlert);
    c.change(doc);
    capnp::MallocMessageBuilder m;
    Status s = FillEnvelopeFromJson(doc, Defaults(), m.initRoot<schema::Envelope>());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.expected;
    EXPECT_NE(s.message().find(c.expected), std::string::npos)
        << "expected '" << c.expected << "' in: " << s.message();
  }
}

TEST(MessageJsonTest, ParsingRefusesNonObjectsAndDeepNesting) {
  EXPECT_TRUE(ParseJsonObject(R"({"a": [1, {"b": "[[[["}]})").ok());
  EXPECT_FALSE(ParseJsonObject("[1, 2]").ok());
  EXPECT_FALSE(ParseJsonObject("{\"a\": ").ok());
  EXPECT_FALSE(ParseJsonObject("").ok());
  std::string deep = "{\"a\": " + std::string(40, '[') + std::string(40, ']') + "}";
  auto r = ParseJsonObject(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nests deeper"), std::string::npos);
  std::string huge = "{\"a\": " + std::string(200000, '[');
  EXPECT_FALSE(ParseJsonObject(huge).ok());
}

TEST(MessageJsonTest, FingerprintIgnoresLayoutButNotContent) {
  json a = json::parse(R"({"kind": "alert", "status": "test", "to": ["org:msd"]})");
  json b = json::parse("{\"to\":[\"org:msd\"],\n  \"status\":\"test\",\"kind\":\"alert\"}");
  json c = json::parse(R"({"kind": "alert", "status": "actual", "to": ["org:msd"]})");
  EXPECT_EQ(DocumentFingerprint(a), DocumentFingerprint(b));
  EXPECT_NE(DocumentFingerprint(a), DocumentFingerprint(c));
  EXPECT_EQ(DocumentFingerprint(a).size(), 64u);
}

}  // namespace
}  // namespace muster::gateway
