// peer_bench: what every peer-broker client in bench/compare/ shares, so that each one runs the
// same workload as muster-bench and prints the same JSON line.
//
// Workload: P publisher threads (one connection each, W publishes in flight each) send N
// messages of SIZE bytes to one consumer thread (its own connection) in the same process, which
// acknowledges what it receives. Every payload starts with a text header holding the run id, the
// publisher, the sequence number and the CLOCK_MONOTONIC send time, padded with 'x' to SIZE, so
// the consumer measures publish->delivery with the same clock as the publisher.
//
// Thread-safety: PeerRun's sample arrays are written by one thread each (publisher i writes
// receipt[i], the consumer writes delivery); the counters are atomics. Every loop that uses a
// PeerRun is bounded by the message count and by PeerRun.deadline_ns.
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Command-line options common to every peer client. Parsed by PeerParseOptions; flags it does
// not know are handed to the caller's callback.
typedef struct PeerOptions {
  const char* host;    // server address; only loopback is accepted (default 127.0.0.1)
  int port;            // server port (required)
  int publishers;      // P: concurrent publishers, each with its own connection (default 1)
  int window;          // W: publishes in flight per publisher (default 64)
  int64_t messages;    // N: total messages, split evenly over the publishers (default 20000)
  int size;            // payload bytes per message (default 1024)
  double max_seconds;  // hard limit on the whole run (default 120)
  bool json;           // print one JSON object instead of text
  const char* name;    // queue, stream or topic name (default muster_compare)
} PeerOptions;

// A sample array filled by exactly one thread.
typedef struct PeerSamples {
  int64_t* ns;
  size_t count;
  size_t capacity;
} PeerSamples;

// State of one run, owned by main().
typedef struct PeerRun {
  PeerOptions options;
  int64_t per_publisher;   // messages each publisher sends
  int64_t total;           // per_publisher * publishers
  int64_t deadline_ns;     // CLOCK_MONOTONIC time after which every loop stops
  uint64_t run_id;         // tags payloads; the consumer ignores messages of other runs
  PeerSamples* receipt;    // one per publisher: publish->ack latencies
  PeerSamples delivery;    // consumer: publish->delivery latencies
  atomic_llong acked;      // positive acks (confirms) received by the publishers
  atomic_llong rejected;   // negative acks or error replies
  atomic_llong delivered;  // messages of this run received by the consumer
  atomic_llong foreign;    // messages received that belong to no publisher of this run
  atomic_int publishers_done;
  atomic_bool consumer_ready;
  atomic_bool stop;  // set on a fatal error in any thread
} PeerRun;

// Monotonic clock in nanoseconds.
int64_t PeerNowNs(void);

// Parses argv. `extra` (may be NULL) is offered each flag PeerParseOptions does not know, with
// the following argument as `value` (NULL when there is none); it returns how many arguments it
// used (1 for a bare flag, 2 for flag + value) or 0 if it does not know the flag either.
// Returns 0 on success, 1 after printing --help, 2 on a usage error (message printed).
typedef int (*PeerExtraFlag)(const char* flag, const char* value, void* closure);
int PeerParseOptions(int argc, char** argv, const char* program, const char* extra_usage,
                     PeerExtraFlag extra, void* closure, PeerOptions* out);

// Sets up `run` for `options` (allocates the sample arrays). Returns false if out of memory.
bool PeerRunInit(PeerRun* run, const PeerOptions* options);
void PeerRunFree(PeerRun* run);

bool PeerTimeLeft(const PeerRun* run);

// Writes the SIZE-byte payload of message `seq` of `publisher`, sent at `sent_ns`, into `buf`
// (REQUIRES: buf holds options.size bytes; size >= 64).
void PeerFillPayload(const PeerRun* run, char* buf, int publisher, int64_t seq, int64_t sent_ns);

// Reads the send time from a payload of this run. Returns false if the payload is malformed or
// belongs to another run.
bool PeerParsePayload(const PeerRun* run, const void* data, size_t len, int64_t* sent_ns);

// Records one sample (drops it if the array is full, which cannot happen within N messages).
void PeerRecord(PeerSamples* s, int64_t ns);

// Consumer side: records the delivery latency of a received payload. Returns true if it
// belonged to this run.
bool PeerRecordDelivery(PeerRun* run, const void* data, size_t len);

// True while the consumer should keep waiting for messages: not all delivered, time left, no
// fatal error, and (once every publisher has finished) at most `idle_limit_ns` since the last
// delivery `last_ns`.
bool PeerConsumerShouldWait(const PeerRun* run, int64_t last_ns, int64_t idle_limit_ns);

// Runs `publisher(run, index)` on P threads and `consumer(run)` on one more thread. The
// consumer is started first; publishers start once it sets run->consumer_ready (or the
// deadline passes). Returns the seconds from the publishers' start until the last publisher
// finished. Prints thread-creation errors and sets run->stop.
typedef void (*PeerPublisherFn)(PeerRun* run, int index);
typedef void (*PeerConsumerFn)(PeerRun* run);
double PeerRunThreads(PeerRun* run, PeerPublisherFn publisher, PeerConsumerFn consumer,
                      double* all_seconds);

// Prints the result line (JSON if options.json) and returns the exit code: 0 if every message
// was acked and delivered, 1 otherwise.
int PeerReport(PeerRun* run, const char* system, const char* durability, double publish_seconds,
               double all_seconds);

// Reports a fatal error from any thread: prints "error: <system>: <message>" and sets stop.
void PeerFail(PeerRun* run, const char* system, const char* format, ...)
    __attribute__((format(printf, 3, 4)));
