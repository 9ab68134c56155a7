// `muster-cap run`: the long-running CAP adapter.
//  In:  every new file in --watch (hidden files and *.tmp / *.part are skipped; agencies write a
//       temp name and rename) is validated and put in the outbox (durable), then published; the
//       file moves to WATCH/done/ (with FILE.receipt) once the broker's receipt arrives, or to
//       WATCH/failed/ with FILE.error when it is invalid or permanently refused. Transient
//       failures (broker unreachable, no receipt, overloaded) are retried with the same id.
//  Out: alerts delivered to the adapter's principal are written to --out as CAP 1.2 XML (or
//       POSTed to --post) and acknowledged as received only once that has succeeded.
// SIGTERM/SIGINT stop it cleanly; --once processes what is there and exits.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

#include "client/cap_commands.h"
#include "client/delivery_output.h"
#include "client/cap_intake.h"
#include "client/watch_dir.h"
#include "common/files.h"
#include "common/log.h"

namespace muster::cli {
namespace {

volatile sig_atomic_t g_stop = 0;
void OnStop(int) { g_stop = 1; }

int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct RunFlags {
  CapIntakeFlags intake;
  std::string watch;
  std::string out;
  std::string post;
  bool once = false;
  int poll_ms = 500;
  double timeout_s = 120;
  std::string log_level = "info";
};

// The run loop. Owns nothing but references what Run() built; single-threaded.
class CapAdapter {
 public:
  CapAdapter(const GlobalFlags& g, const RunFlags& f, const CapIntake& intake, CapAdapterState& state,
             DeliveryOutput* output, Logger& log)
      : g_(g), f_(f), intake_(intake), state_(state), output_(output), log_(log) {}

  int Run();

 private:
  struct FileMark {
    int64_t size = 0;
    int64_t mtime_ns = 0;
  };

  void ScanWatchDir();
  void TakeFile(const std::string& name);
  void Settle(const client::OutboxEntry& entry);
  void MoveToDone(const std::string& name, const client::OutboxEntry& entry);
  void MoveToFailed(const std::string& name, const std::string& reason);
  bool EnsureConnected();
  void DrainOutbox();
  void ReceiveFor(int ms);
  void HandleDelivery(std::unique_ptr<wire::DecodedFrame> frame);
  bool HandOn(schema::Deliver::Reader d);
  void RetryUnhanded();
  void FlushAcks(bool confirmed);
  void DropConnection(const Status& why);
  bool Finished() const;
  void WarnOnce(std::string* last, const std::string& what, const Status& s);

  const GlobalFlags& g_;
  const RunFlags& f_;
  const CapIntake& intake_;
  CapAdapterState& state_;
  DeliveryOutput* output_;  // null: this adapter only sends
  Logger& log_;

