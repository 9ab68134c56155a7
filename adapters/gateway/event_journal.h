// EventJournal: the events an agency's stream (GET /v1/events) has written, kept until the
// agency's system confirms it has them. The gateway acks a delivery `received` to the broker as
// soon as it has written it to the HTTP connection, so the broker will not deliver it again; the
// journal is what lets a reconnect with Last-Event-ID re-send what the client may still have
// missed (bytes in flight when the connection broke), and skip what it confirms it has.
//
// Events are kept in the order they were written (the broker delivers by precedence, then seq,
// so seqs are not in increasing order). "Confirmed" means: at or before the event named by a
// Last-Event-ID (the cursor), or named by POST /v1/acks. Confirmed events are never re-sent.
//
// On disk (DIR is private to one agency):
//   DIR/cursor          "muster-gateway-cursor 1\norder: N\nseq: S\n": events up to order N
//                       are confirmed (S is the seq of event N)
//   DIR/<order>.event   a written, unconfirmed event: its seq on the first line, then its data
//   DIR/<order>.acked   the same after POST /v1/acks named its seq (kept for its position)
// Every file is written whole (temp file, fsync, rename, fsync of the directory); files at or
// before the cursor are deleted, also on Open.
//
// Thread-safe (one mutex). Errors: IoError when something could not be made durable (the
// caller must then not ack the delivery), Corruption for a file that is not a journal entry.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"

namespace muster::gateway {

class EventJournal {
 public:
  struct Event {
    uint64_t order = 0;  // position in the stream
    uint64_t seq = 0;    // the broker seq (the SSE event id)
    std::string data;    // the SSE data line
    bool acked = false;  // named by POST /v1/acks
  };

  struct AppendOutcome {
    bool added = false;  // false: an unconfirmed event with this seq is kept already
    size_t dropped = 0;  // oldest unconfirmed events dropped to stay within max_events
  };

  // Opens (creating) the journal in `dir`, keeping at most `max_events` unconfirmed events.
  static Result<std::unique_ptr<EventJournal>> Open(const std::string& dir, size_t max_events);
  EventJournal(const EventJournal&) = delete;
  EventJournal& operator=(const EventJournal&) = delete;

  // Makes an event for `seq` durable at the end of the stream, unless one is kept already.
  Result<AppendOutcome> Append(uint64_t seq, const std::string& data);

  // Last-Event-ID: the client has every event up to and including the kept event with `seq`.
  // Returns false when no kept event has that seq (it was confirmed earlier, or never written
  // here): nothing changes then.
  Result<bool> ConfirmThrough(uint64_t seq);

  // POST /v1/acks: the client has these events. Unknown seqs are ignored.
  Status MarkAcked(const std::vector<uint64_t>& seqs);

  // The kept events that are not acked, in stream order: what a new stream re-sends.
  std::vector<Event> Unconfirmed() const;

  bool Contains(uint64_t seq) const;
  size_t kept() const;
  uint64_t cursor_seq() const;

 private:
  EventJournal(std::string dir, size_t max_events)
      : dir_(std::move(dir)), max_events_(max_events) {}
  Status Load();
  std::string PathFor(uint64_t order, bool acked) const;
  // Moves the cursor to `order` (durably) and deletes the files it passed. Caller holds mu_.
  Status AdvanceTo(uint64_t order);
  // Moves the cursor over leading acked events. Caller holds mu_.
  Status AdvanceOverAcked();

  const std::string dir_;
  const size_t max_events_;
  mutable std::mutex mu_;
  uint64_t cursor_order_ = 0;            // guarded by mu_
  uint64_t cursor_seq_ = 0;              // guarded by mu_
  uint64_t next_order_ = 1;              // guarded by mu_
  std::map<uint64_t, Event> events_;     // by order; guarded by mu_
  std::map<uint64_t, uint64_t> by_seq_;  // seq -> order; guarded by mu_
};

}  // namespace muster::gateway
