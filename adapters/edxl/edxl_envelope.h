// The EDXL adapter's inbound mapping: an EDXL-RM document (ParseRm) -> a Muster envelope with an
// EquipmentRequest body. The outbound one is edxl_document.h; docs/adapters.md has the tables.
//
// Message types and steps:
//   RequestResource                       request (a new request R-<seq>)
//   ResponseToRequestResource, Accept or Provisional in every element
//                                         offer against the request of the thread
//   ResponseToRequestResource, all Decline
//                                         decline of that request
//   CommitResource, all Accept            commit of the offer of the thread
//   CommitResource, all Decline           decline of that offer
//   RequestReturn                         return of the offer
//   ReleaseResource                       release of the offer (of the request when the thread
//                                         names no offer: closing it)
//   RequestResourceDeploymentStatus       status-request on the offer
//   ReportResourceDeploymentStatus        status-report on the offer; with a DeploymentStatus in
//                                         kStepList in every element: dispatch or deliver of the
//                                         offer, or cancel of the request
// The thread: PrecedingMessageID (or, when absent, OriginatingMessageID) is looked up in the
// adapter's thread index (edxl_threading.h), which names the request and the offer it is about.
// Per element, PrecedingResourceInfoElementID (else ResourceInfoElementID) names a line item of
// the offer or the request (by its element id, else its item id).
//
// Fields (envelope / body <- EDXL):
//   sent                  SentDateTime (instant and offset)
//   incident              the first IncidentInformation/IncidentID
//   status, classification
//                         a request: the options (EDXL-RM has neither); a step: its object's, as
//                         the index recorded them (the broker requires them to match)
//   precedence            the options
//   addressing            the options' terms (required for a RequestResource: EDXL-RM leaves
//                         addressing to the distribution layer); the broker adds the parties of
//                         a step itself
//   references            a step: the seq of its object
//   edxlMessageId, edxlOriginatingMessageId, edxlPrecedingMessageId
//                         MessageID, OriginatingMessageID, PrecedingMessageID
//   note                  MessageDescription
//   requestId, offerId    from the thread
//   items                 one per ResourceInformation: itemId (the request's line item),
//                         resourceType and edxlTypeList (TypeStructure Value and ValueListURN),
//                         quantity, unit and edxlUnitList (MeasuredQuantity Amount, UnitOfMeasure
//                         Value and ValueListURN), description (Resource/Description),
//                         edxlElementId, edxlPrecedingElementId, edxlResponseType,
//                         edxlResponseReason. A commit and a dispatch take the whole offer, so
//                         their elements go to edxlItems instead; so do those of a return or
//                         deliver without any Quantity (which means "all of it").
//   deliverTo, neededByMillis
//                         the first LocationDescription of a RequestedArrival or ReportTo
//                         schedule; the earliest RequestedArrival DateTime
//   etaMillis             the earliest EstimatedArrival DateTime (dispatch)
//   priority              a Resource/Keyword in kPriorityList
//   reason                the first ResponseReason of a decline
//   original              {application/xml, the document's bytes exactly as received}
//
// Errors are InvalidArgument "<CODE>: <where>: <why>": those of CheckRmForMuster, and
// UNKNOWN_THREAD (PrecedingMessageID / OriginatingMessageID names no message the adapter knows),
// INVALID_THREADING (OriginatingMessageID is not the thread's), NO_OFFER_IN_THREAD (a step on an
// offer in a thread that names none), UNKNOWN_RESOURCE_ELEMENT (an element that names no line
// item of the offer or request), PARTIAL_COMMIT (a CommitResource that does not take the offer
// exactly as offered), NO_ADDRESSING. Pure functions apart from the lookups; thread-safe if they
// are.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/edxl/edxl_threading.h"
#include "adapters/edxl/rm_message.h"
#include "common/status.h"
#include "schemas/envelope.capnp.h"

namespace muster::edxl {

inline constexpr std::string_view kEdxlMimeType = "application/xml";

// What Muster needs of a parsed message beyond EDXL-RM itself, checked without the thread:
//   UNSUPPORTED_MESSAGE_TYPE  not one of the seven supported types
//   MISSING_REQUIRED_ELEMENT  a RequestResource without ResourceInformation, or an element
//                             without TypeStructure Value, Quantity or UnitOfMeasure Value, or
//                             without a place of delivery (LocationDescription of a
//                             RequestedArrival or ReportTo schedule); a ResponseToRequestResource
//                             without ResourceInformation; a dispatch without an EstimatedArrival
//                             DateTime
//   INVALID_QUANTITY          a quantity Muster reads that is QuantityText only, not positive
//                             (request, offer, commit) or negative (return, deliver, release)
//   INCONSISTENT_QUANTITIES   a return or deliver with a Quantity in some elements only
//   MIXED_RESPONSE            Accept/Provisional and Decline in one response
//   PROVISIONAL_COMMIT        a Provisional CommitResource (a Muster commit is binding)
//   MISSING_REASON            a Decline without ResponseReason (Muster records why)
//   INVALID_STEP              a kStepList DeploymentStatus other than dispatch, deliver, cancel,
//                             or outside a ReportResourceDeploymentStatus
//   INCONSISTENT_STEP         a step named in some elements only, or different steps
Status CheckRmForMuster(const RmMessage& message);

struct EdxlEnvelopeOptions {
  // Explicit addressing (muster-edxl --to).
  std::vector<std::string> principals, organisations, sectors, roles, areas;
  // Labels of a new request (a step takes its object's).
  schema::MessageStatus status = schema::MessageStatus::ACTUAL;
  schema::Classification classification = schema::Classification::INTERNAL;
  schema::Precedence precedence = schema::Precedence::ROUTINE;
  EdxlThreads threads;
};

// Fills `out` for `message`, which ParseRm read from `xml`. clientMessageId is left to the outbox.
Status BuildEdxlEnvelope(std::string_view xml, const RmMessage& message,
                         const EdxlEnvelopeOptions& options, schema::Envelope::Builder out);

}  // namespace muster::edxl
