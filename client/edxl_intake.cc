// muster-edxl: flags, documents in, and the adapter's local state.
#include "client/edxl_intake.h"

#include "adapters/edxl/edxl_threading.h"
#include "adapters/edxl/rm_parser.h"
#include "client/adapter_intake.h"
#include "client/targets.h"
#include "common/files.h"
#include "schemas/equipment.capnp.h"
#include "schemas/frame_codec.h"

namespace muster::cli {

void AddEdxlIntakeFlags(CLI::App& cmd, EdxlIntakeFlags& f) {
  cmd.add_option(
         "--to", f.to,
         "who is asked (required for a RequestResource; adds recipients to a step): "
         "principal:ID, org:ID, sector:NAME, role:NAME, area:CODE (comma-separated or repeated)")
      ->allow_extra_args(false);
  cmd.add_option("--status", f.status,
                 "of a new request: actual (default), exercise, test, system; a step carries its "
                 "request's or offer's");
  cmd.add_option("--classification", f.classification,
                 "of a new request: public, internal (default), restricted, confidential; a step "
                 "carries its request's or offer's");
  cmd.add_option("--precedence", f.precedence, "flash, immediate, priority, routine (default)");
  cmd.add_option("--outbox", f.outbox,
                 "the adapter's outbox directory, which also holds its EDXL thread index (default: "
                 "beside the key, e.g. keys/msd.outbox)");
  cmd.add_option("--publish-timeout", f.publish_timeout_s,
                 "seconds to wait for each receipt (default 10)");
}

Result<EdxlIntake> ResolveEdxlIntake(const EdxlIntakeFlags& f, const GlobalFlags& g) {
  EdxlIntake intake;
  MUSTER_ASSIGN_OR_RETURN(intake.envelope.status, StatusFlag(f.status));
  MUSTER_ASSIGN_OR_RETURN(intake.envelope.classification, ClassificationFlag(f.classification));
  MUSTER_ASSIGN_OR_RETURN(intake.envelope.precedence, PrecedenceFlag(f.precedence));
  if (!f.to.empty()) {
    Targets t;
    MUSTER_RETURN_IF_ERROR(ParseTargets(f.to, &t));
    intake.envelope.principals = t.principals;
    intake.envelope.organisations = t.organisations;
    intake.envelope.sectors = t.sectors;
    intake.envelope.roles = t.roles;
    intake.envelope.areas = t.areas;
  }
  if (f.publish_timeout_s <= 0)
    return Status::InvalidArgument("--publish-timeout must be positive");
  intake.outbox_dir = AdapterOutboxDir(f.outbox, g);
  return intake;
}

Result<std::string> ReadEdxlFile(const std::string& path) {
  auto bytes = ReadFile(path, edxl::kMaxDocumentBytes);
  if (bytes.ok()) return bytes;
  if (bytes.status().code() == StatusCode::kInvalidArgument) {
    return Status::InvalidArgument("DOCUMENT_TOO_LARGE: " + bytes.status().message());
  }
  return Status(bytes.status().code(), "UNREADABLE: " + bytes.status().message());
}

Result<edxl::RmMessage> ReadEdxlDocument(const std::string& xml) {
  MUSTER_ASSIGN_OR_RETURN(edxl::RmMessage message, edxl::ParseRm(xml));
  MUSTER_RETURN_IF_ERROR(edxl::CheckRmForMuster(message));
  return message;
}

Result<EdxlAdapterState> OpenEdxlAdapterState(const std::string& outbox_dir) {
  EdxlAdapterState state;
  MUSTER_ASSIGN_OR_RETURN(state.outbox, client::Outbox::Open(outbox_dir));
  MUSTER_ASSIGN_OR_RETURN(state.threads,
                          edxl::EdxlThreadIndex::Open(JoinPath(outbox_dir, "edxl-threads")));
  return state;
}

Result<EdxlTaken> EdxlEnvelopeFor(const std::string& xml, const EdxlIntake& intake,
                                  const EdxlAdapterState& state) {
  MUSTER_ASSIGN_OR_RETURN(edxl::RmMessage message, ReadEdxlDocument(xml));
  EdxlTaken taken;
  taken.id = client::ContentMessageId(kEdxlIdPrefix, xml);
  if (state.threads->FindMessage(message.message_id) && !state.outbox->Find(taken.id)) {
    return Status::InvalidArgument(
        "DUPLICATE_MESSAGE_ID: MessageID: '" + message.message_id +
        "' already names another message this adapter has published or received; every EDXL-RM "
        "message needs its own MessageID");
  }
  edxl::EdxlEnvelopeOptions options = intake.envelope;
  options.threads = edxl::ThreadsOf(*state.threads);
  taken.envelope = std::make_unique<capnp::MallocMessageBuilder>();
  MUSTER_RETURN_IF_ERROR(
      edxl::BuildEdxlEnvelope(xml, message, options, taken.envelope->initRoot<schema::Envelope>()));
  return taken;
}

void RememberEdxlEntry(edxl::EdxlThreadIndex& threads, const client::OutboxEntry& entry) {
  if (entry.state != client::OutboxState::kDone || entry.envelope.empty()) return;
  auto decoded = wire::DecodedStruct::Decode(entry.envelope.data(), entry.envelope.size());
  if (!decoded.ok()) return;
  (void)edxl::RememberEquipment(threads, (*decoded)->Get<schema::Envelope>(), entry.receipt.seq);
}

std::string EdxlObjectText(schema::Envelope::Reader envelope, uint64_t seq) {
  if (envelope.getBody().which() != schema::Envelope::Body::EQUIPMENT) return {};
  auto body = envelope.getBody().getEquipment();
  using Action = schema::EquipmentRequest::Action;
  switch (body.getAction()) {
    case Action::REQUEST:
      return "request R-" + std::to_string(seq);
    case Action::OFFER:
      return "offer O-" + std::to_string(seq);
    default:
      if (body.getOfferId().size() != 0) return "offer " + std::string(body.getOfferId().cStr());
      return "request " + std::string(body.getRequestId().cStr());
  }
}

std::string EdxlReceiptText(const client::ReceiptInfo& r) {
  return "seq " + std::to_string(r.seq) + ", " + std::to_string(r.recipients) + " recipient" +
         (r.recipients == 1 ? "" : "s") + (r.duplicate ? ", already accepted earlier" : "");
}

}  // namespace muster::cli
