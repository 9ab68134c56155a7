# The Muster wire protocol: one ZeroMQ frame per protocol message, whose root is a Frame.
# Client -> broker: hello, publish, ack, query, ping, bye.
# Broker -> client: welcome, receipt, reject, deliver, notice, result, pong.
# New commands and fields get new ordinals; nothing is ever renumbered.
@0x8be87341f3eb1d0f;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

using Common = import "common.capnp";
using Envelope = import "envelope.capnp".Envelope;

const protocolVersion :UInt32 = 1;

struct Frame {
  union {
    hello @0 :Hello;
    welcome @1 :Welcome;
    publish @2 :Publish;
    receipt @3 :Receipt;
    reject @4 :Reject;
    deliver @5 :Deliver;
    ack @6 :Ack;
    ping @7 :Ping;
    pong @8 :Pong;
    notice @9 :Notice;
    query @10 :Query;
    result @11 :Result;
    bye @12 :Void;
  }
}

struct Hello {
  protocolVersion @0 :UInt32;
  clientName @1 :Text;                 # e.g. "muster/0.1 watch"; for logs and `sessions`
  receive @2 :Bool;                    # this session wants deliveries (watch, inbox, adapters)
  window @3 :UInt32;                   # unacked deliveries the client can hold; 0 = broker default
}

struct Welcome {
  protocolVersion @0 :UInt32;
  principal @1 :Text;                  # from authentication, never from the client
  organisation @2 :Text;
  role @3 :Text;
  clearance @4 :Common.Classification;
  serverTimeMillis @5 :Int64;
  brokerName @6 :Text;
  window @7 :UInt32;                   # delivery window granted
  heartbeatMillis @8 :UInt32;          # send something (ping) at least this often
  sector @9 :Text;
}

struct Publish {
  clientMessageId @0 :Text;            # unique per sender; a retry reuses it
  envelope @1 :Envelope;
}

struct Receipt {
  clientMessageId @0 :Text;
  seq @1 :UInt64;                      # the broker's sequence number: durable from now on
  leafIndex @2 :UInt64;                # index of the "accepted" leaf in the audit log
  duplicate @3 :Bool;                  # this was a retry; the original receipt is repeated
  recipients @4 :UInt32;               # how many principals the message was routed to
  receivedMillis @5 :Int64;
}

enum RejectCode {
  malformed @0;                        # frame could not be decoded
  unknownCommand @1;                   # a command this broker does not know
  tooLarge @2;                         # frame or field over its limit
  invalid @3;                          # decoded, but a field is missing or wrong
  unauthenticated @4;                  # no authenticated identity on the connection
  forbidden @5;                        # policy does not allow it
  noRecipients @6;                     # addressing resolved to nobody allowed to receive it
  overloaded @7;                       # rate or size limit; see retryAfterMillis
  unavailable @8;                      # the store cannot accept writes now; nothing was accepted
  notFound @9;
  conflict @10;                        # illegal state transition
  helloRequired @11;
  unsupportedVersion @12;
  internal @13;
}

struct Reject {
  clientMessageId @0 :Text;            # of the refused publish, if any
  code @1 :RejectCode;
  reason @2 :Text;                     # one human-readable line
  retryAfterMillis @3 :UInt32;
  queryId @4 :UInt64;                  # of the refused query, if any
}

struct Deliver {
  seq @0 :UInt64;
  envelope @1 :Envelope;               # sender and senderOrg are the authenticated ones
  redeliveryCount @2 :UInt32;          # 0 on first delivery
  matchedTerm @3 :Text;                # the addressing term that made this principal a recipient
}

enum AckLevel {
  received @0;                         # the client has it (stops redelivery)
  acknowledged @1;                     # a person has read it
}

struct Ack {
  seqs @0 :List(UInt64);
  level @1 :AckLevel;
  requestId @2 :UInt64;                # non-zero: answer with a result (or reject) once durable
}

struct Ping {
  nonce @0 :UInt64;
}

struct Pong {
  nonce @0 :UInt64;
  serverTimeMillis @1 :Int64;
}

struct Notice {
  kind @0 :Kind;
  seq @1 :UInt64;                      # the message the notice is about, if any
  subject @2 :Text;                    # e.g. the recipient that missed a deadline
  text @3 :Text;
  atMillis @4 :Int64;

  enum Kind {
    info @0;
    escalation @1;
    expired @2;
    stateChange @3;
    superseded @4;                     # another session of this principal now receives
    revoked @5;
    shuttingDown @6;
    caughtUp @7;                       # everything pending for this receiver has been delivered and acked
  }
}

struct Query {
  queryId @0 :UInt64;
  union {
    stats @1 :Void;
    deliveryStatus @2 :UInt64;         # seq
    workflow @3 :WorkflowQuery;
    audit @4 :AuditQuery;
    admin @5 :AdminCommand;
    whoami @6 :Void;
  }
}

struct WorkflowQuery {
  kind @0 :Common.Kind;
  id @1 :Text;
  incident @2 :Text;
  state @3 :Text;
}

struct AuditQuery {
  fromMillis @0 :Int64;
  toMillis @1 :Int64;
  sender @2 :Text;
  org @3 :Text;
  recipient @4 :Text;
  incident @5 :Text;
  kind @6 :Text;
  event @7 :Text;
  limit @8 :UInt32;
  verb @9 :Text;                       # "query", "proof", "checkpoints", "consistency"
  args @10 :List(Text);
}

struct AdminCommand {
  union {
    principals @0 :Void;
    sessions @1 :Void;
    reload @2 :Void;
    revoke @3 :Text;
    health @4 :Void;
    restore @5 :Text;                  # lifts a revocation made with `revoke`
    backup @6 :Text;                   # directory on the broker's machine for an online backup
    setKey @7 :SetKey;                 # replace a principal's key (pending messages are kept)
  }
  struct SetKey {
    principal @0 :Text;
    publicKey @1 :Text;                # Z85
  }
}

struct Result {
  queryId @0 :UInt64;
  union {
    stats @1 :BrokerStats;
    deliveryStatus @2 :DeliveryStatus;
    table @3 :Table;
    text @4 :Text;
  }
}

struct BrokerStats {
  uptimeMillis @0 :Int64;
  sessions @1 :UInt32;
  publishesAccepted @2 :UInt64;
  publishesDuplicate @3 :UInt64;
  rejects @4 :UInt64;
  commitBatches @5 :UInt64;            # RocksDB WriteBatches written
  commitRecords @6 :UInt64;
  deliveries @7 :UInt64;
  redeliveries @8 :UInt64;
  acks @9 :UInt64;
  lastSeq @10 :UInt64;
  storeHealthy @11 :Bool;
  fsyncs @12 :UInt64;                  # syncs of the write-ahead log (one per commit group)
}

struct DeliveryStatus {
  seq @0 :UInt64;
  sender @1 :Text;
  recipients @2 :List(RecipientStatus);

  struct RecipientStatus {
    principal @0 :Text;
    matchedTerm @1 :Text;
    state @2 :Text;                    # pending, delivered, received, acknowledged, escalated, expired
    deliveredMillis @3 :Int64;
    receivedMillis @4 :Int64;
    acknowledgedMillis @5 :Int64;
    acknowledgedBy @6 :Text;
    attempts @7 :UInt32;
    escalatedMillis @8 :Int64;
    expiredMillis @9 :Int64;
  }
}

# A generic table for listings (sessions, principals, workflow lists, audit query results).
struct Table {
  columns @0 :List(Text);
  rows @1 :List(Row);
  struct Row {
    cells @0 :List(Text);
  }
}
