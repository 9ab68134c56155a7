// `muster-cap run`: the run loop of adapter_run.h with CAP 1.2 documents. In, a file becomes an
// alert envelope (its references resolved against the alerts this adapter has seen); out, an
// alert becomes CAP 1.2 XML (the sender's original when it says the same as the body) and is
// remembered for the references of later updates.
#include <cstdio>
#include <memory>
#include <string>

#include "adapters/cap/cap_adapter_envelope.h"
#include "adapters/cap/cap_parser.h"
#include "client/adapter_run.h"
#include "client/cap_commands.h"
#include "client/cap_intake.h"
#include "schemas/frame_codec.h"

namespace muster::cli {
namespace {

struct RunFlags {
  CapIntakeFlags intake;
  AdapterRunFlags run;
};

class CapFormat : public AdapterFormat {
 public:
  CapFormat(const CapIntake& intake, CapAdapterState& state) : intake_(intake), state_(state) {}

  const char* component() const override { return "cap"; }
  const char* client_name() const override { return "muster-cap run"; }
  const char* document_word() const override { return "alert"; }
  size_t max_document_bytes() const override { return cap::kMaxDocumentBytes; }
  std::string IdOf(const std::string& document) const override {
    return client::ContentMessageId(kCapIdPrefix, document);
  }

  Result<std::unique_ptr<capnp::MallocMessageBuilder>> EnvelopeFor(
      const std::string& document) override {
    return CapEnvelopeFor(document, intake_, state_.references.get());
  }

  void Finished(const client::OutboxEntry& e) override {
    if (e.state != client::OutboxState::kDone) return;
    auto decoded = wire::DecodedStruct::Decode(e.envelope.data(), e.envelope.size());
    if (decoded.ok()) {
      RememberCapAlert(*state_.references, (*decoded)->Get<schema::Envelope>(), e.receipt.seq);
    }
  }
  std::string ReceiptText(const client::ReceiptInfo& receipt) const override {
    return cli::ReceiptText(receipt);
  }

  Result<Handed> DocumentFor(schema::Envelope::Reader envelope, uint64_t) override {
    MUSTER_ASSIGN_OR_RETURN(cap::CapDocument doc, cap::CapDocumentOf(envelope));
    Handed h;
    h.document = std::move(doc.xml);
    h.from_original = doc.from_original;
    h.note = std::move(doc.note);
    return h;
  }
  const char* no_form_text() const override {
    return "not an alert; acknowledged without handing it on";
  }
  void HandedOn(schema::Envelope::Reader envelope, uint64_t seq, Logger&) override {
    RememberCapAlert(*state_.references, envelope, seq);
  }

 private:
  const CapIntake& intake_;
  CapAdapterState& state_;
};

int Run(GlobalFlags& g, RunFlags& f) {
  auto usage = [](const std::string& m) {
    std::fprintf(stderr, "error: %s\n", m.c_str());
    return 2;
  };
  LogLevel level;
  auto output = PrepareAdapterRun(f.run, "application/cap+xml", &level);
  if (!output.ok()) return usage(output.status().message());
  auto intake = ResolveCapIntake(f.intake, g);
  if (!intake.ok()) return usage(intake.status().message());
  auto state = OpenCapAdapterState(intake->outbox_dir);
  if (!state.ok()) return Report(state.status());
  CapFormat format(*intake, *state);
  return RunAdapterLoop(g, f.run, f.intake.publish_timeout_s, level, *state->outbox, output->get(),
                        format);
}

}  // namespace

void RegisterCapRun(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "the adapter: publish CAP files dropped in --watch, write alerts delivered to you to --out");
  AddAdapterRunFlags(*cmd, f->run, "CAP files", "alerts delivered to you (CAP 1.2)");
  AddCapIntakeFlags(*cmd, f->intake);
  cmd->footer(
      "Example:\n  muster-cap --key demo/keys/msd.key run --watch /srv/cap/in --out "
      "/srv/cap/received");
  cmd->callback([&g, f, exit_code] { *exit_code = Run(g, *f); });
}

}  // namespace muster::cli
