// redis-bench: the muster-bench workload against Redis Streams.
// Each publisher keeps W `XADD NAME * d <payload>` commands pipelined on its own connection
// (replies come back in order, so the oldest send time belongs to each reply). The consumer reads
// with `XREADGROUP GROUP muster c1 COUNT 1000 BLOCK 100 STREAMS NAME >` and acknowledges each batch
// with one XACK (or, with --plain-xread, uses `XREAD BLOCK` and acknowledges nothing). The stream
// is deleted and recreated before the run. The durability line reports the server's own
// appendonly/appendfsync settings, read with CONFIG GET.
//   redis-bench --port PORT [--publishers P] [--window W] [--messages N] [--json] [--plain-xread]
#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer_bench.h"

static const char kSystem[] = "redis";
static const char kGroup[] = "muster";
enum { kMaxBatch = 1000 };  // entries per XREAD(GROUP) reply (COUNT)
static bool plain_xread = false;

static int ExtraFlag(const char* flag, const char* value, void* closure) {
  (void)value;
  (void)closure;
  if (strcmp(flag, "--plain-xread") == 0) {
    plain_xread = true;
    return 1;
  }
  return 0;
}

static redisContext* Connect(PeerRun* run) {
  struct timeval connect_timeout = {5, 0};
  redisContext* c = redisConnectWithTimeout(run->options.host, run->options.port, connect_timeout);
  if (c == NULL || c->err) {
    PeerFail(run, kSystem, "connect %s:%d: %s", run->options.host, run->options.port,
             c ? c->errstr : "out of memory");
    if (c) redisFree(c);
    return NULL;
  }
  // Blocking reads never wait longer than the whole run may take.
  struct timeval io_timeout = {(time_t)run->options.max_seconds, 0};
  redisSetTimeout(c, io_timeout);
  return c;
}

// Runs one command; returns false (after PeerFail) on a connection error or an error reply.
static bool Command(PeerRun* run, redisContext* c, const char* what, int argc, const char** argv,
                    redisReply** out) {
  redisReply* r = redisCommandArgv(c, argc, argv, NULL);
  if (r == NULL) {
    PeerFail(run, kSystem, "%s: %s", what, c->errstr);
    return false;
  }
  if (r->type == REDIS_REPLY_ERROR) {
    PeerFail(run, kSystem, "%s: %s", what, r->str);
    freeReplyObject(r);
    return false;
  }
  if (out) {
    *out = r;
  } else {
    freeReplyObject(r);
  }
  return true;
}

static void ConfigValue(PeerRun* run, redisContext* c, const char* key, char* out, size_t len) {
  const char* argv[] = {"CONFIG", "GET", key};
  redisReply* r = NULL;
  snprintf(out, len, "unknown");
  if (!Command(run, c, "CONFIG GET", 3, argv, &r)) return;
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
      r->element[1]->type == REDIS_REPLY_STRING) {
    snprintf(out, len, "%s", r->element[1]->str);
  }
  freeReplyObject(r);
}

static void Publisher(PeerRun* run, int index) {
  redisContext* c = Connect(run);
  if (c == NULL) return;
  const int window = run->options.window;
  int64_t* sent_at = calloc((size_t)window, sizeof(int64_t));
  char* payload = malloc((size_t)run->options.size);
  if (sent_at == NULL || payload == NULL) {
    PeerFail(run, kSystem, "out of memory");
  } else {
    const char* argv[] = {"XADD", run->options.name, "*", "d", payload};
    size_t argvlen[] = {4, strlen(run->options.name), 1, 1, (size_t)run->options.size};
    int64_t next = 0, done = 0;
    while (done < run->per_publisher && PeerTimeLeft(run)) {
      while (next < run->per_publisher && next - done < window) {
        int64_t t = PeerNowNs();
        PeerFillPayload(run, payload, index, next, t);
        if (redisAppendCommandArgv(c, 5, argv, argvlen) != REDIS_OK) break;
        sent_at[next % window] = t;
        ++next;
      }
      int written = 0;
      while (!written) {
        if (redisBufferWrite(c, &written) != REDIS_OK) break;
      }
      redisReply* r = NULL;
      if (c->err || redisGetReply(c, (void**)&r) != REDIS_OK || r == NULL) {
        PeerFail(run, kSystem, "XADD: %s", c->errstr);
        break;
      }
      if (r->type == REDIS_REPLY_ERROR) {
        atomic_fetch_add(&run->rejected, 1);
      } else {
        PeerRecord(&run->receipt[index], PeerNowNs() - sent_at[done % window]);
        atomic_fetch_add(&run->acked, 1);
      }
      freeReplyObject(r);
      ++done;
    }
  }
  free(payload);
  free(sent_at);
  redisFree(c);
}

