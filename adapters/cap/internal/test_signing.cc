// Enveloped signatures for tests, made with xmlsec and a per-process generated RSA key.
#include "adapters/cap/internal/test_signing.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "adapters/cap/internal/xmlsec_library.h"

namespace muster::cap::internal {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "SignForTest: %s\n", what);
  std::abort();
}

struct KeyDeleter {
  void operator()(xmlSecKey* key) const { xmlSecKeyDestroy(key); }
};

// The signing key, generated on first use (2048-bit RSA).
const xmlSecKey* SigningKey() {
  static const std::unique_ptr<xmlSecKey, KeyDeleter> key = [] {
    if (!EnsureXmlSecReady().ok()) Die("xmlsec could not be initialised");
    std::unique_ptr<xmlSecKey, KeyDeleter> k(
        xmlSecKeyGenerate(xmlSecKeyDataRsaId, 2048, xmlSecKeyDataTypePrivate));
    if (k == nullptr) Die("RSA key generation failed");
    return k;
  }();
  return key.get();
}

// Removes the whitespace-only text nodes below `node`.
void DropWhitespace(xmlNode* node) {
  xmlNode* c = node->children;
  while (c != nullptr) {
    xmlNode* next = c->next;
    if (c->type == XML_ELEMENT_NODE) {
      DropWhitespace(c);
    } else if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c) != 0) {
      xmlUnlinkNode(c);
      xmlFreeNode(c);
    }
    c = next;
  }
}

}  // namespace

std::string SignForTest(std::string_view xml, bool compact_signature) {
  const xmlSecKey* key = SigningKey();
  std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      xmlFreeDoc);
  if (doc == nullptr) Die("the document to sign is not well-formed");
  xmlNode* signature = xmlSecTmplSignatureCreate(doc.get(), xmlSecTransformExclC14NId,
                                                 xmlSecTransformRsaSha256Id, nullptr);
  if (signature == nullptr) Die("no signature template");
  xmlAddChild(xmlDocGetRootElement(doc.get()), signature);
  xmlNode* reference = xmlSecTmplSignatureAddReference(
      signature, xmlSecTransformSha256Id, nullptr, reinterpret_cast<const xmlChar*>(""), nullptr);
  if (reference == nullptr ||
      xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) == nullptr) {
    Die("no reference template");
  }
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
  if (key_info == nullptr || xmlSecTmplKeyInfoAddKeyValue(key_info) == nullptr) {
    Die("no KeyInfo template");
  }
  if (compact_signature) DropWhitespace(signature);
  std::unique_ptr<xmlSecDSigCtx, void (*)(xmlSecDSigCtx*)> context(xmlSecDSigCtxCreate(nullptr),
                                                                   xmlSecDSigCtxDestroy);
  if (context == nullptr) Die("no signing context");
  context->signKey = xmlSecKeyDuplicate(const_cast<xmlSecKey*>(key));
  if (context->signKey == nullptr || xmlSecDSigCtxSign(context.get(), signature) < 0) {
    Die("signing failed");
  }
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemory(doc.get(), &out, &size);
  if (out == nullptr) Die("serialisation failed");
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(size));
  xmlFree(out);
  return result;
}

}  // namespace muster::cap::internal
