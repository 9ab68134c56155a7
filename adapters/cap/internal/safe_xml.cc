// Safe loading of untrusted XML: screen, parse without DTD processing, check the tree.
#include "adapters/cap/internal/safe_xml.h"

#include <algorithm>
#include <vector>

#include "adapters/cap/internal/cap_lexical.h"
#include "adapters/cap/internal/xml_screen.h"

namespace muster::cap::internal {
namespace {

constexpr std::string_view kXIncludeNamespaces[] = {"http://www.w3.org/2001/XInclude",
                                                    "http://www.w3.org/2003/XInclude"};
constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";

// pugixml options: keep CDATA and whitespace text (so text round-trips exactly), decode only the
// predefined and numeric references, normalise line ends as XML requires. DOCTYPE and PI nodes
// are parsed only so that the tree check can refuse them again (the byte screen already did).
// pugixml never expands custom entities, never loads external resources and has no XInclude.
constexpr unsigned kParseOptions = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_eol |
                                   pugi::parse_wconv_attribute | pugi::parse_ws_pcdata |
                                   pugi::parse_declaration | pugi::parse_doctype | pugi::parse_pi;

// An <?xml-stylesheet?> PI at the top level before the root element.
bool IsPrologStylesheet(pugi::xml_node pi) {
  if (std::string_view(pi.name()) != "xml-stylesheet") return false;
  if (pi.parent().type() != pugi::node_document) return false;
  for (pugi::xml_node n = pi.previous_sibling(); n; n = n.previous_sibling()) {
    if (n.type() == pugi::node_element) return false;
  }
  return true;
}

// Checks every node of the document. Iterative (pugixml's walker), so a deeply nested document
// cannot exhaust the stack.
class TreeCheck : public pugi::xml_tree_walker {
 public:
  explicit TreeCheck(const SafeXmlOptions& options) : options_(options) {}

  bool for_each(pugi::xml_node& node) override {
    switch (node.type()) {
      case pugi::node_doctype:
        status_ = Refuse("FORBIDDEN_DTD", "document", "DOCTYPE declarations are refused");
        return false;
      case pugi::node_pi:
        if (options_.allow_prolog_stylesheet && IsPrologStylesheet(node)) return true;
        status_ = Refuse("FORBIDDEN_PROCESSING_INSTRUCTION", "document",
                         std::string("processing instruction <?") + node.name() + "?>");
        return false;
      case pugi::node_element:
        status_ = CheckElement(node);
        return status_.ok();
      default:
        return true;
    }
  }

  const Status& status() const { return status_; }

 private:
  Status CheckElement(pugi::xml_node node) {
    if (depth() + 1 > options_.max_depth) {
      return Refuse(
          "MALFORMED_XML", DisplayName(node),
          "elements are nested deeper than " + std::to_string(options_.max_depth) + " levels");
    }
    std::vector<std::string_view> names;
    for (pugi::xml_attribute a : node.attributes()) {
      names.emplace_back(a.name());
      if (names.size() > options_.max_attributes) {
        return Refuse(options_.too_many_attributes_code, DisplayName(node),
                      "more than " + std::to_string(options_.max_attributes) + " attributes");
      }
      std::string_view name = a.name();
      std::string_view value = a.value();
      if (IsNamespaceDeclaration(name)) {
        for (std::string_view xinclude : kXIncludeNamespaces) {
          if (value == xinclude) {
            return Refuse("FORBIDDEN_XINCLUDE", DisplayName(node),
                          "declares the XInclude namespace " + std::string(value) +
                              " (nothing is included or fetched)");
          }
        }
        if (name != "xmlns" && value.empty()) {
          return Refuse("MALFORMED_XML", DisplayName(node),
                        "namespace prefix '" + std::string(name.substr(6)) +
                            "' cannot be bound to an empty namespace name");
        }
      } else {
        QName q = SplitName(name);
        std::string_view uri;
        if (!q.prefix.empty() && !LookupNamespace(node, q.prefix, &uri)) {
          return Refuse("MALFORMED_XML", DisplayName(node),
                        "attribute prefix '" + std::string(q.prefix) + "' is not declared");
        }
      }
    }
    std::sort(names.begin(), names.end());
    auto dup = std::adjacent_find(names.begin(), names.end());
    if (dup != names.end()) {
      return Refuse("MALFORMED_XML", DisplayName(node),
                    "attribute '" + std::string(*dup) + "' appears more than once");
    }
    QName q = SplitName(node.name());
    std::string_view uri;
    if (q.local.empty() || q.local.find(':') != std::string_view::npos) {
      return Refuse("MALFORMED_XML", DisplayName(node), "is not a valid qualified name");
    }
    if (!LookupNamespace(node, q.prefix, &uri)) {
      return Refuse("MALFORMED_XML", DisplayName(node),
                    "element prefix '" + std::string(q.prefix) + "' is not declared");
    }
    return Status::Ok();
  }

