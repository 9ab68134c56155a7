// The labels every workflow message carries (status and classification) and the rule that ties a
// step to its object: a step on an assignment, request or offer carries the object's status (a
// drill never passes for a real event) and at least its classification (so a step reaches nobody
// the object itself could not). Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"
#include "schemas/envelope.capnp.h"

namespace muster::kinds {

std::string_view StatusName(schema::MessageStatus status);                   // "actual", …
std::string_view ClassificationName(schema::Classification classification);  // "public", …

// InvalidArgument naming `object` ("assignment L-12") when the envelope's labels do not fit.
Status CheckStepLabels(schema::Envelope::Reader envelope, std::string_view object,
                       schema::MessageStatus status, schema::Classification classification);

}  // namespace muster::kinds
