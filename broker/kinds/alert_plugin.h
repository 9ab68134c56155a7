// AlertPlugin: alerts as a workflow (kind "alert", objects "<seq>", records schema::AlertState).
//
// Validate, in this order:
//  1. cap::ValidateAlert: the CAP 1.2 checks of standards.md §1.5, InvalidArgument with the CAP
//     reason code ("MISSING_REQUIRED_ELEMENT: info[0]/event: ...").
//  2. Envelope consistency, InvalidArgument: CAP status Draft is refused (drafts are not
//     exchanged through the broker); the CAP status must equal the envelope status (Actual =
//     actual, Exercise = exercise, Test = test, System = system).
//  3. References. envelope.references holds the seqs of earlier alerts; msgType Update, Cancel,
//     Ack and Error need at least one (InvalidArgument). Every referenced seq must be an alert
//     the broker accepted (NotFound "alert 10 not found"); for Update, Cancel, Ack and Error it
//     must have the same envelope status (a drill never updates a real alert: InvalidArgument)
//     and the CAP references must name it by its CAP sender and identifier (InvalidArgument).
//     Update and Cancel: only the original sender's organisation (PermissionDenied), only of an
//     Alert or Update message (FailedPrecondition), never of a cancelled alert
//     (FailedPrecondition "alert 10 was cancelled by 14 ..."). Ack and Error: only by a
//     recipient of the original or the sender's organisation (PermissionDenied).
//
// Apply: the new alert's record; for Update and Cancel also the originals, marked updated
// (updatedBySeq) or cancelled (cancelledBySeq). Extra recipients: for Update and Cancel everyone
// who received an original (StateView::RecipientsOf) and the original's sender, so the change
// reaches them even outside the new addressing; for Ack and Error the original's sender. Never
// the publisher itself. The broker still applies its receive filter (clearance, rules) to them.
//
// Query: list (filters: incident, state: active, updated, cancelled) and show (id = seq). A
// viewer sees an alert it sent or received (RecipientsOf), or any alert within its clearance when
// it is a duty officer or an auditor.
#pragma once

#include "broker/kinds/kind_plugin.h"

namespace muster::kinds {

class AlertPlugin : public KindPlugin {
 public:
  std::string_view name() const override { return "alert"; }
  schema::Envelope::Body::Which body() const override { return schema::Envelope::Body::ALERT; }
  Status Validate(schema::Envelope::Reader envelope, const MessageContext& context,
                  const StateView& state) const override;
  Result<Effect> Apply(schema::Envelope::Reader envelope, const MessageContext& context,
                       const StateView& state) const override;
  Status Query(schema::WorkflowQuery::Reader query, const Viewer& viewer, const StateView& state,
               schema::Table::Builder table) const override;
};

}  // namespace muster::kinds
