// ParseCap: one refused example per check of standards.md §1.5 (and per hostile-XML rule), each
// with its stable reason code, plus what a conformant document may legitimately contain.
#include "adapters/cap/cap_parser.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/cap/internal/test_signing.h"

namespace muster::cap {
namespace {

using schema::Alert;

// A valid CAP 1.2 alert that each refusal case changes in exactly one place.
constexpr std::string_view kBase = R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>MUSTER-2026-0001</identifier>
  <sender>ops@muster.example</sender>
  <sent>2026-11-28T21:05:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>Typhoon</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>2026-11-29T21:00:00+08:00</expires>
    <headline>Typhoon warning</headline>
    <web>https://muster.example/alerts/1</web>
    <parameter>
      <valueName>colour</valueName>
      <value>orange</value>
    </parameter>
    <resource>
      <resourceDesc>Map</resourceDesc>
      <mimeType>image/png</mimeType>
      <size>1024</size>
      <uri>https://muster.example/map.png</uri>
    </resource>
    <area>
      <areaDesc>Harbour district</areaDesc>
      <polygon>22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10 22.50,114.00</polygon>
      <circle>22.55,114.05 5</circle>
      <geocode>
        <valueName>GB/T 2260</valueName>
        <value>440304</value>
      </geocode>
      <altitude>0</altitude>
      <ceiling>1000</ceiling>
    </area>
  </info>
</alert>
)";

constexpr std::string_view kDecl = R"(<?xml version="1.0" encoding="UTF-8"?>)";

// kBase with the first occurrence of `from` replaced by `to`. A missing `from` is a test bug.
std::string Edit(std::string_view from, std::string_view to, std::string_view base = kBase) {
  std::string s(base);
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "test bug: " << from << " is not in the document";
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

Status Parse(std::string_view xml) {
  capnp::MallocMessageBuilder message;
  return ParseCap(xml, message.initRoot<Alert>());
}

// --- Refusals -----------------------------------------------------------------------------------

struct Refusal {
  std::string name;
  std::string xml;
  std::string code;
  std::string fragment;  // must appear in the reason
};

std::vector<Refusal> Refusals() {
  const std::string big_text(kMaxTextBytes + 1, 'a');
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<d>";
  for (int i = 0; i < 40; ++i) deep += "</d>";
  std::vector<Refusal> r = {
      // Size.
      {"DocumentOverOneMiB",
       Edit("<headline>Typhoon warning</headline>",
            "<headline>" + std::string(kMaxDocumentBytes, 'a') + "</headline>"),
       "DOCUMENT_TOO_LARGE", "limit is 1048576"},
      {"TextOver64KiB", Edit("Typhoon warning", big_text), "TEXT_TOO_LARGE",
       "info[0]/headline: more than 65536 bytes"},

      // Hostile XML, refused before parsing.
      {"DoctypeWithInternalSubset",
       Edit(kDecl, std::string(kDecl) + "\n<!DOCTYPE alert [<!ENTITY x \"y\">]>"), "FORBIDDEN_DTD",
       "<!DOCTYPE"},
      {"DoctypeWithExternalDtd",
       Edit(kDecl, std::string(kDecl) + "\n<!DOCTYPE alert SYSTEM \"http://evil.example/a.dtd\">"),
       "FORBIDDEN_DTD", "nothing is fetched"},
      {"BillionLaughs",
       Edit(kDecl, std::string(kDecl) +
                       "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
                       "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"),
       "FORBIDDEN_DTD", "<!DOCTYPE"},
      {"DtdReportedBeforeEarlierProcessingInstruction",
       Edit(kDecl, std::string(kDecl) +
                       "<?xml-stylesheet href=\"x.xsl\"?><!DOCTYPE alert SYSTEM \"x.dtd\">"),
       "FORBIDDEN_DTD", "<!DOCTYPE"},
      {"ExternalEntityReferenceWithoutDtd", Edit("Typhoon warning", "Typhoon&xxe;"),
       "FORBIDDEN_ENTITY", "&xxe;"},
      {"EntityReferenceInAttribute", Edit("<alert xmlns=", "<alert xmlns:x=\"urn:&ent;\" xmlns="),
       "FORBIDDEN_ENTITY", "&ent;"},
      {"XInclude",
       Edit("<scope>Public</scope>",
            "<scope>Public</scope><x xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
            "<xi:include href=\"file:///etc/passwd\"/></x>"),
       "FORBIDDEN_XINCLUDE", "XInclude"},
      {"XIncludeNamespaceSpelledWithCharacterReference",
       Edit("<scope>Public</scope>",
            "<scope>Public</scope><x xmlns:xi=\"http://www.w3.org/2001/&#88;Include\">"
            "<xi:include href=\"a\"/></x>"),
       "FORBIDDEN_XINCLUDE", "XInclude"},
      {"XIncludeReportedBeforeMalformedness",
       Edit("<scope>Public</scope>",
            "<?pi?><scope>Public</scope><x xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
            "<xi:include href=\"a\"/></y>"),
       "FORBIDDEN_XINCLUDE", "xmlns:xi declares the XInclude namespace"},
      {"StylesheetProcessingInstructionInsideAlert",
       Edit("<scope>Public</scope>",
            "<?xml-stylesheet href=\"http://x/a.xsl\"?><scope>Public</scope>"),
       "FORBIDDEN_PROCESSING_INSTRUCTION", "accepted only before the root element"},
      {"StylesheetProcessingInstructionAfterRoot",
       std::string(kBase) + "<?xml-stylesheet href=\"http://x/a.xsl\"?>\n",
       "FORBIDDEN_PROCESSING_INSTRUCTION", "accepted only before the root element"},
      {"OtherProcessingInstructionInProlog",
       Edit(kDecl, std::string(kDecl) + "\n<?xml-stylesheet-x href=\"a.xsl\"?>"),
       "FORBIDDEN_PROCESSING_INSTRUCTION", "<?xml-stylesheet-x?>"},
      {"PhpProcessingInstructionInProlog",
       Edit(kDecl, std::string(kDecl) + "\n<?php system('x')?>"),
       "FORBIDDEN_PROCESSING_INSTRUCTION",
       "only the XML declaration and xml-stylesheet before the root element"},
      {"ProcessingInstructionInsideAlert",
       Edit("<scope>Public</scope>", "<?php run()?><scope>Public</scope>"),
       "FORBIDDEN_PROCESSING_INSTRUCTION", "<?php?>"},
      {"XmlDeclarationNotFirst", "\n" + std::string(kBase), "FORBIDDEN_PROCESSING_INSTRUCTION",
       "must be the very first thing"},

      // Encoding and well-formedness.
      {"Utf16", std::string("\xFF\xFE<\0a\0", 6), "UNSUPPORTED_ENCODING", "UTF-16"},
      {"DeclaredWindows1252", Edit("encoding=\"UTF-8\"", "encoding=\"windows-1252\""),
       "UNSUPPORTED_ENCODING", "windows-1252"},
      {"XmlVersion11", Edit("version=\"1.0\"", "version=\"1.1\""), "MALFORMED_XML", "only 1.0"},
      {"InvalidUtf8", Edit("Typhoon warning", "Typhoon \xC3\x28"), "MALFORMED_XML",
       "invalid UTF-8"},
      {"ControlCharacter", Edit("Typhoon warning", "Typhoon\x01"), "MALFORMED_XML",
       "invalid UTF-8, or a character that XML does not allow"},
      {"NulCharacter", Edit("Typhoon warning", std::string("Typhoon\0", 8)), "MALFORMED_XML",
       "NUL"},
      {"BareAmpersand", Edit("Typhoon warning", "Wind & rain"), "MALFORMED_XML", "&amp;"},
      {"CharacterReferenceToNul", Edit("Typhoon warning", "Typhoon&#0;"), "MALFORMED_XML",
       "not a legal XML character"},
      {"MismatchedEndTag", Edit("</headline>", "</headlines>"), "MALFORMED_XML", "near byte"},
      {"TwoRootElements", std::string(kBase) + "<alert/>", "MALFORMED_XML",
       "more than one root element"},
      {"DuplicateAttribute",
       Edit("<alert xmlns=", "<alert xmlns:a=\"urn:a\" xmlns:a=\"urn:a\" xmlns="), "MALFORMED_XML",
       "appears more than once"},
      {"UndeclaredPrefix", Edit("<scope>Public</scope>", "<x:scope>Public</x:scope>"),
       "MALFORMED_XML", "prefix 'x' is not declared"},
      {"NestingTooDeep", Edit("<scope>Public</scope>", "<scope>Public</scope>" + deep),
       "MALFORMED_XML", "nested deeper than 32"},

      // Namespace and root.
      {"Cap11Namespace", Edit("cap:1.2", "cap:1.1"), "UNSUPPORTED_VERSION", "only CAP 1.2"},
      {"Cap10Namespace",
       Edit("urn:oasis:names:tc:emergency:cap:1.2", "http://www.incident.com/cap/1.0"),
       "UNSUPPORTED_VERSION", "earlier CAP version"},
      {"NoNamespace", Edit(" xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"", ""),
       "UNKNOWN_NAMESPACE", "has no namespace"},
      {"OtherNamespace", Edit("urn:oasis:names:tc:emergency:cap:1.2", "urn:example:alert"),
       "UNKNOWN_NAMESPACE", "urn:example:alert"},
      {"RootIsNotAlert",
       std::string(kDecl) + "<info xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>",
       "UNSUPPORTED_ELEMENT", "root element must be <alert>"},

      // Structure: required, order, cardinality, unknown content.
      {"MissingScope", Edit("<scope>Public</scope>", ""), "MISSING_REQUIRED_ELEMENT",
       "alert: required element <scope> is missing"},
      {"MissingCategory", Edit("<category>Met</category>", ""), "MISSING_REQUIRED_ELEMENT",
       "info[0]: required element <category> is missing"},
      {"MissingMimeType", Edit("<mimeType>image/png</mimeType>", ""), "MISSING_REQUIRED_ELEMENT",
       "info[0]/resource[0]: required element <mimeType>"},
      {"EmptyEvent", Edit("<event>Typhoon</event>", "<event/>"), "MISSING_REQUIRED_ELEMENT",
       "info[0]/event: is present but empty"},
      {"EmptyAreaDesc", Edit("<areaDesc>Harbour district</areaDesc>", "<areaDesc></areaDesc>"),
       "MISSING_REQUIRED_ELEMENT", "info[0]/area[0]/areaDesc"},
      {"EmptyValueName", Edit("<valueName>colour</valueName>", "<valueName/>"),
       "MISSING_REQUIRED_ELEMENT", "info[0]/parameter[0]/valueName"},
      {"SenderBeforeIdentifier",
       Edit("<identifier>MUSTER-2026-0001</identifier>\n  <sender>ops@muster.example</sender>",
            "<sender>ops@muster.example</sender><identifier>MUSTER-2026-0001</identifier>"),
       "INVALID_SEQUENCE", "<identifier> must come before <sender>"},
      {"AreaBeforeResource",
       Edit("<area>",
            "</info><info><category>Met</category><event>x</event>"
            "<urgency>Past</urgency><severity>Minor</severity>"
            "<certainty>Observed</certainty><area><areaDesc>a</areaDesc></area>"
            "<resource><resourceDesc>d</resourceDesc><mimeType>text/plain</mimeType>"
            "</resource></info><info><category>Met</category><event>y</event>"
            "<urgency>Past</urgency><severity>Minor</severity>"
            "<certainty>Observed</certainty><area>"),
       "INVALID_SEQUENCE", "info[1]: <resource> must come before <area>"},
      {"ElementAfterSignature",
       Edit("</info>\n</alert>",
            "</info><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>"
            "<info><category>Met</category><event>x</event><urgency>Past</urgency>"
            "<severity>Minor</severity><certainty>Observed</certainty></info></alert>"),
       "INVALID_SEQUENCE", "must be the last child of <alert>"},
      {"DuplicateSender",
       Edit("<sender>ops@muster.example</sender>",
            "<sender>ops@muster.example</sender><sender>b@muster.example</sender>"),
       "DUPLICATE_ELEMENT", "alert: <sender> appears 2 times; at most 1 allowed"},
      {"DuplicateExpires",
       Edit("<expires>2026-11-29T21:00:00+08:00</expires>",
            "<expires>2026-11-29T21:00:00+08:00</expires>"
            "<expires>2026-11-30T21:00:00+08:00</expires>"),
       "DUPLICATE_ELEMENT", "info[0]: <expires> appears 2 times"},
      {"UnknownElement",
       Edit("<scope>Public</scope>", "<scope>Public</scope><priority>1</priority>"),
       "UNSUPPORTED_ELEMENT", "<priority> is not a CAP 1.2 child of <alert>"},
      {"ForeignNamespaceElement",
       Edit("<scope>Public</scope>", "<scope>Public</scope><x:ext xmlns:x=\"urn:ext\">1</x:ext>"),
       "UNSUPPORTED_ELEMENT", "in namespace 'urn:ext'"},
      {"SignatureInsideInfo",
       Edit("</area>", "</area><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>"),
       "UNSUPPORTED_ELEMENT", "info[0]: <Signature>"},
      {"AttributeOnCapElement", Edit("<status>", "<status lang=\"en\">"), "UNSUPPORTED_ATTRIBUTE",
       "attribute 'lang' is not allowed on <status>"},
      {"SchemaLocationOnAlert",
       Edit("<alert xmlns=",
            "<alert xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
            "xsi:schemaLocation=\"urn:x http://evil.example/a.xsd\" xmlns="),
       "UNSUPPORTED_ATTRIBUTE", "xsi:schemaLocation"},
      {"TextBetweenElements", Edit("<event>Typhoon</event>", "<event>Typhoon</event> stray "),
       "INVALID_CONTENT", "text is not allowed between the child elements of <info>"},
      {"ElementInsideTextElement",
       Edit("<headline>Typhoon warning</headline>", "<headline>Typhoon <b>warning</b></headline>"),
       "INVALID_CONTENT", "info[0]/headline: must contain only text"},

      // Enumerations: exact and case-sensitive.
      {"StatusLowercase", Edit("<status>Actual</status>", "<status>actual</status>"),
       "INVALID_ENUM_VALUE", "status 'actual': must be one of Actual, Exercise"},
      {"StatusWithTrailingSpace", Edit("<status>Actual</status>", "<status>Actual </status>"),
       "INVALID_ENUM_VALUE", "status 'Actual '"},
      {"UnknownCategory", Edit("<category>Met</category>", "<category>Weather</category>"),
       "INVALID_ENUM_VALUE", "info[0]/category[0] 'Weather'"},
      {"EmptyUrgency", Edit("<urgency>Immediate</urgency>", "<urgency></urgency>"),
       "INVALID_ENUM_VALUE", "is empty"},
      {"CertaintyVeryLikely",
       Edit("<certainty>Likely</certainty>", "<certainty>Very Likely</certainty>"),
       "CERTAINTY_VERY_LIKELY_DEPRECATED", "use Likely"},

      // identifier and sender characters.
      {"IdentifierWithSpace", Edit("MUSTER-2026-0001", "MUSTER 2026"), "INVALID_IDENTIFIER",
       "must not contain whitespace"},
      {"IdentifierWithComma", Edit("MUSTER-2026-0001", "MUSTER,2026"), "INVALID_IDENTIFIER",
       "must not contain ','"},
      {"IdentifierWithLessThan", Edit("MUSTER-2026-0001", "MUSTER&lt;2026"), "INVALID_IDENTIFIER",
       "must not contain '<'"},
      {"IdentifierWithAmpersand", Edit("MUSTER-2026-0001", "MUSTER&amp;2026"), "INVALID_IDENTIFIER",
       "must not contain '&'"},
      {"EmptyIdentifier", Edit("MUSTER-2026-0001", ""), "INVALID_IDENTIFIER", "is empty"},
      {"SenderWithSpace", Edit("ops@muster.example", "ops desk"), "INVALID_SENDER",
       "must not contain whitespace"},

      // dateTime.
      {"ExpiresWithZ", Edit("2026-11-29T21:00:00+08:00", "2026-11-28T21:00:00Z"), "INVALID_DATE",
       "INVALID_DATE: info[0]/expires '2026-11-28T21:00:00Z': alphabetic timezone designators "
       "such as \"Z\" must not be used"},
      {"SentWithFractionalSeconds",
       Edit("2026-11-28T21:05:00+08:00", "2026-11-28T21:05:00.5+08:00"), "INVALID_DATE",
       "sent '2026-11-28T21:05:00.5+08:00': fractional seconds are not allowed"},
      {"SentWithCommaOffset", Edit("2026-11-28T21:05:00+08:00", "2026-11-28T21:05:00,08:00"),
       "INVALID_DATE", "a comma is not a valid UTC offset sign"},
      {"SentWithoutOffset", Edit("2026-11-28T21:05:00+08:00", "2026-11-28T21:05:00"),
       "INVALID_DATE", "a numeric UTC offset (+hh:mm or -hh:mm) is required"},
      {"SentDateOnly", Edit("2026-11-28T21:05:00+08:00", "2026-11-28"), "INVALID_DATE",
       "must have the form"},
      {"SentMonth13", Edit("2026-11-28T21:05:00+08:00", "2026-13-28T21:05:00+08:00"),
       "INVALID_DATE", "month must be 01..12"},
      {"SentFebruary30", Edit("2026-11-28T21:05:00+08:00", "2026-02-30T21:05:00+08:00"),
       "INVALID_DATE", "day 30 does not exist"},
      {"SentHour24", Edit("2026-11-28T21:05:00+08:00", "2026-11-28T24:00:00+08:00"), "INVALID_DATE",
       "hour must be 00..23"},
      {"SentOffsetBeyond14Hours", Edit("2026-11-28T21:05:00+08:00", "2026-11-28T21:05:00+15:00"),
       "INVALID_DATE", "within -14:00..+14:00"},
      {"SentWithSurroundingSpace", Edit("2026-11-28T21:05:00+08:00", " 2026-11-28T21:05:00+08:00"),
       "INVALID_DATE", "must have the form"},

      // references.
      {"EmptyReferences",
       Edit("<msgType>Alert</msgType>\n  <scope>Public</scope>",
            "<msgType>Update</msgType><scope>Public</scope><references/>"),
       "INVALID_REFERENCES", "must name at least one sender,identifier,sent triple"},
      {"ReferenceNotATriple",
       Edit("<scope>Public</scope>", "<scope>Public</scope><references>a@b,ID-1</references>"),
       "INVALID_REFERENCES", "entry 1 'a@b,ID-1' must be a sender,identifier,sent triple"},
      {"ReferenceWithBadSent",
       Edit("<scope>Public</scope>",
            "<scope>Public</scope><references>a@b,ID-1,2026-11-28T20:00:00Z</references>"),
       "INVALID_REFERENCES", "sent alphabetic timezone designators"},
      {"ReferenceToItself",
       Edit("<scope>Public</scope>",
            "<scope>Public</scope><references>ops@muster.example,MUSTER-2026-0001,"
            "2026-11-28T21:05:00+08:00</references>"),
       "CIRCULAR_REFERENCE", "names this alert itself"},
      {"UpdateWithoutReferences", Edit("<msgType>Alert</msgType>", "<msgType>Update</msgType>"),
       "UPDATE_OR_CANCEL_MUST_REFERENCE", "msgType Update must name"},
      {"CancelWithoutReferences", Edit("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>"),
       "UPDATE_OR_CANCEL_MUST_REFERENCE", "msgType Cancel"},
      {"AckWithoutReferences", Edit("<msgType>Alert</msgType>", "<msgType>Ack</msgType>"),
       "UPDATE_OR_CANCEL_MUST_REFERENCE", "msgType Ack"},
      {"ErrorWithoutReferences", Edit("<msgType>Alert</msgType>", "<msgType>Error</msgType>"),
       "UPDATE_OR_CANCEL_MUST_REFERENCE", "msgType Error"},

      // scope rules.
      {"RestrictionWithPublicScope",
       Edit("<scope>Public</scope>", "<scope>Public</scope><restriction>staff only</restriction>"),
       "RESTRICTION_SCOPE_MISMATCH", "only allowed with scope Restricted"},
      {"PrivateWithoutAddresses", Edit("<scope>Public</scope>", "<scope>Private</scope>"),
       "ADDRESSES_SCOPE_MISMATCH", "scope Private requires a non-empty <addresses>"},
      {"PrivateWithEmptyAddresses",
       Edit("<scope>Public</scope>", "<scope>Private</scope><addresses/>"),
       "ADDRESSES_SCOPE_MISMATCH", "scope Private"},

      // Geometry.
      {"PolygonWithThreePairs",
       Edit("22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10 22.50,114.00",
            "22.50,114.00 22.60,114.00 22.50,114.00"),
       "INVALID_POLYGON", "has 3 coordinate pairs; at least 4 are required"},
      {"PolygonNotClosed", Edit("22.50,114.10 22.50,114.00", "22.50,114.10 22.51,114.00"),
       "INVALID_POLYGON", "is not closed"},
      {"PolygonLatitudeOutOfRange", Edit("22.60,114.00", "91.0,114.00"), "INVALID_POLYGON",
       "latitude must be within -90..90"},
      {"PolygonLongitudeOutOfRange", Edit("22.60,114.00", "22.60,181.00"), "INVALID_POLYGON",
       "longitude must be within -180..180"},
      {"PolygonTrailingComma", Edit("22.60,114.00 ", "22.60,114.00, "), "INVALID_POLYGON",
       "pair 2 '22.60,114.00,'"},
      {"PolygonEmpty", Edit("22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10 22.50,114.00", ""),
       "INVALID_POLYGON", "has 0 coordinate pairs"},
      {"PolygonBowTie",
       Edit("22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10 22.50,114.00",
            "0,0 0,10 10,0 10,10 0,0"),
       "INVALID_POLYGON_SELF_INTERSECTION", "crosses"},
      {"PolygonDoublesBack",
       Edit("22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10 22.50,114.00",
            "0,0 0,10 0,5 10,10 0,0"),
       "INVALID_POLYGON_SELF_INTERSECTION", "doubles back"},
      {"CircleWithoutRadius", Edit("22.55,114.05 5", "22.55,114.05"), "INVALID_CIRCLE",
       "one space, then a radius"},
      {"CircleNegativeRadius", Edit("22.55,114.05 5", "22.55,114.05 -5"), "INVALID_CIRCLE",
       "radius must not be negative"},
      {"CircleTwoSpaces", Edit("22.55,114.05 5", "22.55,114.05  5"), "INVALID_CIRCLE", "one space"},
      {"CircleCentreOutOfRange", Edit("22.55,114.05 5", "122.55,114.05 5"), "INVALID_CIRCLE",
       "centre latitude must be within -90..90"},
      {"CeilingWithoutAltitude", Edit("<altitude>0</altitude>", ""), "INVALID_AREA",
       "<ceiling> is only allowed together with <altitude>"},
      {"AltitudeAboveCeiling", Edit("<altitude>0</altitude>", "<altitude>2000</altitude>"),
       "INVALID_ALTITUDE_CEILING_RANGE", "must not be below altitude '2000'"},
      {"AltitudeNotDecimal", Edit("<altitude>0</altitude>", "<altitude>high</altitude>"),
       "INVALID_ALTITUDE", "must be a decimal number"},
      {"CeilingNotDecimal", Edit("<ceiling>1000</ceiling>", "<ceiling>1e3</ceiling>"),
       "INVALID_CEILING", "must be a decimal number"},

      // Other value rules of §1.5 item 11.
      {"LanguageWithUnderscore", Edit("<language>zh-CN</language>", "<language>zh_CN</language>"),
       "INVALID_LANGUAGE", "RFC 3066"},
      {"EmptyLanguage", Edit("<language>zh-CN</language>", "<language/>"), "INVALID_LANGUAGE",
       "info[0]/language ''"},
      {"MimeTypeWithoutSubtype", Edit("image/png", "png"), "INVALID_MIME_TYPE",
       "registered top-level type"},
      {"MimeTypeUnregisteredTopLevel", Edit("image/png", "picture/png"), "INVALID_MIME_TYPE",
       "picture/png"},
      {"NegativeSize", Edit("<size>1024</size>", "<size>-1</size>"), "INVALID_SIZE",
       "non-negative integer"},
      {"RelativeUriWithoutDerefUri", Edit("https://muster.example/map.png", "map.png"),
       "RELATIVE_URI_MISSING_DEREF_URI", "only allowed together with <derefUri>"},
      {"UriWithSpace", Edit("https://muster.example/map.png", "https://muster.example/a map.png"),
       "INVALID_URI", "without whitespace"},
      {"DerefUriNotBase64",
       Edit("<uri>https://muster.example/map.png</uri>",
            "<uri>map.png</uri><derefUri>not base64!</derefUri>"),
       "INVALID_DEREF_URI", "base64"},
      {"RelativeWeb", Edit("https://muster.example/alerts/1", "alerts/1"), "INVALID_WEB",
       "absolute URI"},
  };
  return r;
}

class RefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(RefusalTest, RefusedWithSpecificReason) {
  const Refusal& c = GetParam();
  Status status = Parse(c.xml);
  ASSERT_FALSE(status.ok()) << c.name << " was accepted";
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CapReasonCode(status), c.code) << status.message();
  EXPECT_NE(status.message().find(c.fragment), std::string::npos)
      << "reason: " << status.message() << "\nexpected to contain: " << c.fragment;
  std::printf("  %-50s %s\n", c.name.c_str(), status.message().substr(0, 160).c_str());
}

INSTANTIATE_TEST_SUITE_P(ParseCap, RefusalTest, ::testing::ValuesIn(Refusals()),
                         [](const ::testing::TestParamInfo<Refusal>& info) {
                           return info.param.name;
                         });

// --- What a conformant document may contain -----------------------------------------------------

TEST(ParseCapTest, BaseDocumentFillsEveryField) {
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(kBase, alert).ok());
  EXPECT_EQ(alert.getIdentifier(), "MUSTER-2026-0001");
  EXPECT_EQ(alert.getSender(), "ops@muster.example");
  EXPECT_EQ(alert.getSent(), "2026-11-28T21:05:00+08:00");
  EXPECT_EQ(alert.getStatus(), Alert::CapStatus::ACTUAL);
  EXPECT_EQ(alert.getMsgType(), Alert::MsgType::ALERT);
  EXPECT_EQ(alert.getScope(), Alert::Scope::PUBLIC);
  EXPECT_FALSE(alert.getHasSignature());
  ASSERT_EQ(alert.getInfos().size(), 1u);
  auto info = alert.getInfos()[0];
  EXPECT_EQ(info.getLanguage(), "zh-CN");
  ASSERT_EQ(info.getCategories().size(), 1u);
  EXPECT_EQ(info.getCategories()[0], Alert::Category::MET);
  EXPECT_EQ(info.getUrgency(), Alert::Urgency::IMMEDIATE);
  EXPECT_EQ(info.getSeverity(), Alert::Severity::SEVERE);
  EXPECT_EQ(info.getCertainty(), Alert::Certainty::LIKELY);
  EXPECT_EQ(info.getExpires(), "2026-11-29T21:00:00+08:00");
  EXPECT_EQ(info.getEffective(), "");
  ASSERT_EQ(info.getParameters().size(), 1u);
  EXPECT_EQ(info.getParameters()[0].getName(), "colour");
  EXPECT_EQ(info.getParameters()[0].getValue(), "orange");
  ASSERT_EQ(info.getResources().size(), 1u);
  EXPECT_EQ(info.getResources()[0].getMimeType(), "image/png");
  EXPECT_EQ(info.getResources()[0].getSize(), "1024");
  ASSERT_EQ(info.getAreas().size(), 1u);
  auto area = info.getAreas()[0];
  EXPECT_EQ(area.getPolygons().size(), 1u);
  EXPECT_EQ(area.getCircles()[0], "22.55,114.05 5");
  EXPECT_EQ(area.getGeocodes()[0].getValue(), "440304");
  EXPECT_EQ(area.getAltitude(), "0");
  EXPECT_EQ(area.getCeiling(), "1000");
}

TEST(ParseCapTest, AcceptsAnyPrefixForTheCapNamespace) {
  std::string xml = std::string(kDecl) +
                    "<c:alert xmlns:c=\"urn:oasis:names:tc:emergency:cap:1.2\">"
                    "<c:identifier>A1</c:identifier><c:sender>s@x</c:sender>"
                    "<c:sent>2026-01-01T00:00:00-00:00</c:sent><c:status>Test</c:status>"
                    "<c:msgType>Alert</c:msgType><c:scope>Public</c:scope></c:alert>";
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok()) << Parse(xml).message();
  EXPECT_EQ(alert.getStatus(), Alert::CapStatus::TEST);
  EXPECT_EQ(alert.getInfos().size(), 0u);
}

