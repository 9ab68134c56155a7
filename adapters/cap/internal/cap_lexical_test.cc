// Lexical rules of CAP values, tested directly on their edge cases.
#include "adapters/cap/internal/cap_lexical.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

namespace muster::cap::internal {
namespace {

TEST(DateTimeTest, CalendarAndOffsetRanges) {
  EXPECT_FALSE(DateTimeProblem("2024-02-29T00:00:00+08:00"));
  EXPECT_FALSE(DateTimeProblem("2000-02-29T00:00:00-00:00"));
  EXPECT_TRUE(DateTimeProblem("2023-02-29T00:00:00+08:00"));
  EXPECT_TRUE(DateTimeProblem("1900-02-29T00:00:00+08:00"));
  EXPECT_TRUE(DateTimeProblem("2026-04-31T00:00:00+08:00"));
  EXPECT_FALSE(DateTimeProblem("2026-12-31T23:59:59+14:00"));
  EXPECT_TRUE(DateTimeProblem("2026-12-31T23:59:59+14:01"));
  EXPECT_TRUE(DateTimeProblem("2026-12-31T23:59:60+08:00"));
  EXPECT_TRUE(DateTimeProblem("2026-12-31T23:60:00+08:00"));
  EXPECT_TRUE(DateTimeProblem("2026-12-31T23:00:00+08:60"));
  EXPECT_TRUE(DateTimeProblem("0000-01-01T00:00:00+00:00"));
  EXPECT_TRUE(DateTimeProblem("2026-12-31t23:00:00+08:00"));
  EXPECT_TRUE(DateTimeProblem("2026-12-31T23:00:00+08:00 "));
  EXPECT_TRUE(DateTimeProblem("2026-12-31T23:00:00+8:00"));
  EXPECT_TRUE(DateTimeProblem("2026-12-31T23:00:00UTC"));
  EXPECT_EQ(DateTimeProblem("2026-12-31T23:00:00z")->code, "INVALID_DATE");
}

TEST(IdentifierTest, ForbiddenCharacters) {
  EXPECT_FALSE(IdentifierProblem("urn:oid:2.49.0.1.156.0.2024", "INVALID_IDENTIFIER"));
  EXPECT_FALSE(IdentifierProblem("13060041600000_20240712213138", "INVALID_IDENTIFIER"));
  for (const char* bad : {"a b", "a\tb", "a\nb", "a,b", "a<b", "a&b", ""}) {
    auto p = IdentifierProblem(bad, "INVALID_SENDER");
    ASSERT_TRUE(p) << bad;
    EXPECT_EQ(p->code, "INVALID_SENDER");
  }
}

TEST(DecimalTest, AcceptsXsDecimalOnly) {
  double v = 0;
  EXPECT_TRUE(ParseDecimal("1", &v));
  EXPECT_EQ(v, 1.0);
  EXPECT_TRUE(ParseDecimal("-2.5", &v));
  EXPECT_EQ(v, -2.5);
  EXPECT_TRUE(ParseDecimal("+.5", &v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(ParseDecimal("3.", &v));
  EXPECT_EQ(v, 3.0);
  for (const char* bad :
       {"", "+", "-", ".", "1e3", "1,5", " 1", "1 ", "0x10", "inf", "nan", "--1"}) {
    EXPECT_FALSE(ParseDecimal(bad, &v)) << bad;
  }
}

TEST(PolygonTest, ShapesAndSelfIntersection) {
  EXPECT_FALSE(PolygonProblem("0,0 0,1 1,1 1,0 0,0"));
  // Closing pair written differently but numerically equal.
  EXPECT_FALSE(PolygonProblem("0,0 0,1 1,1 1,0 0.000,-0"));
  // Repeated consecutive vertices are tolerated.
  EXPECT_FALSE(PolygonProblem("0,0 0,1 0,1 1,1 1,0 0,0"));
  // Collinear vertex on a straight edge is fine.
  EXPECT_FALSE(PolygonProblem("0,0 0,1 0,2 2,2 2,0 0,0"));
  EXPECT_EQ(PolygonProblem("0,0 0,0 0,0 0,0")->code, "INVALID_POLYGON");  // degenerate
  // A ring that runs back along itself.
  EXPECT_EQ(PolygonProblem("0,0 1,1 0,0 1,1 0,0")->code, "INVALID_POLYGON_SELF_INTERSECTION");
  // A vertex touching a non-adjacent edge.
  EXPECT_EQ(PolygonProblem("0,0 0,4 2,4 0,2 -2,4 -2,0 0,0")->code,
            "INVALID_POLYGON_SELF_INTERSECTION");
  // Figure of eight through a shared vertex.
  EXPECT_EQ(PolygonProblem("0,0 1,1 2,0 2,2 1,1 0,2 0,0")->code,
            "INVALID_POLYGON_SELF_INTERSECTION");
  EXPECT_EQ(PolygonProblem("0,0 0,1 1,1 1,0 0,0 extra")->code, "INVALID_POLYGON");
  EXPECT_EQ(PolygonProblem("0,0;0,1;1,1;0,0")->code, "INVALID_POLYGON");
  EXPECT_EQ(PolygonProblem("0, 0 0,1 1,1 0,0")->code, "INVALID_POLYGON");
}

TEST(PolygonTest, LargeSimpleRingIsCheckedQuickly) {
  // A 5000-vertex circle approximation: the sweep keeps this well under a second even under
  // sanitizers.
  std::string text;
  const int n = 5000;
  for (int i = 0; i <= n; ++i) {
    double t = 2 * std::numbers::pi * (i % n) / n;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6f,%.6f ", 10 * std::sin(t), 10 * std::cos(t));
    text += buf;
  }
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(PolygonProblem(text));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(CircleTest, Shapes) {
  EXPECT_FALSE(CircleProblem("32.9525,-115.5527 0"));
  EXPECT_FALSE(CircleProblem("\n 32.9525,-115.5527 0.0 \n"));
  EXPECT_TRUE(CircleProblem("32.9525,-115.5527\t0"));
  EXPECT_TRUE(CircleProblem("32.9525,-115.5527 0 1"));
  EXPECT_TRUE(CircleProblem("32.9525,-185.5527 1"));
  EXPECT_TRUE(CircleProblem("32.9525 -115.5527 1"));
  EXPECT_TRUE(CircleProblem("32.9525,-115.5527 km"));
}

TEST(LanguageTest, Rfc3066) {
  for (const char* ok : {"en", "en-US", "zh-CN", "zh-Hans-CN", "i-klingon", "x-private1"}) {
    EXPECT_TRUE(IsLanguageTag(ok)) << ok;
  }
  for (const char* bad :
       {"", "en_US", "en-", "-en", "toolongtag", "en-toolongsub", "e1", "en US"}) {
    EXPECT_FALSE(IsLanguageTag(bad)) << bad;
  }
}

TEST(MimeTypeTest, RegisteredTopLevelTypes) {
  for (const char* ok : {"image/png", "IMAGE/PNG", "application/vnd.google-earth.kml+xml",
                         "text/plain; charset=utf-8", "text/plain;charset=\"utf-8\"", "audio/mpeg",
                         "video/mp4", "font/woff2", "model/gltf+json"}) {
    EXPECT_TRUE(IsMimeType(ok)) << ok;
  }
  for (const char* bad : {"", "png", "image/", "/png", "picture/png", "image/png;", "image/png x",
                          "image/ png", "text/plain; charset", "x-custom/thing"}) {
    EXPECT_FALSE(IsMimeType(bad)) << bad;
  }
}

TEST(UriTest, AbsoluteAndRelative) {
  bool absolute = false;
  EXPECT_TRUE(IsUriReference("https://a.example/x?y=1#z", &absolute));
  EXPECT_TRUE(absolute);
  EXPECT_TRUE(IsUriReference("urn:oid:2.49.0.1", &absolute));
  EXPECT_TRUE(absolute);
  EXPECT_TRUE(IsUriReference("map.png", &absolute));
  EXPECT_FALSE(absolute);
  EXPECT_TRUE(IsUriReference("/a:b", &absolute));
  EXPECT_FALSE(absolute);
  EXPECT_FALSE(IsUriReference("", &absolute));
  EXPECT_FALSE(IsUriReference("http://a b", &absolute));
  EXPECT_FALSE(IsUriReference("http://a\"b", &absolute));
}

TEST(Base64Test, AlphabetAndPadding) {
  EXPECT_TRUE(IsBase64("aGVsbG8="));
  EXPECT_TRUE(IsBase64("aGVs\n bG8h"));
  EXPECT_TRUE(IsBase64("aA=="));
  EXPECT_FALSE(IsBase64(""));
  EXPECT_FALSE(IsBase64("aGVsbG8"));
  EXPECT_FALSE(IsBase64("aA=a"));
  EXPECT_FALSE(IsBase64("a==="));
  EXPECT_FALSE(IsBase64("aGVs*G8="));
}

TEST(Utf8Test, XmlCharactersOnly) {
  size_t bad = 0;
  EXPECT_TRUE(IsXmlUtf8("plain \t\r\n 中文 \xF0\x9F\x98\x80", &bad));
  EXPECT_FALSE(IsXmlUtf8("a\x01", &bad));
  EXPECT_EQ(bad, 1u);
  EXPECT_FALSE(IsXmlUtf8("\xC0\xAF", &bad));          // overlong
  EXPECT_FALSE(IsXmlUtf8("\xED\xA0\x80", &bad));      // surrogate
  EXPECT_FALSE(IsXmlUtf8("\xEF\xBF\xBF", &bad));      // U+FFFF
  EXPECT_FALSE(IsXmlUtf8("\xF4\x90\x80\x80", &bad));  // beyond U+10FFFF
  EXPECT_FALSE(IsXmlUtf8("\xE4\xB8", &bad));          // truncated
}

TEST(ExcerptTest, ShortPrintableQuoted) {
  EXPECT_EQ(Excerpt("abc"), "'abc'");
  EXPECT_EQ(Excerpt("a\nb"), "'a\\x0Ab'");
  std::string long_text(100, 'x');
  EXPECT_EQ(Excerpt(long_text), "'" + std::string(60, 'x') + "...'");
  // Never cuts inside a UTF-8 sequence.
  std::string cjk;
  for (int i = 0; i < 30; ++i) cjk += "中";
  std::string e = Excerpt(cjk);
  EXPECT_EQ(e, "'" + cjk.substr(0, 60) + "...'");
}

}  // namespace
}  // namespace muster::cap::internal
