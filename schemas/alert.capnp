# Alert: the OASIS CAP 1.2 model. Every element of alert, info, resource and area is kept so that
# CAP XML -> Muster -> CAP XML loses nothing. Text fields keep CAP's lexical form (dateTimes with
# their offset, decimals as written); an empty Text means the optional element was absent.
@0xa9ccca0697ef0584;
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("muster::schema");

using Common = import "common.capnp";

struct Alert {
  identifier @0 :Text;
  sender @1 :Text;
  sent @2 :Text;                       # CAP dateTime, e.g. 2026-11-28T21:05:00+08:00
  status @3 :CapStatus;
  msgType @4 :MsgType;
  source @5 :Text;
  scope @6 :Scope;
  restriction @7 :Text;
  addresses @8 :Text;
  codes @9 :List(Text);
  note @10 :Text;
  references @11 :Text;                # whitespace-separated sender,identifier,sent triples
  incidents @12 :Text;
  infos @13 :List(Info);
  hasSignature @14 :Bool;              # an enveloped ds:Signature was present in the original

  enum CapStatus {
    unset @0;
    actual @1;
    exercise @2;
    system @3;
    test @4;
    draft @5;
  }
  enum MsgType {
    unset @0;
    alert @1;
    update @2;
    cancel @3;
    ack @4;
    error @5;
  }
  enum Scope {
    unset @0;
    public @1;
    restricted @2;
    private @3;
  }

  struct Info {
    language @0 :Text;
    categories @1 :List(Category);
    event @2 :Text;
    responseTypes @3 :List(ResponseType);
    urgency @4 :Urgency;
    severity @5 :Severity;
    certainty @6 :Certainty;
    audience @7 :Text;
    eventCodes @8 :List(Common.NameValue);
    effective @9 :Text;
    onset @10 :Text;
    expires @11 :Text;
    senderName @12 :Text;
    headline @13 :Text;
    description @14 :Text;
    instruction @15 :Text;
    web @16 :Text;
    contact @17 :Text;
    parameters @18 :List(Common.NameValue);
    resources @19 :List(Resource);
    areas @20 :List(Area);
  }

  enum Category {
    unset @0;
    geo @1;
    met @2;
    safety @3;
    security @4;
    rescue @5;
    fire @6;
    health @7;
    env @8;
    transport @9;
    infra @10;
    cbrne @11;
    other @12;
  }
  enum ResponseType {
    unset @0;
    shelter @1;
    evacuate @2;
    prepare @3;
    execute @4;
    avoid @5;
    monitor @6;
    assess @7;
    allClear @8;
    none @9;
  }
  enum Urgency {
    unset @0;
    immediate @1;
    expected @2;
    future @3;
    past @4;
    unknown @5;
  }
  enum Severity {
    unset @0;
    extreme @1;
    severe @2;
    moderate @3;
    minor @4;
    unknown @5;
  }
  enum Certainty {
    unset @0;
    observed @1;
    likely @2;
    possible @3;
    unlikely @4;
    unknown @5;
  }

  struct Resource {
    resourceDesc @0 :Text;
    mimeType @1 :Text;
    size @2 :Text;
    uri @3 :Text;
    derefUri @4 :Text;
    digest @5 :Text;
  }

  struct Area {
    areaDesc @0 :Text;
    polygons @1 :List(Text);
    circles @2 :List(Text);
    geocodes @3 :List(Common.NameValue);
    altitude @4 :Text;
    ceiling @5 :Text;
  }
}