  zmq::context_t context_{1};
  std::unique_ptr<client::Connection> conn_;
  int64_t next_connect_ms_ = 0;
  std::string last_connect_error_;
  std::string last_drain_error_;
  std::map<std::string, FileMark> seen_;                        // files in --watch already taken in
  std::map<uint64_t, std::unique_ptr<wire::DecodedFrame>> unhanded_;  // deliveries not yet handed on
  std::vector<uint64_t> to_ack_;
  bool caught_up_ = false;
  int failed_files_ = 0;
};

void CapAdapter::WarnOnce(std::string* last, const std::string& what, const Status& s) {
  if (*last == s.message()) return;
  *last = s.message();
  log_.Warn("cap", what, {{"reason", s.message()}});
}

void CapAdapter::ScanWatchDir() {
  if (f_.watch.empty()) return;
  DIR* d = ::opendir(f_.watch.c_str());
  if (d == nullptr) {
    log_.Error("cap", "cannot read the watched directory", {{"dir", f_.watch}, {"reason", std::strerror(errno)}});
    return;
  }
  std::map<std::string, FileMark> present;
  while (dirent* ent = ::readdir(d)) {
    std::string name = ent->d_name;
    if (IsSkippedInWatchDir(name)) continue;
    struct stat st{};
    if (::stat(JoinPath(f_.watch, name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    present[name] = {static_cast<int64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  }
  ::closedir(d);
  for (auto it = seen_.begin(); it != seen_.end();) {
    it = present.count(it->first) ? std::next(it) : seen_.erase(it);
  }
  for (const auto& [name, mark] : present) {  // in name order
    auto it = seen_.find(name);
    if (it != seen_.end() && it->second.size == mark.size && it->second.mtime_ns == mark.mtime_ns) continue;
    seen_[name] = mark;
    TakeFile(name);
  }
}

void CapAdapter::TakeFile(const std::string& name) {
  auto xml = ReadFile(JoinPath(f_.watch, name));
  if (!xml.ok()) return;  // gone again; nothing was promised for it
  const std::string id = client::ContentMessageId(kCapIdPrefix, *xml);
  auto known = state_.outbox->Find(id);
  if (known && known->state == client::OutboxState::kDone) return MoveToDone(name, *known);
  if (known && known->state == client::OutboxState::kPending) return;  // taken in before a restart
  auto envelope = CapEnvelopeFor(*xml, intake_, state_.references.get());
  if (!envelope.ok()) return MoveToFailed(name, "invalid: " + envelope.status().message());
  auto entry = state_.outbox->Add(id, (*envelope)->getRoot<schema::Envelope>().asReader(), name);
  if (!entry.ok()) {
    // Not durable: leave the file where it is and try again on the next scan.
    seen_.erase(name);
    log_.Error("cap", "cannot write to the outbox", {{"file", name}, {"reason", entry.status().message()}});
    return;
  }
  log_.Info("cap", "taken in", {{"file", name}, {"id", id}});
}

void CapAdapter::Settle(const client::OutboxEntry& entry) {
  if (f_.watch.empty() || entry.source.empty()) return;
  auto xml = ReadFile(JoinPath(f_.watch, entry.source));
  // Only the very document that was published moves (the agency may have reused the name).
  if (!xml.ok() || client::ContentMessageId(kCapIdPrefix, *xml) != entry.id) return;
  if (entry.state == client::OutboxState::kDone) MoveToDone(entry.source, entry);
  else MoveToFailed(entry.source, "refused: " + entry.reason);
}

void CapAdapter::MoveToDone(const std::string& name, const client::OutboxEntry& entry) {
  std::string receipt = "accepted: " + ReceiptText(entry.receipt) + "; leaf " +
                        std::to_string(entry.receipt.leaf_index) + "; id " + entry.id + "\n";
  Status s = FileAway(f_.watch, "done", name, "receipt", receipt);
  if (!s.ok()) {
    log_.Error("cap", "cannot move a published file", {{"file", name}, {"reason", s.message()}});
    return;
  }
  seen_.erase(name);
  log_.Info("cap", "published", {{"file", name}, {"seq", std::to_string(entry.receipt.seq)},
                                 {"recipients", std::to_string(entry.receipt.recipients)}, {"id", entry.id}});
}

void CapAdapter::MoveToFailed(const std::string& name, const std::string& reason) {
  Status s = FileAway(f_.watch, "failed", name, "error", reason + "\n");
  if (!s.ok()) {
    log_.Error("cap", "cannot move a failed file", {{"file", name}, {"reason", s.message()}});
    return;
  }
  seen_.erase(name);
  ++failed_files_;
  log_.Warn("cap", "failed", {{"file", name}, {"reason", reason}});
}

bool CapAdapter::EnsureConnected() {
  if (conn_) return true;
  if (MonoMs() < next_connect_ms_) return false;
  client::ConnectOptions o;
  o.broker = g_.broker;
  o.key_file = g_.key;
  o.server_key = g_.server_key;
  o.client_name = "muster-cap run";
  o.receive = output_ != nullptr;
  o.timeout_ms = static_cast<int>(std::min(g_.timeout_s, 5.0) * 1000);
  Status resolved = client::ResolveConnectOptions(&o);
  auto c = resolved.ok() ? client::Connection::Open(context_, o) : Result<std::unique_ptr<client::Connection>>(resolved);
  if (!c.ok()) {
    WarnOnce(&last_connect_error_, "not connected; documents are kept in the outbox", c.status());
    next_connect_ms_ = MonoMs() + 1000;
    return false;
  }
  conn_ = std::move(c).value();
  last_connect_error_.clear();
  caught_up_ = false;
  log_.Info("cap", "connected", {{"principal", conn_->welcome().principal}, {"broker", o.broker}});
  return true;
}

void CapAdapter::DropConnection(const Status& why) {
  log_.Warn("cap", "connection dropped", {{"reason", why.message()}});
  conn_.reset();
  caught_up_ = false;
  to_ack_.clear();  // unacked deliveries come again on the next session
  next_connect_ms_ = MonoMs() + 1000;
}

void CapAdapter::DrainOutbox() {
  if (state_.outbox->pending_count() == 0) return;
  client::DrainReport report = state_.outbox->Drain(
      *conn_, static_cast<int>(f_.intake.publish_timeout_s * 1000), [] { return g_stop != 0; });
  for (const auto& e : report.finished) {
    if (e.state == client::OutboxState::kDone) {
      auto decoded = wire::DecodedStruct::Decode(e.envelope.data(), e.envelope.size());
      if (decoded.ok()) RememberCapAlert(*state_.references, (*decoded)->Get<schema::Envelope>(), e.receipt.seq);
    }
    Settle(e);
  }
  if (report.stopped.ok()) {
    last_drain_error_.clear();
  } else if (!g_stop) {
    WarnOnce(&last_drain_error_, "publishing paused; will retry with the same ids", report.stopped);
  }
}

bool CapAdapter::HandOn(schema::Deliver::Reader d) {
  const uint64_t seq = d.getSeq();
  auto envelope = d.getEnvelope();
  auto doc = cap::CapDocumentOf(envelope);
  if (!doc.ok()) {
    // Another kind addressed to the CAP adapter's principal: it has no CAP form. Acknowledged so
    // that it does not hold the delivery window forever; the log says so.
    log_.Warn("cap", "not an alert; acknowledged without handing it on",
              {{"seq", std::to_string(seq)}, {"sender", envelope.getSender().cStr()}});
    return true;
  }
  if (!doc->note.empty()) {
    log_.Warn("cap", "handing on the alert as re-written from the message", {{"seq", std::to_string(seq)}, {"reason", doc->note}});
  }
  Status s = output_->Hand(seq, doc->xml, {});
  if (!s.ok()) {
    log_.Warn("cap", "cannot hand on a delivered alert; not acknowledged",
              {{"seq", std::to_string(seq)}, {"to", output_->Describe()}, {"reason", s.message()}});
    return false;
  }
  RememberCapAlert(*state_.references, envelope, seq);
  log_.Info("cap", "handed on", {{"seq", std::to_string(seq)}, {"to", output_->Describe()},
                                 {"original", doc->from_original ? "yes" : "no"}});
  return true;
}

void CapAdapter::HandleDelivery(std::unique_ptr<wire::DecodedFrame> frame) {
  auto d = frame->frame().getDeliver();
  const uint64_t seq = d.getSeq();
  if (unhanded_.count(seq)) {
    unhanded_[seq] = std::move(frame);  // delivered again: keep the newer copy
    return;
  }
  if (HandOn(d)) {
    to_ack_.push_back(seq);
  } else {
    unhanded_[seq] = std::move(frame);
  }
}

void CapAdapter::RetryUnhanded() {
  for (auto it = unhanded_.begin(); it != unhanded_.end() && !g_stop;) {
    if (HandOn(it->second->frame().getDeliver())) {
      to_ack_.push_back(it->first);
      it = unhanded_.erase(it);
    } else {
      break;  // the output is still failing; try again after the next poll
    }
  }
}

void CapAdapter::ReceiveFor(int ms) {
  const int64_t deadline = MonoMs() + ms;
  while (!g_stop && conn_) {
    int64_t left = deadline - MonoMs();
    if (left <= 0) break;
    auto frame = conn_->Receive(static_cast<int>(left));
    if (!frame.ok()) return DropConnection(frame.status());
    if (*frame == nullptr) break;
    auto fr = (*frame)->frame();
    switch (fr.which()) {
      case schema::Frame::DELIVER:
        if (output_) HandleDelivery(std::move(*frame));
        break;
      case schema::Frame::NOTICE: {
        auto n = fr.getNotice();
        if (n.getKind() == schema::Notice::Kind::CAUGHT_UP) {
          caught_up_ = true;
        } else if (n.getKind() == schema::Notice::Kind::REVOKED) {
          log_.Error("cap", "this principal was revoked", {{"text", n.getText().cStr()}});
        } else {
          log_.Info("cap", "notice", {{"seq", std::to_string(n.getSeq())}, {"text", n.getText().cStr()}});
        }
        break;
      }
      default:
        break;  // late receipts and rejects of earlier retries
    }
    FlushAcks(false);
  }
}

void CapAdapter::FlushAcks(bool confirmed) {
  if (to_ack_.empty() || !conn_) return;
  // A lost ack only means the alert comes again and is written again under the same name.
  Status s = confirmed ? conn_->AckConfirmed(to_ack_, false) : conn_->Ack(to_ack_, false);
  if (!s.ok()) log_.Warn("cap", "ack not confirmed; the broker will deliver again", {{"reason", s.message()}});
  to_ack_.clear();
}

bool CapAdapter::Finished() const {
  return state_.outbox->pending_count() == 0 && unhanded_.empty() && to_ack_.empty() &&
         (output_ == nullptr || caught_up_);
}

int CapAdapter::Run() {
  if (!f_.watch.empty()) {
    for (const char* sub : {"done", "failed"}) {
      if (Status s = MakeDirs(JoinPath(f_.watch, sub), 0755); !s.ok()) return Report(s);
    }
  }
  // Receipts older than 30 days are no longer needed to recognise a re-dropped document.
  (void)state_.outbox->PruneFinished(WallMs() - 30LL * 24 * 3600 * 1000);
  log_.Info("cap", "running", {{"watch", f_.watch.empty() ? "-" : f_.watch},
                               {"out", output_ ? output_->Describe() : "-"},
                               {"outbox", state_.outbox->dir()},
                               {"pending", std::to_string(state_.outbox->pending_count())}});
  const int64_t deadline = MonoMs() + static_cast<int64_t>(f_.timeout_s * 1000);
  bool timed_out = false;
  while (!g_stop) {
    ScanWatchDir();
    if (EnsureConnected()) {
      DrainOutbox();
      if (output_) {
        RetryUnhanded();
        ReceiveFor(f_.poll_ms);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(f_.poll_ms));
      }
      FlushAcks(f_.once);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(f_.poll_ms));
    }
    if (f_.once && Finished()) break;
    if (f_.once && MonoMs() >= deadline) {
      timed_out = true;
      break;
    }
  }
  FlushAcks(/*confirmed=*/true);
  if (conn_) conn_->Close();
  size_t pending = state_.outbox->pending_count();
  log_.Info("cap", "stopped", {{"pending", std::to_string(pending)}, {"failed", std::to_string(failed_files_)}});
  if (timed_out) {
    std::fprintf(stderr, "error: not finished within %.0f s: %zu document(s) still in the outbox %s%s\n", f_.timeout_s,
                 pending, state_.outbox->dir().c_str(),
                 unhanded_.empty() ? "" : ", and delivered alerts that could not be handed on");
    return 1;
  }
  return f_.once && failed_files_ > 0 ? 1 : 0;
}

int Run(GlobalFlags& g, RunFlags& f) {
  auto usage = [](const std::string& m) {
    std::fprintf(stderr, "error: %s\n", m.c_str());
    return 2;
  };
  if (f.watch.empty() && f.out.empty() && f.post.empty()) return usage("give --watch DIR, --out DIR or --post URL");
  if (!f.out.empty() && !f.post.empty()) return usage("give either --out DIR or --post URL, not both");
  if (f.poll_ms < 10 || f.poll_ms > 60000) return usage("--poll-ms must be within 10..60000");
  LogLevel level;
  if (!ParseLogLevel(f.log_level, &level)) return usage("--log-level must be debug, info, warn or error");
  auto intake = ResolveCapIntake(f.intake, g);
  if (!intake.ok()) return usage(intake.status().message());
  std::unique_ptr<DeliveryOutput> output;
  if (!f.out.empty() || !f.post.empty()) {
    auto o = f.out.empty() ? NewHttpDeliveryOutput(f.post, "application/cap+xml")
                           : NewFileDeliveryOutput(f.out);
    if (!o.ok()) return usage(o.status().message());
    output = std::move(o).value();
  }
  if (!f.watch.empty()) {
    struct stat st{};
    if (::stat(f.watch.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return usage("--watch: no directory " + f.watch);
  }
  auto state = OpenCapAdapterState(intake->outbox_dir);
  if (!state.ok()) return Report(state.status());
  Logger log(stderr, level);
  struct sigaction sa{};
  sa.sa_handler = OnStop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  CapAdapter adapter(g, f, *intake, *state, output.get(), log);
  return adapter.Run();
}

}  // namespace

void RegisterCapRun(CLI::App& app, GlobalFlags& g, int* exit_code) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run", "the adapter: publish CAP files dropped in --watch, write alerts delivered to you to --out");
  cmd->add_option("--watch", f->watch,
                  "directory the agency drops CAP files into (write FILE.tmp, then rename); they move to "
                  "done/ or failed/ beside them");
  cmd->add_option("--out", f->out, "directory to write delivered alerts to, as <seq>.xml (CAP 1.2)");
  cmd->add_option("--post", f->post, "POST delivered alerts to this URL instead (acked on a 2xx answer)");
  cmd->add_flag("--once", f->once, "process what is there (files, outbox, pending deliveries), then exit");
  cmd->add_option("--poll-ms", f->poll_ms, "how often to look at --watch, in ms (default 500)");
  cmd->add_option("--timeout", f->timeout_s, "--once: give up after SECONDS (default 120)");
  cmd->add_option("--log-level", f->log_level, "debug, info (default), warn, error");
  AddCapIntakeFlags(*cmd, f->intake);
  cmd->footer(
      "Example:\n  muster-cap --key demo/keys/msd.key run --watch /srv/cap/in --out /srv/cap/received");
  cmd->callback([&g, f, exit_code] { *exit_code = Run(g, *f); });
}

}  // namespace muster::cli
