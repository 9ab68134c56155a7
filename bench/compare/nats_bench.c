// nats-bench: the muster-bench workload against NATS JetStream.
// The stream NAME (subject NAME.bench, file storage, one replica) is deleted and recreated before
// the run. Each publisher has its own connection and keeps W `js_PublishAsync` calls in flight;
// the PubAck handler (the library's ack thread) records publish->ack from the send time in the
// payload. The consumer is a push subscription (ephemeral consumer, explicit ack, acks each
// message with natsMsg_Ack) on its own connection.
//   nats-bench --port PORT [--publishers P] [--window W] [--messages N] [--json]
#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer_bench.h"

static const char kSystem[] = "nats-jetstream";
// Whether publisher connections write each publish at once instead of handing it to the
// library's flusher thread, which waits about 1 ms to gather writes. --send-asap auto (the
// default) turns it on only for window 1, where there is nothing to gather; with a window the
// flusher gives the higher throughput.
static const char* send_asap_mode = "auto";
static bool send_asap = false;

static int ExtraFlag(const char* flag, const char* value, void* closure) {
  (void)closure;
  if (strcmp(flag, "--send-asap") == 0 && value != NULL &&
      (strcmp(value, "auto") == 0 || strcmp(value, "on") == 0 || strcmp(value, "off") == 0)) {
    send_asap_mode = value;
    return 2;
  }
  return 0;
}

static natsConnection* Connect(PeerRun* run, bool asap) {
  char url[128];
  snprintf(url, sizeof(url), "nats://%s:%d", run->options.host, run->options.port);
  natsOptions* opts = NULL;
  natsConnection* nc = NULL;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, url);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 5000);
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, false);
  if (s == NATS_OK) s = natsOptions_SetSendAsap(opts, asap);
  if (s == NATS_OK) s = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    PeerFail(run, kSystem, "connect %s: %s", url, natsStatus_GetText(s));
    return NULL;
  }
  return nc;
}

// One publisher's window: the ack handler runs on the library's thread.
typedef struct PublisherState {
  PeerRun* run;
  int index;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int64_t in_flight;  // guarded by mu
  int64_t done;       // guarded by mu
} PublisherState;

static void OnPubAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  (void)js;
  PublisherState* p = closure;
  int64_t sent = 0;
  bool ours =
      PeerParsePayload(p->run, natsMsg_GetData(msg), (size_t)natsMsg_GetDataLength(msg), &sent);
  int64_t now = PeerNowNs();
  pthread_mutex_lock(&p->mu);
  if (pa != NULL && pae == NULL && ours) {
    PeerRecord(&p->run->receipt[p->index], now - sent);
    atomic_fetch_add(&p->run->acked, 1);
  } else {
    atomic_fetch_add(&p->run->rejected, 1);
  }
  --p->in_flight;
  ++p->done;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
  natsMsg_Destroy(msg);
}

// Waits on p->cv for at most 100 ms. REQUIRES: p->mu held.
static void WaitBriefly(PublisherState* p) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += 100 * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec += 1;
    until.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(&p->cv, &p->mu, &until);
}

static void Publisher(PeerRun* run, int index) {
  natsConnection* nc = Connect(run, send_asap);
  if (nc == NULL) return;
  PublisherState p = {.run = run, .index = index, .in_flight = 0, .done = 0};
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.cv, NULL);
  jsOptions jo;
  jsOptions_Init(&jo);
  // Our own window (below) keeps at most W in flight; the library's limit is only a backstop.
  jo.PublishAsync.MaxPending = 2 * (int64_t)run->options.window;
  jo.PublishAsync.AckHandler = OnPubAck;
  jo.PublishAsync.AckHandlerClosure = &p;
  jsCtx* js = NULL;
  char subject[256];
  snprintf(subject, sizeof(subject), "%s.bench", run->options.name);
  char* payload = malloc((size_t)run->options.size);
  natsStatus s = natsConnection_JetStream(&js, nc, &jo);
  if (s != NATS_OK || payload == NULL) {
    PeerFail(run, kSystem, "JetStream context: %s", natsStatus_GetText(s));
  } else {
    int64_t next = 0;
    while (next < run->per_publisher && PeerTimeLeft(run)) {
      pthread_mutex_lock(&p.mu);
      while (p.in_flight >= run->options.window && PeerTimeLeft(run)) WaitBriefly(&p);
      bool go = p.in_flight < run->options.window;
      if (go) ++p.in_flight;
      pthread_mutex_unlock(&p.mu);
      if (!go) break;
      int64_t t = PeerNowNs();
      PeerFillPayload(run, payload, index, next, t);
      s = js_PublishAsync(js, subject, payload, run->options.size, NULL);
      if (s != NATS_OK) {
        PeerFail(run, kSystem, "js_PublishAsync: %s", natsStatus_GetText(s));
        break;
      }
      ++next;
    }
    pthread_mutex_lock(&p.mu);
    while (p.done < next && PeerTimeLeft(run)) WaitBriefly(&p);
    pthread_mutex_unlock(&p.mu);
  }
  free(payload);
  // Destroying the context drops acks still outstanding (only after a failure or a timeout).
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  pthread_cond_destroy(&p.cv);
  pthread_mutex_destroy(&p.mu);
}

