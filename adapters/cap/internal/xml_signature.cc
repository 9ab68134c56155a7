// Enveloped XML-DSig verification with xmlsec over a libxml2 tree: checks of the signature's shape
// first (complete, whole-document references, accepted algorithms, canonical base64), then
// xmlsec's verification as delivered and, if that fails, once more without layout whitespace.
#include "adapters/cap/internal/xml_signature.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keyinfo.h>
#include <xmlsec/list.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/cap/internal/cap_lexical.h"
#include "adapters/cap/internal/xmlsec_library.h"

namespace muster::cap::internal {
namespace {

constexpr std::string_view kDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct XmlCharDeleter {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
struct DSigContextDeleter {
  void operator()(xmlSecDSigCtx* context) const { xmlSecDSigCtxDestroy(context); }
};
using XmlString = std::unique_ptr<xmlChar, XmlCharDeleter>;

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

const xmlChar* Chars(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

bool IsDsig(const xmlNode* node, std::string_view local) {
  return node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         View(node->ns->href) == kDsigNamespace && View(node->name) == local;
}

xmlNode* FindChild(xmlNode* parent, std::string_view local) {
  for (xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (IsDsig(c, local)) return c;
  }
  return nullptr;
}

std::vector<xmlNode*> SignaturesOf(xmlDoc* doc) {
  std::vector<xmlNode*> out;
  xmlNode* root = xmlDocGetRootElement(doc);
  if (root == nullptr) return out;
  for (xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (IsDsig(c, "Signature")) out.push_back(c);
  }
  return out;
}

// --- What is accepted ----------------------------------------------------------------------------

std::vector<xmlSecTransformId> Canonicalizations() {
  return {xmlSecTransformInclC14NId,   xmlSecTransformInclC14NWithCommentsId,
          xmlSecTransformInclC14N11Id, xmlSecTransformInclC14N11WithCommentsId,
          xmlSecTransformExclC14NId,   xmlSecTransformExclC14NWithCommentsId};
}

std::vector<xmlSecTransformId> DigestMethods() {
  return {xmlSecTransformSha1Id, xmlSecTransformSha224Id, xmlSecTransformSha256Id,
          xmlSecTransformSha384Id, xmlSecTransformSha512Id};
}

std::vector<xmlSecTransformId> SignatureMethods() {
  return {xmlSecTransformRsaSha1Id,     xmlSecTransformRsaSha224Id,   xmlSecTransformRsaSha256Id,
          xmlSecTransformRsaSha384Id,   xmlSecTransformRsaSha512Id,   xmlSecTransformEcdsaSha1Id,
          xmlSecTransformEcdsaSha224Id, xmlSecTransformEcdsaSha256Id, xmlSecTransformEcdsaSha384Id,
          xmlSecTransformEcdsaSha512Id, xmlSecTransformDsaSha1Id,     xmlSecTransformDsaSha256Id};
}

std::vector<xmlSecTransformId> ReferenceTransforms() {
  std::vector<xmlSecTransformId> out = Canonicalizations();
  out.push_back(xmlSecTransformEnvelopedId);
  return out;
}

bool Listed(const std::vector<xmlSecTransformId>& ids, std::string_view algorithm) {
  for (xmlSecTransformId id : ids) {
    if (View(id->href) == algorithm) return true;
  }
  return false;
}

// --- Shape checks before xmlsec -----------------------------------------------------------------

// XML Schema base64Binary after whitespace collapse: groups of four characters of the base64
// alphabet, '=' only as the final padding, and the bits the padding leaves unused all zero
// (XML Schema Part 2 §3.2.16). Returns why `text` is not that, or nothing.
std::optional<std::string> Base64Problem(std::string_view text) {
  std::string b;
  for (char c : text) {
    if (!IsXmlSpace(c)) b += c;
  }
  if (b.empty()) return "is empty";
  if (b.size() % 4 != 0) {
    return "has " + std::to_string(b.size()) + " base64 characters, not a multiple of 4";
  }
  size_t pad = b.ends_with("==") ? 2 : b.ends_with('=') ? 1 : 0;
  for (size_t i = 0; i + pad < b.size(); ++i) {
    char c = b[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return "character " + Excerpt(b.substr(i, 1)) + " is not base64";
  }
  if (pad == 0) return std::nullopt;
  char last = b[b.size() - pad - 1];
  std::string_view allowed = pad == 2 ? "AQgw" : "AEIMQUYcgkosw048";
  if (allowed.find(last) == std::string_view::npos) {
    return "is not canonical base64: the character '" + std::string(1, last) + "' before '" +
           std::string(pad, '=') +
           "' sets padding bits that must be zero (XML Schema base64Binary " +
           "allows only one of " + std::string(allowed) +
           " there), so the encoded value was altered";
  }
  return std::nullopt;
}

// The reason code for a base64 element of a signature, or "" for elements that are not base64.
std::string_view Base64Code(std::string_view local) {
  if (local == "DigestValue") return "INVALID_DIGEST";
  if (local == "SignatureValue") return "INVALID_SIGNATURE";
  if (local == "X509Certificate" || local == "X509CRL") return "INVALID_CERTIFICATE";
  for (std::string_view key_part :
       {"Modulus", "Exponent", "P", "Q", "G", "Y", "J", "Seed", "PgenCounter"}) {
    if (local == key_part) return "INVALID_SIGNATURE";
  }
  return {};
}

Status CheckBase64(xmlNode* element, const std::string& where) {
  for (xmlNode* c = element->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    std::string path = where + "/" + std::string(View(c->name));
    if (c->ns != nullptr && View(c->ns->href) == kDsigNamespace) {
      std::string_view code = Base64Code(View(c->name));
      if (!code.empty()) {
        XmlString content(xmlNodeGetContent(c));
        if (auto problem = Base64Problem(View(content.get()))) {
          return Refuse(code, path, "<" + std::string(View(c->name)) + "> " + *problem);
        }
        continue;
      }
    }
    MUSTER_RETURN_IF_ERROR(CheckBase64(c, path));
  }
  return Status::Ok();
}

Status CheckAlgorithm(xmlNode* element, const std::vector<xmlSecTransformId>& accepted,
                      const std::string& where) {
  XmlString algorithm(xmlGetProp(element, Chars("Algorithm")));
  std::string_view name = View(algorithm.get());
  if (Listed(accepted, name)) return Status::Ok();
  return Refuse("UNSUPPORTED_SIGNATURE", where,
                "<" + std::string(View(element->name)) + "> algorithm " + Excerpt(name) +
                    " is not accepted (canonicalisations C14N 1.0/1.1/exclusive, the "
                    "enveloped-signature transform, SHA-1/2 digests, RSA, ECDSA and DSA "
                    "signatures)");
}

Status CheckReference(xmlNode* reference, const std::string& where) {
  if (xmlHasProp(reference, Chars("URI")) == nullptr) {
    return Refuse("UNSUPPORTED_SIGNATURE", where,
                  "<Reference> has no URI; only references to the whole alert (URI=\"\") are "
                  "accepted");
  }
  XmlString uri(xmlGetProp(reference, Chars("URI")));
  std::string_view u = View(uri.get());
  if (!u.empty() && u != "#xpointer(/)") {
    return Refuse("UNSUPPORTED_SIGNATURE", where,
                  "<Reference URI=" + Excerpt(u) +
                      "> does not cover the whole alert; only URI=\"\" is accepted and nothing "
                      "is fetched");
  }
  for (xmlNode* c = reference->children; c != nullptr; c = c->next) {
    if (IsDsig(c, "DigestMethod"))
      MUSTER_RETURN_IF_ERROR(CheckAlgorithm(c, DigestMethods(), where));
    if (!IsDsig(c, "Transforms")) continue;
    for (xmlNode* t = c->children; t != nullptr; t = t->next) {
      if (IsDsig(t, "Transform")) {
        MUSTER_RETURN_IF_ERROR(CheckAlgorithm(t, ReferenceTransforms(), where));
      }
    }
  }
  return Status::Ok();
}

Status CheckSignatureElement(xmlNode* signature, const std::string& where) {
  xmlNode* signed_info = FindChild(signature, "SignedInfo");
  if (signed_info == nullptr || FindChild(signature, "SignatureValue") == nullptr) {
    XmlString text(xmlNodeGetContent(signature));
    std::string detail = std::string("<Signature> has no <") +
                         (signed_info == nullptr ? "SignedInfo" : "SignatureValue") +
                         ">, so it is not an XML-DSig signature that can be verified";
    if (!IsAllXmlSpace(View(text.get()))) {
      detail += " (its text is " + Excerpt(View(text.get())) + ")";
    }
    return Refuse("INVALID_SIGNATURE", where, detail);
  }
  MUSTER_RETURN_IF_ERROR(CheckBase64(signature, where));
  size_t index = 0;
  for (xmlNode* c = signed_info->children; c != nullptr; c = c->next) {
    if (IsDsig(c, "CanonicalizationMethod")) {
      MUSTER_RETURN_IF_ERROR(CheckAlgorithm(c, Canonicalizations(), where + "/SignedInfo"));
    } else if (IsDsig(c, "SignatureMethod")) {
      MUSTER_RETURN_IF_ERROR(CheckAlgorithm(c, SignatureMethods(), where + "/SignedInfo"));
    } else if (IsDsig(c, "Reference")) {
      MUSTER_RETURN_IF_ERROR(
          CheckReference(c, where + "/SignedInfo/Reference[" + std::to_string(index++) + "]"));
    }
  }
  if (index == 0) {
    return Refuse("INVALID_SIGNATURE", where + "/SignedInfo",
                  "<SignedInfo> has no <Reference>, so the signature covers nothing");
  }
  return Status::Ok();
}

bool HasX509Certificate(xmlNode* node) {
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (IsDsig(c, "X509Certificate") || HasX509Certificate(c)) return true;
  }
  return false;
}

// --- xmlsec -------------------------------------------------------------------------------------

// How far a verification got: the later the stage of failure, the more it says.
enum class Stage { kOther, kKey, kDigest, kSignatureValue, kOk };

struct Outcome {
  Stage stage = Stage::kOk;
  std::string where;
  std::string detail;  // the library's words
  bool has_certificate = false;
};

Outcome VerifyOne(xmlNode* signature, const std::string& where) {
  XmlSecErrorLog log;
  Outcome out;
  out.where = where;
  out.has_certificate = HasX509Certificate(signature);
  auto fail = [&](Stage stage) {
    out.stage = stage;
    out.detail = log.Text();
    return out;
  };
  std::unique_ptr<xmlSecDSigCtx, DSigContextDeleter> context(
      xmlSecDSigCtxCreate(SharedKeysManager()));
  if (context == nullptr) return fail(Stage::kOther);
  xmlSecDSigCtx* ctx = context.get();
  ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  // The key is the one the signature carries; whether its certificate is trusted is not asked.
  ctx->keyInfoReadCtx.flags |= XMLSEC_KEYINFO_FLAGS_X509DATA_DONT_VERIFY_CERTS;
  ctx->keyInfoReadCtx.maxRetrievalMethodLevel = 0;
  ctx->enabledReferenceUris = static_cast<xmlSecTransformUriType>(
      xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument);
  for (xmlSecTransformId id : ReferenceTransforms()) {
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, id) < 0) return fail(Stage::kOther);
  }
  for (xmlSecTransformId id : DigestMethods()) {
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, id) < 0) return fail(Stage::kOther);
  }
  for (xmlSecTransformId id : Canonicalizations()) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, id) < 0) return fail(Stage::kOther);
  }
  for (xmlSecTransformId id : SignatureMethods()) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, id) < 0) return fail(Stage::kOther);
  }
  for (xmlSecKeyDataId id : {xmlSecKeyDataValueId, xmlSecKeyDataX509Id, xmlSecKeyDataRsaId,
                             xmlSecKeyDataEcdsaId, xmlSecKeyDataDsaId}) {
    if (xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
                         const_cast<void*>(static_cast<const void*>(id))) < 0) {
      return fail(Stage::kOther);
    }
  }

  int ret = xmlSecDSigCtxVerify(ctx, signature);
  if (ret == 0 && ctx->status == xmlSecDSigStatusSucceeded) return out;
  xmlSecSize references = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
  for (xmlSecSize i = 0; i < references; ++i) {
    auto* reference =
        static_cast<xmlSecDSigReferenceCtx*>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
    if (reference != nullptr && reference->status == xmlSecDSigStatusInvalid) {
      out.where = where + "/SignedInfo/Reference[" + std::to_string(i) + "]";
      return fail(Stage::kDigest);
    }
  }
  // The key is looked up once <SignedInfo> has been read (signMethod set).
  if (ctx->signMethod != nullptr && ctx->signKey == nullptr) return fail(Stage::kKey);
  if (ret == 0 && ctx->status == xmlSecDSigStatusInvalid) return fail(Stage::kSignatureValue);
  return fail(Stage::kOther);
}

