// StreamSlot: one event stream per agency at a time. The journal's order is the order events were
// written to *the* stream, so two streams at once would each miss what the other wrote. A new
// stream (the agency's system reconnecting, perhaps before the old connection was noticed dead)
// asks the current one to end, waits until it has, and takes over.
// Thread-safe. Tickets are never 0.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace muster::gateway {

class StreamSlot {
 public:
  // Takes the slot, asking the current holder to end first. Returns the ticket, or 0 when the
  // holder did not end within `timeout` or a still newer stream asked meanwhile.
  uint64_t Acquire(std::chrono::milliseconds timeout);

  // False once a newer stream asked for the slot: the holder should end.
  bool Holds(uint64_t ticket) const;

  void Release(uint64_t ticket);

 private:
  mutable std::mutex mu_;
  std::condition_variable released_;
  uint64_t next_ = 1;    // guarded by mu_
  uint64_t wanted_ = 0;  // the newest ticket asked for; guarded by mu_
  uint64_t holder_ = 0;  // 0: free; guarded by mu_
};

}  // namespace muster::gateway
