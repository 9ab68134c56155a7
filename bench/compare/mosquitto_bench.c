// mosquitto-bench: the muster-bench workload against an MQTT broker (Mosquitto).
// MQTT 3.1.1, QoS 1, clean sessions. Each publisher has its own client and keeps W PUBLISHes
// without PUBACK at most; the consumer subscribes to the topic NAME/bench at QoS 1 on its own
// client (the library answers each delivery with a PUBACK). Every client runs its network loop
// on its own thread with mosquitto_loop(), so callbacks run on the thread that owns the client.
//   mosquitto-bench --port PORT [--publishers P] [--window W] [--messages N] [--json]
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer_bench.h"

static const char kSystem[] = "mosquitto";

enum { kMids = 65536 };

// One client's state, touched only by the thread that runs its loop.
typedef struct ClientState {
  PeerRun* run;
  int index;
  bool connected;
  int connect_rc;
  bool subscribed;
  int64_t in_flight;
  int64_t* sent_at;  // by message id (kMids entries), publishers only
  bool* pending;     // by message id, publishers only
} ClientState;

static void OnConnect(struct mosquitto* mosq, void* obj, int rc) {
  (void)mosq;
  ClientState* c = obj;
  c->connected = rc == 0;
  c->connect_rc = rc == 0 ? 0 : rc;
}

static void OnPublish(struct mosquitto* mosq, void* obj, int mid) {
  (void)mosq;
  ClientState* c = obj;
  if (mid < 0 || mid >= kMids || !c->pending[mid]) return;
  c->pending[mid] = false;
  --c->in_flight;
  PeerRecord(&c->run->receipt[c->index], PeerNowNs() - c->sent_at[mid]);
  atomic_fetch_add(&c->run->acked, 1);
}

static void OnSubscribe(struct mosquitto* mosq, void* obj, int mid, int count, const int* qos) {
  (void)mosq;
  (void)mid;
  ClientState* c = obj;
  c->subscribed = count == 1 && qos[0] == 1;
}

static void OnMessage(struct mosquitto* mosq, void* obj, const struct mosquitto_message* m) {
  (void)mosq;
  ClientState* c = obj;
  PeerRecordDelivery(c->run, m->payload, (size_t)m->payloadlen);
}

// Creates a client and waits for its CONNACK. Returns NULL after PeerFail on error.
static struct mosquitto* Connect(PeerRun* run, ClientState* state, const char* role) {
  char id[64];
  snprintf(id, sizeof(id), "mcmp-%s-%d-%d", role, state->index, (int)getpid());
  struct mosquitto* mosq = mosquitto_new(id, true, state);
  if (mosq == NULL) {
    PeerFail(run, kSystem, "mosquitto_new failed");
    return NULL;
  }
  mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_max_inflight_messages_set(mosq, 0);  // no client-side limit: our window applies
  mosquitto_connect_callback_set(mosq, OnConnect);
  mosquitto_publish_callback_set(mosq, OnPublish);
  mosquitto_subscribe_callback_set(mosq, OnSubscribe);
  mosquitto_message_callback_set(mosq, OnMessage);
  int rc = mosquitto_connect(mosq, run->options.host, run->options.port, 60);
  while (rc == MOSQ_ERR_SUCCESS && !state->connected && state->connect_rc == 0 &&
         PeerTimeLeft(run)) {
    rc = mosquitto_loop(mosq, 100, 1);
  }
  if (!state->connected) {
    PeerFail(run, kSystem, "connect %s:%d: %s", run->options.host, run->options.port,
             rc != MOSQ_ERR_SUCCESS ? mosquitto_strerror(rc)
                                    : mosquitto_connack_string(state->connect_rc));
    mosquitto_destroy(mosq);
    return NULL;
  }
  return mosq;
}

static void Disconnect(struct mosquitto* mosq) {
  mosquitto_disconnect(mosq);
  mosquitto_loop(mosq, 10, 1);
  mosquitto_destroy(mosq);
}