// Verifies the document's one signature.
Outcome VerifyDocument(xmlDoc* doc) {
  std::vector<xmlNode*> signatures = SignaturesOf(doc);
  if (signatures.empty()) return {Stage::kOther, "document", "no signature", false};
  return VerifyOne(signatures[0], "Signature");
}

// Removes the whitespace-only text beside child elements (layout, not content: CAP's containers
// hold only elements) throughout the tree below `element`, except below `keep` (may be null).
// Text of leaf elements is kept.
void DropLayoutWhitespace(xmlNode* element, const xmlNode* keep) {
  bool has_element_child = false;
  for (xmlNode* c = element->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) has_element_child = true;
  }
  xmlNode* c = element->children;
  while (c != nullptr) {
    xmlNode* next = c->next;
    if (c->type == XML_ELEMENT_NODE) {
      if (c != keep) DropLayoutWhitespace(c, keep);
    } else if (has_element_child && c->type == XML_TEXT_NODE && xmlIsBlankNode(c) != 0) {
      xmlUnlinkNode(c);
      xmlFreeNode(c);
    }
    c = next;
  }
}

// Removes the processing instructions outside the root element; true when there were some.
bool DropPrologInstructions(xmlDoc* doc) {
  bool dropped = false;
  xmlNode* c = doc->children;
  while (c != nullptr) {
    xmlNode* next = c->next;
    if (c->type == XML_PI_NODE) {
      xmlUnlinkNode(c);
      xmlFreeNode(c);
      dropped = true;
    }
    c = next;
  }
  return dropped;
}

