// Envelope checks done at publish before anything else: every text field within its limit, every
// enumeration a known value, a known body kind, a sane client message id. Generic over the schema
// (Cap'n Proto reflection), so a field added later is bounded without new code. Kind-specific
// rules belong to the kind plugins, not here.
#pragma once

#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "schemas/envelope.capnp.h"

namespace muster::broker {

struct EnvelopeLimits {
  size_t max_text_bytes = 65536;        // any one Text or Data field (original bytes excepted)
  size_t max_original_bytes = 1u << 20; // the original document of adapter traffic
  size_t max_list_items = 10000;        // any one list
  size_t max_id_bytes = 128;            // client message id, incident id, addressing terms
};

// Checks envelopes against fixed limits. Keeps a per-struct plan of the schema's fields (built
// on first use) so that each check walks the message without re-reading the schema. Not
// thread-safe; one per publish pipeline.
class EnvelopeChecker {
 public:
  explicit EnvelopeChecker(const EnvelopeLimits& limits) : limits_(limits) {}

  // Errors are InvalidArgument naming the field path, e.g. "body.alert.infos[0].headline: …".
  // `frame_bytes` is the size of the frame the envelope came in: a frame smaller than every
  // size limit cannot break one, so only enumerations are then walked.
  Status Check(const std::string& client_message_id, schema::Envelope::Reader envelope,
               size_t frame_bytes = SIZE_MAX);

  struct FieldPlan {
    capnp::StructSchema::Field field;
    capnp::Type type;
    std::string name;
  };
  struct StructPlan {
    std::vector<FieldPlan> plain;    // non-union fields that can hold text, data, enums or pointers
    std::vector<FieldPlan> members;  // union members, by discriminant order
    bool has_union = false;
    bool has_enums = false;          // an enumeration anywhere below this struct
  };
  const StructPlan& PlanFor(capnp::StructSchema schema);

 private:
  Status Struct(capnp::DynamicStruct::Reader s, const std::string& path);
  Status Value(capnp::DynamicValue::Reader v, capnp::Type type, const std::string& path);
  // Whether a value of this type may hold something to check in the current mode.
  bool Relevant(capnp::Type type);

  bool enums_only_ = false;  // the frame is too small to break any size limit

  EnvelopeLimits limits_;
  std::map<uint64_t, StructPlan> plans_;
};

// One-off check (builds a fresh plan each time; for tests and tools).
Status CheckEnvelope(const std::string& client_message_id, schema::Envelope::Reader envelope,
                     const EnvelopeLimits& limits);

// Client message ids: 1..128 printable ASCII characters without spaces.
bool IsValidClientMessageId(const std::string& id, size_t max_bytes);

}  // namespace muster::broker
