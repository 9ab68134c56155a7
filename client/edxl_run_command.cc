// `muster-edxl run`: the run loop of adapter_run.h with EDXL-RM documents. In, a file becomes an
// envelope against the adapter's thread index (one answering a message still waiting in the
// outbox waits for it); out, equipment traffic becomes an EDXL-RM document (the sender's original
// when it says the same as the body) with its MessageID, and is recorded in the thread index.
#include <cstdio>
#include <memory>
#include <string>

#include "adapters/edxl/edxl_document.h"
#include "adapters/edxl/edxl_envelope.h"
#include "adapters/edxl/edxl_threading.h"
#include "adapters/edxl/rm_message.h"
#include "adapters/edxl/rm_parser.h"
#include "client/adapter_run.h"
#include "client/edxl_commands.h"
#include "client/edxl_intake.h"

namespace muster::cli {
namespace {

struct RunFlags {
  EdxlIntakeFlags intake;
  AdapterRunFlags run;
};

class EdxlFormat : public AdapterFormat {
 public:
  EdxlFormat(const EdxlIntake& intake, EdxlAdapterState& state) : intake_(intake), state_(state) {}

  const char* component() const override { return "edxl"; }
  const char* client_name() const override { return "muster-edxl run"; }
  const char* document_word() const override { return "document"; }
  size_t max_document_bytes() const override { return edxl::kMaxDocumentBytes; }
  std::string IdOf(const std::string& document) const override {
    return client::ContentMessageId(kEdxlIdPrefix, document);
  }

  Result<std::unique_ptr<capnp::MallocMessageBuilder>> EnvelopeFor(
      const std::string& document) override {
    auto taken = EdxlEnvelopeFor(document, intake_, state_);
    if (!taken.ok()) {
      if (edxl::RmReasonCode(taken.status()) == "UNKNOWN_THREAD" &&
          state_.outbox->pending_count() != 0) {
        return Status::Unavailable(taken.status().message());
      }
      return taken.status();
    }
    return std::move(taken->envelope);
  }

  void Finished(const client::OutboxEntry& entry) override {
    RememberEdxlEntry(*state_.threads, entry);
  }
  std::string ReceiptText(const client::ReceiptInfo& receipt) const override {
    return EdxlReceiptText(receipt);
  }

  Result<Handed> DocumentFor(schema::Envelope::Reader envelope, uint64_t seq) override {
    MUSTER_ASSIGN_OR_RETURN(edxl::EdxlDocument doc,
                            edxl::EdxlDocumentOf(envelope, seq, edxl::ThreadsOf(*state_.threads)));
    Handed h;
    h.id = edxl::EdxlMessageIdOf(envelope, seq);
    h.headers = {{"X-EDXL-MessageID", h.id}};
    h.document = std::move(doc.xml);
    h.from_original = doc.from_original;
    h.note = std::move(doc.note);
    return h;
  }
  const char* no_form_text() const override {
    return "not equipment traffic; acknowledged without handing it on";
  }
  void HandedOn(schema::Envelope::Reader envelope, uint64_t seq, Logger& log) override {
    if (Status r = edxl::RememberEquipment(*state_.threads, envelope, seq); !r.ok()) {
      log.Warn("edxl", "cannot record the thread; answers to it will not be threaded",
               {{"seq", std::to_string(seq)}, {"reason", r.message()}});
    }
  }

 private:
  const EdxlIntake& intake_;
  EdxlAdapterState& state_;
};

int Run(GlobalFlags& g, RunFlags& f) {
  auto usage = [](const std::string& m) {
    std::fprintf(stderr, "error: %s\n", m.c_str());
    return 2;
  };
  LogLevel level;
  auto output = PrepareAdapterRun(f.run, std::string(edxl::kEdxlMimeType), &level);
  if (!output.ok()) return usage(output.status().message());
  auto intake = ResolveEdxlIntake(f.intake, g);
  if (!intake.ok()) return usage(intake.status().message());
  auto state = OpenEdxlAdapterState(intake->outbox_dir);
  if (!state.ok()) return Report(state.status());
  EdxlFormat format(*intake, *state);
  return RunAdapterLoop(g, f.run, f.intake.publish_timeout_s, level, *state->outbox, output->get(),
                        format);
}

}  // namespace

void RegisterEdxlRun(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "the adapter: publish EDXL-RM files dropped in --watch, write equipment traffic delivered to "
      "you to --out");
  AddAdapterRunFlags(*cmd, f->run, "EDXL-RM files",
                     "equipment traffic delivered to you (EDXL-RM 1.0)");
  AddEdxlIntakeFlags(*cmd, f->intake);
  cmd->footer(
      "Example:\n  muster-edxl --key demo/keys/msd.key run --watch /srv/edxl/in --out "
      "/srv/edxl/received");
  cmd->callback([&g, f, exit_code] { *exit_code = Run(g, *f); });
}

}  // namespace muster::cli
