// SignalPipe: turns SIGTERM, SIGINT and SIGHUP into readable bytes on a pipe the broker polls, so
// signal handlers only set a flag (write a byte) and all real work happens in the broker loop.
// One per process (the handlers are process-wide); owned by main().
#pragma once

namespace muster::transport {

struct PendingSignals {
  bool terminate = false;  // SIGTERM or SIGINT
  bool reload = false;     // SIGHUP
};

class SignalPipe {
 public:
  SignalPipe();
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

  int fd() const { return read_fd_; }
  // Reads everything waiting on the pipe.
  PendingSignals Drain();

 private:
  int read_fd_ = -1;
};

}  // namespace muster::transport
