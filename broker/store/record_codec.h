// Value codec of the store: the records kept per message, per delivery and per dedup key, as
// plain structs on the C++ side and canonical Cap'n Proto bytes on disk (schemas/store.capnp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "schemas/envelope.capnp.h"

namespace muster::store {

// What the broker stamps on an accepted message.
struct BrokerStamp {
  uint64_t seq = 0;
  std::string client_message_id;
  std::string sender;
  std::string sender_org;
  int64_t received_ms = 0;
  uint64_t leaf_index = 0;
};

struct RecipientEntry {
  std::string principal;
  std::string matched_term;
};

// Copies the client's envelope, overwrites the broker fields with `stamp`, attaches the
// recipients, and returns the canonical bytes of the StoredMessage.
std::string EncodeStoredMessage(schema::Envelope::Reader client_envelope, const BrokerStamp& stamp,
                                const std::vector<RecipientEntry>& recipients);

enum class DeliveryState { kPending = 0, kDelivered, kReceived, kAcknowledged, kEscalated, kExpired };
const char* DeliveryStateName(DeliveryState s);

struct DeliveryRecord {
  DeliveryState state = DeliveryState::kPending;
  uint32_t attempts = 0;
  int64_t delivered_ms = 0;
  int64_t received_ms = 0;
  int64_t acknowledged_ms = 0;
  std::string acknowledged_by;
  int64_t escalated_ms = 0;
  int64_t expired_ms = 0;
  std::string matched_term;
};
std::string EncodeDeliveryRecord(const DeliveryRecord& record);
Result<DeliveryRecord> DecodeDeliveryRecord(std::string_view bytes);

struct DedupRecord {
  uint64_t seq = 0;
  uint64_t leaf_index = 0;
  uint32_t recipients = 0;
  int64_t received_ms = 0;
};
std::string EncodeDedupRecord(const DedupRecord& record);
Result<DedupRecord> DecodeDedupRecord(std::string_view bytes);

}  // namespace muster::store