TEST(ParseCapTest, DecodesPredefinedAndCharacterReferencesAndCdata) {
  std::string xml = Edit("<headline>Typhoon warning</headline>",
                         "<headline>A &amp; B &lt;C&gt; &#x4E2D;&#25991; <![CDATA[<raw> & ]]>"
                         "<!-- dropped -->end</headline>");
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok()) << Parse(xml).message();
  EXPECT_EQ(alert.getInfos()[0].getHeadline(), "A & B <C> 中文 <raw> & end");
}

TEST(ParseCapTest, CommentThatMentionsDoctypeIsNotMarkup) {
  std::string xml =
      Edit("<scope>Public</scope>", "<!-- <!DOCTYPE x> <?pi?> &xxe; --><scope>Public</scope>");
  EXPECT_TRUE(Parse(xml).ok()) << Parse(xml).message();
}

TEST(ParseCapTest, KeepsTextExactlyIncludingWhitespace) {
  std::string xml = Edit("<headline>Typhoon warning</headline>",
                         "<headline>  two\n  lines\t</headline><description>   </description>");
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok());
  EXPECT_EQ(alert.getInfos()[0].getHeadline(), "  two\n  lines\t");
  EXPECT_EQ(alert.getInfos()[0].getDescription(), "   ");
}

