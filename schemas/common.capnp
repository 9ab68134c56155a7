# Types shared by every Muster schema: time, name/value pairs and the envelope's enumerations.
@0xae9f5f8fea77b35e;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

# An instant with the UTC offset it was written in (so "+08:00" survives a round trip).
struct Timestamp {
  unixMillis @0 :Int64;
  utcOffsetMinutes @1 :Int16;
}

struct NameValue {
  name @0 :Text;
  value @1 :Text;
}

# Whether a message is a real event. Drills and tests must never pass for real events.
enum MessageStatus {
  actual @0;
  exercise @1;
  test @2;
  system @3;
}

# Order of delivery: flash before immediate before priority before routine.
enum Precedence {
  routine @0;
  priority @1;
  immediate @2;
  flash @3;
}

# public < internal < restricted < confidential. A principal never sees above its clearance.
enum Classification {
  public @0;
  internal @1;
  restricted @2;
  confidential @3;
}

# The traffic kinds. Each kind is one body struct and one broker plugin.
enum Kind {
  alert @0;
  liaison @1;
  equipment @2;
}
