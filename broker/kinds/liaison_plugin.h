// LiaisonPlugin: the liaison assignment workflow (kind "liaison", objects "L-<seq>", records
// schema::LiaisonState). A liaison officer of one organisation is assigned to another for an
// incident:
//
//   state             action     who may                                      -> state
//   (none)            propose    see below                                    -> proposed
//   proposed          accept     the officer                                  -> accepted
//   proposed          decline    the officer (a reason is required)           -> declined (final)
//   accepted          arrive     the officer (optional check-in position)     -> on-site
//   accepted|on-site  handover   the officer or the proposer; --to names an   -> handover-pending
//                                officer of the same organisation
//   handover-pending  accept     the incoming officer (becomes the officer)   -> accepted
//   handover-pending  decline    the incoming officer (a reason is required)  -> the state before
//                                                                                the handover
//   any non-final     release    the proposer or the bureau                   -> released (final)
//
// propose: by the officer's organisation — its adapters and duty officers, or the officer
// itself — or by any government-sector organisation (the bureau). "The bureau" and every other
// party act only in a workflow role (adapter, officer, duty-officer); auditors and admins never
// do. The officer must be a principal of role officer and not revoked; the target organisation
// must exist and differ from the officer's; an incident id is required; untilMillis, if set,
// lies in the future.
//
// Errors, checked in this order: InvalidArgument for a malformed step (the reason names the
// field: a missing id, officer, organisation, incident, decline reason or handover target, a
// position out of range); NotFound for an unknown assignment; FailedPrecondition when the action
// is not possible in the current state, whoever asks ("assignment L-12 is on-site: accept is
// only possible when proposed or handover-pending"); PermissionDenied for the wrong party ("only
// the officer liaison-1 may accept assignment L-12"); then NotFound or InvalidArgument for a bad
// handover target (unknown, not an officer, another organisation, revoked, the officer itself).
// propose checks NotFound (officer, organisation), then InvalidArgument (the officer's role,
// revocation, same organisation), then PermissionDenied. A step naming an incident other than
// the assignment's, with another status than the proposal's or classified below it, is
// InvalidArgument (step_labels.h), checked right after NotFound.
//
// Effect: one write (the assignment record, with a history entry per step); extra recipients =
// the officer before and after the step, the incoming officer (if any), the proposer, and the
// duty officers and adapters of the target organisation (its duty desk and its systems, so the
// receiving side hears each step however it is addressed), never the publisher itself.
//
// Query: list (filters: incident, state by name: proposed, accepted, declined, on-site,
// handover-pending, released) and show (id: the assignment plus "history.*" rows). A viewer
// sees an assignment when it is the officer, the incoming officer, the proposer or made any step;
// when its organisation is the officers', the target or the proposer's and its clearance
// reaches the assignment's classification; or when it is a duty officer or an auditor with that
// clearance.
#pragma once

#include "broker/kinds/kind_plugin.h"

namespace muster::kinds {

class LiaisonPlugin : public KindPlugin {
 public:
  std::string_view name() const override { return "liaison"; }
  schema::Envelope::Body::Which body() const override { return schema::Envelope::Body::LIAISON; }
  Status Validate(schema::Envelope::Reader envelope, const MessageContext& context,
                  const StateView& state) const override;
  Result<Effect> Apply(schema::Envelope::Reader envelope, const MessageContext& context,
                       const StateView& state) const override;
  Status Query(schema::WorkflowQuery::Reader query, const Viewer& viewer, const StateView& state,
               schema::Table::Builder table) const override;
};

}  // namespace muster::kinds
