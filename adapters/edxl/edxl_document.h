// The EDXL adapter's outbound mapping: a delivered equipment envelope -> the EDXL-RM document
// handed to the agency. The inverse of edxl_envelope.h.
//
// Steps and message types:
//   request                 RequestResource
//   offer                   ResponseToRequestResource (Accept unless the element says otherwise)
//   decline of a request    ResponseToRequestResource, Decline
//   commit                  CommitResource, Accept
//   decline of an offer     CommitResource, Decline
//   return                  RequestReturn
//   release                 ReleaseResource
//   status-request          RequestResourceDeploymentStatus
//   status-report           ReportResourceDeploymentStatus
//   dispatch, deliver, cancel
//                           ReportResourceDeploymentStatus with DeploymentStatus kStepList
//                           "dispatch" / "deliver" / "cancel" in every element (dispatch: a
//                           ScheduleInformation EstimatedArrival with the ETA)
// Threading ids are the message's own (edxlMessageId, …) when an EDXL adapter sent it. A message
// from a Muster client has none; it gets MessageID SeqMessageId(seq), OriginatingMessageID the
// thread's (its request's; SeqMessageId of the request's seq when the adapter never saw it), and
// PrecedingMessageID the message it answers: for an offer or a decline of the request the
// request's MessageID, for other steps the latest MessageID of their object this adapter has
// seen (else SeqMessageId of the object's seq). Such a message's ResourceInformation comes from
// its items, filled in from the thread where they are bare (an offer's resource types and units
// from the request's line items; a commit, dispatch or decline of an offer without items gets one
// element per offered item; a release gets the offered quantities).
//
// EdxlDocumentOf hands on the sender's original bytes when the envelope carries an EDXL original
// (application/xml) that parses and says the same as the body in everything Muster maps
// (RmDifferences against RmMessageOf is empty), so a sender cannot smuggle a different document
// past the broker's checks of the body; otherwise WriteRm(RmMessageOf(…)).
// Pure functions apart from the lookups; thread-safe if they are.
#pragma once

#include <cstdint>
#include <string>

#include "adapters/edxl/edxl_threading.h"
#include "adapters/edxl/rm_message.h"
#include "common/result.h"
#include "schemas/envelope.capnp.h"

namespace muster::edxl {

// The message an equipment envelope carried as `seq` stands for. InvalidArgument when the body is
// not equipment. REQUIRES: `threads` does not yet hold this message (call before
// RememberEquipment), so that "the latest MessageID" is the one before it.
Result<RmMessage> RmMessageOf(schema::Envelope::Reader envelope, uint64_t seq,
                              const EdxlThreads& threads);

struct EdxlDocument {
  std::string xml;
  bool from_original = false;  // the sender's bytes, not a re-serialisation
  std::string note;            // why the original was not used, when there was one
};

Result<EdxlDocument> EdxlDocumentOf(schema::Envelope::Reader envelope, uint64_t seq,
                                    const EdxlThreads& threads);

}  // namespace muster::edxl
