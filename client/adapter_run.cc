// The adapters' run loop (adapter_run.h): watched directory -> outbox -> broker, and broker ->
// delivery output, acknowledged only once handed on.
#include "client/adapter_run.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "client/watch_dir.h"
#include "common/files.h"

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

// The run loop. Owns nothing but references what Run() built; single-threaded.
class AdapterLoop {
 public:
  AdapterLoop(const GlobalFlags& g, const AdapterRunFlags& f, double publish_timeout_s,
              client::Outbox& outbox, DeliveryOutput* output, Logger& log, AdapterFormat& format)
      : g_(g),
        f_(f),
        publish_timeout_ms_(static_cast<int>(publish_timeout_s * 1000)),
        outbox_(outbox),
        output_(output),
        log_(log),
        format_(format) {}

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
  const AdapterRunFlags& f_;
  const int publish_timeout_ms_;
  client::Outbox& outbox_;
  DeliveryOutput* output_;  // null: this adapter only sends
  Logger& log_;
  AdapterFormat& format_;

  zmq::context_t context_{1};
  std::unique_ptr<client::Connection> conn_;
  int64_t next_connect_ms_ = 0;
  std::string last_connect_error_;
  std::string last_drain_error_;
  std::map<std::string, FileMark> seen_;  // files in --watch already taken in
  std::set<std::string> waiting_;         // files answering a message still in the outbox
  std::map<uint64_t, std::unique_ptr<wire::DecodedFrame>>
      unhanded_;  // deliveries not yet handed on
  std::vector<uint64_t> to_ack_;
  bool caught_up_ = false;
  int failed_files_ = 0;
};

void AdapterLoop::WarnOnce(std::string* last, const std::string& what, const Status& s) {
  if (*last == s.message()) return;
  *last = s.message();
  log_.Warn(format_.component(), what, {{"reason", s.message()}});
}

void AdapterLoop::ScanWatchDir() {
  if (f_.watch.empty()) return;
  DIR* d = ::opendir(f_.watch.c_str());
  if (d == nullptr) {
    log_.Error(format_.component(), "cannot read the watched directory",
               {{"dir", f_.watch}, {"reason", std::strerror(errno)}});
    return;
  }
  std::map<std::string, FileMark> present;
  while (dirent* ent = ::readdir(d)) {
    std::string name = ent->d_name;
    if (IsSkippedInWatchDir(name)) continue;
    struct stat st {};
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
    if (it != seen_.end() && it->second.size == mark.size && it->second.mtime_ns == mark.mtime_ns)
      continue;
    seen_[name] = mark;
    TakeFile(name);
  }
}

void AdapterLoop::TakeFile(const std::string& name) {
  waiting_.erase(name);
  auto xml = ReadFile(JoinPath(f_.watch, name), format_.max_document_bytes());
  if (!xml.ok()) {
    if (xml.status().code() == StatusCode::kInvalidArgument) {
      return MoveToFailed(name, "invalid: DOCUMENT_TOO_LARGE: " + xml.status().message());
    }
    return;  // gone again; nothing was promised for it
  }
  const std::string id = format_.IdOf(*xml);
  auto known = outbox_.Find(id);
  if (known && known->state == client::OutboxState::kDone) return MoveToDone(name, *known);
  if (known && known->state == client::OutboxState::kPending) return;  // taken in before a restart
  auto envelope = format_.EnvelopeFor(*xml);
  if (!envelope.ok()) {
    if (envelope.status().code() == StatusCode::kUnavailable) {
      // It may answer a message still waiting for its receipt: look again after the next drain.
      seen_.erase(name);
      waiting_.insert(name);
      return;
    }
    return MoveToFailed(name, "invalid: " + envelope.status().message());
  }
  auto entry = outbox_.Add(id, (*envelope)->getRoot<schema::Envelope>().asReader(), name);
  if (!entry.ok()) {
    // Not durable: leave the file where it is and try again on the next scan.
    seen_.erase(name);
    log_.Error(format_.component(), "cannot write to the outbox",
               {{"file", name}, {"reason", entry.status().message()}});
    return;
  }
  log_.Info(format_.component(), "taken in", {{"file", name}, {"id", id}});
}

void AdapterLoop::Settle(const client::OutboxEntry& entry) {
  if (f_.watch.empty() || entry.source.empty()) return;
  auto xml = ReadFile(JoinPath(f_.watch, entry.source));
  // Only the very document that was published moves (the agency may have reused the name).
  if (!xml.ok() || format_.IdOf(*xml) != entry.id) return;
  if (entry.state == client::OutboxState::kDone)
    MoveToDone(entry.source, entry);
  else
    MoveToFailed(entry.source, "refused: " + entry.reason);
}

