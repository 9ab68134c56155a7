// Screening of raw XML bytes before any XML parser sees them: document size, encoding, and the
// constructs a parser could be made to act on (DOCTYPE/DTD and other markup declarations, entity
// references other than the five predefined ones, XInclude namespace declarations, processing
// instructions other than the XML declaration and, when asked for, xml-stylesheet in the prolog).
// Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.h"

namespace muster::cap::internal {

enum class XmlEncoding { kUtf8, kLatin1 };

// What the screen lets through beyond the XML declaration. The defaults refuse every other
// processing instruction.
struct ScreenOptions {
  // Accept <?xml-stylesheet ...?> before the root element's start tag (the prolog). A stylesheet
  // PI is a presentation hint that the reader never applies; one after the root element has
  // started is still refused.
  bool allow_prolog_stylesheet = false;
};

struct ScreenedXml {
  XmlEncoding encoding = XmlEncoding::kUtf8;
  size_t body_offset = 0;  // bytes of UTF-8 byte-order mark to skip
};

// Errors are InvalidArgument whose message starts with a stable code:
//   DOCUMENT_TOO_LARGE     more than max_bytes
//   UNSUPPORTED_ENCODING   UTF-16/32, or a declared encoding other than UTF-8, US-ASCII,
//                          ISO-8859-1
//   FORBIDDEN_DTD          <!DOCTYPE or any other <!... markup declaration
//   FORBIDDEN_ENTITY       &name; other than &lt; &gt; &amp; &apos; &quot;
//   FORBIDDEN_XINCLUDE     xmlns or xmlns:p declaring http://www.w3.org/2001/XInclude (or the
//                          2003 draft name), references decoded
//   FORBIDDEN_PROCESSING_INSTRUCTION  <?...?> other than the XML declaration at the very start
//                          (and, with allow_prolog_stylesheet, xml-stylesheet before the root)
//   MALFORMED_XML          bytes that cannot be well-formed XML (bad UTF-8, control characters,
//                          bare '&', bad character reference, unterminated markup, bad
//                          declaration)
// When several forbidden constructs are present, the DTD is reported first, then an entity, then
// XInclude, then a processing instruction, whatever their order in the document.
Result<ScreenedXml> ScreenXml(std::string_view xml, size_t max_bytes);
Result<ScreenedXml> ScreenXml(std::string_view xml, size_t max_bytes,
                              const ScreenOptions& options);

}  // namespace muster::cap::internal
