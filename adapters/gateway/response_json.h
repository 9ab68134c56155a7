// The JSON answers of the gateway that are not errors: the broker's receipt of a message (201,
// and the same again for a retry with the same Idempotency-Key), a submission the outbox still
// holds (202, GET /v1/submissions/{id}) and the broker's delivery status of a message.
// Times are RFC 3339 in UTC; a time that has not happened is null. No shared state.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "adapters/sdk/outbox.h"
#include "schemas/protocol.capnp.h"

namespace muster::gateway {

// Where the delivery status of `seq` is read, and where a submission is followed.
std::string StatusUrl(uint64_t seq);
std::string SubmissionUrl(const std::string& client_message_id);

// {"client_message_id", "seq", "leaf_index", "recipients", "received", "status_url"}
nlohmann::ordered_json ReceiptJson(const client::ReceiptInfo& receipt);

// {"client_message_id", "state": "pending" | "done" | "refused", "submission_url", and
//  "receipt" (done) or "error" {"error", "reason"} (refused)}
nlohmann::ordered_json SubmissionJson(const client::OutboxEntry& entry);

// {"seq", "sender", "recipients": [{"principal", "matched_term", "state", "attempts",
//  "delivered", "received", "acknowledged", "acknowledged_by", "escalated", "expired"}]}
nlohmann::ordered_json DeliveryStatusJson(schema::DeliveryStatus::Reader status);

}  // namespace muster::gateway
