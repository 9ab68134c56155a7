// Verification of the enveloped XML-DSig signatures of a document (the
// <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"> children of its root element) with
// xmlsec (OpenSSL back end): every reference digest and the signature value are checked against
// the key the signature carries (the public key of its X509Certificate, or its KeyValue).
// Who signed is not checked: the certificate is not validated against any authority, its dates
// are not checked, and a forger can sign with a key of their own. This proves that the document
// is intact since someone signed it, nothing more.
//
// Accepted: references to the whole document only (URI="" or "#xpointer(/)"), transforms
// enveloped-signature and the six canonicalisations (C14N 1.0, 1.1, exclusive; with or without
// comments), digests SHA-1/224/256/384/512, RSA, ECDSA and DSA signature methods. Nothing is
// fetched: no remote or file URI, no RetrievalMethod, no XSLT or XPath transform.
//
// Only one <Signature> is accepted (a second enveloped signature would be covered by the first).
// When the document as delivered does not verify, it is checked again without the processing
// instructions before the root, then also without the whitespace-only text between elements
// (of the alert, then of the signature too):
// some publishers sign a compact document and then indent it and add an xml-stylesheet PI. Every
// element, attribute and character of element text is still covered by those checks; the
// stylesheet PI (never applied by Muster) then is not.
//
// Thread-safe (per-call state; the libraries' global state lives in xmlsec_library.h). No
// exceptions escape.
#pragma once

#include <string_view>

#include "common/status.h"

namespace muster::cap::internal {

// Verifies the <Signature> child of the root element of `document`.
// REQUIRES: `document` passed ScreenXml (no DTD, no entity but the predefined ones) and carries a
// signature (a document without one is refused: the caller's parser and libxml2 disagree).
// Errors are InvalidArgument "<CODE>: <where>: <why>", CODE one of
//   INVALID_SIGNATURE      the signature value does not verify, is not canonical base64, or the
//                          element is not a complete signature (no SignedInfo or SignatureValue)
//   INVALID_DIGEST         a reference digest does not match the document (changed after it was
//                          signed), or the DigestValue is not canonical base64
//   INVALID_CERTIFICATE    the X509Certificate is not canonical base64 or yields no key
//   UNSUPPORTED_SIGNATURE  an algorithm, transform or reference URI outside the list above, no
//                          key in KeyInfo, or more than one signature
//   MALFORMED_XML          the verifier's XML parser could not read the document
// Internal when xmlsec cannot be initialised.
Status VerifyEnvelopedSignatures(std::string_view document);

}  // namespace muster::cap::internal
