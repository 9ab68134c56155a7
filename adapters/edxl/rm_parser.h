// ParseRm: reads an OASIS EDXL-RM 1.0 XML document into an RmMessage (rm_message.h), refusing
// what must be refused with a reason that starts with a stable code:
//   "<CODE>: <where>: <why>", e.g. "INVALID_DATE: SentDateTime '2026-07-01T08:00:00': …".
//
// In this order (the first failure wins):
//  1. DOCUMENT_TOO_LARGE (> kMaxDocumentBytes).
//  2. Hostile XML, found by screening the bytes before any parser sees them (the CAP adapter's
//     safe loader, adapters/cap/internal/safe_xml.h): FORBIDDEN_DTD, FORBIDDEN_ENTITY,
//     FORBIDDEN_XINCLUDE, FORBIDDEN_PROCESSING_INSTRUCTION, UNSUPPORTED_ENCODING. pugixml then
//     parses with only the predefined and numeric references: no DTD, no entity expansion, no
//     fetching, no XInclude; the tree is checked again for DOCTYPE, PI and XInclude.
//  3. MALFORMED_XML: not well-formed (undeclared prefixes, duplicate attributes, several roots,
//     nesting deeper than 48, …).
//  4. The root: UNKNOWN_NAMESPACE (not in kRmMsgNamespace), UNKNOWN_MESSAGE_TYPE (not one of
//     the 16 EDXL-RM message types).
//  5. Structure, container by container in document order: UNSUPPORTED_ELEMENT (a name that is
//     not an EDXL-RM child of its parent, an element in another namespace, and MessageRecall,
//     which Muster does not support), INVALID_CONTENT (text between child elements, elements
//     inside a text element), DUPLICATE_ELEMENT, INVALID_SEQUENCE (the xs:sequence order of the
//     message and of ResourceInformation), MISSING_REQUIRED_ELEMENT. Child elements of the
//     structure Muster reads are accepted in either EDXL-RM namespace (kRmMsgNamespace or
//     kRmNamespace): producers differ. The content of elements kept only verbatim (CIQ contact
//     details, GML and xAL locations, TypeInfo, Funding, …) is not checked beyond well-formedness.
//  6. Values: TEXT_TOO_LARGE (> kMaxTextBytes), INVALID_ID (MessageID, OriginatingMessageID,
//     PrecedingMessageID, ResourceInfoElementID, PrecedingResourceInfoElementID: 1..kMaxIdBytes
//     characters, no whitespace), CONTENT_TYPE_MISMATCH (MessageContentType differs from the
//     root), INVALID_DATE (every dateTime: YYYY-MM-DDThh:mm:ss with a numeric offset, no "Z", no
//     fractional seconds — the CAP rule EDXL-RM shares), INVALID_ENUM_VALUE (ResponseType:
//     Accept, Decline, Provisional; ScheduleType: the 18 values of standards.md §2.3),
//     INVALID_QUANTITY (Amount is not a finite decimal number), DUPLICATE_ELEMENT_ID (two
//     ResourceInformation with the same ResourceInfoElementID).
//  7. Conditional rules of standards.md §2.4 that Muster relies on: NOT_APPLICABLE_ELEMENT
//     (PrecedingMessageID in a RequestResource or OfferUnsolicitedResource), MISSING_REQUIRED_
//     ELEMENT (PrecedingMessageID in a response; ResponseInformation in every ResourceInformation
//     of ResponseToRequestResource and CommitResource; Resource in RequestResource,
//     ReleaseResource and Accept/Provisional responses; Quantity in ReleaseResource and
//     Accept/Provisional responses), MISSING_REASON (Provisional without ReasonCode or
//     ResponseReason), INVALID_THREADING (a message preceded by itself; a RequestResource whose
//     OriginatingMessageID is not its own MessageID: it starts a thread).
// Not enforced: the per-type ScheduleType limits of §2.4, which EDXLSharp took from a draft.
//
// Text keeps its lexical form (whitespace included) except ids, enumerations, dateTimes and
// amounts, whose surrounding XML whitespace is dropped. Thread-safe; no exceptions escape.
#pragma once

#include <string_view>

#include "adapters/edxl/rm_message.h"
#include "common/result.h"
#include "common/status.h"

namespace muster::edxl {

Result<RmMessage> ParseRm(std::string_view xml);

// The stable code at the start of a ParseRm (or mapping) error ("INVALID_DATE"), or "" for an
// ok Status or a message without one.
std::string_view RmReasonCode(const Status& status);

}  // namespace muster::edxl