TEST(ParseCapTest, NormalisesCrLfButKeepsEscapedCarriageReturn) {
  std::string xml =
      Edit("<headline>Typhoon warning</headline>", "<headline>a\r\nb&#13;c</headline>");
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok());
  EXPECT_EQ(alert.getInfos()[0].getHeadline(), "a\nb\rc");
}

TEST(ParseCapTest, EmptyOptionalTextElementsReadAsAbsent) {
  std::string xml =
      Edit("<scope>Public</scope>", "<scope>Public</scope><addresses/><note></note><incidents/>");
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok()) << Parse(xml).message();
  EXPECT_EQ(alert.getNote(), "");
  EXPECT_EQ(alert.getAddresses(), "");
  EXPECT_EQ(alert.getIncidents(), "");
}

TEST(ParseCapTest, TextOfExactly64KiBIsAccepted) {
  std::string xml = Edit("Typhoon warning", std::string(kMaxTextBytes, 'a'));
  EXPECT_TRUE(Parse(xml).ok()) << Parse(xml).message();
}

TEST(ParseCapTest, AcceptsAVerifiedTrailingSignatureAndRecordsIt) {
  std::string xml = internal::SignForTest(kBase);
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok()) << Parse(xml).message();
  EXPECT_TRUE(alert.getHasSignature());
}

