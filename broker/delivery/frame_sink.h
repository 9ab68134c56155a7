// FrameSink: sends one encoded protocol frame to a session by routing id. Implemented by the
// broker over its ROUTER socket; components that answer clients depend only on this.
#pragma once

#include <string>

namespace muster::delivery {

class FrameSink {
 public:
  enum class SendResult { kSent, kFull, kGone };
  virtual ~FrameSink() = default;
  virtual SendResult Send(const std::string& routing_id, const std::string& frame) = 0;
};

}  // namespace muster::delivery
