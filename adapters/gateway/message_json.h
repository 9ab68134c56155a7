// The JSON document of POST /v1/messages and the envelope it stands for. The document mirrors
// the envelope; its body is the kind's Cap'n Proto struct in Cap'n Proto's JSON encoding (field
// names as in schemas/*.capnp, enumerants by name), which is also how events show bodies:
//   {"kind": "alert" | "liaison" | "equipment",          required
//    "to": ["org:msd", "principal:duty", "sector:military", "role:duty-officer", "area:320481"],
//    "status": "actual" | "exercise" | "test" | "system",   required: drills never pass for real
//    "classification": "public" | "internal" (default) | "restricted" | "confidential",
//    "precedence": "flash" | "immediate" | "priority" | "routine" (default),
//    "incident": "INC-2026-031", "sent": RFC 3339 (default: when the gateway took it),
//    "expires": RFC 3339 | null, "ack_by": RFC 3339 | null, "references": [seq, …],
//    "body": {…}}                                          required
// Unknown fields, at any level, are refused. For an alert the gateway fills what the body
// leaves empty the way `muster alert` does (identifier, sender, sent, status, msgType, scope,
// restriction, incidents, info expires) and checks it against CAP 1.2 (cap::ValidateAlert)
// before accepting it. Thread-safe (no shared state); no exceptions escape.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "schemas/envelope.capnp.h"

namespace muster::gateway {

// What the envelope takes from the gateway rather than from the document.
struct EnvelopeDefaults {
  std::string principal;          // the agency's principal: the alert's CAP sender
  std::string client_message_id;  // the alert's CAP identifier is "<principal>.<this>"
  int64_t now_ms = 0;             // `sent` when the document has none
  int32_t utc_offset_minutes = 0;
};

// Parses a request body as a JSON object, refusing nesting deeper than `max_depth` before any
// parser recurses. InvalidArgument says where the text is not JSON.
Result<nlohmann::json> ParseJsonObject(std::string_view text, int max_depth = 32);

// Fills `envelope` from a POST /v1/messages document. InvalidArgument names the field.
Status FillEnvelopeFromJson(const nlohmann::json& document, const EnvelopeDefaults& defaults,
                            schema::Envelope::Builder envelope);

// The document shape of an envelope (kind, to, status, …, body): the inverse of
// FillEnvelopeFromJson, with every body field present.
nlohmann::ordered_json MessageJson(schema::Envelope::Reader envelope);

// A fingerprint of a document (SHA-256 hex of its canonical dump: keys sorted, no spaces), so a
// retry with the same Idempotency-Key can be told from a different request under a reused key.
std::string DocumentFingerprint(const nlohmann::json& document);

}  // namespace muster::gateway