TEST(ParseCapTest, RefusesASignatureThatIsOnlyAPlaceholder) {
  std::string xml = Edit("</info>\n</alert>",
                         "</info>\n<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">"
                         "<ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue>"
                         "</ds:Signature>\n</alert>");
  Status status = Parse(xml);
  EXPECT_EQ(CapReasonCode(status), "INVALID_SIGNATURE") << status.message();
}

// The stylesheet PI is a presentation hint: accepted in the prolog, never applied, and the
// original bytes (PI included) are what travels.
TEST(ParseCapTest, AcceptsStylesheetProcessingInstructionsInTheProlog) {
  std::string xml =
      Edit(kDecl, std::string(kDecl) +
                      "\n<?xml-stylesheet type=\"text/xsl\" href=\"https://x/a.xsl\"?>"
                      "\n<!-- c --><?xml-stylesheet href=\"b.css\" type=\"text/css\"?>");
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok()) << Parse(xml).message();
  EXPECT_EQ(alert.getIdentifier(), "MUSTER-2026-0001");
  // Without an XML declaration the PI may come first.
  std::string bare = "<?xml-stylesheet href=\"a.xsl\"?>" + std::string(kBase.substr(kDecl.size()));
  EXPECT_TRUE(Parse(bare).ok()) << Parse(bare).message();
}

