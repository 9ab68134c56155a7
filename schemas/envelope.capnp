# Envelope: what every Muster message carries, whatever its kind (modelled on EDXL-DE 2.0).
# Fields marked "broker" are set by the broker from authentication and its clock; a client's
# values for them are ignored.
@0xa1cad446c438787f;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

using Common = import "common.capnp";
using Alert = import "alert.capnp".Alert;
using LiaisonAssignment = import "liaison.capnp".LiaisonAssignment;
using EquipmentRequest = import "equipment.capnp".EquipmentRequest;

struct Envelope {
  seq @0 :UInt64;                              # broker
  sender @1 :Text;                             # broker: principal id from the ZAP User-Id
  senderOrg @2 :Text;                          # broker
  clientMessageId @3 :Text;                    # unique per sender: the dedup key
  sent @4 :Common.Timestamp;                   # the sender's clock
  receivedMillis @5 :Int64;                    # broker
  status @6 :Common.MessageStatus;
  precedence @7 :Common.Precedence;
  classification @8 :Common.Classification;
  incident @9 :Text;
  references @10 :List(UInt64);                # seqs of earlier messages this one refers to
  addressing @11 :Addressing;
  ackDeadlineMillis @12 :Int64;                # 0 = no acknowledgement demanded
  expiresMillis @13 :Int64;                    # 0 = never
  original @14 :OriginalDocument;              # adapter traffic: the bytes as the agency sent them
  body :union {
    none @15 :Void;
    alert @16 :Alert;
    liaison @17 :LiaisonAssignment;
    equipment @18 :EquipmentRequest;
  }
}

# Addressing terms; recipients are the union of all terms, filtered by policy.
struct Addressing {
  principals @0 :List(Text);
  organisations @1 :List(Text);
  sectors @2 :List(Text);
  roles @3 :List(Text);
  areas @4 :List(Text);                        # GB/T 2260 division codes
}

struct OriginalDocument {
  mimeType @0 :Text;
  bytes @1 :Data;
}
