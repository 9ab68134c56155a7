# Records the broker keeps in its store. Values in RocksDB are these structs, written through the
# one codec in broker/store/. Message records are stored in canonical form so their SHA-256 is
# stable for the audit log.
@0xe3d82cebe50009b2;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

using Envelope = import "envelope.capnp".Envelope;

struct StoredMessage {
  envelope @0 :Envelope;               # with seq, sender, senderOrg, receivedMillis set
  recipients @1 :List(Recipient);
  leafIndex @2 :UInt64;

  struct Recipient {
    principal @0 :Text;
    matchedTerm @1 :Text;              # e.g. "org:msd" — why this principal received it
  }
}

# Per (message, recipient): how far delivery has come.
struct DeliveryRecord {
  state @0 :State;
  attempts @1 :UInt32;
  deliveredMillis @2 :Int64;
  receivedMillis @3 :Int64;
  acknowledgedMillis @4 :Int64;
  acknowledgedBy @5 :Text;
  escalatedMillis @6 :Int64;
  expiredMillis @7 :Int64;
  matchedTerm @8 :Text;

  enum State {
    pending @0;
    delivered @1;
    received @2;
    acknowledged @3;
    escalated @4;
    expired @5;
  }
}

# (sender, client message id) -> the original receipt, so a retry gets the same answer forever.
struct DedupRecord {
  seq @0 :UInt64;
  leafIndex @1 :UInt64;
  recipients @2 :UInt32;
  receivedMillis @3 :Int64;
}
