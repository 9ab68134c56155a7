// rabbitmq-bench: the muster-bench workload against RabbitMQ.
// The queue NAME (durable; quorum by default, or --queue-type classic) is deleted and declared
// again before the run. Each publisher has its own connection with publisher confirms
// (confirm.select) and keeps W persistent messages (delivery_mode 2) unconfirmed at most. The
// consumer has its own connection, basic.qos prefetch 2000, manual acks sent in batches of 64
// (basic.ack multiple=true, as muster-bench's recipient acks 64 at a time) or when idle.
//   rabbitmq-bench --port PORT [--publishers P] [--window W] [--messages N] [--json]
//                  [--queue-type quorum|classic]
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "peer_bench.h"

static const char kSystem[] = "rabbitmq";
static const amqp_channel_t kChannel = 1;
static const char* queue_type = "quorum";

static int ExtraFlag(const char* flag, const char* value, void* closure) {
  (void)closure;
  if (strcmp(flag, "--queue-type") == 0 && value != NULL &&
      (strcmp(value, "quorum") == 0 || strcmp(value, "classic") == 0)) {
    queue_type = value;
    return 2;
  }
  return 0;
}

// Returns false (after PeerFail) if `r` is not a normal reply.
static bool ReplyOk(PeerRun* run, amqp_rpc_reply_t r, const char* what) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return true;
    case AMQP_RESPONSE_NONE:
      PeerFail(run, kSystem, "%s: missing reply", what);
      return false;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      PeerFail(run, kSystem, "%s: %s", what, amqp_error_string2(r.library_error));
      return false;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_channel_close_t* m = r.reply.decoded;
        PeerFail(run, kSystem, "%s: channel closed: %d %.*s", what, m->reply_code,
                 (int)m->reply_text.len, (const char*)m->reply_text.bytes);
      } else if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        amqp_connection_close_t* m = r.reply.decoded;
        PeerFail(run, kSystem, "%s: connection closed: %d %.*s", what, m->reply_code,
                 (int)m->reply_text.len, (const char*)m->reply_text.bytes);
      } else {
        PeerFail(run, kSystem, "%s: server exception, method 0x%08x", what, r.reply.id);
      }
      return false;
  }
  return false;
}

// Opens a connection with channel 1 open. Returns NULL after PeerFail on error.
static amqp_connection_state_t Connect(PeerRun* run) {
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = conn ? amqp_tcp_socket_new(conn) : NULL;
  if (socket == NULL) {
    PeerFail(run, kSystem, "out of memory");
    if (conn) amqp_destroy_connection(conn);
    return NULL;
  }
  struct timeval timeout = {5, 0};
  int rc = amqp_socket_open_noblock(socket, run->options.host, run->options.port, &timeout);
  if (rc != AMQP_STATUS_OK) {
    PeerFail(run, kSystem, "connect %s:%d: %s", run->options.host, run->options.port,
             amqp_error_string2(rc));
    amqp_destroy_connection(conn);
    return NULL;
  }
  if (!ReplyOk(run, amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"),
               "login")) {
    amqp_destroy_connection(conn);
    return NULL;
  }
  amqp_channel_open(conn, kChannel);
  if (!ReplyOk(run, amqp_get_rpc_reply(conn), "channel.open")) {
    amqp_destroy_connection(conn);
    return NULL;
  }
  return conn;
}

static void Close(amqp_connection_state_t conn) {
  amqp_channel_close(conn, kChannel, AMQP_REPLY_SUCCESS);
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
}

static bool RecreateQueue(PeerRun* run) {
  amqp_connection_state_t conn = Connect(run);
  if (conn == NULL) return false;
  amqp_bytes_t name = amqp_cstring_bytes(run->options.name);
  amqp_queue_delete(conn, kChannel, name, 0, 0);
  bool ok = ReplyOk(run, amqp_get_rpc_reply(conn), "queue.delete");
  amqp_table_entry_t arg;
  arg.key = amqp_cstring_bytes("x-queue-type");
  arg.value.kind = AMQP_FIELD_KIND_UTF8;
  arg.value.value.bytes = amqp_cstring_bytes(queue_type);
  amqp_table_t args = {.num_entries = 1, .entries = &arg};
  if (ok) {
    amqp_queue_declare(conn, kChannel, name, /*passive=*/0, /*durable=*/1, /*exclusive=*/0,
                       /*auto_delete=*/0, args);
    ok = ReplyOk(run, amqp_get_rpc_reply(conn), "queue.declare");
  }
  Close(conn);
  return ok;
}

// Records the confirm of `tag` if it is still pending.
static void Confirm(PeerRun* run, int index, int64_t* sent_at, bool* pending, uint64_t tag,
                    bool ack, int64_t now, int64_t* in_flight) {
  if (tag == 0 || tag >= (uint64_t)run->per_publisher + 1 || !pending[tag]) return;
  pending[tag] = false;
  --*in_flight;
  if (ack) {
    PeerRecord(&run->receipt[index], now - sent_at[tag]);
    atomic_fetch_add(&run->acked, 1);
  } else {
    atomic_fetch_add(&run->rejected, 1);
  }
}

