// The CAP adapter's mapping between CAP 1.2 documents and Muster envelopes (used by muster-cap).
//
// CAP -> envelope, BuildCapEnvelope:
//   status          CAP Actual, Exercise, System, Test -> actual, exercise, system, test. Draft is
//                   refused (DRAFT_NOT_EXCHANGED): drafts are not exchanged through the broker.
//   sent            the CAP sent instant with the offset it was written in.
//   classification, precedence
//                   from the options: CAP has neither. A CAP feed is public warning information,
//                   so the adapter's default is public (muster-cap --classification).
//   incident        the first token of CAP incidents (a quoted name loses its quotes);
//                   INVALID_INCIDENTS if it is longer than the broker's 128-byte id limit.
//   expiresMillis   the earliest info/expires; ALREADY_EXPIRED when that is not in the future
//                   (the broker would refuse it), unless ignore_expires (archived alerts): 0.
//   addressing      the options' terms when any is given; otherwise one area:CODE per GB/T 2260
//                   code in the alert's areas (ExtractGbt2260Codes); NO_ADDRESSING when neither.
//   references      the broker seqs of earlier alerts named by CAP references, as far as
//                   find_reference knows them (the broker needs them for Update, Cancel, Ack and
//                   Error; CAP names alerts by sender and identifier, the broker by seq).
//   body            the alert exactly as ParseCap read it (times keep their lexical form).
//   original        {application/cap+xml, the document's bytes exactly as received}.
// Errors are Status::InvalidArgument "<CODE>: <why>". clientMessageId is left to the outbox.
//
// Envelope -> CAP, CapDocumentOf: the original bytes when the envelope carries a CAP original
// that parses to the same alert as the body (so a sender cannot smuggle a different or hostile
// document past the broker's checks of the body); otherwise WriteCap of the body.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "schemas/alert.capnp.h"
#include "schemas/envelope.capnp.h"

namespace muster::cap {

inline constexpr std::string_view kCapMimeType = "application/cap+xml";

struct CapEnvelopeOptions {
  // Explicit addressing (muster-cap --to). All empty: address the alert's GB/T 2260 areas.
  std::vector<std::string> principals, organisations, sectors, roles, areas;
  schema::Classification classification = schema::Classification::PUBLIC;
  schema::Precedence precedence = schema::Precedence::ROUTINE;
  bool ignore_expires = false;  // do not carry info/expires into the envelope's expiry
  int64_t now_ms = 0;           // to refuse alerts that have already expired
  // The broker seq of an earlier alert, by CAP sender and identifier, if known.
  std::function<std::optional<uint64_t>(std::string_view sender, std::string_view identifier)> find_reference;
};

// Fills `out` for `alert`, which ParseCap read from `xml`.
Status BuildCapEnvelope(std::string_view xml, schema::Alert::Reader alert, const CapEnvelopeOptions& options,
                        schema::Envelope::Builder out);

// The first incident of a CAP incidents list ("" if none).
std::string FirstCapIncident(std::string_view incidents);

// The (sender, identifier) pairs named by a CAP references list, in order.
std::vector<std::pair<std::string, std::string>> CapReferencePairs(std::string_view references);

struct CapDocument {
  std::string xml;
  bool from_original = false;  // the sender's bytes, not a re-serialisation
  std::string note;            // why the original was not used, when it was present
};

// The CAP 1.2 XML to hand to the agency for a delivered envelope. InvalidArgument when the body
// is not an alert.
Result<CapDocument> CapDocumentOf(schema::Envelope::Reader envelope);

}  // namespace muster::cap