static void Publisher(PeerRun* run, int index) {
  ClientState state = {.run = run, .index = index};
  state.sent_at = calloc(kMids, sizeof(int64_t));
  state.pending = calloc(kMids, sizeof(bool));
  char* payload = malloc((size_t)run->options.size);
  char topic[256];
  snprintf(topic, sizeof(topic), "%s/bench", run->options.name);
  struct mosquitto* mosq = NULL;
  if (state.sent_at == NULL || state.pending == NULL || payload == NULL) {
    PeerFail(run, kSystem, "out of memory");
  } else {
    mosq = Connect(run, &state, "pub");
  }
  if (mosq != NULL) {
    int64_t next = 0;
    while ((next < run->per_publisher || state.in_flight > 0) && PeerTimeLeft(run)) {
      while (next < run->per_publisher && state.in_flight < run->options.window) {
        int64_t t = PeerNowNs();
        PeerFillPayload(run, payload, index, next, t);
        int mid = 0;
        int rc = mosquitto_publish(mosq, &mid, topic, run->options.size, payload, 1, false);
        if (rc != MOSQ_ERR_SUCCESS) {
          PeerFail(run, kSystem, "publish: %s", mosquitto_strerror(rc));
          break;
        }
        // Not in a callback and no loop thread: the PUBACK is handled only in mosquitto_loop().
        state.sent_at[mid] = t;
        state.pending[mid] = true;
        ++state.in_flight;
        ++next;
      }
      int rc = mosquitto_loop(mosq, 100, 1);
      if (rc != MOSQ_ERR_SUCCESS) {
        PeerFail(run, kSystem, "network loop: %s", mosquitto_strerror(rc));
        break;
      }
    }
    Disconnect(mosq);
  }
  free(payload);
  free(state.pending);
  free(state.sent_at);
}

static void Consumer(PeerRun* run) {
  ClientState state = {.run = run, .index = 0};
  struct mosquitto* mosq = Connect(run, &state, "sub");
  if (mosq == NULL) return;
  char topic[256];
  snprintf(topic, sizeof(topic), "%s/bench", run->options.name);
  int rc = mosquitto_subscribe(mosq, NULL, topic, 1);
  while (rc == MOSQ_ERR_SUCCESS && !state.subscribed && PeerTimeLeft(run)) {
    rc = mosquitto_loop(mosq, 100, 1);
  }
  if (!state.subscribed) {
    PeerFail(run, kSystem, "subscribe %s: %s", topic,
             rc != MOSQ_ERR_SUCCESS ? mosquitto_strerror(rc) : "not granted at QoS 1");
  } else {
    atomic_store(&run->consumer_ready, true);
    int64_t last = PeerNowNs();
    long long seen = 0;
    while (PeerConsumerShouldWait(run, last, 10 * 1000000000LL)) {
      rc = mosquitto_loop(mosq, 100, 1);
      if (rc != MOSQ_ERR_SUCCESS) {
        PeerFail(run, kSystem, "network loop: %s", mosquitto_strerror(rc));
        break;
      }
      long long now_seen = atomic_load(&run->delivered) + atomic_load(&run->foreign);
      if (now_seen != seen) {
        seen = now_seen;
        last = PeerNowNs();
      }
    }
  }
  Disconnect(mosq);
}

int main(int argc, char** argv) {
  PeerOptions o;
  int rc = PeerParseOptions(argc, argv, "mosquitto-bench", NULL, NULL, NULL, &o);
  if (rc != 0) return rc == 1 ? 0 : 2;
  if (o.window >= kMids - 1) {
    fprintf(stderr, "error: --window must be below %d for MQTT message ids\n", kMids - 1);
    return 2;
  }
  PeerRun run;
  if (!PeerRunInit(&run, &o)) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  mosquitto_lib_init();
  double all_seconds = 0;
  double publish_seconds = PeerRunThreads(&run, Publisher, Consumer, &all_seconds);
  rc = PeerReport(&run, kSystem,
                  "QoS 1 with persistence on: PUBACK once the message is in the broker's memory; "
                  "persistence is a periodic snapshot (autosave_interval, default 1800 s) and at "
                  "clean shutdown, nothing is written or fsync'd per message",
                  publish_seconds, all_seconds);
  PeerRunFree(&run);
  mosquitto_lib_cleanup();
  return rc;
}
