// ParseCap: reads an OASIS CAP 1.2 XML document into the Alert schema, refusing anything a
// conformant parser must refuse (standards.md §1.5) with a reason that names a stable code.
//
// What is accepted:
//   - CAP 1.2 only (namespace urn:oasis:names:tc:emergency:cap:1.2, any prefix). CAP 1.0 and 1.1
//     are refused with UNSUPPORTED_VERSION: the Alert schema is the 1.2 model (1.1 lacks the
//     required resource mimeType and still has "Very Likely"), so converting belongs upstream.
//   - UTF-8 (optional BOM), US-ASCII or ISO-8859-1 as declared; text is stored as UTF-8.
//   - Comments and CDATA sections anywhere XML allows them.
//   - <?xml-stylesheet ...?> processing instructions before the root element (a presentation
//     hint that is never applied; the original bytes keep it).
//   - One enveloped XML-DSig <Signature> (http://www.w3.org/2000/09/xmldsig#) after the last CAP
//     child of <alert>, recorded as hasSignature = true once it verifies: every reference digest
//     and the signature value are checked against the key of its X509Certificate or KeyValue
//     (internal/xml_signature.h says exactly what is accepted). Who signed is NOT checked: the
//     certificate is not validated against any authority, so a document re-signed with another
//     key passes; only alterations after signing are detected. Nothing is fetched.
//
// What is refused, in this order (first failure wins). Every error is Status::InvalidArgument
// whose message is "<CODE>: <where> <value>: <why>", e.g.
//   "INVALID_DATE: info[0]/expires '2026-11-28T21:00:00Z': alphabetic timezone designators ..."
//  1. DOCUMENT_TOO_LARGE (> kMaxDocumentBytes).
//  2. Hostile XML, found by screening the bytes before any XML parser sees them:
//     FORBIDDEN_DTD (any <!DOCTYPE or other markup declaration), FORBIDDEN_ENTITY (any entity
//     reference but the five predefined ones), FORBIDDEN_XINCLUDE (the XInclude namespace
//     declared anywhere), FORBIDDEN_PROCESSING_INSTRUCTION (anything but the XML declaration and
//     xml-stylesheet before the root; an xml-stylesheet inside or after the root element is
//     refused), reported in that order of precedence; UNSUPPORTED_ENCODING for
//     UTF-16/32 or a declared encoding other than UTF-8, US-ASCII, ISO-8859-1. pugixml then
//     parses with escapes limited to the predefined and numeric references: it never expands
//     custom entities, reads no DTD, fetches nothing and has no XInclude; the parsed tree is
//     checked again for DOCTYPE, PI and XInclude nodes as a second line of defence.
//  3. MALFORMED_XML: not well-formed (including bad UTF-8, illegal characters, duplicate
//     attributes, undeclared prefixes, several root elements, nesting deeper than 32).
//  4. Namespace: UNSUPPORTED_VERSION (CAP 1.0/1.1), UNKNOWN_NAMESPACE (anything else), and
//     UNSUPPORTED_ELEMENT when the root is not <alert>.
//  5. Structure, per element: UNSUPPORTED_ELEMENT (unknown name or foreign namespace),
//     UNSUPPORTED_ATTRIBUTE (anything but namespace declarations, so no xsi:schemaLocation),
//     INVALID_CONTENT (text between child elements, or elements inside a text element),
//     DUPLICATE_ELEMENT, INVALID_SEQUENCE (xs:sequence order; Signature must be last),
//     MISSING_REQUIRED_ELEMENT (absent, or present but empty for event, areaDesc,
//     resourceDesc, valueName; an empty identifier or sender is INVALID_IDENTIFIER /
//     INVALID_SENDER).
//  6. Values: TEXT_TOO_LARGE (> kMaxTextBytes in any element), INVALID_ENUM_VALUE (exact,
//     case-sensitive; CERTAINTY_VERY_LIKELY_DEPRECATED for "Very Likely"), INVALID_IDENTIFIER /
//     INVALID_SENDER (whitespace, ',', '<', '&'), INVALID_DATE (pattern of §1.3: no "Z", no
//     fractional seconds, no comma, offset required, fields in range), INVALID_REFERENCES
//     (empty, or not sender,identifier,sent triples with valid parts), CIRCULAR_REFERENCE,
//     INVALID_LANGUAGE, INVALID_WEB (not absolute), INVALID_MIME_TYPE, INVALID_SIZE,
//     INVALID_URI, RELATIVE_URI_MISSING_DEREF_URI, INVALID_DEREF_URI (not base64),
//     INVALID_POLYGON (< 4 pairs, open ring, bad pair, lat/lon out of range),
//     INVALID_POLYGON_SELF_INTERSECTION, INVALID_CIRCLE, INVALID_ALTITUDE, INVALID_CEILING,
//     INVALID_AREA (ceiling without altitude), INVALID_ALTITUDE_CEILING_RANGE.
//     Steps 5 and 6 run container by container in document order: the children of <alert> are
//     checked for structure, then read one by one (descending into each <info>, <resource>,
//     <area>), so an earlier element's value error wins over a later container's structure.
//  7. Whole alert: UPDATE_OR_CANCEL_MUST_REFERENCE (Update/Cancel/Ack/Error without references),
//     RESTRICTION_SCOPE_MISMATCH (restriction with scope other than Restricted),
//     ADDRESSES_SCOPE_MISMATCH (scope Private without addresses).
//  8. Signature (signed alerts only, item 13): INVALID_SIGNATURE (signature value does not verify,
//     is not canonical base64, or the element is not a complete signature), INVALID_DIGEST (the
//     alert or the DigestValue changed after signing, or non-canonical base64),
//     INVALID_CERTIFICATE (X509Certificate not canonical base64, or no key in it),
//     UNSUPPORTED_SIGNATURE (algorithm, transform or reference URI not accepted, no key, more
//     than one signature). The message ends with xmlsec's own words where it had some.
// Not enforced: the warnings of §1.5 item 12 (HTML in text, same text in several languages) and
// POSTDATED_REFERENCE, which are advisory; trust in the signer's certificate.
//
// Mapping: text keeps CAP's lexical form exactly as decoded (whitespace included); an optional
// free-text element that is present but empty (<note/>) is stored as empty text, i.e. the same as
// absent, since the schema cannot tell them apart. Lists keep document order.
//
// Thread-safe (the signature check shares only xmlsec's read-only state, initialised on first
// use). No exceptions escape.
#pragma once

