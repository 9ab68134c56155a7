// EdxlThreadIndex: what an EDXL adapter knows about the threads it takes part in, so that an
// inbound document answering an earlier one maps to the Muster object it is about, and an
// outbound one gets its threading ids back. EDXL-RM threads by MessageID (OriginatingMessageID,
// PrecedingMessageID, and per line item ResourceInfoElementID); the broker by object id (request
// R-<seq>, offer O-<seq>). The index holds:
//   - per EDXL MessageID (of a message this adapter published or had delivered; a Muster message
//     without EDXL ids is known by the id the adapter gave it, "urn:muster:seq:<seq>"): the
//     broker seq and the request and offer it is about;
//   - per object (R-… or O-…): the thread's OriginatingMessageID, the MessageID that created it
//     and the latest one seen, its labels (status, classification, incident) and its line items
//     with their ResourceInfoElementIDs.
//
// On disk: one small text file per key in a directory (beside the outbox, which is locked by the
// one adapter that uses it), named by the first 40 hex digits of SHA-256 of the key ("message
// <MessageID>" or "object <id>"), written atomically; the key is repeated inside, so a hash
// collision is detected rather than believed. Losing the directory loses only the threading:
// answers to messages the adapter no longer knows are refused with a reason.
//
// Owned by one adapter process; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "schemas/common.capnp.h"

namespace muster::edxl {

struct ThreadMessage {
  std::string message_id;      // EDXL MessageID
  uint64_t seq = 0;            // broker seq of the message that carried it
  std::string request_id;      // R-<seq>
  std::string offer_id;        // O-<seq>; empty for a message about the request as a whole
  std::string originating_id;  // the thread's OriginatingMessageID
};

struct ThreadItem {
  std::string item_id;     // the request's line item id
  std::string element_id;  // the ResourceInfoElementID that stood for it in the object's message
  std::string resource_type, type_list, unit, unit_list, description;
  double quantity = 0;
};

struct ThreadObject {
  std::string object_id;       // R-<seq> or O-<seq>
  std::string request_id;      // the request (the object itself for a request)
  std::string originating_id;  // the thread's OriginatingMessageID
  std::string created_by;      // the MessageID that created the object
  std::string latest;          // the latest MessageID about the object seen by this adapter
  schema::MessageStatus status = schema::MessageStatus::ACTUAL;
  schema::Classification classification = schema::Classification::INTERNAL;
  std::string incident;
  std::vector<ThreadItem> items;  // request: its line items; offer: what it offers
};

class EdxlThreadIndex {
 public:
  // Opens (creating if needed) the index in `dir`.
  static Result<std::unique_ptr<EdxlThreadIndex>> Open(const std::string& dir);
  EdxlThreadIndex(const EdxlThreadIndex&) = delete;
  EdxlThreadIndex& operator=(const EdxlThreadIndex&) = delete;

  std::optional<ThreadMessage> FindMessage(std::string_view message_id) const;
  std::optional<ThreadObject> FindObject(std::string_view object_id) const;
  // Replace the record with the same key. IoError when it could not be written.
  Status PutMessage(const ThreadMessage& message);
  Status PutObject(const ThreadObject& object);

 private:
  explicit EdxlThreadIndex(std::string dir) : dir_(std::move(dir)) {}
  std::string PathFor(std::string_view key) const;
  std::optional<std::vector<std::pair<std::string, std::string>>> Load(std::string_view key) const;
  Status Store(std::string_view key, const std::vector<std::pair<std::string, std::string>>& fields);

  std::string dir_;
};

}  // namespace muster::edxl
