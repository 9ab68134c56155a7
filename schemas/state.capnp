# Workflow state records the kind plugins keep (broker/kinds/), one per object, stored in the
# message's own WriteBatch under (kind, object id) in canonical form. Object ids: alerts "<seq>",
# liaison assignments "L-<seq>", equipment requests "R-<seq>", offers "O-<seq>", where seq is the
# seq of the message that created the object. Times are unix milliseconds (0 = not set).
@0xf8af9034934a832d;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

using Common = import "common.capnp";
using Alert = import "alert.capnp".Alert;
using LiaisonAssignment = import "liaison.capnp".LiaisonAssignment;

# One alert message (msgType alert, update, cancel, ack or error) as the broker accepted it.
struct AlertState {
  seq @0 :UInt64;
  sender @1 :Text;                     # authenticated principal
  senderOrg @2 :Text;
  identifier @3 :Text;                 # CAP identifier
  msgType @4 :Alert.MsgType;
  references @5 :List(UInt64);         # seqs of the earlier alerts this one refers to
  cancelled @6 :Bool;                  # a later cancel referenced it
  updatedBySeq @7 :UInt64;             # the latest update that referenced it (0 = none)
  incident @8 :Text;
  classification @9 :Common.Classification;
  cancelledBySeq @10 :UInt64;          # the cancel that referenced it (0 = none)
  status @11 :Common.MessageStatus;    # actual, exercise, test, system
  capSender @12 :Text;                 # CAP sender, e.g. ops@ema.example
  sent @13 :Text;                      # CAP sent, lexical form
  event @14 :Text;                     # of the first info block
  headline @15 :Text;                  # of the first info block
  severity @16 :Alert.Severity;        # of the first info block (unset when there is none)
  urgency @17 :Alert.Urgency;
  receivedMillis @18 :Int64;           # when the broker accepted it
  expiresMillis @19 :Int64;            # envelope expiry (0 = never)
}

# One step in an object's history (liaison assignments and equipment offers and requests).
struct HistoryEntry {
  seq @0 :UInt64;                      # the message that made the step
  action @1 :Text;                     # propose, accept, …, "decline (handover)", …
  by @2 :Text;                         # principal
  atMillis @3 :Int64;
  note @4 :Text;                       # reason, note, location, quantities
  state @5 :Text;                      # the state after the step
}

struct LiaisonState {
  id @0 :Text;                         # "L-<seq>"
  state @1 :State;
  officer @2 :Text;                    # current liaison officer (principal id)
  pendingOfficer @3 :Text;             # handover-pending: the incoming officer
  proposer @4 :Text;
  proposerOrg @5 :Text;
  fromOrg @6 :Text;                    # the officers' organisation
  toOrg @7 :Text;                      # the organisation the officer is assigned to
  incident @8 :Text;
  post @9 :Text;
  untilMillis @10 :Int64;
  location @11 :LiaisonAssignment.GeoPoint;  # last check-in position
  history @12 :List(HistoryEntry);
  stateBeforeHandover @13 :State;      # where a declined handover returns to
  classification @14 :Common.Classification;
  createdSeq @15 :UInt64;
  arrivedMillis @16 :Int64;
  status @17 :Common.MessageStatus;    # of the proposal; every step carries the same

  enum State {
    proposed @0;
    accepted @1;
    declined @2;                       # final
    onSite @3;
    handoverPending @4;
    released @5;                       # final
  }
}

# An equipment request (kind "equipment", id "R-<seq>") with its per-line-item fulfilment.
struct EquipmentRequestState {
  id @0 :Text;
  requester @1 :Text;
  requesterOrg @2 :Text;
  state @3 :State;
  incident @4 :Text;
  deliverTo @5 :Text;
  neededByMillis @6 :Int64;
  priority @7 :Text;
  items @8 :List(Item);
  offers @9 :List(OfferRef);
  declinedBy @10 :List(Text);          # providers that declined to help
  history @11 :List(HistoryEntry);
  classification @12 :Common.Classification;
  createdSeq @13 :UInt64;
  status @14 :Common.MessageStatus;    # of the request; every offer and step carries the same

  enum State {
    open @0;
    cancelled @1;                      # final
    closed @2;                         # final: released by the requester
  }

  # Totals over the request's offers: offered = not declined; committed = committed or later;
  # dispatched = dispatched or later; delivered and returned = the quantities reported.
  struct Item {
    itemId @0 :Text;
    resourceType @1 :Text;
    unit @2 :Text;
    description @3 :Text;
    requested @4 :Float64;
    offered @5 :Float64;
    committed @6 :Float64;
    dispatched @7 :Float64;
    delivered @8 :Float64;
    returned @9 :Float64;
  }

  struct OfferRef {
    id @0 :Text;
    provider @1 :Text;
    state @2 :EquipmentOfferState.State;
  }
}

# An offer against a request (kind "equipment", id "O-<seq>").
struct EquipmentOfferState {
  id @0 :Text;
  requestId @1 :Text;
  requester @2 :Text;                  # copied from the request
  requesterOrg @3 :Text;
  provider @4 :Text;
  providerOrg @5 :Text;
  state @6 :State;
  items @7 :List(Item);
  etaMillis @8 :Int64;
  history @9 :List(HistoryEntry);
  incident @10 :Text;
  classification @11 :Common.Classification;
  createdSeq @12 :UInt64;
  status @13 :Common.MessageStatus;

  enum State {
    offered @0;
    committed @1;
    declined @2;                       # final
    dispatched @3;
    delivered @4;
    returned @5;
    released @6;                       # final
  }

  struct Item {
    itemId @0 :Text;                   # the request's line item
    quantity @1 :Float64;              # offered (and, once committed, committed and dispatched)
    received @2 :Float64;              # deliver
    returned @3 :Float64;              # return
  }
}
