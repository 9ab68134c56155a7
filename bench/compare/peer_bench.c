#include "peer_bench.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t PeerNowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool IsLoopback(const char* host) {
  return strncmp(host, "127.", 4) == 0 || strcmp(host, "localhost") == 0 ||
         strcmp(host, "::1") == 0;
}

static void PrintUsage(const char* program, const char* extra_usage) {
  fprintf(stderr,
          "usage: %s --port PORT [--host 127.0.0.1] [--publishers P] [--window W]\n"
          "          [--messages N] [--size BYTES] [--max-seconds S] [--name NAME] [--json]%s%s\n",
          program, extra_usage ? "\n          " : "", extra_usage ? extra_usage : "");
}

static bool ParseInt64(const char* text, int64_t min, int64_t max, int64_t* out) {
  if (text == NULL || *text == '\0') return false;
  char* end = NULL;
  long long v = strtoll(text, &end, 10);
  if (*end != '\0' || v < min || v > max) return false;
  *out = v;
  return true;
}

int PeerParseOptions(int argc, char** argv, const char* program, const char* extra_usage,
                     PeerExtraFlag extra, void* closure, PeerOptions* out) {
  PeerOptions o = {.host = "127.0.0.1",
                   .port = 0,
                   .publishers = 1,
                   .window = 64,
                   .messages = 20000,
                   .size = 1024,
                   .max_seconds = 120,
                   .json = false,
                   .name = "muster_compare"};
  for (int i = 1; i < argc; ++i) {
    const char* flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : NULL;
    int64_t v = 0;
    if (strcmp(flag, "-h") == 0 || strcmp(flag, "--help") == 0) {
      PrintUsage(program, extra_usage);
      return 1;
    } else if (strcmp(flag, "--json") == 0) {
      o.json = true;
      continue;
    } else if (strcmp(flag, "--host") == 0 && value != NULL) {
      o.host = value;
    } else if (strcmp(flag, "--name") == 0 && value != NULL) {
      o.name = value;
    } else if (strcmp(flag, "--port") == 0 && ParseInt64(value, 1, 65535, &v)) {
      o.port = (int)v;
    } else if (strcmp(flag, "--publishers") == 0 && ParseInt64(value, 1, 256, &v)) {
      o.publishers = (int)v;
    } else if (strcmp(flag, "--window") == 0 && ParseInt64(value, 1, 60000, &v)) {
      o.window = (int)v;
    } else if (strcmp(flag, "--messages") == 0 && ParseInt64(value, 1, 100000000, &v)) {
      o.messages = v;
    } else if (strcmp(flag, "--size") == 0 && ParseInt64(value, 64, 16 << 20, &v)) {
      o.size = (int)v;
    } else if (strcmp(flag, "--max-seconds") == 0 && ParseInt64(value, 1, 3600, &v)) {
      o.max_seconds = (double)v;
    } else {
      int used = extra ? extra(flag, value, closure) : 0;
      if (used == 0) {
        fprintf(stderr, "error: bad or unknown argument: %s%s%s\n", flag, value ? " " : "",
                value ? value : "");
        PrintUsage(program, extra_usage);
        return 2;
      }
      i += used - 1;
      continue;
    }
    ++i;  // the flag took a value
  }
  if (o.port == 0) {
    fprintf(stderr, "error: --port is required\n");
    PrintUsage(program, extra_usage);
    return 2;
  }
  if (!IsLoopback(o.host)) {
    fprintf(stderr, "error: --host must be a loopback address, got %s\n", o.host);
    return 2;
  }
  if (o.messages < o.publishers) {
    fprintf(stderr, "error: --messages must be at least --publishers\n");
    return 2;
  }
  *out = o;
  return 0;
}

static bool AllocSamples(PeerSamples* s, int64_t capacity) {
  s->ns = malloc(sizeof(int64_t) * (size_t)capacity);
  s->count = 0;
  s->capacity = s->ns ? (size_t)capacity : 0;
  return s->ns != NULL;
}

bool PeerRunInit(PeerRun* run, const PeerOptions* options) {
  memset(run, 0, sizeof(*run));
  run->options = *options;
  run->per_publisher = options->messages / options->publishers;
  run->total = run->per_publisher * options->publishers;
  run->deadline_ns = PeerNowNs() + (int64_t)(options->max_seconds * 1e9);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  run->run_id = ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 40);
  atomic_init(&run->acked, 0);
  atomic_init(&run->rejected, 0);
  atomic_init(&run->delivered, 0);
  atomic_init(&run->foreign, 0);
  atomic_init(&run->publishers_done, 0);
  atomic_init(&run->consumer_ready, false);
  atomic_init(&run->stop, false);
  run->receipt = calloc((size_t)options->publishers, sizeof(PeerSamples));
  if (run->receipt == NULL) return false;
  for (int i = 0; i < options->publishers; ++i) {
    if (!AllocSamples(&run->receipt[i], run->per_publisher)) return false;
  }
  return AllocSamples(&run->delivery, run->total);
}

