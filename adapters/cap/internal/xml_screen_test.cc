// ScreenXml's processing-instruction rules: by default only the XML declaration; with
// allow_prolog_stylesheet, xml-stylesheet before the root element too, and nothing else.
#include "adapters/cap/internal/xml_screen.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace muster::cap::internal {
namespace {

constexpr size_t kLimit = 1 << 20;
constexpr ScreenOptions kAllowStylesheet{.allow_prolog_stylesheet = true};

std::string Code(const Result<ScreenedXml>& r) {
  if (r.ok()) return "OK";
  const std::string& m = r.status().message();
  return m.substr(0, m.find(':'));
}

TEST(XmlScreenTest, StylesheetIsRefusedByDefault) {
  // The two-argument form keeps its meaning for the other XML adapters.
  std::string_view xml = "<?xml version=\"1.0\"?><?xml-stylesheet href=\"a.xsl\"?><a/>";
  EXPECT_EQ(Code(ScreenXml(xml, kLimit)), "FORBIDDEN_PROCESSING_INSTRUCTION");
  EXPECT_EQ(Code(ScreenXml(xml, kLimit, ScreenOptions{})), "FORBIDDEN_PROCESSING_INSTRUCTION");
  EXPECT_EQ(Code(ScreenXml(xml, kLimit, kAllowStylesheet)), "OK");
}

TEST(XmlScreenTest, StylesheetIsAcceptedOnlyBeforeTheRoot) {
  EXPECT_EQ(Code(ScreenXml("<?xml-stylesheet href=\"a.xsl\"?>\n<!-- x -->\n"
                           "<?xml-stylesheet\thref=\"b.css\"?><a/>",
                           kLimit, kAllowStylesheet)),
            "OK");
  EXPECT_EQ(Code(ScreenXml("<a><?xml-stylesheet href=\"a.xsl\"?></a>", kLimit, kAllowStylesheet)),
            "FORBIDDEN_PROCESSING_INSTRUCTION");
  EXPECT_EQ(Code(ScreenXml("<a/><?xml-stylesheet href=\"a.xsl\"?>", kLimit, kAllowStylesheet)),
            "FORBIDDEN_PROCESSING_INSTRUCTION");
}

TEST(XmlScreenTest, OtherProcessingInstructionsStayRefused) {
  for (std::string_view pi : {"<?xml-stylesheetx href=\"a\"?>", "<?xml-stylesheet-2 a?>",
                              "<?XML-STYLESHEET href=\"a\"?>", "<?php echo 1?>", "<?pi?>"}) {
    std::string xml = std::string(pi) + "<a/>";
    EXPECT_EQ(Code(ScreenXml(xml, kLimit, kAllowStylesheet)), "FORBIDDEN_PROCESSING_INSTRUCTION")
        << pi;
  }
  // The XML declaration must still come first.
  EXPECT_EQ(Code(ScreenXml("<?xml-stylesheet href=\"a\"?><?xml version=\"1.0\"?><a/>", kLimit,
                           kAllowStylesheet)),
            "FORBIDDEN_PROCESSING_INSTRUCTION");
}

TEST(XmlScreenTest, StylesheetDoesNotHideOtherFindings) {
  EXPECT_EQ(
      Code(ScreenXml("<?xml-stylesheet href=\"a\"?><!DOCTYPE a><a/>", kLimit, kAllowStylesheet)),
      "FORBIDDEN_DTD");
  EXPECT_EQ(Code(ScreenXml("<?xml-stylesheet href=\"a\"?><a>&ent;</a>", kLimit, kAllowStylesheet)),
            "FORBIDDEN_ENTITY");
  EXPECT_EQ(Code(ScreenXml("<?xml-stylesheet href=\"a\"<a/>", kLimit, kAllowStylesheet)),
            "MALFORMED_XML");
}

}  // namespace
}  // namespace muster::cap::internal
