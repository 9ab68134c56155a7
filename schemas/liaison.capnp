# LiaisonAssignment: one step in the life of a liaison officer's assignment from one organisation
# to another for an incident: propose -> accept | decline -> arrive -> handover -> release.
@0xfb72259228d5736b;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

struct LiaisonAssignment {
  assignmentId @0 :Text;               # empty on propose: the broker names it from the seq
  action @1 :Action;
  officer @2 :Text;                    # principal id of the liaison officer
  toOrg @3 :Text;                      # organisation the officer is assigned to
  post @4 :Text;                       # where or in which cell the officer serves
  untilMillis @5 :Int64;               # 0 = open-ended
  reason @6 :Text;                     # decline / release reason
  location @7 :GeoPoint;               # arrive: check-in position
  handoverTo @8 :Text;                 # handover: the new officer
  note @9 :Text;

  enum Action {
    propose @0;
    accept @1;
    decline @2;
    arrive @3;
    handover @4;
    release @5;
  }

  struct GeoPoint {
    present @0 :Bool;
    latitude @1 :Float64;
    longitude @2 :Float64;
  }
}