Status Report(const Outcome& outcome, bool retried) {
  std::string also = retried ? " (also checked without the processing instructions before the "
                               "root and without the whitespace between elements)"
                             : "";
  std::string library = "; xmlsec: " + outcome.detail;
  switch (outcome.stage) {
    case Stage::kDigest:
      return Refuse("INVALID_DIGEST", outcome.where,
                    "the digest of the signed content does not match <DigestValue>: the alert "
                    "(or its DigestValue) was changed after it was signed" +
                        also + library);
    case Stage::kSignatureValue:
      return Refuse("INVALID_SIGNATURE", outcome.where,
                    "<SignatureValue> does not verify with the key in <KeyInfo>: the signature "
                    "or <SignedInfo> was altered, or the key is not the one that signed" +
                        also + library);
    case Stage::kKey:
      if (outcome.has_certificate) {
        return Refuse("INVALID_CERTIFICATE", outcome.where,
                      "no public key could be read from <X509Certificate>" + library);
      }
      return Refuse("UNSUPPORTED_SIGNATURE", outcome.where,
                    "<KeyInfo> holds no key this reader can use (an X509Certificate, or an RSA "
                    "or DSA KeyValue); keys are never looked up or fetched" +
                        library);
    case Stage::kOther:
    case Stage::kOk:
      break;
  }
  return Refuse("INVALID_SIGNATURE", outcome.where,
                "the signature could not be verified" + library);
}

}  // namespace

