// How `muster` shows messages: a readable block per delivery (exercise and test traffic marked
// unmistakably), or one JSON object per line with seq, sender, org, kind, status, classification,
// incident and the body.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "schemas/protocol.capnp.h"

namespace muster::cli {

std::string KindName(schema::Envelope::Reader envelope);
std::string StatusName(schema::MessageStatus status);
std::string PrecedenceName(schema::Precedence p);
std::string ClassificationName(schema::Classification c);

nlohmann::ordered_json DeliveryJson(schema::Deliver::Reader deliver);
std::string DeliveryText(schema::Deliver::Reader deliver);

// The body of an envelope (alert, liaison or equipment) as JSON.
nlohmann::ordered_json BodyJson(schema::Envelope::Reader envelope);

}  // namespace muster::cli
