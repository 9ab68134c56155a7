// `muster-edxl send [--to TARGETS] FILE…`: validate each document, thread it, put it in the
// outbox (durable), publish everything pending, and print each receipt or reason. Files are taken
// in the order given, each once the one before it is accepted, so a file may answer the one
// before it (a CommitResource after the request it commits, say).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "adapters/edxl/rm_message.h"
#include "client/edxl_commands.h"
#include "client/edxl_intake.h"
#include "common/files.h"
#include "schemas/frame_codec.h"

namespace muster::cli {
namespace {

struct SendFlags {
  EdxlIntakeFlags intake;
  std::vector<std::string> files;
};

void Print(const GlobalFlags& g, const std::string& file, const std::string& outcome,
           const std::string& text, const client::OutboxEntry* entry, const std::string& object) {
  if (g.json) {
    nlohmann::json j = {{"file", file}, {"outcome", outcome}};
    if (entry) j["client_message_id"] = entry->id;
    if (entry && entry->state == client::OutboxState::kDone) {
      j["seq"] = entry->receipt.seq;
      j["recipients"] = entry->receipt.recipients;
      j["leaf_index"] = entry->receipt.leaf_index;
      j["duplicate"] = entry->receipt.duplicate;
      if (!object.empty()) j["object"] = object.substr(object.find(' ') + 1);
    } else {
      j["reason"] = text;
    }
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s: %s: %s\n", file.c_str(), outcome.c_str(), text.c_str());
  }
  std::fflush(stdout);
}

void PrintFinished(const GlobalFlags& g, const client::OutboxEntry& e, const std::string& object) {
  if (e.state == client::OutboxState::kDone) {
    Print(g, e.source, "accepted",
          EdxlReceiptText(e.receipt) + (object.empty() ? "" : "; " + object) + " (id " + e.id + ")",
          &e, object);
  } else {
    Print(g, e.source, "refused", e.reason, &e, object);
  }
}

std::string ObjectOf(const client::OutboxEntry& e) {
  if (e.envelope.empty()) return {};
  auto decoded = wire::DecodedStruct::Decode(e.envelope.data(), e.envelope.size());
  if (!decoded.ok()) return {};
  return EdxlObjectText((*decoded)->Get<schema::Envelope>(), e.receipt.seq);
}

// Publishes what is pending; prints each finished entry. Returns false when something is left.
bool Drain(const GlobalFlags& g, SendFlags& f, EdxlAdapterState& state,
           std::unique_ptr<client::Connection>& conn, zmq::context_t& context, int* rc) {
  client::Outbox& outbox = *state.outbox;
  if (outbox.pending_count() == 0) return true;
  if (!conn) conn = ConnectOrReport(context, g, "edxl send", /*receive=*/false);
  if (!conn) {
    for (const auto& e : outbox.Pending()) {
      Print(g, e.source, "not confirmed",
            "the broker is not reachable; kept in the outbox " + outbox.dir() +
                " (the next send or run publishes it)",
            &e, "");
    }
    *rc = 1;
    return false;
  }
  client::DrainReport report =
      outbox.Drain(*conn, static_cast<int>(f.intake.publish_timeout_s * 1000));
  for (const auto& e : report.finished) {
    if (e.state == client::OutboxState::kDone) {
      RememberEdxlEntry(*state.threads, e);
    } else {
      *rc = 1;
    }
    PrintFinished(g, e, ObjectOf(e));
  }
  if (!report.stopped.ok()) {
    *rc = 1;
    for (const auto& e : outbox.Pending()) {
      Print(g, e.source, "not confirmed",
            report.stopped.message() + "; kept in the outbox " + outbox.dir() +
                " (the next send or run publishes it with the same id)",
            &e, "");
    }
    return false;
  }
  return true;
}

int Run(GlobalFlags& g, SendFlags& f) {
  auto intake = ResolveEdxlIntake(f.intake, g);
  if (!intake.ok()) {
    std::fprintf(stderr, "error: %s\n", intake.status().message().c_str());
    return 2;
  }
  auto state = OpenEdxlAdapterState(intake->outbox_dir);
  if (!state.ok()) return Report(state.status());
  client::Outbox& outbox = *state->outbox;

  int rc = 0;
  zmq::context_t context(1);
  std::unique_ptr<client::Connection> conn;
  // Entries left from an earlier run go first: a document below may answer one of them.
  if (!Drain(g, f, *state, conn, context, &rc)) {
    if (conn) conn->Close();
    return 1;
  }
  for (size_t k = 0; k < f.files.size(); ++k) {
    const std::string& file = f.files[k];
    auto xml = ReadEdxlFile(file);
    if (!xml.ok()) {
      Print(g, file, "invalid", xml.status().message(), nullptr, "");
      rc = 1;
      continue;
    }
    auto taken = EdxlEnvelopeFor(*xml, *intake, *state);
    if (!taken.ok()) {
      // The same document sent again is recognised by its outbox entry, before any threading.
      auto known = outbox.Find(client::ContentMessageId(kEdxlIdPrefix, *xml));
      if (!known || known->state != client::OutboxState::kDone) {
        Print(g, file, "invalid", taken.status().message(), nullptr, "");
        rc = 1;
        continue;
      }
      client::OutboxEntry shown = *known;
      shown.source = file;
      shown.receipt.duplicate = true;
      PrintFinished(g, shown, "");
      continue;
    }
    // Durable from here on: a crash or an unreachable broker no longer loses the document.
    auto entry =
        outbox.Add(taken->id, taken->envelope->getRoot<schema::Envelope>().asReader(), file);
    if (!entry.ok()) return Report(entry.status().WithContext("outbox " + outbox.dir()));
    if (entry->state == client::OutboxState::kDone) {
      client::OutboxEntry shown = *entry;  // the same document was accepted earlier
      shown.source = file;
      shown.receipt.duplicate = true;
      PrintFinished(g, shown,
                    EdxlObjectText(taken->envelope->getRoot<schema::Envelope>().asReader(),
                                   entry->receipt.seq));
      continue;
    }
    if (!Drain(g, f, *state, conn, context, &rc)) {
      for (size_t rest = k + 1; rest < f.files.size(); ++rest) {
        Print(g, f.files[rest], "not taken",
              "an earlier file is not confirmed yet; send it again later", nullptr, "");
      }
      break;
    }
  }
  if (conn) conn->Close();
  return rc;
}

}  // namespace

void RegisterEdxlSend(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<SendFlags>();
  CLI::App* cmd = app.add_subcommand(
      "send",
      "validate EDXL-RM documents, thread them and publish them through the outbox; print each "
      "receipt or reason");
  cmd->add_option("FILE", f->files, "EDXL-RM XML files, in thread order")->required();
  AddEdxlIntakeFlags(*cmd, f->intake);
  cmd->footer(
      "A RequestResource needs --to (EDXL-RM does not say who is asked). A document answering an\n"
      "earlier one (PrecedingMessageID) goes to the request or offer of that message, as far as "
      "this\n"
      "adapter has published or received it. Each document is written to the outbox (fsync'd) "
      "before\n"
      "it is published, with an id derived from its bytes, so sending it again is never a "
      "duplicate.\n"
      "Example:\n  muster-edxl --key demo/keys/command.key send --to org:msd request.xml");
  cmd->callback([&g, f, exit_code] { *exit_code = Run(g, *f); });
}

}  // namespace muster::cli