// Reads the entries of one XREAD/XREADGROUP reply: [[stream, [[id, [field, value]], ...]]].
// Appends the ids to `ids` (for XACK) and returns the last id seen in `last_id`.
static void ReadEntries(PeerRun* run, redisReply* r, const char** ids, size_t* id_lens,
                        size_t* count, char* last_id, size_t last_len) {
  if (r->type != REDIS_REPLY_ARRAY) return;
  for (size_t s = 0; s < r->elements; ++s) {
    redisReply* stream = r->element[s];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2) continue;
    redisReply* entries = stream->element[1];
    if (entries->type != REDIS_REPLY_ARRAY) continue;
    for (size_t e = 0; e < entries->elements; ++e) {
      if (*count >= kMaxBatch) return;
      redisReply* entry = entries->element[e];
      if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) continue;
      redisReply* id = entry->element[0];
      redisReply* fields = entry->element[1];
      if (fields->type == REDIS_REPLY_ARRAY && fields->elements == 2 &&
          fields->element[1]->type == REDIS_REPLY_STRING) {
        PeerRecordDelivery(run, fields->element[1]->str, fields->element[1]->len);
      }
      if (id->type == REDIS_REPLY_STRING) {
        ids[*count] = id->str;
        id_lens[*count] = id->len;
        ++*count;
        snprintf(last_id, last_len, "%s", id->str);
      }
    }
  }
}

static void Consumer(PeerRun* run) {
  redisContext* c = Connect(run);
  if (c == NULL) return;
  const char* ids[kMaxBatch + 3];
  size_t id_lens[kMaxBatch + 3];
  char last_id[64] = "0-0";
  atomic_store(&run->consumer_ready, true);
  int64_t last = PeerNowNs();
  while (PeerConsumerShouldWait(run, last, 10 * 1000000000LL)) {
    redisReply* r = NULL;
    if (plain_xread) {
      const char* argv[] = {"XREAD",   "COUNT",           "1000", "BLOCK", "100",
                            "STREAMS", run->options.name, last_id};
      if (!Command(run, c, "XREAD", 8, argv, &r)) break;
    } else {
      const char* argv[] = {"XREADGROUP", "GROUP", kGroup, "c1",      "COUNT",
                            "1000",       "BLOCK", "100",  "STREAMS", run->options.name,
                            ">"};
      if (!Command(run, c, "XREADGROUP", 11, argv, &r)) break;
    }
    size_t count = 0;
    ReadEntries(run, r, ids + 3, id_lens + 3, &count, last_id, sizeof(last_id));
    if (count > 0) last = PeerNowNs();
    if (count > 0 && !plain_xread) {
      ids[0] = "XACK";
      id_lens[0] = 4;
      ids[1] = run->options.name;
      id_lens[1] = strlen(run->options.name);
      ids[2] = kGroup;
      id_lens[2] = strlen(kGroup);
      redisReply* a = redisCommandArgv(c, (int)count + 3, ids, id_lens);
      if (a == NULL || a->type == REDIS_REPLY_ERROR) {
        PeerFail(run, kSystem, "XACK: %s", a ? a->str : c->errstr);
        if (a) freeReplyObject(a);
        freeReplyObject(r);
        break;
      }
      freeReplyObject(a);
    }
    freeReplyObject(r);
  }
  redisFree(c);
}

int main(int argc, char** argv) {
  PeerOptions o;
  int rc = PeerParseOptions(argc, argv, "redis-bench", "[--plain-xread]", ExtraFlag, NULL, &o);
  if (rc != 0) return rc == 1 ? 0 : 2;
  PeerRun run;
  if (!PeerRunInit(&run, &o)) {
    fprintf(stderr, "error: out of memory\n");
    return 1;
  }
  redisContext* admin = Connect(&run);
  if (admin == NULL) return 1;
  char appendonly[32], appendfsync[32];
  ConfigValue(&run, admin, "appendonly", appendonly, sizeof(appendonly));
  ConfigValue(&run, admin, "appendfsync", appendfsync, sizeof(appendfsync));
  const char* del[] = {"DEL", o.name};
  const char* create[] = {"XGROUP", "CREATE", o.name, kGroup, "$", "MKSTREAM"};
  if (!Command(&run, admin, "DEL", 2, del, NULL) ||
      (!plain_xread && !Command(&run, admin, "XGROUP CREATE", 6, create, NULL))) {
    redisFree(admin);
    return 1;
  }
  redisFree(admin);

  char durability[512];
  if (strcmp(appendonly, "yes") != 0) {
    snprintf(durability, sizeof(durability),
             "appendonly=%s: reply with the entry in memory only (RDB snapshots at most)",
             appendonly);
  } else if (strcmp(appendfsync, "always") == 0) {
    snprintf(durability, sizeof(durability),
             "AOF appendfsync=always: reply after the AOF write and fsync (one fsync per "
             "event-loop pass, covering every client in it)%s",
             plain_xread ? "; consumer XREAD, no acks" : "; consumer XREADGROUP + XACK");
  } else {
    snprintf(durability, sizeof(durability),
             "AOF appendfsync=%s: reply before the fsync (everysec: up to ~1 s of acked writes "
             "can be lost)",
             appendfsync);
  }
  double all_seconds = 0;
  double publish_seconds = PeerRunThreads(&run, Publisher, Consumer, &all_seconds);
  rc = PeerReport(&run, kSystem, durability, publish_seconds, all_seconds);
  PeerRunFree(&run);
  return rc;
}
