// How the EDXL adapter keeps its thread index (edxl_thread_index.h) up to date, and how the
// mapping functions read it.
//
// RememberEquipment records an equipment message the adapter published (on its receipt) or had
// delivered: its EDXL MessageID (EdxlMessageIdOf: the message's edxlMessageId, or
// "urn:muster:seq:<seq>" for a message from a Muster client, which has none), the request and
// offer it is about, and for a request or an offer the new object with its line items; for any
// other step the objects' latest MessageID. Best effort by design: a failed write loses only the
// threading of later answers, which are then refused with a reason.
//
// Pure functions apart from the index they are given; not thread-safe (the index is not).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/edxl/edxl_thread_index.h"
#include "common/status.h"
#include "schemas/envelope.capnp.h"

namespace muster::edxl {

// Read access to the adapter's threads: an EdxlThreadIndex (ThreadsOf), or a fake in tests.
// Unset functions find nothing.
struct EdxlThreads {
  std::function<std::optional<ThreadMessage>(std::string_view message_id)> message;
  std::function<std::optional<ThreadObject>(std::string_view object_id)> object;

  std::optional<ThreadMessage> FindMessage(std::string_view id) const {
    return message && !id.empty() ? message(id) : std::nullopt;
  }
  std::optional<ThreadObject> FindObject(std::string_view id) const {
    return object && !id.empty() ? object(id) : std::nullopt;
  }
};

// Lookups into `index`, which must outlive the result.
EdxlThreads ThreadsOf(const EdxlThreadIndex& index);

// The id the adapter gives a Muster message that carries no EDXL MessageID.
std::string SeqMessageId(uint64_t seq);

// The EDXL MessageID of an equipment message: its edxlMessageId, or SeqMessageId(seq).
std::string EdxlMessageIdOf(schema::Envelope::Reader envelope, uint64_t seq);

// The seq in an object id ("R-12" -> 12), 0 if it is not one.
uint64_t SeqOfObject(std::string_view object_id);

// Records `envelope` (an equipment message carried as `seq`) in `index`. Other kinds are
// skipped. IoError when a record could not be written.
Status RememberEquipment(EdxlThreadIndex& index, schema::Envelope::Reader envelope, uint64_t seq);

}  // namespace muster::edxl
