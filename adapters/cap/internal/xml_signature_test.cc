// Signed alerts through ParseCap: genuine signatures verify; a signature altered anywhere, content
// altered after signing, non-canonical base64, references that do not cover the whole alert and
// algorithms outside the accepted list are refused with their own reason code. Publisher layout
// changes after signing (indentation, an added xml-stylesheet PI) are tolerated.
#include "adapters/cap/internal/xml_signature.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "adapters/cap/cap_parser.h"
#include "adapters/cap/internal/test_signing.h"

namespace muster::cap::internal {
namespace {

using schema::Alert;

constexpr std::string_view kAlert = R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>MUSTER-2026-0042</identifier>
  <sender>ops@muster.example</sender>
  <sent>2026-11-28T21:05:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Safety</category>
    <event>Dam release</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>Evacuate the river bank below the dam</headline>
    <area>
      <areaDesc>River bank</areaDesc>
    </area>
  </info>
</alert>
)";

const std::string& Signed() {
  static const std::string* const kSigned = new std::string(SignForTest(kAlert));
  return *kSigned;
}

Status Parse(std::string_view xml) {
  capnp::MallocMessageBuilder message;
  return ParseCap(xml, message.initRoot<Alert>());
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "test bug: " << from << " is not in the document";
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

// [begin, end) of the text of the first <name> element.
std::pair<size_t, size_t> TextOf(const std::string& xml, std::string_view name) {
  size_t open = xml.find("<" + std::string(name) + ">");
  EXPECT_NE(open, std::string::npos) << name;
  size_t begin = open + name.size() + 2;
  size_t end = xml.find("</" + std::string(name) + ">", begin);
  return {begin, end};
}

TEST(XmlSignatureTest, GenuineSignatureVerifies) {
  EXPECT_NE(Signed().find("<SignatureValue>"), std::string::npos);
  Status status = Parse(Signed());
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(VerifyEnvelopedSignatures(Signed()).ok());
}

TEST(XmlSignatureTest, VerifyingADocumentWithoutSignatureFailsClosed) {
  EXPECT_TRUE(Parse(kAlert).ok());  // unsigned alerts are accepted; the verifier is not called
  Status status = VerifyEnvelopedSignatures(kAlert);
  EXPECT_EQ(CapReasonCode(status), "INVALID_SIGNATURE") << status.message();
}

// Every character of the signature value, changed to another character that keeps the base64
// canonical: each alteration is refused as INVALID_SIGNATURE.
TEST(XmlSignatureTest, SignatureValueAlteredCharacterByCharacterIsRefused) {
  const std::string& xml = Signed();
  auto [begin, end] = TextOf(xml, "SignatureValue");
  size_t altered = 0;
  for (size_t i = begin; i < end; ++i) {
    char c = xml[i];
    if (c == '=' || c == '\n' || c == '\r') continue;
    // The character before the padding keeps the padding bits zero: A <-> Q, g <-> w.
    bool before_padding = i + 1 < end && xml[i + 1] == '=';
    char replacement = before_padding ? (c == 'A' ? 'Q' : 'A') : (c == 'A' ? 'B' : 'A');
    std::string copy = xml;
    copy[i] = replacement;
    Status status = Parse(copy);
    ASSERT_EQ(CapReasonCode(status), "INVALID_SIGNATURE")
        << "character " << (i - begin) << ": " << status.message();
    ++altered;
  }
  EXPECT_GT(altered, 300u);  // 2048-bit RSA: 344 base64 characters
  Status one = Parse(Replace(xml, xml.substr(begin, 4), "AAAA"));
  EXPECT_NE(one.message().find("<SignatureValue> does not verify"), std::string::npos)
      << one.message();
}

TEST(XmlSignatureTest, ContentAlteredAfterSigningIsRefused) {
  for (auto [from, to] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"Evacuate the river bank", "Stay on the river bank"},
           {"<urgency>Immediate</urgency>", "<urgency>Future</urgency>"},
           {"<areaDesc>River bank</areaDesc>", "<areaDesc>River bank </areaDesc>"},
           {"<scope>Public</scope>", "<scope>Public</scope><code>x</code>"}}) {
    Status status = Parse(Replace(Signed(), from, to));
    EXPECT_EQ(CapReasonCode(status), "INVALID_DIGEST") << from << ": " << status.message();
    EXPECT_NE(status.message().find("changed after it was signed"), std::string::npos);
  }
}

