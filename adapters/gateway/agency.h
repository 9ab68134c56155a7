// Agency: what the gateway holds for one agency system — its configuration, the options of its
// own connection to the broker (its key, so it speaks as its own principal), its submissions
// (outbox and Idempotency-Keys), its event journal, its sending link and its event-stream slot.
// State lives under STATE_DIR/agencies/NAME/: outbox/ (adapters/sdk/outbox.h) and events/
// (event_journal.h).
// Ownership: owned by the GatewayServer; the members own what they hold. The members are
// thread-safe; the struct itself is not modified after OpenAgency.
#pragma once

#include <memory>
#include <string>
#include <zmq.hpp>

#include "adapters/gateway/broker_link.h"
#include "adapters/gateway/event_journal.h"
#include "adapters/gateway/gateway_config.h"
#include "adapters/gateway/stream_slot.h"
#include "adapters/gateway/submission_store.h"
#include "adapters/sdk/connection.h"
#include "common/log.h"

namespace muster::gateway {

struct Agency {
  AgencyConfig config;
  client::ConnectOptions connect;
  std::unique_ptr<SubmissionStore> submissions;
  std::unique_ptr<EventJournal> journal;
  std::unique_ptr<BrokerLink> link;  // not started
  StreamSlot stream_slot;
};

// Checks the agency's key file and opens its state (taking the outbox's lock: a second gateway
// on the same state directory fails here). Errors name the agency.
Result<std::unique_ptr<Agency>> OpenAgency(const GatewayConfig& config, const AgencyConfig& agency,
                                           zmq::context_t& context, Logger& log);

}  // namespace muster::gateway