static void Publisher(PeerRun* run, int index) {
  amqp_connection_state_t conn = Connect(run);
  if (conn == NULL) return;
  amqp_confirm_select(conn, kChannel);
  if (!ReplyOk(run, amqp_get_rpc_reply(conn), "confirm.select")) {
    Close(conn);
    return;
  }
  // Confirm delivery tags run 1, 2, ... in publish order on the channel.
  int64_t* sent_at = calloc((size_t)run->per_publisher + 1, sizeof(int64_t));
  bool* pending = calloc((size_t)run->per_publisher + 1, sizeof(bool));
  char* payload = malloc((size_t)run->options.size);
  if (sent_at == NULL || pending == NULL || payload == NULL) {
    PeerFail(run, kSystem, "out of memory");
  } else {
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof(props));
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = 2;  // persistent
    amqp_bytes_t body = {.len = (size_t)run->options.size, .bytes = payload};
    amqp_bytes_t queue = amqp_cstring_bytes(run->options.name);
    int64_t next = 0, in_flight = 0, lowest = 1;
    while ((next < run->per_publisher || in_flight > 0) && PeerTimeLeft(run)) {
      while (next < run->per_publisher && in_flight < run->options.window) {
        int64_t t = PeerNowNs();
        PeerFillPayload(run, payload, index, next, t);
        int rc = amqp_basic_publish(conn, kChannel, amqp_empty_bytes, queue, 0, 0, &props, body);
        if (rc != AMQP_STATUS_OK) {
          PeerFail(run, kSystem, "basic.publish: %s", amqp_error_string2(rc));
          break;
        }
        ++next;
        sent_at[next] = t;
        pending[next] = true;
        ++in_flight;
      }
      if (!PeerTimeLeft(run)) break;
      amqp_frame_t frame;
      struct timeval wait = {0, 100000};
      int rc = amqp_simple_wait_frame_noblock(conn, &frame, &wait);
      if (rc == AMQP_STATUS_TIMEOUT) continue;
      if (rc != AMQP_STATUS_OK) {
        PeerFail(run, kSystem, "waiting for confirms: %s", amqp_error_string2(rc));
        break;
      }
      int64_t now = PeerNowNs();
      if (frame.frame_type == AMQP_FRAME_METHOD) {
        uint64_t tag = 0;
        bool multiple = false, ack = true;
        if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
          amqp_basic_ack_t* m = frame.payload.method.decoded;
          tag = m->delivery_tag;
          multiple = m->multiple;
        } else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
          amqp_basic_nack_t* m = frame.payload.method.decoded;
          tag = m->delivery_tag;
          multiple = m->multiple;
          ack = false;
        } else if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                   frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
          PeerFail(run, kSystem, "server closed the channel while publishing");
          break;
        }
        if (multiple) {
          for (uint64_t t = (uint64_t)lowest; t <= tag && t <= (uint64_t)next; ++t) {
            Confirm(run, index, sent_at, pending, t, ack, now, &in_flight);
          }
        } else {
          Confirm(run, index, sent_at, pending, tag, ack, now, &in_flight);
        }
        while (lowest <= next && !pending[lowest]) ++lowest;
      }
      amqp_maybe_release_buffers(conn);
    }
  }
  free(payload);
  free(pending);
  free(sent_at);
  Close(conn);
}

static void Consumer(PeerRun* run) {
  amqp_connection_state_t conn = Connect(run);
  if (conn == NULL) return;
  amqp_basic_qos(conn, kChannel, 0, 2000, 0);
  bool ok = ReplyOk(run, amqp_get_rpc_reply(conn), "basic.qos");
  if (ok) {
    amqp_basic_consume(conn, kChannel, amqp_cstring_bytes(run->options.name), amqp_empty_bytes,
                       /*no_local=*/0, /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
    ok = ReplyOk(run, amqp_get_rpc_reply(conn), "basic.consume");
  }
  if (ok) {
    atomic_store(&run->consumer_ready, true);
    uint64_t unacked_tag = 0;
    int unacked = 0;
    int64_t last = PeerNowNs();
    while (PeerConsumerShouldWait(run, last, 10 * 1000000000LL)) {
      amqp_envelope_t envelope;
      struct timeval wait = {0, 100000};
      amqp_maybe_release_buffers(conn);
      amqp_rpc_reply_t r = amqp_consume_message(conn, &envelope, &wait, 0);
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
          r.library_error == AMQP_STATUS_TIMEOUT) {
        if (unacked > 0) amqp_basic_ack(conn, kChannel, unacked_tag, /*multiple=*/1);
        unacked = 0;
        continue;
      }
      if (!ReplyOk(run, r, "consume")) break;
      PeerRecordDelivery(run, envelope.message.body.bytes, envelope.message.body.len);
      last = PeerNowNs();
      unacked_tag = envelope.delivery_tag;
      amqp_destroy_envelope(&envelope);
      if (++unacked >= 64) {
        if (amqp_basic_ack(conn, kChannel, unacked_tag, /*multiple=*/1) != AMQP_STATUS_OK) {
          PeerFail(run, kSystem, "basic.ack failed");
          break;
        }
        unacked = 0;
      }
    }
    if (unacked > 0) amqp_basic_ack(conn, kChannel, unacked_tag, /*multiple=*/1);
  }
  Close(conn);
}

int main(int argc, char** argv) {
  PeerOptions o;
  int rc = PeerParseOptions(argc, argv, "rabbitmq-bench", "[--queue-type quorum|classic]",
                            ExtraFlag, NULL, &o);
  if (rc != 0) return rc == 1 ? 0 : 2;
  PeerRun run;
  if (!PeerRunInit(&run, &o)) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  if (!RecreateQueue(&run)) return 1;
  double all_seconds = 0;
  double publish_seconds = PeerRunThreads(&run, Publisher, Consumer, &all_seconds);
  const char* durability =
      strcmp(queue_type, "quorum") == 0
          ? "quorum queue (Raft log, one node), persistent messages: publisher confirm after the "
            "Raft WAL is fsync'd (batched over the messages in flight); delivered only after "
            "that"
          : "classic durable queue, persistent messages: publisher confirm after the message "
            "store is fsync'd (batched); may deliver to a waiting consumer before the fsync";
  rc = PeerReport(&run, kSystem, durability, publish_seconds, all_seconds);
  PeerRunFree(&run);
  return rc;
}
