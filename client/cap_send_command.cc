// `muster-cap send [--to TARGETS] FILE…`: validate each document, put it in the outbox (durable),
// publish everything pending, and print each receipt or reason.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

#include "client/cap_commands.h"
#include "client/cap_intake.h"
#include "common/files.h"

namespace muster::cli {
namespace {

struct SendFlags {
  CapIntakeFlags intake;
  std::vector<std::string> files;
};

void Print(const GlobalFlags& g, const std::string& file, const std::string& outcome, const std::string& text,
           const client::OutboxEntry* entry) {
  if (g.json) {
    nlohmann::json j = {{"file", file}, {"outcome", outcome}};
    if (entry) j["client_message_id"] = entry->id;
    if (entry && entry->state == client::OutboxState::kDone) {
      j["seq"] = entry->receipt.seq;
      j["recipients"] = entry->receipt.recipients;
      j["leaf_index"] = entry->receipt.leaf_index;
      j["duplicate"] = entry->receipt.duplicate;
    } else {
      j["reason"] = text;
    }
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s: %s: %s\n", file.c_str(), outcome.c_str(), text.c_str());
  }
  std::fflush(stdout);
}

void PrintFinished(const GlobalFlags& g, const client::OutboxEntry& e) {
  if (e.state == client::OutboxState::kDone) {
    Print(g, e.source, "accepted", ReceiptText(e.receipt) + " (id " + e.id + ")", &e);
  } else {
    Print(g, e.source, "refused", e.reason, &e);
  }
}

int Run(GlobalFlags& g, SendFlags& f) {
  auto intake = ResolveCapIntake(f.intake, g);
  if (!intake.ok()) {
    std::fprintf(stderr, "error: %s\n", intake.status().message().c_str());
    return 2;
  }
  auto state = OpenCapAdapterState(intake->outbox_dir);
  if (!state.ok()) return Report(state.status());
  client::Outbox& outbox = *state->outbox;

  int rc = 0;
  for (const std::string& file : f.files) {
    auto xml = ReadFile(file);
    if (!xml.ok()) {
      Print(g, file, "invalid", "UNREADABLE: " + xml.status().message(), nullptr);
      rc = 1;
      continue;
    }
    auto envelope = CapEnvelopeFor(*xml, *intake, state->references.get());
    if (!envelope.ok()) {
      Print(g, file, "invalid", envelope.status().message(), nullptr);
      rc = 1;
      continue;
    }
    // Durable from here on: a crash or an unreachable broker no longer loses the document.
    auto entry = outbox.Add(client::ContentMessageId(kCapIdPrefix, *xml),
                            (*envelope)->getRoot<schema::Envelope>().asReader(), file);
    if (!entry.ok()) return Report(entry.status().WithContext("outbox " + outbox.dir()));
    if (entry->state == client::OutboxState::kDone) {
      client::OutboxEntry shown = *entry;  // the same document was accepted earlier
      shown.source = file;
      shown.receipt.duplicate = true;
      PrintFinished(g, shown);
    }
  }
  if (outbox.pending_count() == 0) return rc;

  zmq::context_t context(1);
  auto conn = ConnectOrReport(context, g, "cap send", /*receive=*/false);
  if (!conn) {
    for (const auto& e : outbox.Pending()) {
      Print(g, e.source, "not confirmed",
            "the broker is not reachable; kept in the outbox " + outbox.dir() + " (the next send or run publishes it)",
            &e);
    }
    return 1;
  }
  client::DrainReport report = outbox.Drain(*conn, static_cast<int>(f.intake.publish_timeout_s * 1000));
  conn->Close();
  for (const auto& e : report.finished) {
    if (e.state == client::OutboxState::kDone) {
      auto decoded = wire::DecodedStruct::Decode(e.envelope.data(), e.envelope.size());
      if (decoded.ok()) RememberCapAlert(*state->references, (*decoded)->Get<schema::Envelope>(), e.receipt.seq);
    } else {
      rc = 1;
    }
    PrintFinished(g, e);
  }
  if (!report.stopped.ok()) {
    rc = 1;
    for (const auto& e : outbox.Pending()) {
      Print(g, e.source, "not confirmed",
            report.stopped.message() + "; kept in the outbox " + outbox.dir() +
                " (the next send or run publishes it with the same id)",
            &e);
    }
  }
  return rc;
}

}  // namespace

void RegisterCapSend(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<SendFlags>();
  CLI::App* cmd = app.add_subcommand(
      "send", "validate CAP 1.2 documents and publish them through the outbox; print each receipt or reason");
  cmd->add_option("FILE", f->files, "CAP 1.2 XML files")->required();
  AddCapIntakeFlags(*cmd, f->intake);
  cmd->footer(
      "Addressing: the alert's GB/T 2260 geocodes become area:CODE terms unless --to is given.\n"
      "Each document is written to the outbox (fsync'd) before it is published, with an id derived from\n"
      "its bytes, so sending it again (also after a crash) is never a duplicate.\n"
      "Example:\n  muster-cap --key demo/keys/command.key send --to principal:msd alert.xml");
  cmd->callback([&g, f, exit_code] { *exit_code = Run(g, *f); });
}

}  // namespace muster::cli
