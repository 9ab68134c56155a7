// WriteCap: emits an Alert as CAP 1.2 XML (UTF-8, default namespace
// urn:oasis:names:tc:emergency:cap:1.2, elements in schema order, two-space indentation).
//
// Contract: for every alert that ParseCap produced, ParseCap(WriteCap(a)) equals `a` field for
// field (see cap_compare.h), except hasSignature: no signature is written (the original bytes are
// not kept, and any re-serialisation would invalidate one anyway), so a signed alert comes back
// with hasSignature = false.
//
// Mapping: empty optional text is omitted; required text elements and every list entry are
// always written, even when empty; `unset` enum values are omitted (so an alert ParseCap would
// not have produced may give XML that ParseCap refuses). Text is escaped (&, <, >, and CR as
// &#13; so it survives XML line-end normalisation); bytes that are not valid UTF-8 or not XML
// characters (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF) are replaced by U+FFFD so the
// output is always well-formed.
//
// REQUIRES: `alert` reads a valid message (a capnp reader over a corrupt frame throws kj
// exceptions; frames are validated where they are decoded, see schemas/frame_codec.h).
// Thread-safe.
#pragma once

#include <string>

#include "schemas/alert.capnp.h"

namespace muster::cap {

std::string WriteCap(schema::Alert::Reader alert);

}  // namespace muster::cap