void AdapterLoop::MoveToDone(const std::string& name, const client::OutboxEntry& entry) {
  std::string receipt = "accepted: " + format_.ReceiptText(entry.receipt) + "; leaf " +
                        std::to_string(entry.receipt.leaf_index) + "; id " + entry.id + "\n";
  Status s = FileAway(f_.watch, "done", name, "receipt", receipt);
  if (!s.ok()) {
    log_.Error(format_.component(), "cannot move a published file",
               {{"file", name}, {"reason", s.message()}});
    return;
  }
  seen_.erase(name);
  log_.Info(format_.component(), "published",
            {{"file", name},
             {"seq", std::to_string(entry.receipt.seq)},
             {"recipients", std::to_string(entry.receipt.recipients)},
             {"id", entry.id}});
}

void AdapterLoop::MoveToFailed(const std::string& name, const std::string& reason) {
  Status s = FileAway(f_.watch, "failed", name, "error", reason + "\n");
  if (!s.ok()) {
    log_.Error(format_.component(), "cannot move a failed file",
               {{"file", name}, {"reason", s.message()}});
    return;
  }
  seen_.erase(name);
  ++failed_files_;
  log_.Warn(format_.component(), "failed", {{"file", name}, {"reason", reason}});
}

bool AdapterLoop::EnsureConnected() {
  if (conn_) return true;
  if (MonoMs() < next_connect_ms_) return false;
  client::ConnectOptions o;
  o.broker = g_.broker;
  o.key_file = g_.key;
  o.server_key = g_.server_key;
  o.client_name = format_.client_name();
  o.receive = output_ != nullptr;
  o.timeout_ms = static_cast<int>(std::min(g_.timeout_s, 5.0) * 1000);
  Status resolved = client::ResolveConnectOptions(&o);
  auto c = resolved.ok() ? client::Connection::Open(context_, o)
                         : Result<std::unique_ptr<client::Connection>>(resolved);
  if (!c.ok()) {
    WarnOnce(&last_connect_error_, "not connected; documents are kept in the outbox", c.status());
    next_connect_ms_ = MonoMs() + 1000;
    return false;
  }
  conn_ = std::move(c).value();
  last_connect_error_.clear();
  caught_up_ = false;
  log_.Info(format_.component(), "connected",
            {{"principal", conn_->welcome().principal}, {"broker", o.broker}});
  return true;
}

void AdapterLoop::DropConnection(const Status& why) {
  log_.Warn(format_.component(), "connection dropped", {{"reason", why.message()}});
  conn_.reset();
  caught_up_ = false;
  to_ack_.clear();  // unacked deliveries come again on the next session
  next_connect_ms_ = MonoMs() + 1000;
}

void AdapterLoop::DrainOutbox() {
  if (outbox_.pending_count() == 0) return;
  client::DrainReport report =
      outbox_.Drain(*conn_, publish_timeout_ms_, [] { return g_stop != 0; });
  for (const auto& e : report.finished) {
    format_.Finished(e);
    Settle(e);
  }
  if (report.stopped.ok()) {
    last_drain_error_.clear();
  } else if (!g_stop) {
    WarnOnce(&last_drain_error_, "publishing paused; will retry with the same ids", report.stopped);
  }
}

bool AdapterLoop::HandOn(schema::Deliver::Reader d) {
  const uint64_t seq = d.getSeq();
  auto envelope = d.getEnvelope();
  auto doc = format_.DocumentFor(envelope, seq);
  if (!doc.ok()) {
    // Another kind addressed to the adapter's principal: it has no form in this format.
    // Acknowledged so that it does not hold the delivery window forever; the log says so.
    log_.Warn(format_.component(), format_.no_form_text(),
              {{"seq", std::to_string(seq)}, {"sender", envelope.getSender().cStr()}});
    return true;
  }
  const std::string word = format_.document_word();
  if (!doc->note.empty()) {
    log_.Warn(format_.component(), "handing on the " + word + " as written from the message",
              {{"seq", std::to_string(seq)}, {"reason", doc->note}});
  }
  Status s = output_->Hand(seq, doc->document, doc->headers);
  if (!s.ok()) {
    log_.Warn(format_.component(), "cannot hand on a delivered " + word + "; not acknowledged",
              {{"seq", std::to_string(seq)}, {"to", output_->Describe()}, {"reason", s.message()}});
    return false;
  }
  format_.HandedOn(envelope, seq, log_);
  log_.Info(format_.component(), "handed on",
            {{"seq", std::to_string(seq)},
             {"id", doc->id.empty() ? "-" : doc->id},
             {"to", output_->Describe()},
             {"original", doc->from_original ? "yes" : "no"}});
  return true;
}

void AdapterLoop::HandleDelivery(std::unique_ptr<wire::DecodedFrame> frame) {
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

void AdapterLoop::RetryUnhanded() {
  for (auto it = unhanded_.begin(); it != unhanded_.end() && !g_stop;) {
    if (HandOn(it->second->frame().getDeliver())) {
      to_ack_.push_back(it->first);
      it = unhanded_.erase(it);
    } else {
      break;  // the output is still failing; try again after the next poll
    }
  }
}

void AdapterLoop::ReceiveFor(int ms) {
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
          log_.Error(format_.component(), "this principal was revoked",
                     {{"text", n.getText().cStr()}});
        } else {
          log_.Info(format_.component(), "notice",
                    {{"seq", std::to_string(n.getSeq())}, {"text", n.getText().cStr()}});
        }
        break;
      }
      default:
        break;  // late receipts and rejects of earlier retries
    }
    FlushAcks(false);
  }
}