void PeerRunFree(PeerRun* run) {
  if (run->receipt) {
    for (int i = 0; i < run->options.publishers; ++i) free(run->receipt[i].ns);
    free(run->receipt);
  }
  free(run->delivery.ns);
  memset(run, 0, sizeof(*run));
}

bool PeerTimeLeft(const PeerRun* run) {
  return PeerNowNs() < run->deadline_ns && !atomic_load(&run->stop);
}

void PeerFillPayload(const PeerRun* run, char* buf, int publisher, int64_t seq, int64_t sent_ns) {
  int size = run->options.size;
  int n = snprintf(buf, (size_t)size, "mc %016" PRIx64 " %d %" PRId64 " %" PRId64 " ", run->run_id,
                   publisher, seq, sent_ns);
  if (n < 0) n = 0;
  if (n > size) n = size;
  memset(buf + n, 'x', (size_t)(size - n));
}

bool PeerParsePayload(const PeerRun* run, const void* data, size_t len, int64_t* sent_ns) {
  char head[96];
  size_t n = len < sizeof(head) - 1 ? len : sizeof(head) - 1;
  memcpy(head, data, n);
  head[n] = '\0';
  uint64_t id = 0;
  int publisher = 0;
  int64_t seq = 0, sent = 0;
  if (sscanf(head, "mc %16" SCNx64 " %d %" SCNd64 " %" SCNd64 " ", &id, &publisher, &seq, &sent) !=
      4) {
    return false;
  }
  if (id != run->run_id || publisher < 0 || publisher >= run->options.publishers) return false;
  *sent_ns = sent;
  return true;
}

void PeerRecord(PeerSamples* s, int64_t ns) {
  if (s->count < s->capacity) s->ns[s->count++] = ns;
}

bool PeerRecordDelivery(PeerRun* run, const void* data, size_t len) {
  int64_t sent = 0;
  if (!PeerParsePayload(run, data, len, &sent)) {
    atomic_fetch_add(&run->foreign, 1);
    return false;
  }
  PeerRecord(&run->delivery, PeerNowNs() - sent);
  atomic_fetch_add(&run->delivered, 1);
  return true;
}

bool PeerConsumerShouldWait(const PeerRun* run, int64_t last_ns, int64_t idle_limit_ns) {
  if (atomic_load(&run->delivered) >= run->total || !PeerTimeLeft(run)) return false;
  if (atomic_load(&run->publishers_done) == run->options.publishers &&
      PeerNowNs() - last_ns > idle_limit_ns) {
    return false;
  }
  return true;
}

typedef struct ThreadArg {
  PeerRun* run;
  int index;
  PeerPublisherFn publisher;
  PeerConsumerFn consumer;
} ThreadArg;

static void* PublisherMain(void* p) {
  ThreadArg* a = p;
  a->publisher(a->run, a->index);
  atomic_fetch_add(&a->run->publishers_done, 1);
  return NULL;
}

static void* ConsumerMain(void* p) {
  ThreadArg* a = p;
  a->consumer(a->run);
  atomic_store(&a->run->consumer_ready, true);  // in case it failed before getting ready
  return NULL;
}

