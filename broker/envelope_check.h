// Envelope checks done at publish before anything else: every text field within its limit, every
// enumeration a known value, a known body kind, a sane client message id. Generic over the schema
// (Cap'n Proto reflection), so a field added later is bounded without new code. Kind-specific
// rules belong to the kind plugins, not here.
#pragma once

#include <string>

#include "common/status.h"
#include "schemas/envelope.capnp.h"

namespace muster::broker {

struct EnvelopeLimits {
  size_t max_text_bytes = 65536;        // any one Text or Data field (original bytes excepted)
  size_t max_original_bytes = 1u << 20; // the original document of adapter traffic
  size_t max_list_items = 10000;        // any one list
  size_t max_id_bytes = 128;            // client message id, incident id, addressing terms
};

// Errors are InvalidArgument naming the field path, e.g. "body.alert.infos[0].headline: …".
Status CheckEnvelope(const std::string& client_message_id, schema::Envelope::Reader envelope,
                     const EnvelopeLimits& limits);

// Client message ids: 1..128 printable ASCII characters without spaces.
bool IsValidClientMessageId(const std::string& id, size_t max_bytes);

}  // namespace muster::broker
