# The audit log: one leaf per accountable event. A leaf is stored in canonical form and hashed as
# an RFC 6962 leaf (SHA-256(0x00 || canonical bytes)); the leaves form the Merkle tree whose
# checkpoints the broker signs. Fields never change meaning; new ones get new ordinals.
@0xea4ade230901b493;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

struct AuditLeaf {
  index @0 :UInt64;                    # position in the log (0-based)
  timeMillis @1 :Int64;                # broker time; never decreases along the log
  event @2 :Event;
  actor @3 :Text;                      # principal that caused the event ("" = the broker)
  seq @4 :UInt64;                      # message the event is about (0 = none)
  digest @5 :Data;                     # accepted: SHA-256 of the stored message record;
                                       # rejected: SHA-256 of the refused frame
  subject @6 :Text;                    # recipient (delivery events), principal (admin events),
                                       # key (authentication events)
  code @7 :Text;                       # rejected: the reject code; auth refused: the ZAP reason
  reason @8 :Text;
  peerAddress @9 :Text;
  detail @10 :Text;                    # e.g. the policy file's SHA-256 on reload
  org @11 :Text;                       # the actor's organisation
  incident @12 :Text;                  # of the message, for message events
  kind @13 :Text;                      # of the message: alert, liaison, equipment
  recipients @14 :List(Text);          # accepted: every recipient
  attempt @15 :UInt32;                 # delivered: 1 for the first delivery

  enum Event {
    accepted @0;
    rejected @1;
    delivered @2;
    received @3;
    acknowledged @4;
    escalated @5;
    expired @6;
    authenticated @7;
    authenticationRefused @8;
    principalAdded @9;
    principalRevoked @10;
    policyReloaded @11;
    brokerStarted @12;
    brokerStopped @13;
    queried @14;                       # an auditor read the log over the protocol
    principalChanged @15;              # key, role, organisation or clearance changed
  }
}
