// Loading untrusted XML safely, shared by the CAP and EDXL-RM parsers: the byte screen
// (xml_screen.h), a pugixml parse that processes no DTD, expands no entity and fetches nothing,
// and a check of the whole tree (nesting depth, attribute count and duplicates, declared
// prefixes, no XInclude namespace, no DOCTYPE or processing instruction node), then the single
// root element. Also the namespace helpers both parsers read the tree with.
//
// Errors are InvalidArgument "<CODE>: <where>: <why>" with the codes of ScreenXml, and
// MALFORMED_XML (not well-formed, too deep, an undeclared prefix, a duplicate attribute, no or
// several root elements, text outside the root), FORBIDDEN_DTD, FORBIDDEN_PROCESSING_INSTRUCTION,
// FORBIDDEN_XINCLUDE. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace muster::cap::internal {

struct SafeXmlOptions {
  size_t max_bytes = 1024 * 1024;  // DOCUMENT_TOO_LARGE beyond this
  int max_depth = 32;              // nesting levels of elements
  size_t max_attributes = 32;      // per element
  // Reason code for an element with more than max_attributes.
  std::string_view too_many_attributes_code = "MALFORMED_XML";
  // <?xml-stylesheet?> before the root element is accepted (and ignored).
  bool allow_prolog_stylesheet = false;
};

// Loads `xml` into `*doc` (which owns the tree) and returns its root element.
Result<pugi::xml_node> LoadSafeXml(std::string_view xml, const SafeXmlOptions& options,
                                   pugi::xml_document* doc);

struct QName {
  std::string_view prefix;
  std::string_view local;
};
QName SplitName(std::string_view name);

// Finds the namespace bound to `prefix` ("" = default namespace) in scope at `node`. Returns
// false when the prefix is not declared.
bool LookupNamespace(pugi::xml_node node, std::string_view prefix, std::string_view* uri);

// The namespace of an element ("" when none; LoadSafeXml has checked that prefixes are declared).
std::string_view NamespaceOf(pugi::xml_node node);

bool IsNamespaceDeclaration(std::string_view attribute_name);

// "<name>" as written, for messages.
std::string DisplayName(pugi::xml_node node);

// The text of a leaf element: its text and CDATA concatenated, comments dropped.
// INVALID_CONTENT when it holds an element; TEXT_TOO_LARGE beyond `max_bytes`.
Result<std::string> ReadLeafText(pugi::xml_node node, std::string_view where, size_t max_bytes);

}  // namespace muster::cap::internal
