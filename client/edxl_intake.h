// What muster-edxl's send and run share on the way in: the flags that shape an envelope, reading
// an EDXL-RM document into an envelope (ParseRm, CheckRmForMuster, BuildEdxlEnvelope against the
// thread index), and the adapter's local state (the outbox and the EDXL thread index, both under
// --outbox).
#pragma once

#include <capnp/message.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "adapters/edxl/edxl_envelope.h"
#include "adapters/edxl/edxl_thread_index.h"
#include "adapters/edxl/rm_message.h"
#include "adapters/sdk/outbox.h"
#include "client/cli_common.h"

namespace muster::cli {

// Prefix of the client message ids muster-edxl gives documents: "edxl-<sha256 prefix>".
inline constexpr char kEdxlIdPrefix[] = "edxl";

struct EdxlIntakeFlags {
  std::vector<std::string> to;
  std::string status = "actual";
  std::string classification = "internal";
  std::string precedence = "routine";
  std::string outbox;
  double publish_timeout_s = 10;
};

// Adds --to, --status, --classification, --precedence, --outbox, --publish-timeout to `cmd`.
void AddEdxlIntakeFlags(CLI::App& cmd, EdxlIntakeFlags& flags);

struct EdxlIntake {
  edxl::EdxlEnvelopeOptions envelope;  // threads are set per use
  std::string outbox_dir;
};

// Checks the flags (InvalidArgument naming the bad one: a usage error).
Result<EdxlIntake> ResolveEdxlIntake(const EdxlIntakeFlags& flags, const GlobalFlags& global);

// A document file's bytes. InvalidArgument "DOCUMENT_TOO_LARGE: …" beyond the parser's limit;
// otherwise the file system's error with "UNREADABLE: " in front.
Result<std::string> ReadEdxlFile(const std::string& path);

// ParseRm and CheckRmForMuster: what `validate` checks. InvalidArgument "<CODE>: reason".
Result<edxl::RmMessage> ReadEdxlDocument(const std::string& xml);

// The outbox and the thread index of one adapter principal.
struct EdxlAdapterState {
  std::unique_ptr<client::Outbox> outbox;
  std::unique_ptr<edxl::EdxlThreadIndex> threads;
};
Result<EdxlAdapterState> OpenEdxlAdapterState(const std::string& outbox_dir);

// A document taken in: its outbox id and envelope (root of `envelope`).
struct EdxlTaken {
  std::string id;  // ContentMessageId(kEdxlIdPrefix, xml)
  std::unique_ptr<capnp::MallocMessageBuilder> envelope;
};

// ReadEdxlDocument, then the envelope against the adapter's threads. Also refuses
// DUPLICATE_MESSAGE_ID: a MessageID the adapter already knows, carried by a different document.
Result<EdxlTaken> EdxlEnvelopeFor(const std::string& xml, const EdxlIntake& intake,
                                  const EdxlAdapterState& state);

// Records the equipment message carried by an outbox entry that has just been accepted (its
// canonical envelope bytes) under its receipt's seq in the thread index. Best effort: a lost
// record only leaves later answers unthreaded.
void RememberEdxlEntry(edxl::EdxlThreadIndex& threads, const client::OutboxEntry& entry);

// The object a message is about once accepted as `seq`: "request R-12", "offer O-13".
std::string EdxlObjectText(schema::Envelope::Reader envelope, uint64_t seq);

// "seq 12, 2 recipients" (+ ", already accepted earlier").
std::string EdxlReceiptText(const client::ReceiptInfo& receipt);

}  // namespace muster::cli