TEST(XmlSignatureTest, DigestValueAlteredIsRefused) {
  auto [begin, end] = TextOf(Signed(), "DigestValue");
  std::string copy = Signed();
  copy[begin] = copy[begin] == 'A' ? 'B' : 'A';
  Status status = Parse(copy);
  EXPECT_EQ(CapReasonCode(status), "INVALID_DIGEST") << status.message();
}

// kAlert without the whitespace between elements, as some publishers sign it.
std::string Compact() {
  std::string out;
  std::string_view in = kAlert;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '>') {
      out += '>';
      size_t j = in.find_first_not_of(" \n", i + 1);
      if (j != std::string_view::npos && in[j] == '<') i = j - 1;
      continue;
    }
    out += in[i];
  }
  return out;
}

// Layout changed by the publisher after signing (re-indented, an xml-stylesheet PI added): the
// alert's elements and text are what was signed, so it is accepted.
TEST(XmlSignatureTest, LayoutChangedAfterSigningIsAccepted) {
  // Everything compact when signed (as the Seychelles sample of the corpus was).
  std::string compact_signed = SignForTest(Compact(), /*compact_signature=*/true);
  ASSERT_EQ(compact_signed.find("<scope>Public</scope>\n"), std::string::npos);
  std::string xml = Replace(compact_signed, "<scope>Public</scope>", "<scope>Public</scope>\n  \t");
  xml = Replace(xml, "<SignedInfo>", "<SignedInfo>\n      ");
  xml = Replace(xml, "<alert ", "<?xml-stylesheet href=\"https://x/a.xsl\"?>\n<alert ");
  Status status = Parse(xml);
  EXPECT_TRUE(status.ok()) << status.message();
  // Compact alert, signature laid out by the signer, alert indented afterwards.
  std::string laid_out = Replace(SignForTest(Compact()), "<info>", "\n  <info>\n    ");
  EXPECT_TRUE(Parse(laid_out).ok()) << Parse(laid_out).message();
  // A stylesheet PI added to an indented signed alert.
  std::string with_pi = Replace(Signed(), "<alert ", "<?xml-stylesheet href=\"a.xsl\"?><alert ");
  EXPECT_TRUE(Parse(with_pi).ok()) << Parse(with_pi).message();
  // Whitespace inside element text is content, not layout.
  std::string text_changed = Replace(compact_signed, "<event>Dam release", "<event>Dam  release");
  EXPECT_EQ(CapReasonCode(Parse(text_changed)), "INVALID_DIGEST");
}

TEST(XmlSignatureTest, NonCanonicalBase64IsRefusedWithTheElementsCode) {
  const std::string& xml = Signed();
  // Only the padding bits change: the decoded bytes are the same, the text is not base64Binary.
  struct Case {
    std::string_view element;
    std::string_view code;
  };
  for (Case c : {Case{"SignatureValue", "INVALID_SIGNATURE"}, Case{"DigestValue", "INVALID_DIGEST"},
                 Case{"Modulus", "INVALID_SIGNATURE"}}) {
    auto [begin, end] = TextOf(xml, c.element);
    std::string copy = xml;
    size_t last = copy.find_last_not_of("=\n\r", end - 1);
    ASSERT_GT(last, begin);
    ASSERT_LT(last + 1, end) << c.element << " has no padding in this signature";
    copy[last] = static_cast<char>(copy[last] + 1);
    Status status = Parse(copy);
    EXPECT_EQ(CapReasonCode(status), c.code) << status.message();
    EXPECT_NE(status.message().find("not canonical base64"), std::string::npos) << status.message();
  }
}

