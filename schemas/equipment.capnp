# EquipmentRequest: one step of mutual equipment and supply support, aligned with EDXL-RM 1.0:
# request -> offer -> commit -> dispatch -> deliver -> return/release; cancel; decline.
@0xa254d80cc6a9fcad;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

struct EquipmentRequest {
  requestId @0 :Text;                  # empty on request: the broker names it from the seq
  offerId @1 :Text;                    # empty on offer: the broker names it from the seq
  action @2 :Action;
  items @3 :List(LineItem);
  deliverTo @4 :Text;
  neededByMillis @5 :Int64;
  priority @6 :Text;
  etaMillis @7 :Int64;                 # dispatch
  reason @8 :Text;                     # decline / cancel
  note @9 :Text;
  # EDXL-RM threading, kept so that an EDXL adapter can round-trip its documents.
  edxlMessageId @10 :Text;
  edxlOriginatingMessageId @11 :Text;
  edxlPrecedingMessageId @12 :Text;
  # The EDXL-RM ResourceInformation elements of a step whose `items` must stay empty (commit and
  # dispatch take the whole offer), kept for the EDXL adapter's round trip. The broker does not
  # read them.
  edxlItems @13 :List(LineItem);

  enum Action {
    request @0;
    offer @1;
    commit @2;
    decline @3;
    dispatch @4;
    deliver @5;
    return @6;
    cancel @7;
    release @8;
    statusRequest @9;
    statusReport @10;
  }

  struct LineItem {
    itemId @0 :Text;                   # stable within a request ("1", "2", …)
    resourceType @1 :Text;             # resource type code, e.g. "pump.high-capacity"
    quantity @2 :Float64;
    unit @3 :Text;
    description @4 :Text;
    # EDXL-RM details of the ResourceInformation element this item came from, kept so that the
    # EDXL adapter can write the document back (set by muster-edxl; the broker does not read them).
    edxlElementId @5 :Text;            # ResourceInfoElementID
    edxlPrecedingElementId @6 :Text;   # ResponseInformation/PrecedingResourceInfoElementID
    edxlResponseType @7 :Text;         # ResponseInformation/ResponseType: Accept, Decline, Provisional
    edxlResponseReason @8 :Text;       # ResponseInformation/ResponseReason
    edxlTypeList @9 :Text;             # Resource/TypeStructure/ValueListURN
    edxlUnitList @10 :Text;            # Quantity/MeasuredQuantity/UnitOfMeasure/ValueListURN
    edxlHasQuantity @11 :Bool;         # the element had a Quantity (so a quantity of 0 is one)
  }
}