static void SleepMs(int ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

double PeerRunThreads(PeerRun* run, PeerPublisherFn publisher, PeerConsumerFn consumer,
                      double* all_seconds) {
  int p = run->options.publishers;
  ThreadArg consumer_arg = {.run = run, .consumer = consumer};
  pthread_t consumer_thread;
  if (pthread_create(&consumer_thread, NULL, ConsumerMain, &consumer_arg) != 0) {
    PeerFail(run, "bench", "cannot start the consumer thread");
    *all_seconds = 0;
    return 0;
  }
  while (!atomic_load(&run->consumer_ready) && PeerTimeLeft(run)) SleepMs(1);

  ThreadArg* args = calloc((size_t)p, sizeof(ThreadArg));
  pthread_t* threads = calloc((size_t)p, sizeof(pthread_t));
  bool* started = calloc((size_t)p, sizeof(bool));
  int64_t start = PeerNowNs();
  if (args == NULL || threads == NULL || started == NULL) {
    PeerFail(run, "bench", "out of memory");
  } else if (!atomic_load(&run->stop)) {
    for (int i = 0; i < p; ++i) {
      args[i] = (ThreadArg){.run = run, .index = i, .publisher = publisher};
      started[i] = pthread_create(&threads[i], NULL, PublisherMain, &args[i]) == 0;
      if (!started[i]) {
        PeerFail(run, "bench", "cannot start publisher thread %d", i);
        atomic_fetch_add(&run->publishers_done, 1);
      }
    }
    for (int i = 0; i < p; ++i) {
      if (started[i]) pthread_join(threads[i], NULL);
    }
  }
  if (atomic_load(&run->publishers_done) < p) atomic_store(&run->publishers_done, p);
  double publish_seconds = (double)(PeerNowNs() - start) / 1e9;
  pthread_join(consumer_thread, NULL);
  *all_seconds = (double)(PeerNowNs() - start) / 1e9;
  free(args);
  free(threads);
  free(started);
  return publish_seconds;
}

static int CompareInt64(const void* a, const void* b) {
  int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return (x > y) - (x < y);
}

typedef struct Percentiles {
  double p50, p99, p999;
} Percentiles;

// Same definition as muster-bench: the sample at index min(n-1, floor(q*n)) of the sorted set.
static Percentiles Compute(int64_t* ns, size_t n) {
  Percentiles p = {0, 0, 0};
  if (n == 0) return p;
  qsort(ns, n, sizeof(int64_t), CompareInt64);
  double q[3] = {0.50, 0.99, 0.999};
  double* out[3] = {&p.p50, &p.p99, &p.p999};
  for (int i = 0; i < 3; ++i) {
    size_t at = (size_t)(q[i] * (double)n);
    if (at > n - 1) at = n - 1;
    *out[i] = (double)ns[at] / 1e6;
  }
  return p;
}

static void PrintJsonString(const char* s) {
  putchar('"');
  for (; *s; ++s) {
    if (*s == '"' || *s == '\\') putchar('\\');
    putchar((unsigned char)*s < 0x20 ? ' ' : *s);
  }
  putchar('"');
}

int PeerReport(PeerRun* run, const char* system, const char* durability, double publish_seconds,
               double all_seconds) {
  const PeerOptions* o = &run->options;
  size_t receipts = 0;
  for (int i = 0; i < o->publishers; ++i) receipts += run->receipt[i].count;
  int64_t* merged = malloc(sizeof(int64_t) * (receipts ? receipts : 1));
  if (merged == NULL) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  size_t at = 0;
  for (int i = 0; i < o->publishers; ++i) {
    memcpy(merged + at, run->receipt[i].ns, sizeof(int64_t) * run->receipt[i].count);
    at += run->receipt[i].count;
  }
  Percentiles pr = Compute(merged, receipts);
  Percentiles pd = Compute(run->delivery.ns, run->delivery.count);
  free(merged);
  long long acked = atomic_load(&run->acked), rejected = atomic_load(&run->rejected);
  long long delivered = atomic_load(&run->delivered), foreign = atomic_load(&run->foreign);
  double rate = publish_seconds > 0 ? (double)acked / publish_seconds : 0;
  if (o->json) {
    printf("{\"system\":");
    PrintJsonString(system);
    printf(
        ",\"publishers\":%d,\"window\":%d,\"size\":%d,\"messages\":%lld,\"rejected\":%lld,"
        "\"delivered\":%lld,\"foreign\":%lld,\"receipts_per_s\":%.0f,"
        "\"receipt_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f},"
        "\"delivery_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f},\"seconds\":%.2f,"
        "\"durability\":",
        o->publishers, o->window, o->size, acked, rejected, delivered, foreign, rate, pr.p50,
        pr.p99, pr.p999, pd.p50, pd.p99, pd.p999, all_seconds);
    PrintJsonString(durability);
    printf("}\n");
  } else {
    printf(
        "%s: publishers %d, window %d, %d-byte messages, %lld acked (%lld rejected), "
        "%lld delivered\n",
        system, o->publishers, o->window, o->size, acked, rejected, delivered);
    printf("acked publishes/s      %10.0f\n", rate);
    printf("publish->ack      ms   p50 %.3f  p99 %.3f  p99.9 %.3f\n", pr.p50, pr.p99, pr.p999);
    printf("publish->delivery ms   p50 %.3f  p99 %.3f  p99.9 %.3f\n", pd.p50, pd.p99, pd.p999);
    printf("durability: %s\n", durability);
  }
  fflush(stdout);
  return acked == run->total && delivered == run->total ? 0 : 1;
}

void PeerFail(PeerRun* run, const char* system, const char* format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  fprintf(stderr, "error: %s: %s\n", system, message);
  atomic_store(&run->stop, true);
}