static void Consumer(PeerRun* run) {
  natsConnection* nc = Connect(run, false);
  if (nc == NULL) return;
  jsCtx* js = NULL;
  natsSubscription* sub = NULL;
  char subject[256];
  snprintf(subject, sizeof(subject), "%s.bench", run->options.name);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = run->options.name;
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.DeliverPolicy = js_DeliverAll;
  so.Config.MaxAckPending = 20000;
  jsErrCode jerr = 0;
  natsStatus s = natsConnection_JetStream(&js, nc, NULL);
  if (s == NATS_OK) s = js_SubscribeSync(&sub, js, subject, NULL, &so, &jerr);
  if (s == NATS_OK) s = natsSubscription_SetPendingLimits(sub, -1, -1);
  if (s != NATS_OK) {
    PeerFail(run, kSystem, "subscribe: %s (jetstream error %d)", natsStatus_GetText(s), (int)jerr);
  } else {
    atomic_store(&run->consumer_ready, true);
    int64_t last = PeerNowNs();
    while (PeerConsumerShouldWait(run, last, 10 * 1000000000LL)) {
      natsMsg* m = NULL;
      s = natsSubscription_NextMsg(&m, sub, 100);
      if (s == NATS_TIMEOUT) continue;
      if (s != NATS_OK) {
        PeerFail(run, kSystem, "next message: %s", natsStatus_GetText(s));
        break;
      }
      PeerRecordDelivery(run, natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m));
      last = PeerNowNs();
      natsMsg_Ack(m, NULL);
      natsMsg_Destroy(m);
    }
    natsSubscription_Unsubscribe(sub);  // removes the ephemeral consumer
  }
  natsSubscription_Destroy(sub);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
}

static bool RecreateStream(PeerRun* run) {
  natsConnection* nc = Connect(run, false);
  if (nc == NULL) return false;
  jsCtx* js = NULL;
  jsErrCode jerr = 0;
  natsStatus s = natsConnection_JetStream(&js, nc, NULL);
  if (s == NATS_OK) {
    s = js_DeleteStream(js, run->options.name, NULL, &jerr);
    if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) s = NATS_OK;
  }
  char subject[256];
  snprintf(subject, sizeof(subject), "%s.bench", run->options.name);
  const char* subjects[] = {subject};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = run->options.name;
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = 1;
  jerr = 0;
  if (s == NATS_OK) s = js_AddStream(NULL, js, &cfg, NULL, &jerr);
  if (s != NATS_OK) {
    PeerFail(run, kSystem, "recreate stream %s: %s (jetstream error %d)", run->options.name,
             natsStatus_GetText(s), (int)jerr);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return s == NATS_OK;
}

int main(int argc, char** argv) {
  PeerOptions o;
  int rc =
      PeerParseOptions(argc, argv, "nats-bench", "[--send-asap auto|on|off]", ExtraFlag, NULL, &o);
  if (rc != 0) return rc == 1 ? 0 : 2;
  send_asap =
      strcmp(send_asap_mode, "on") == 0 || (strcmp(send_asap_mode, "auto") == 0 && o.window == 1);
  PeerRun run;
  if (!PeerRunInit(&run, &o)) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  if (!RecreateStream(&run)) return 1;
  double all_seconds = 0;
  double publish_seconds = PeerRunThreads(&run, Publisher, Consumer, &all_seconds);
  rc = PeerReport(&run, kSystem,
                  "JetStream file storage, R1: PubAck once the message is written to the page "
                  "cache, no fsync before the ack (nats-server 2.9.10 has no sync_interval "
                  "option; its filestore syncs in the background about every 2 minutes)",
                  publish_seconds, all_seconds);
  PeerRunFree(&run);
  nats_Close();
  return rc;
}