// A signature checked against a stylesheet PI that was part of the signed document.
TEST(ParseCapTest, AcceptsASignedAlertWithAStylesheetProcessingInstruction) {
  std::string xml = internal::SignForTest(
      Edit(kDecl, std::string(kDecl) + "\n<?xml-stylesheet href=\"https://x/a.xsl\"?>"));
  EXPECT_TRUE(Parse(xml).ok()) << Parse(xml).message();
}

TEST(ParseCapTest, AcceptsUtcWrittenEitherWay) {
  EXPECT_TRUE(Parse(Edit("2026-11-28T21:05:00+08:00", "2026-11-28T13:05:00-00:00")).ok());
  EXPECT_TRUE(Parse(Edit("2026-11-28T21:05:00+08:00", "2026-11-28T13:05:00+00:00")).ok());
}

TEST(ParseCapTest, AcceptsReferencesUpdateAndRestrictedScope) {
  std::string xml = Edit("<msgType>Alert</msgType>\n  <scope>Public</scope>",
                         "<msgType>Update</msgType><scope>Restricted</scope>"
                         "<restriction>responders only</restriction>"
                         "<references>ops@muster.example,MUSTER-2026-0000,"
                         "2026-11-28T20:00:00+08:00\n  other@x,ID-9,2026-11-28T12:00:00-00:00"
                         "</references>");
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok()) << Parse(xml).message();
  EXPECT_EQ(alert.getScope(), Alert::Scope::RESTRICTED);
  EXPECT_EQ(alert.getRestriction(), "responders only");
}

