// Self-pipe signal handling.
#include "broker/transport/signal_pipe.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace muster::transport {
namespace {

int g_write_fd = -1;  // the handler's only state: async-signal-safe write target

void OnSignal(int signo) {
  int saved = errno;
  char c = signo == SIGHUP ? 'h' : 't';
  if (g_write_fd >= 0) {
    ssize_t n = ::write(g_write_fd, &c, 1);
    (void)n;
  }
  errno = saved;
}

}  // namespace

SignalPipe::SignalPipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return;
  read_fd_ = fds[0];
  g_write_fd = fds[1];
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

SignalPipe::~SignalPipe() {
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGHUP, SIG_DFL);
  if (g_write_fd >= 0) ::close(g_write_fd);
  g_write_fd = -1;
  if (read_fd_ >= 0) ::close(read_fd_);
}

PendingSignals SignalPipe::Drain() {
  PendingSignals out;
  char buf[64];
  for (;;) {
    ssize_t n = ::read(read_fd_, buf, sizeof(buf));
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == 'h') out.reload = true;
      else out.terminate = true;
    }
  }
  return out;
}

}  // namespace muster::transport
