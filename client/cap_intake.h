// What muster-cap's send and run share on the way in: the flags that shape an envelope, reading
// a CAP document into an envelope (ParseCap, the profile, the mapping of cap_adapter_envelope.h),
// and the adapter's local state (the outbox and the CAP reference index, both under --outbox).
#pragma once

#include <capnp/message.h>

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "adapters/cap/cap_adapter_envelope.h"
#include "adapters/cap/cap_adapter_profile.h"
#include "adapters/cap/cap_adapter_references.h"
#include "adapters/sdk/outbox.h"
#include "client/cli_common.h"

namespace muster::cli {

// Prefix of the client message ids muster-cap gives documents: "cap-<sha256 prefix>".
inline constexpr char kCapIdPrefix[] = "cap";

struct CapIntakeFlags {
  std::vector<std::string> to;
  std::string classification = "public";
  std::string precedence = "routine";
  std::string profile;
  std::string outbox;
  bool ignore_expires = false;
  double publish_timeout_s = 10;
};

// Adds --to, --classification, --precedence, --profile, --outbox, --ignore-expires,
// --publish-timeout to `cmd`.
void AddCapIntakeFlags(CLI::App& cmd, CapIntakeFlags& flags);

struct CapIntake {
  cap::CapProfile profile = cap::CapProfile::kNone;
  cap::CapEnvelopeOptions envelope;  // find_reference and now_ms are set per document
  std::string outbox_dir;
};

// Checks the flags (InvalidArgument naming the bad one: a usage error).
Result<CapIntake> ResolveCapIntake(const CapIntakeFlags& flags, const GlobalFlags& global);


// ParseCap and the profile: what `validate` checks. InvalidArgument "<CODE>: reason".
Result<std::unique_ptr<capnp::MallocMessageBuilder>> ReadCapDocument(const std::string& xml,
                                                                     cap::CapProfile profile);

// ReadCapDocument, then the envelope (root of the returned message).
Result<std::unique_ptr<capnp::MallocMessageBuilder>> CapEnvelopeFor(const std::string& xml, const CapIntake& intake,
                                                                    const cap::CapReferenceIndex* references);

// The outbox and the reference index of one adapter principal.
struct CapAdapterState {
  std::unique_ptr<client::Outbox> outbox;
  std::unique_ptr<cap::CapReferenceIndex> references;
};
Result<CapAdapterState> OpenCapAdapterState(const std::string& outbox_dir);

// Records the CAP alert carried by an envelope (canonical bytes, as in an outbox entry) under
// `seq` in the reference index. Entries that are not alerts are skipped.
void RememberCapAlert(cap::CapReferenceIndex& references, schema::Envelope::Reader envelope, uint64_t seq);

// "seq 12, 2 recipients" (+ ", already accepted earlier").
std::string ReceiptText(const client::ReceiptInfo& receipt);

}  // namespace muster::cli