TEST(XmlSignatureTest, ReferencesThatDoNotCoverTheWholeAlertAreRefused) {
  for (std::string_view uri :
       {"#MUSTER-2026-0042", "http://evil.example/alert.xml", "file:///etc/passwd"}) {
    std::string xml = Replace(Signed(), "URI=\"\"", "URI=\"" + std::string(uri) + "\"");
    Status status = Parse(xml);
    EXPECT_EQ(CapReasonCode(status), "UNSUPPORTED_SIGNATURE") << status.message();
  }
  std::string no_uri = Replace(Signed(), "<Reference URI=\"\">", "<Reference>");
  EXPECT_EQ(CapReasonCode(Parse(no_uri)), "UNSUPPORTED_SIGNATURE");
}

TEST(XmlSignatureTest, TransformsOutsideTheAcceptedListAreRefused) {
  std::string xslt =
      Replace(Signed(), "<Transforms>",
              "<Transforms><Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>");
  Status status = Parse(xslt);
  EXPECT_EQ(CapReasonCode(status), "UNSUPPORTED_SIGNATURE") << status.message();
  EXPECT_NE(status.message().find("REC-xslt"), std::string::npos);
  std::string hmac = Replace(Signed(), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                             "http://www.w3.org/2000/09/xmldsig#hmac-sha1");
  EXPECT_EQ(CapReasonCode(Parse(hmac)), "UNSUPPORTED_SIGNATURE");
}

TEST(XmlSignatureTest, SignatureWithoutAKeyIsRefused) {
  const std::string& xml = Signed();
  size_t begin = xml.find("<KeyInfo>");
  size_t end = xml.find("</KeyInfo>");
  ASSERT_NE(begin, std::string::npos);
  std::string copy = xml;
  copy.erase(begin, end + std::string_view("</KeyInfo>").size() - begin);
  Status status = Parse(copy);
  EXPECT_EQ(CapReasonCode(status), "UNSUPPORTED_SIGNATURE") << status.message();
  EXPECT_NE(status.message().find("KeyInfo"), std::string::npos) << status.message();
}

TEST(XmlSignatureTest, IncompleteSignatureIsRefused) {
  std::string placeholder = Replace(std::string(kAlert), "</info>\n</alert>",
                                    "</info>\n<Signature xmlns=\"http://www.w3.org/2000/09/"
                                    "xmldsig#\">\n   ...\n</Signature>\n</alert>");
  Status status = Parse(placeholder);
  EXPECT_EQ(CapReasonCode(status), "INVALID_SIGNATURE") << status.message();
  EXPECT_NE(status.message().find("has no <SignedInfo>"), std::string::npos) << status.message();
}

TEST(XmlSignatureTest, SignatureWithoutReferenceIsRefused) {
  const std::string& xml = Signed();
  size_t begin = xml.find("<Reference");
  size_t end = xml.find("</Reference>");
  ASSERT_NE(begin, std::string::npos);
  std::string copy = xml;
  copy.erase(begin, end + std::string_view("</Reference>").size() - begin);
  Status status = Parse(copy);
  EXPECT_EQ(CapReasonCode(status), "INVALID_SIGNATURE") << status.message();
  EXPECT_NE(status.message().find("covers nothing"), std::string::npos) << status.message();
}

TEST(XmlSignatureTest, MoreThanOneSignatureIsRefused) {
  Status status = Parse(SignForTest(Signed()));
  EXPECT_EQ(CapReasonCode(status), "UNSUPPORTED_SIGNATURE") << status.message();
  EXPECT_NE(status.message().find("only one enveloped <Signature>"), std::string::npos);
}

}  // namespace
}  // namespace muster::cap::internal
