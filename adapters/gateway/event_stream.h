// EventStream: one server-sent-events stream (GET /v1/events) of deliveries to an agency's
// principal. It opens the agency's receiving session with the broker on the calling thread (the
// HTTP worker that serves the stream, which owns the socket for the stream's life), and writes:
//   retry: 2000                                        once, first
//   id: <seq> / event: delivery / data: <DeliveryJson>  each delivery (the id is the broker seq)
//   event: notice / data: {"kind", "seq", "subject", "text", "at"}  escalations, expiries, …
//   event: caught-up / data: {…}                       everything pending has been written
//   event: superseded / data: {…}                      another stream took over; this one ends
//   : keep-alive                                       when idle, every heartbeat
// Resuming: a Last-Event-ID confirms every journaled event up to and including that id; the
// stream first re-sends the journal's unconfirmed events (written before, maybe never read),
// then relays live deliveries. Each live delivery is journaled (fsync'd), written, and only then
// acked `received` to the broker; a delivery that could not be written is not acked, and the
// broker delivers it again to the next stream. Delivery is at least once: a client drops
// events whose id it has processed already.
//
// Ownership: borrows the journal, context and logger. Run blocks; it uses one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "adapters/gateway/event_journal.h"
#include "adapters/sdk/connection.h"
#include "common/log.h"

namespace muster::gateway {

class EventStream {
 public:
  struct Options {
    client::ConnectOptions connect;  // the agency's key; receive is set here
    std::string agency;
    int heartbeat_ms = 15000;
  };
  // Writes bytes to the client; false once the client has gone.
  using Writer = std::function<bool(const std::string& bytes)>;

  EventStream(zmq::context_t& context, Options options, EventJournal& journal, Logger& log)
      : context_(context), options_(std::move(options)), journal_(journal), log_(log) {}

  // Runs the stream until the client goes, `keep_going` returns false (checked several times a
  // second), or the broker gives the principal's deliveries to another session.
  // REQUIRES: the caller holds the agency's StreamSlot.
  void Run(std::optional<uint64_t> last_event_id, const Writer& write,
           const std::function<bool()>& keep_going);

  // The SSE text of one event (`id` 0: no id line).
  static std::string Event(uint64_t id, const std::string& event, const std::string& data);

 private:
  zmq::context_t& context_;
  const Options options_;
  EventJournal& journal_;
  Logger& log_;
};

}  // namespace muster::gateway