Status VerifyEnvelopedSignatures(std::string_view document) {
  MUSTER_RETURN_IF_ERROR(EnsureXmlSecReady());
  std::unique_ptr<xmlDoc, DocDeleter> doc(
      xmlReadMemory(document.data(), static_cast<int>(document.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (doc == nullptr) {
    return Refuse("MALFORMED_XML", "document",
                  "the signature verifier's XML parser (libxml2) could not read the document");
  }
  std::vector<xmlNode*> signatures = SignaturesOf(doc.get());
  if (signatures.empty()) {
    // Fail closed: the caller saw a signature, so the two parsers read the document differently.
    return Refuse("INVALID_SIGNATURE", "document",
                  "the signature verifier found no <Signature> child of the root element");
  }
  if (signatures.size() > 1) {
    // A later enveloped signature is part of what an earlier one covers, so they cannot all
    // verify; CAP publishers sign once.
    return Refuse("UNSUPPORTED_SIGNATURE", "Signature[1]",
                  "the alert carries " + std::to_string(signatures.size()) +
                      " signatures; only one enveloped <Signature> is accepted");
  }
  MUSTER_RETURN_IF_ERROR(CheckSignatureElement(signatures[0], "Signature"));

  // As delivered; then, for publishers that change the layout after signing, without the
  // processing instructions before the root; then also without layout whitespace in the alert;
  // then in the signature too.
  Outcome first = VerifyDocument(doc.get());
  if (first.stage == Stage::kOk) return Status::Ok();
  if (first.stage != Stage::kDigest && first.stage != Stage::kSignatureValue) {
    return Report(first, false);
  }
  Outcome best = first;
  if (DropPrologInstructions(doc.get())) {
    Outcome without_pi = VerifyDocument(doc.get());
    if (without_pi.stage == Stage::kOk) return Status::Ok();
    if (without_pi.stage > best.stage) best = without_pi;
  }
  // The alert's layout first, the signature's own (its SignedInfo is signed) second.
  xmlNode* root = xmlDocGetRootElement(doc.get());
  for (const xmlNode* keep :
       {static_cast<const xmlNode*>(signatures[0]), static_cast<const xmlNode*>(nullptr)}) {
    DropLayoutWhitespace(root, keep);
    Outcome compact = VerifyDocument(doc.get());
    if (compact.stage == Stage::kOk) return Status::Ok();
    if (compact.stage > best.stage) best = compact;
  }
  return Report(best, true);
}

}  // namespace muster::cap::internal