  const SafeXmlOptions& options_;
  Status status_;
};

// The single root element; anything else at top level must be the declaration or whitespace.
Result<pugi::xml_node> FindRoot(const pugi::xml_document& doc) {
  pugi::xml_node root;
  for (pugi::xml_node child : doc.children()) {
    switch (child.type()) {
      case pugi::node_element:
        if (root) return Refuse("MALFORMED_XML", "document", "more than one root element");
        root = child;
        break;
      case pugi::node_pcdata:
        if (!IsAllXmlSpace(child.value())) {
          return Refuse("MALFORMED_XML", "document", "text outside the root element");
        }
        break;
      case pugi::node_cdata:
        return Refuse("MALFORMED_XML", "document", "CDATA outside the root element");
      default:
        break;
    }
  }
  if (!root) return Refuse("MALFORMED_XML", "document", "no root element");
  return root;
}

}  // namespace

Result<pugi::xml_node> LoadSafeXml(std::string_view xml, const SafeXmlOptions& options,
                                   pugi::xml_document* doc) {
  MUSTER_ASSIGN_OR_RETURN(ScreenedXml screened,
                          ScreenXml(xml, options.max_bytes,
                                    {.allow_prolog_stylesheet = options.allow_prolog_stylesheet}));
  std::string_view body = xml.substr(screened.body_offset);
  pugi::xml_parse_result parsed = doc->load_buffer(
      body.data(), body.size(), kParseOptions,
      screened.encoding == XmlEncoding::kLatin1 ? pugi::encoding_latin1 : pugi::encoding_utf8);
  if (!parsed) {
    return Refuse(
        "MALFORMED_XML",
        "near byte " + std::to_string(static_cast<size_t>(parsed.offset) + screened.body_offset),
        parsed.description());
  }
  TreeCheck check(options);
  doc->traverse(check);
  MUSTER_RETURN_IF_ERROR(check.status());
  return FindRoot(*doc);
}

QName SplitName(std::string_view name) {
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) return {{}, name};
  return {name.substr(0, colon), name.substr(colon + 1)};
}

bool LookupNamespace(pugi::xml_node node, std::string_view prefix, std::string_view* uri) {
  if (prefix == "xml") {
    *uri = kXmlNamespace;
    return true;
  }
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    for (pugi::xml_attribute a : n.attributes()) {
      std::string_view name = a.name();
      if (prefix.empty() ? name == "xmlns"
                         : (name.size() == prefix.size() + 6 && name.substr(0, 6) == "xmlns:" &&
                            name.substr(6) == prefix)) {
        *uri = a.value();
        return true;
      }
    }
  }
  if (prefix.empty()) {
    *uri = {};
    return true;
  }
  return false;
}

std::string_view NamespaceOf(pugi::xml_node node) {
  std::string_view uri;
  LookupNamespace(node, SplitName(node.name()).prefix, &uri);
  return uri;
}

bool IsNamespaceDeclaration(std::string_view attribute_name) {
  return attribute_name == "xmlns" || attribute_name.substr(0, 6) == "xmlns:";
}

std::string DisplayName(pugi::xml_node node) { return "<" + std::string(node.name()) + ">"; }

Result<std::string> ReadLeafText(pugi::xml_node node, std::string_view where, size_t max_bytes) {
  std::string text;
  for (pugi::xml_node c : node.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      text += c.value();
      if (text.size() > max_bytes) break;
    } else if (c.type() == pugi::node_element) {
      return Refuse("INVALID_CONTENT", where,
                    "must contain only text, found element " + DisplayName(c));
    }
  }
  if (text.size() > max_bytes) {
    return Refuse("TEXT_TOO_LARGE", where,
                  "more than " + std::to_string(max_bytes) + " bytes of text");
  }
  return text;
}

}  // namespace muster::cap::internal
