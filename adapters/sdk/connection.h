// Connection: the client side of the Muster protocol, the one library every client and adapter
// is built on. Connects with CURVE (the broker's public key pinned), says hello, and then:
// publishes with retry until a receipt arrives (the same client message id each time, so a
// retry is never a duplicate), receives deliveries and notices, acks, and queries.
// After a reconnect (a network drop or a broker restart) it says hello again by itself, so
// a receiving session resumes and unacked deliveries come again.
// A broker that is unreachable, refuses the key or does not answer is reported within the
// timeout with a sentence saying what to check — never a hang.
// Ownership: owns its DEALER socket; the zmq::context_t must outlive it. Not thread-safe.
#pragma once

#include <capnp/message.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/result.h"
#include "schemas/frame_codec.h"

namespace muster::client {

struct ConnectOptions {
  std::string broker;           // e.g. tcp://127.0.0.1:7750 (or MUSTER_BROKER)
  std::string key_file;         // this principal's secret key file (or MUSTER_KEY)
  std::string server_key;       // the broker's public key: Z85 text or a .pub file (or MUSTER_SERVER_KEY);
                                // during a key rotation, several, comma-separated: any is accepted
  std::string client_name = "muster";
  bool receive = false;         // this session takes deliveries
  uint32_t window = 0;          // 0: the broker's default
  int timeout_ms = 10000;       // to connect and be welcomed
};

// Fills empty broker/key_file/server_key from MUSTER_BROKER, MUSTER_KEY, MUSTER_SERVER_KEY and
// checks that all three are set, naming what is missing.
Status ResolveConnectOptions(ConnectOptions* options);

struct WelcomeInfo {
  std::string principal;
  std::string organisation;
  std::string sector;
  std::string role;
  std::string clearance;
  std::string broker_name;
  uint32_t window = 0;
  uint32_t heartbeat_ms = 5000;
  int64_t server_time_ms = 0;
};

struct ReceiptInfo {
  std::string client_message_id;
  uint64_t seq = 0;
  uint64_t leaf_index = 0;
  bool duplicate = false;
  uint32_t recipients = 0;
  int64_t received_ms = 0;
};

// A refusal by the broker, as a Status whose message starts with the reject code name:
// "no-recipients: …". The code maps to a StatusCode (invalid -> InvalidArgument, …).
Status RejectToStatus(schema::Reject::Reader reject);
const char* ClearanceText(schema::Classification c);

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(zmq::context_t& context, const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const WelcomeInfo& welcome() const { return welcome_; }

  // Sends a publish frame (built by `fill`, which sets the envelope) and waits for its receipt,
  // resending with the same client message id until `timeout_ms`. Errors: the broker's refusal
  // (RejectToStatus) or DeadlineExceeded ("not confirmed; retrying with the same id is safe").
  Result<ReceiptInfo> Publish(const std::string& client_message_id,
                              const std::function<void(schema::Envelope::Builder)>& fill,
                              int timeout_ms = 30000);

  // Sends a publish without waiting (for pipelined senders); its receipt or reject arrives
  // through Receive(). Resending is the caller's job.
  Status SendPublish(const std::string& client_message_id,
                     const std::function<void(schema::Envelope::Builder)>& fill);
  Status SendEncoded(const std::string& frame_bytes);

  // The next frame from the broker (deliver, notice, receipt, reject, result), or nullptr when
  // nothing arrived within `timeout_ms`. Pongs and re-welcomes are handled inside.
  Result<std::unique_ptr<wire::DecodedFrame>> Receive(int timeout_ms);

  // Acks deliveries. Without confirmation it only sends; with it, waits until the broker has
  // made the ack durable.
  Status Ack(const std::vector<uint64_t>& seqs, bool acknowledged);
  Status AckConfirmed(const std::vector<uint64_t>& seqs, bool acknowledged, int timeout_ms = 10000);

  // Sends a query (built by `fill`) and waits for its result; the broker's refusal is an error.
  Result<std::unique_ptr<wire::DecodedFrame>> Query(const std::function<void(schema::Query::Builder)>& fill,
                                                    int timeout_ms = 10000);

  // Says goodbye (the broker ends the session at once instead of waiting for the timeout).
  void Close();

 private:
  Connection() = default;
  Status Setup(zmq::context_t& context, const ConnectOptions& options);
  // (Re)creates the socket for server key `key_index` and says hello.
  Status OpenSocket(size_t key_index);
  Status SendHello();
  // Waits for one frame from the broker; handles monitor events, pings and re-hello.
  // Returns nullptr on timeout. Fatal connection problems are errors.
  Result<std::unique_ptr<wire::DecodedFrame>> Poll(int timeout_ms);
  void HandleMonitorEvents();
  void MaybePing();
  Status ConnectionProblem() const;

  ConnectOptions options_;
  zmq::context_t* context_ = nullptr;
  std::string my_public_, my_secret_;
  std::vector<std::string> server_keys_;
  size_t key_index_ = 0;
  int64_t key_since_ms_ = 0;
  WelcomeInfo welcome_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<zmq::socket_t> monitor_;
  std::deque<std::unique_ptr<wire::DecodedFrame>> backlog_;
  bool welcomed_ = false;
  bool handshake_ok_ = false;
  bool auth_refused_ = false;
  int handshake_failures_ = 0;
  int connect_retries_ = 0;
  int64_t last_sent_mono_ms_ = 0;
  uint64_t next_request_id_ = 1;
};

}  // namespace muster::client
