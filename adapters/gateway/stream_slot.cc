// One event stream per agency.
#include "adapters/gateway/stream_slot.h"

namespace muster::gateway {

uint64_t StreamSlot::Acquire(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = next_++;
  wanted_ = ticket;
  if (!released_.wait_for(lock, timeout, [&] { return holder_ == 0 || wanted_ != ticket; })) {
    if (wanted_ == ticket) wanted_ = holder_;  // gave up: the holder may go on
    return 0;
  }
  if (wanted_ != ticket) return 0;
  holder_ = ticket;
  return ticket;
}

bool StreamSlot::Holds(uint64_t ticket) const {
  std::lock_guard<std::mutex> lock(mu_);
  return holder_ == ticket && wanted_ == ticket;
}

void StreamSlot::Release(uint64_t ticket) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (holder_ != ticket) return;
    holder_ = 0;
  }
  released_.notify_all();
}

}  // namespace muster::gateway
