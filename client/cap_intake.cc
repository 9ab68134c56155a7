// muster-cap: flags, documents in, and the adapter's local state.
#include "client/cap_intake.h"

#include <chrono>

#include "adapters/cap/cap_parser.h"
#include "client/adapter_intake.h"
#include "client/targets.h"
#include "common/files.h"

namespace muster::cli {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void AddCapIntakeFlags(CLI::App& cmd, CapIntakeFlags& f) {
  cmd.add_option("--to", f.to,
                 "recipients instead of the alert's GB/T 2260 areas: principal:ID, org:ID, sector:NAME, "
                 "role:NAME, area:CODE (comma-separated or repeated)")
      ->allow_extra_args(false);
  cmd.add_option("--classification", f.classification,
                 "public (default: CAP feeds are public warnings), internal, restricted, confidential");
  cmd.add_option("--precedence", f.precedence, "flash, immediate, priority, routine (default)");
  cmd.add_option("--profile", f.profile,
                 "cn: also require +08:00 times and at least one GB/T 2260 geocode");
  cmd.add_option("--outbox", f.outbox,
                 "the adapter's outbox directory (default: beside the key, e.g. keys/msd.outbox)");
  cmd.add_flag("--ignore-expires", f.ignore_expires,
               "do not carry info/expires into the message expiry (for replaying archived alerts)");
  cmd.add_option("--publish-timeout", f.publish_timeout_s, "seconds to wait for each receipt (default 10)");
}

Result<CapIntake> ResolveCapIntake(const CapIntakeFlags& f, const GlobalFlags& g) {
  CapIntake intake;
  MUSTER_ASSIGN_OR_RETURN(intake.profile, cap::ParseCapProfile(f.profile));
  MUSTER_ASSIGN_OR_RETURN(intake.envelope.classification, ClassificationFlag(f.classification));
  MUSTER_ASSIGN_OR_RETURN(intake.envelope.precedence, PrecedenceFlag(f.precedence));
  intake.envelope.ignore_expires = f.ignore_expires;
  if (!f.to.empty()) {
    Targets t;
    MUSTER_RETURN_IF_ERROR(ParseTargets(f.to, &t));
    intake.envelope.principals = t.principals;
    intake.envelope.organisations = t.organisations;
    intake.envelope.sectors = t.sectors;
    intake.envelope.roles = t.roles;
    intake.envelope.areas = t.areas;
  }
  if (f.publish_timeout_s <= 0) return Status::InvalidArgument("--publish-timeout must be positive");
  intake.outbox_dir = AdapterOutboxDir(f.outbox, g);
  return intake;
}

Result<std::unique_ptr<capnp::MallocMessageBuilder>> ReadCapDocument(const std::string& xml,
                                                                     cap::CapProfile profile) {
  MUSTER_ASSIGN_OR_RETURN(auto message, cap::ParseCapMessage(xml));
  MUSTER_RETURN_IF_ERROR(cap::CheckCapProfile(message->getRoot<schema::Alert>().asReader(), profile));
  return message;
}

Result<std::unique_ptr<capnp::MallocMessageBuilder>> CapEnvelopeFor(const std::string& xml, const CapIntake& intake,
                                                                    const cap::CapReferenceIndex* references) {
  MUSTER_ASSIGN_OR_RETURN(auto alert, ReadCapDocument(xml, intake.profile));
  cap::CapEnvelopeOptions options = intake.envelope;
  options.now_ms = NowMs();
  if (references) {
    options.find_reference = [references](std::string_view sender, std::string_view identifier) {
      return references->Find(sender, identifier);
    };
  }
  auto envelope = std::make_unique<capnp::MallocMessageBuilder>();
  MUSTER_RETURN_IF_ERROR(cap::BuildCapEnvelope(xml, alert->getRoot<schema::Alert>().asReader(), options,
                                               envelope->initRoot<schema::Envelope>()));
  return envelope;
}

Result<CapAdapterState> OpenCapAdapterState(const std::string& outbox_dir) {
  CapAdapterState state;
  MUSTER_ASSIGN_OR_RETURN(state.outbox, client::Outbox::Open(outbox_dir));
  MUSTER_ASSIGN_OR_RETURN(state.references, cap::CapReferenceIndex::Open(JoinPath(outbox_dir, "cap-references")));
  return state;
}

void RememberCapAlert(cap::CapReferenceIndex& references, schema::Envelope::Reader envelope, uint64_t seq) {
  if (envelope.getBody().which() != schema::Envelope::Body::ALERT || seq == 0) return;
  auto alert = envelope.getBody().getAlert();
  // Best effort: a lost record only leaves a later reference unresolved.
  (void)references.Record(alert.getSender().cStr(), alert.getIdentifier().cStr(), seq);
}

std::string ReceiptText(const client::ReceiptInfo& r) {
  return "seq " + std::to_string(r.seq) + ", " + std::to_string(r.recipients) + " recipient" +
         (r.recipients == 1 ? "" : "s") + (r.duplicate ? ", already accepted earlier" : "");
}

}  // namespace muster::cli