#include <capnp/message.h>

#include <cstddef>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "schemas/alert.capnp.h"

namespace muster::cap {

inline constexpr std::string_view kCap12Namespace = "urn:oasis:names:tc:emergency:cap:1.2";
inline constexpr std::string_view kCap11Namespace = "urn:oasis:names:tc:emergency:cap:1.1";
inline constexpr std::string_view kCap10Namespace = "http://www.incident.com/cap/1.0";
inline constexpr std::string_view kXmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

inline constexpr size_t kMaxDocumentBytes = 1024 * 1024;  // whole document
inline constexpr size_t kMaxTextBytes = 64 * 1024;        // any one element's text (UTF-8 bytes)

// Parses `xml` into `out`.
// REQUIRES: `out` is freshly initialised (every field at its default).
// On error `out` may hold part of the alert and must be discarded; use ParseCapMessage to get a
// message only on success.
Status ParseCap(std::string_view xml, schema::Alert::Builder out);

// Like ParseCap, but returns a new message whose root is the Alert, only when parsing succeeds.
Result<std::unique_ptr<capnp::MallocMessageBuilder>> ParseCapMessage(std::string_view xml);

// The stable code at the start of a ParseCap error ("INVALID_DATE"), or "" for an ok Status or
// a message without one.
std::string_view CapReasonCode(const Status& status);

}  // namespace muster::cap