void AdapterLoop::FlushAcks(bool confirmed) {
  if (to_ack_.empty() || !conn_) return;
  // A lost ack only means the document comes again and is written again under the same name.
  Status s = confirmed ? conn_->AckConfirmed(to_ack_, false) : conn_->Ack(to_ack_, false);
  if (!s.ok())
    log_.Warn(format_.component(), "ack not confirmed; the broker will deliver again",
              {{"reason", s.message()}});
  to_ack_.clear();
}

bool AdapterLoop::Finished() const {
  return outbox_.pending_count() == 0 && unhanded_.empty() && to_ack_.empty() && waiting_.empty() &&
         (output_ == nullptr || caught_up_);
}

int AdapterLoop::Run() {
  if (!f_.watch.empty()) {
    for (const char* sub : {"done", "failed"}) {
      if (Status s = MakeDirs(JoinPath(f_.watch, sub), 0755); !s.ok()) return Report(s);
    }
  }
  // Receipts older than 30 days are no longer needed to recognise a re-dropped document.
  (void)outbox_.PruneFinished(WallMs() - 30LL * 24 * 3600 * 1000);
  log_.Info(format_.component(), "running",
            {{"watch", f_.watch.empty() ? "-" : f_.watch},
             {"out", output_ ? output_->Describe() : "-"},
             {"outbox", outbox_.dir()},
             {"pending", std::to_string(outbox_.pending_count())}});
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
  size_t pending = outbox_.pending_count();
  log_.Info(format_.component(), "stopped",
            {{"pending", std::to_string(pending)}, {"failed", std::to_string(failed_files_)}});
  if (timed_out) {
    std::fprintf(stderr,
                 "error: not finished within %.0f s: %zu document(s) still in the outbox %s%s\n",
                 f_.timeout_s, pending, outbox_.dir().c_str(),
                 unhanded_.empty() ? "" : ", and deliveries that could not be handed on");
    return 1;
  }
  return f_.once && failed_files_ > 0 ? 1 : 0;
}

}  // namespace

void AddAdapterRunFlags(CLI::App& cmd, AdapterRunFlags& f, const std::string& documents,
                        const std::string& delivered) {
  cmd.add_option("--watch", f.watch,
                 "directory the agency drops " + documents +
                     " into (write FILE.tmp, then rename); they move to done/ or failed/ beside "
                     "them");
  cmd.add_option("--out", f.out, "directory to write " + delivered + " to, as <seq>.xml");
  cmd.add_option("--post", f.post,
                 "POST " + delivered + " to this URL instead (acked on a 2xx answer)");
  cmd.add_flag("--once", f.once,
               "process what is there (files, outbox, pending deliveries), then exit");
  cmd.add_option("--poll-ms", f.poll_ms, "how often to look at --watch, in ms (default 500)");
  cmd.add_option("--timeout", f.timeout_s, "--once: give up after SECONDS (default 120)");
  cmd.add_option("--log-level", f.log_level, "debug, info (default), warn, error");
}

Result<std::unique_ptr<DeliveryOutput>> PrepareAdapterRun(const AdapterRunFlags& f,
                                                          const std::string& content_type,
                                                          LogLevel* level) {
  if (f.watch.empty() && f.out.empty() && f.post.empty()) {
    return Status::InvalidArgument("give --watch DIR, --out DIR or --post URL");
  }
  if (!f.out.empty() && !f.post.empty()) {
    return Status::InvalidArgument("give either --out DIR or --post URL, not both");
  }
  if (f.poll_ms < 10 || f.poll_ms > 60000) {
    return Status::InvalidArgument("--poll-ms must be within 10..60000");
  }
  if (!ParseLogLevel(f.log_level, level)) {
    return Status::InvalidArgument("--log-level must be debug, info, warn or error");
  }
  if (!f.watch.empty()) {
    struct stat st {};
    if (::stat(f.watch.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument("--watch: no directory " + f.watch);
    }
  }
  if (f.out.empty() && f.post.empty()) return std::unique_ptr<DeliveryOutput>();
  return f.out.empty() ? NewHttpDeliveryOutput(f.post, content_type) : NewFileDeliveryOutput(f.out);
}

int RunAdapterLoop(const GlobalFlags& g, const AdapterRunFlags& f, double publish_timeout_s,
                   LogLevel level, client::Outbox& outbox, DeliveryOutput* output,
                   AdapterFormat& format) {
  Logger log(stderr, level);
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  AdapterLoop loop(g, f, publish_timeout_s, outbox, output, log, format);
  return loop.Run();
}

}  // namespace muster::cli
