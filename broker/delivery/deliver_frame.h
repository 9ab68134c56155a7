// Builds the `deliver` frame sent to a recipient from a stored message record.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "schemas/envelope.capnp.h"

namespace muster::delivery {

struct DeliverFrame {
  std::string bytes;        // the encoded protocol frame
  int64_t expires_ms = 0;   // the message's expiry (0 = never)
  std::string incident;     // for the audit leaf of the delivery
  std::string kind;
  std::string status;       // for the read-side policy check
  std::string action;
  int classification = 0;
};

// "alert", "liaison", "equipment" (or "none").
std::string KindOf(schema::Envelope::Reader envelope);
// "actual", "exercise", "test", "system".
std::string StatusOf(schema::Envelope::Reader envelope);
// The workflow action of a liaison or equipment body ("propose", "status-request", …); "" for alerts.
std::string ActionOf(schema::Envelope::Reader envelope);

Result<DeliverFrame> BuildDeliverFrame(std::string_view stored_message, uint32_t redelivery_count,
                                       const std::string& matched_term);

}  // namespace muster::delivery
