// The `run` command shared by the agency adapters (muster-cap, muster-edxl): the long-running
// loop around the outbox, the watched directory and the delivery output. A format
// (AdapterFormat) says how a dropped document becomes an envelope and how a delivered message
// becomes a document; the loop does the rest:
//  In:  every new file in --watch (hidden files and *.tmp / *.part are skipped; agencies write a
//       temp name and rename) becomes an envelope and goes into the outbox (durable), then is
//       published; the file moves to WATCH/done/ (with FILE.receipt) once the broker's receipt
//       arrives, or to WATCH/failed/ with FILE.error when it is invalid or permanently refused.
//       Transient failures (broker unreachable, no receipt, overloaded) are retried with the same
//       id.
//  Out: messages delivered to the adapter's principal are handed to the DeliveryOutput (--out
//       or --post) and acknowledged as received only once that has succeeded.
// SIGTERM/SIGINT stop it cleanly; --once processes what is there and exits.
// Single-threaded; the format is called from the loop's thread only.
#pragma once

#include <capnp/message.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/sdk/outbox.h"
#include "client/cli_common.h"
#include "client/delivery_output.h"
#include "common/log.h"
#include "common/result.h"
#include "schemas/envelope.capnp.h"

namespace muster::cli {

struct AdapterRunFlags {
  std::string watch;
  std::string out;
  std::string post;
  bool once = false;
  int poll_ms = 500;
  double timeout_s = 120;
  std::string log_level = "info";
};

// Adds --watch, --out, --post, --once, --poll-ms, --timeout, --log-level. `documents` and
// `delivered` name what goes in and out in the help ("CAP files", "alerts delivered to you").
void AddAdapterRunFlags(CLI::App& cmd, AdapterRunFlags& flags, const std::string& documents,
                        const std::string& delivered);

// What a document format adds to the loop. Implemented by each adapter's run command.
class AdapterFormat {
 public:
  virtual ~AdapterFormat() = default;

  // Log component ("cap"), client name in the hello ("muster-cap run"), and what a delivered
  // document is called in log lines ("alert").
  virtual const char* component() const = 0;
  virtual const char* client_name() const = 0;
  virtual const char* document_word() const = 0;
  // The largest document read from --watch.
  virtual size_t max_document_bytes() const = 0;

  // The outbox id of a document's bytes.
  virtual std::string IdOf(const std::string& document) const = 0;
  // The envelope for a dropped document. InvalidArgument: invalid (the file moves to failed/
  // with the message). Unavailable: it may answer a message still waiting in the outbox; it is
  // looked at again after the next drain.
  virtual Result<std::unique_ptr<capnp::MallocMessageBuilder>> EnvelopeFor(
      const std::string& document) = 0;
  // An outbox entry has finished (accepted or refused).
  virtual void Finished(const client::OutboxEntry& entry) = 0;
  // "seq 12, 2 recipients" for FILE.receipt.
  virtual std::string ReceiptText(const client::ReceiptInfo& receipt) const = 0;

  struct Handed {
    std::string document;
    DeliveryHeaders headers;     // extra HTTP headers of a POST
    std::string id;              // the document's own id, for the log ("" if none)
    bool from_original = false;  // the sender's bytes
    std::string note;            // why not the sender's bytes, when there were some
  };
  // The document for a delivered message. An error means the message has no form in this
  // format (another kind): it is acknowledged and logged with `no_form_text()`.
  virtual Result<Handed> DocumentFor(schema::Envelope::Reader envelope, uint64_t seq) = 0;
  virtual const char* no_form_text() const = 0;
  // The document was handed on: remember what the format needs (may log through `log`).
  virtual void HandedOn(schema::Envelope::Reader envelope, uint64_t seq, Logger& log) = 0;
};

// Checks the flags and makes the delivery output (null without --out and --post; POSTs carry
// `content_type`). InvalidArgument is a usage error.
Result<std::unique_ptr<DeliveryOutput>> PrepareAdapterRun(const AdapterRunFlags& flags,
                                                          const std::string& content_type,
                                                          LogLevel* level);

// Runs the loop; returns the exit code (0; 1 with --once when a file failed or --timeout passed).
int RunAdapterLoop(const GlobalFlags& global, const AdapterRunFlags& flags,
                   double publish_timeout_s, LogLevel level, client::Outbox& outbox,
                   DeliveryOutput* output, AdapterFormat& format);

}  // namespace muster::cli
