// curve-ceiling: raw libzmq CURVE DEALER -> ROUTER throughput on this machine, the ceiling any
// broker on ZeroMQ+CURVE can reach. No broker, no disk: N messages of SIZE bytes, one sender
// thread and one receiver thread, each with its own context (like two processes).
//   curve-ceiling [--messages N] [--size BYTES]
#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

int main(int argc, char** argv) {
  int64_t messages = 500000;
  int size = 1024;
  bool curve = true;
  CLI::App app{"curve-ceiling: raw libzmq DEALER->ROUTER throughput"};
  app.add_option("--messages", messages, "messages to send (default 500000)");
  app.add_option("--size", size, "message size in bytes (default 1024)");
  app.add_flag("!--no-curve", curve, "plain TCP instead of CURVE");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  char server_pub[41], server_sec[41], client_pub[41], client_sec[41];
  zmq_curve_keypair(server_pub, server_sec);
  zmq_curve_keypair(client_pub, client_sec);

  zmq::context_t server_ctx(1);
  zmq::socket_t router(server_ctx, zmq::socket_type::router);
  if (curve) {
    router.set(zmq::sockopt::curve_server, 1);
    router.set(zmq::sockopt::curve_secretkey, std::string(server_sec, 40));
  }
  router.set(zmq::sockopt::rcvhwm, 100000);
  router.bind("tcp://127.0.0.1:*");
  std::string endpoint = router.get(zmq::sockopt::last_endpoint);

  std::thread sender([&] {
    zmq::context_t ctx(1);
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    if (curve) {
      dealer.set(zmq::sockopt::curve_serverkey, std::string(server_pub, 40));
      dealer.set(zmq::sockopt::curve_publickey, std::string(client_pub, 40));
      dealer.set(zmq::sockopt::curve_secretkey, std::string(client_sec, 40));
    }
    dealer.set(zmq::sockopt::sndhwm, 100000);
    dealer.connect(endpoint);
    std::string payload(static_cast<size_t>(size), 'x');
    for (int64_t i = 0; i < messages; ++i) {
      zmq::message_t m(payload.data(), payload.size());
      dealer.send(m, zmq::send_flags::none);
    }
    zmq::message_t done;
    (void)dealer.recv(done);  // wait for the receiver before closing
  });

  std::vector<zmq::message_t> parts;
  zmq::message_t id, body;
  (void)router.recv(id);
  (void)router.recv(body);
  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 1; i < messages; ++i) {
    (void)router.recv(id);
    (void)router.recv(body);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  router.send(id, zmq::send_flags::sndmore);
  router.send(zmq::str_buffer("done"), zmq::send_flags::none);
  sender.join();
  std::printf("%s DEALER->ROUTER, %d-byte messages: %.0f msgs/s (%lld messages in %.2f s)\n",
              curve ? "CURVE" : "plain", size, static_cast<double>(messages - 1) / secs,
              static_cast<long long>(messages), secs);
  return 0;
}
