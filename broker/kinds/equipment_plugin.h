// EquipmentPlugin: mutual equipment and supply support, the EDXL-RM lifecycle (kind "equipment";
// requests "R-<seq>" with records schema::EquipmentRequestState, offers "O-<seq>" with
// schema::EquipmentOfferState).
//
// A request lists line items (resource type, quantity, unit, description; ids "1", "2", … unless
// the requester names them), where to deliver and by when. Providers answer with offers against
// its line items. The steps (requester = who published the request; provider = who published
// the offer):
//
//   object   state               action            who may                 -> state
//   request  (none)              request           anyone                  -> open
//   request  open                offer REQ         anyone but the requester   (new offer: offered)
//   request  open                decline REQ       anyone but the requester   (recorded; stays
//   open) request  open, nothing       cancel REQ        the requester           -> cancelled
//   (final);
//            dispatched                                                       live offers declined
//   request  open, nothing       release REQ       the requester           -> closed (final);
//            committed or in                                                  offers still only
//            transit                                                          offered are declined
//   offer    offered             commit OFFER      the requester           -> committed
//   offer    offered|committed   decline OFFER     the requester           -> declined (final)
//   offer    committed           dispatch OFFER    the provider (eta)      -> dispatched
//   offer    dispatched          deliver OFFER     the requester           -> delivered
//   offer    delivered           return OFFER      the requester           -> returned
//   offer    delivered|returned  release OFFER     requester or provider   -> released (final)
//   offer    any                 status-request/   requester or provider      (history only)
//                                status-report
// offer and commit also need the request to be open. commit takes the whole offer and is
// refused (FailedPrecondition, with the numbers) when the committed total of a line item would
// exceed the requested quantity. deliver and return may give per-item quantities (received,
// returned: at most what was dispatched, received); without them everything counts. A decline
// needs a reason; a dispatch an ETA.
//
// Per line item the request always knows: requested; offered (offers not declined); committed
// (offers committed or further); dispatched (dispatched or further); delivered and returned (the
// quantities reported).
//
// Errors, checked in this order: InvalidArgument for a malformed step (the reason names the
// field); NotFound for an unknown request or offer; FailedPrecondition when the step is not
// possible in the current state, whoever asks ("offer O-7 is offered: dispatch is only possible
// when committed"); PermissionDenied for the wrong party ("only the provider rescue-1 may
// dispatch offer O-7"); then InvalidArgument for items that do not match the request or offer,
// and FailedPrecondition for an over-commitment. A step (an offer included) naming another
// incident than its object's, with another status than the object's or classified below it, is
// InvalidArgument (step_labels.h), checked right after NotFound.
//
// Effect: the changed records (the offer and its request, whose totals and offer list follow
// every offer step). Extra recipients: the other party — the requester for offer, dispatch,
// decline REQ and the provider's steps, the provider for the requester's steps on an offer;
// for cancel and release of a request, everyone who received the request and every provider
// with an offer. Never the publisher itself.
//
// Query: list (requests; filters incident, state: open, cancelled, closed) and show (R-<seq>:
// the request with "item.*", "offer.*" and "history.*" rows; O-<seq>: the offer with "item.*"
// and "history.*" rows). A viewer sees a request it made, received, offered against or
// declined, an offer it made or received; anything of its organisation's (requester's or a
// provider's) within its clearance; and anything within its clearance as a duty officer or an
// auditor.
#pragma once

#include "broker/kinds/kind_plugin.h"

namespace muster::kinds {

class EquipmentPlugin : public KindPlugin {
 public:
  std::string_view name() const override { return "equipment"; }
  schema::Envelope::Body::Which body() const override { return schema::Envelope::Body::EQUIPMENT; }
  Status Validate(schema::Envelope::Reader envelope, const MessageContext& context,
                  const StateView& state) const override;
  Result<Effect> Apply(schema::Envelope::Reader envelope, const MessageContext& context,
                       const StateView& state) const override;
  Status Query(schema::WorkflowQuery::Reader query, const Viewer& viewer, const StateView& state,
               schema::Table::Builder table) const override;
};

}  // namespace muster::kinds