TEST(ParseCapTest, AcceptsPrivateScopeWithAddresses) {
  std::string xml = Edit("<scope>Public</scope>",
                         "<scope>Private</scope><addresses>ops \"fire desk\"</addresses>");
  EXPECT_TRUE(Parse(xml).ok()) << Parse(xml).message();
}

TEST(ParseCapTest, AcceptsRelativeUriWithDerefUri) {
  std::string xml = Edit("<uri>https://muster.example/map.png</uri>",
                         "<uri>map.png</uri><derefUri>aGVs\n bG8=</derefUri>");
  EXPECT_TRUE(Parse(xml).ok()) << Parse(xml).message();
}

TEST(ParseCapTest, AcceptsPolygonSpreadOverLinesAndSignedDecimals) {
  std::string xml = Edit("22.50,114.00 22.60,114.00 22.60,114.10 22.50,114.10 22.50,114.00",
                         "\n +22.50,114.00\n  22.60,+114.00 22.60,114.10\t22.50,114.1 "
                         "22.5,114.0\n");
  EXPECT_TRUE(Parse(xml).ok()) << Parse(xml).message();
}

TEST(ParseCapTest, AcceptsLatin1AsDeclaredAndStoresUtf8) {
  std::string xml = Edit("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
  xml = Edit("Typhoon warning", "Usulut\xE1n", xml);
  capnp::MallocMessageBuilder message;
  auto alert = message.initRoot<Alert>();
  ASSERT_TRUE(ParseCap(xml, alert).ok()) << Parse(xml).message();
  EXPECT_EQ(alert.getInfos()[0].getHeadline(), "Usulut\xC3\xA1n");
}

TEST(ParseCapTest, AcceptsUtf8ByteOrderMarkAndNoDeclaration) {
  EXPECT_TRUE(Parse("\xEF\xBB\xBF" + std::string(kBase)).ok());
  EXPECT_TRUE(Parse(std::string(kBase).substr(kDecl.size())).ok());
}

TEST(ParseCapTest, ParseCapMessageOwnsTheResultOnlyOnSuccess) {
  auto ok = ParseCapMessage(kBase);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->getRoot<Alert>().asReader().getIdentifier(), "MUSTER-2026-0001");
  auto bad = ParseCapMessage(Edit("<scope>Public</scope>", ""));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(CapReasonCode(bad.status()), "MISSING_REQUIRED_ELEMENT");
}

TEST(ParseCapTest, ReasonCodeOfOtherStatuses) {
  EXPECT_EQ(CapReasonCode(Status::Ok()), "");
  EXPECT_EQ(CapReasonCode(Status::InvalidArgument("no code here")), "");
  EXPECT_EQ(CapReasonCode(Status::InvalidArgument("INVALID_DATE: sent")), "INVALID_DATE");
}

TEST(ParseCapTest, EmptyAndGarbageInputsAreRefused) {
  EXPECT_EQ(CapReasonCode(Parse("")), "MALFORMED_XML");
  EXPECT_EQ(CapReasonCode(Parse("not xml at all")), "MALFORMED_XML");
  EXPECT_EQ(CapReasonCode(Parse("<alert")), "MALFORMED_XML");
  EXPECT_EQ(CapReasonCode(Parse(std::string(kDecl))), "MALFORMED_XML");
}

}  // namespace
}  // namespace muster::cap
