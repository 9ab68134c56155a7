// muster-edxl against a real musterd --demo:
//  - an EDXL-RM thread between the bureau's command centre (command) and the military
//    sub-district (msd), one document per supported message type (tests/fixtures/edxl): each is
//    sent with `muster-edxl send` by one side, received by the other with `muster-edxl run --once
//    --out`, and the written document is compared with the original (ParseRm of both equal field
//    for field, MessageID / OriginatingMessageID / PrecedingMessageID kept, the same bytes); the
//    broker's equipment workflow follows every step;
//  - the broker enforces the lifecycle: a step that is not possible in the offer's state is
//    refused with the broker's reason;
//  - invalid and hostile documents (DTD, external entity, entity expansion, XInclude, an
//    unsupported type, a reply to an unknown message) are refused with their specific reason by
//    validate, send and run --watch, and nothing reaches the broker;
//  - a document taken in while the broker is down stays in the outbox, across an adapter kill and
//    the broker's restart, and is published exactly once;
//  - run --post hands a delivery on as application/xml with its seq and MessageID, and
//    acknowledges it only on a 2xx answer;
//  - a request from the thin client (muster equip request) reaches the agency as a valid EDXL-RM
//    document written from the message, and the agency's EDXL answer is threaded to it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/edxl/rm_message.h"
#include "adapters/edxl/rm_parser.h"
#include "common/files.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/wait_for.h"

#ifndef MUSTER_EDXL_PATH
#error "MUSTER_EDXL_PATH must name the muster-edxl binary"
#endif
#ifndef MUSTER_EDXL_FIXTURES
#error "MUSTER_EDXL_FIXTURES must name tests/fixtures/edxl"
#endif

namespace muster::testing {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  auto r = ReadFile(path);
  return r.ok() ? *r : std::string();
}

std::string Fixture(const std::string& name) {
  std::string text = Slurp(std::string(MUSTER_EDXL_FIXTURES) + "/" + name);
  EXPECT_FALSE(text.empty()) << "fixture " << name << " is missing or empty";
  return text;
}

// `text` with every occurrence of `from` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  size_t at = 0;
  while ((at = text.find(from, at)) != std::string::npos) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

std::string DeliveryFile(const std::string& dir, uint64_t seq) {
  char name[40];
  std::snprintf(name, sizeof(name), "%012llu.xml", static_cast<unsigned long long>(seq));
  return dir + "/" + name;
}

size_t CountFiles(const std::string& dir, const std::string& suffix) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename();
    if (e.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      ++n;
    }
  }
  return n;
}

class EdxlAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = BrokerProcess::StartDemo(dir_.Sub("demo"));
    ASSERT_NE(broker_, nullptr);
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  }
  void TearDown() override {
    if (broker_ && broker_->running()) {
      EXPECT_EQ(broker_->Stop(), 0) << broker_->Log();
    }
  }

  // Each principal's adapter keeps its outbox and thread index in one directory, shared by its
  // send and run, as an agency's installation does.
  std::string Outbox(const std::string& principal) { return dir_.Sub(principal + ".outbox"); }
  std::string Out(const std::string& principal) { return dir_.Sub(principal + "-received"); }

  CommandResult Edxl(const std::string& principal, const std::vector<std::string>& args,
                     double timeout_s = 120) {
    std::vector<std::string> argv = {MUSTER_EDXL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, broker_->CliEnv(principal), timeout_s);
  }

  std::unique_ptr<ChildProcess> StartEdxl(const std::string& principal,
                                          const std::vector<std::string>& args,
                                          const std::string& log) {
    std::vector<std::string> argv = {MUSTER_EDXL_PATH,
                                     "--broker",
                                     broker_->endpoint(),
                                     "--key",
                                     broker_->KeyFile(principal),
                                     "--server-key",
                                     broker_->ServerKeyFile(),
                                     "--connect-timeout",
                                     "2"};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<ChildProcess>(argv, log);
  }

  // Writes `xml` to a file and sends it as `principal`; returns the command's result.
  CommandResult Send(const std::string& principal, const std::string& name, const std::string& xml,
                     const std::vector<std::string>& extra = {}) {
    const std::string file = dir_.Sub(name);
    EXPECT_TRUE(WriteFileAtomic(file, xml).ok());
    std::vector<std::string> args = {"send", "--outbox", Outbox(principal)};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    return Edxl(principal, args);
  }

  // `principal`'s adapter collects what is waiting for it; the seqs of the files it wrote.
  CommandResult Receive(const std::string& principal) {
    return Edxl(principal, {"run", "--once", "--out", Out(principal), "--outbox", Outbox(principal),
                            "--timeout", "60", "--log-level", "warn"});
  }

  CommandResult Muster(const std::string& principal, const std::vector<std::string>& args) {
    return RunCli(*broker_, principal, args);
  }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

uint64_t AcceptedSeq(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("accepted: seq ([0-9]+)"))) return 0;
  return std::stoull(m[1]);
}

// Compares the document `recipient` wrote for `seq` with the original; returns "" when they agree
// field for field and byte for byte, else what differs.
std::string CompareRoundTrip(const std::string& original, const std::string& written) {
  if (written.empty()) return "nothing written";
  auto a = edxl::ParseRm(original);
  auto b = edxl::ParseRm(written);
  if (!a.ok()) return "original does not parse: " + a.status().message();
  if (!b.ok()) return "written document does not parse: " + b.status().message();
  std::vector<std::string> diffs = edxl::RmDifferences(*a, *b);
  if (!diffs.empty()) return diffs.front();
  if (a->type != b->type) return "message type differs";
  if (a->message_id != b->message_id || a->originating_id != b->originating_id ||
      a->preceding_id != b->preceding_id) {
    return "threading ids differ: " + b->message_id + " / " + b->originating_id + " / " +
           b->preceding_id;
  }
  if (written != original) return "same fields, but not the original bytes";
  return "";
}

TEST_F(EdxlAdapterTest, EveryMessageTypeRoundTripsThroughTheBrokerWithItsThreadingKept) {
  struct Step {
    std::string fixture, sender, recipient, object;  // object: what the receipt names
  };
  // The thread of tests/fixtures/edxl: the bureau asks, the sub-district offers, the bureau
  // commits, the sub-district dispatches, the bureau confirms delivery, asks for and gets a status
  // report, asks for the return and releases the pumps.
  const std::vector<Step> steps = {
      {"request_resource.xml", "command", "msd", "request R-"},
      {"response_to_request_resource.xml", "msd", "command", "offer O-"},
      {"commit_resource.xml", "command", "msd", "offer O-"},
      {"report_dispatch.xml", "msd", "command", "offer O-"},
      {"report_deliver.xml", "command", "msd", "offer O-"},
      {"request_resource_deployment_status.xml", "command", "msd", "offer O-"},
      {"report_resource_deployment_status.xml", "msd", "command", "offer O-"},
      {"request_return.xml", "command", "msd", "offer O-"},
      {"release_resource.xml", "command", "msd", "offer O-"},
  };
  uint64_t request_seq = 0, offer_seq = 0;
  std::printf("\n%-42s %-8s %-8s %-5s %-18s %s\n", "document", "from", "to", "seq", "MessageID",
              "outcome");
  for (const Step& step : steps) {
    SCOPED_TRACE(step.fixture);
    const std::string xml = Fixture(step.fixture);
    std::vector<std::string> extra;
    if (step.fixture == "request_resource.xml") extra = {"--to", "principal:msd"};
    CommandResult s = Send(step.sender, step.fixture, xml, extra);
    ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
    const uint64_t seq = AcceptedSeq(s.out);
    ASSERT_GT(seq, 0u) << s.out;
    if (step.fixture == "request_resource.xml") request_seq = seq;
    if (step.fixture == "response_to_request_resource.xml") offer_seq = seq;
    // The receipt names the object of the thread: the request, then its offer.
    const std::string object =
        step.object + std::to_string(step.object == "request R-" ? request_seq : offer_seq);
    EXPECT_NE(s.out.find("; " + object + " "), std::string::npos) << s.out;

    CommandResult r = Receive(step.recipient);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const std::string written = Slurp(DeliveryFile(Out(step.recipient), seq));
    const std::string differs = CompareRoundTrip(xml, written);
    EXPECT_EQ(differs, "") << written;
    auto parsed = edxl::ParseRm(xml);
    std::printf(
        "%-42s %-8s %-8s %-5llu %-18s %s\n", step.fixture.c_str(), step.sender.c_str(),
        step.recipient.c_str(), static_cast<unsigned long long>(seq),
        parsed.ok() ? parsed->message_id.c_str() : "?",
        differs.empty() ? "round trip: equal field for field, same bytes" : differs.c_str());
  }
  std::fflush(stdout);

  // The broker followed the thread: the offer went all the way, and the request knows it.
  CommandResult offer = Muster("command", {"equip", "show", "O-" + std::to_string(offer_seq)});
  ASSERT_EQ(offer.exit_code, 0) << offer.out << offer.err;
  EXPECT_NE(offer.out.find("released"), std::string::npos) << offer.out;
  for (const char* action :
       {"commit", "dispatch", "deliver", "status-request", "status-report", "return", "release"}) {
    EXPECT_NE(offer.out.find(action), std::string::npos) << action << " missing\n" << offer.out;
  }
  CommandResult request = Muster("msd", {"equip", "show", "R-" + std::to_string(request_seq)});
  ASSERT_EQ(request.exit_code, 0) << request.out << request.err;
  EXPECT_NE(request.out.find("pump.high-capacity"), std::string::npos) << request.out;
}

TEST_F(EdxlAdapterTest, TheBrokerRefusesAStepTheLifecycleDoesNotAllowWithItsReason) {
  ASSERT_EQ(
      Send("command", "request.xml", Fixture("request_resource.xml"), {"--to", "principal:msd"})
          .exit_code,
      0);
  ASSERT_EQ(Receive("msd").exit_code, 0);
  CommandResult offered = Send("msd", "offer.xml", Fixture("response_to_request_resource.xml"));
  ASSERT_EQ(offered.exit_code, 0) << offered.out << offered.err;
  const uint64_t offer_seq = AcceptedSeq(offered.out);
  ASSERT_EQ(Receive("command").exit_code, 0);

  // The bureau asks for the return before anything was even committed: the adapter maps it onto
  // the offer of the thread, and the broker refuses it in the offer's state.
  std::string early = Fixture("request_return.xml");
  early = ReplaceAll(early, "<MessageID>CZ-EMA-RT-0001</MessageID>",
                     "<MessageID>CZ-EMA-RT-EARLY</MessageID>");
  early = ReplaceAll(early, "<PrecedingMessageID>CZ-MSD-SR-0002</PrecedingMessageID>",
                     "<PrecedingMessageID>CZ-MSD-RS-0001</PrecedingMessageID>");
  CommandResult refused = Send("command", "early-return.xml", early);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  const std::string offer_id = "O-" + std::to_string(offer_seq);
  EXPECT_NE(refused.out.find(": refused: conflict: offer " + offer_id +
                             " is offered: return is only possible when delivered"),
            std::string::npos)
      << refused.out;

  // The sub-district tries to commit its own offer: the wrong party, refused by the broker.
  std::string self_commit = Fixture("commit_resource.xml");
  self_commit = ReplaceAll(self_commit, "CZ-EMA-CR-0001", "CZ-MSD-CR-SELF");
  CommandResult wrong_party = Send("msd", "self-commit.xml", self_commit);
  EXPECT_EQ(wrong_party.exit_code, 1) << wrong_party.out << wrong_party.err;
  EXPECT_NE(wrong_party.out.find(
                ": refused: forbidden: only the requester command may commit offer " + offer_id),
            std::string::npos)
      << wrong_party.out;

  // The legal step still goes through, and the refused ones left no trace in the workflow.
  CommandResult commit = Send("command", "commit.xml", Fixture("commit_resource.xml"));
  EXPECT_EQ(commit.exit_code, 0) << commit.out << commit.err;
  CommandResult show = Muster("command", {"equip", "show", offer_id});
  EXPECT_NE(show.out.find("committed"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("return"), std::string::npos) << show.out;
}

TEST_F(EdxlAdapterTest, InvalidAndHostileDocumentsAreRefusedWithTheirReason) {
  const std::string request = Fixture("request_resource.xml");
  const std::string root = "<rmsg:RequestResource ";
  const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  struct Case {
    std::string name, xml, code, detail;
  };
  std::string body = request.substr(request.find(root));
  const std::vector<Case> cases = {
      {"hostile_dtd.xml", Fixture("hostile_dtd.xml"), "FORBIDDEN_DTD", "DOCTYPE"},
      {"hostile_xinclude.xml", Fixture("hostile_xinclude.xml"), "FORBIDDEN_XINCLUDE", "XInclude"},
      {"external-entity.xml",
       decl + "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n" + body,
       "FORBIDDEN_DTD", "DOCTYPE"},
      {"entity-expansion.xml",
       decl +
           "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n" +
           body,
       "FORBIDDEN_DTD", "DOCTYPE"},
      {"undeclared-entity.xml", ReplaceAll(request, "Drainage pumps and drinking water", "&xxe;"),
       "FORBIDDEN_ENTITY", "xxe"},
      {"request_quote.xml", Fixture("request_quote.xml"), "UNSUPPORTED_MESSAGE_TYPE",
       "RequestQuote"},
      {"zulu-time.xml", ReplaceAll(request, "2026-07-01T14:05:00+08:00", "2026-07-01T06:05:00Z"),
       "INVALID_DATE", "SentDateTime"},
      {"wrong-content-type.xml",
       ReplaceAll(request, ">RequestResource</rmsg:MessageContentType>",
                  ">CommitResource</rmsg:MessageContentType>"),
       "CONTENT_TYPE_MISMATCH", "MessageContentType"},
      {"no-quantity.xml",
       ReplaceAll(request, "<rm:Amount>4</rm:Amount>", "<rm:Amount>four</rm:Amount>"),
       "INVALID_QUANTITY", "four"},
      {"too-large.xml", request + std::string(size_t{1} << 20, ' '), "DOCUMENT_TOO_LARGE",
       "larger than 1048576 bytes"},
  };
  const std::string in = dir_.Sub("in");
  ASSERT_TRUE(MakeDirs(in).ok());
  std::vector<std::string> files;
  std::printf("\n%-26s %-28s %s\n", "document", "refused", "reason");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string file = dir_.Sub(c.name);
    ASSERT_TRUE(WriteFileAtomic(file, c.xml).ok());
    files.push_back(file);
    CommandResult v = Edxl("command", {"validate", file});
    EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
    const std::string prefix = file + ": invalid: " + c.code + ": ";
    EXPECT_EQ(v.out.rfind(prefix, 0), 0u) << v.out;
    EXPECT_NE(v.out.find(c.detail), std::string::npos) << v.out;
    // send refuses it too, before anything reaches the outbox or the broker.
    CommandResult s =
        Edxl("command", {"send", "--outbox", Outbox("command"), "--to", "principal:msd", file});
    EXPECT_EQ(s.exit_code, 1) << s.out << s.err;
    EXPECT_EQ(s.out.rfind(file + ": invalid: " + c.code + ": ", 0), 0u) << s.out;
    // run --watch moves it to failed/ with the reason beside it.
    ASSERT_TRUE(WriteFileAtomic(in + "/" + c.name, c.xml).ok());
    std::string reason = v.out.substr(std::min(v.out.size(), file.size() + 11));
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    std::printf("%-26s %-28s %s\n", c.name.c_str(), c.code.c_str(),
                reason.size() > 100 ? (reason.substr(0, 97) + "...").c_str() : reason.c_str());
  }
  std::fflush(stdout);
  // One validate call over all of them: one line per file, exit 1; a good file is ok beside them.
  const std::string good = dir_.Sub("good.xml");
  ASSERT_TRUE(WriteFileAtomic(good, request).ok());
  std::vector<std::string> all = {"validate", good};
  all.insert(all.end(), files.begin(), files.end());
  CommandResult v = Edxl("command", all);
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(v.out.rfind(good + ": ok (RequestResource CZ-EMA-RR-0001)\n", 0), 0u) << v.out;
  EXPECT_EQ(std::count(v.out.begin(), v.out.end(), '\n'), static_cast<long>(files.size() + 1));

  // A response to a message this adapter never saw cannot be threaded.
  CommandResult unknown = Send("msd", "orphan.xml", Fixture("response_to_request_resource.xml"));
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out << unknown.err;
  EXPECT_NE(unknown.out.find(": invalid: UNKNOWN_THREAD: "), std::string::npos) << unknown.out;

  CommandResult run =
      Edxl("command", {"run", "--once", "--watch", in, "--outbox", Outbox("command"), "--timeout",
                       "60", "--log-level", "error"});
  EXPECT_EQ(run.exit_code, 1) << "run --once exits 1 when a file failed\n" << run.err;
  EXPECT_EQ(CountFiles(in, ".xml"), 0u);
  EXPECT_EQ(CountFiles(in + "/failed", ".xml"), cases.size());
  for (const Case& c : cases) {
    std::string error = Slurp(in + "/failed/" + c.name + ".error");
    EXPECT_EQ(error.rfind("invalid: " + c.code + ": ", 0), 0u) << c.name << ": " << error;
  }
  EXPECT_EQ(CountFiles(in + "/done", ".xml"), 0u);

  // Nothing reached anyone.
  CommandResult inbox = Muster("msd", {"inbox"});
  EXPECT_EQ(inbox.exit_code, 0) << inbox.err;
  EXPECT_EQ(inbox.out.find("equipment"), std::string::npos) << inbox.out;
}

TEST_F(EdxlAdapterTest, TheOutboxKeepsADocumentAcrossAnAdapterKillAndABrokerRestart) {
  const std::string in = dir_.Sub("in");
  const std::string log = dir_.Sub("adapter.log");
  ASSERT_TRUE(MakeDirs(in).ok());
  const std::string xml = Fixture("request_resource.xml");

  // send while the broker is down: kept, not confirmed.
  broker_->Kill();
  CommandResult s =
      Send("command", "request.xml", xml, {"--to", "principal:msd", "--publish-timeout", "1"});
  EXPECT_EQ(s.exit_code, 1) << s.out << s.err;
  EXPECT_NE(s.out.find(": not confirmed: "), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("kept in the outbox"), std::string::npos) << s.out;

  // A second document dropped in the watched directory while the broker is still down: the
  // adapter takes it into the outbox, and is killed before it can publish anything.
  std::string second = ReplaceAll(xml, "CZ-EMA-RR-0001", "CZ-EMA-RR-0002");
  ASSERT_TRUE(WriteFileAtomic(in + "/request-2.xml", second).ok());
  auto adapter = StartEdxl("command",
                           {"run", "--watch", in, "--outbox", Outbox("command"), "--to",
                            "principal:msd", "--poll-ms", "100", "--publish-timeout", "1"},
                           log);
  ASSERT_TRUE(WaitFor([&] { return Slurp(log).find("taken in") != std::string::npos; }, 30))
      << Slurp(log);
  adapter->Signal(SIGKILL);
  adapter->Wait(10);
  EXPECT_EQ(CountFiles(in, ".xml"), 1u) << "not published: still in the watched directory";

  // The broker comes back; the adapter is started again and publishes both, once each.
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  CommandResult run =
      Edxl("command", {"run", "--once", "--watch", in, "--outbox", Outbox("command"), "--to",
                       "principal:msd", "--timeout", "60", "--log-level", "warn"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(CountFiles(in + "/done", ".xml"), 1u);
  EXPECT_EQ(CountFiles(in + "/done", ".receipt"), 1u);
  EXPECT_EQ(CountFiles(in + "/failed", ""), 0u);

  // Sending the first document again finds its receipt: the same seq, not a second message.
  CommandResult again = Send("command", "request.xml", xml, {"--to", "principal:msd"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already accepted earlier"), std::string::npos) << again.out;

  // The sub-district receives exactly the two requests, as sent.
  CommandResult r = Receive("msd");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(CountFiles(Out("msd"), ".xml"), 2u);
  std::map<std::string, int> seen;
  for (const auto& e : fs::directory_iterator(Out("msd"))) {
    std::string written = Slurp(e.path());
    auto m = edxl::ParseRm(written);
    ASSERT_TRUE(m.ok()) << m.status().message();
    seen[m->message_id]++;
    EXPECT_EQ(CompareRoundTrip(m->message_id == "CZ-EMA-RR-0001" ? xml : second, written), "");
  }
  EXPECT_EQ(seen, (std::map<std::string, int>{{"CZ-EMA-RR-0001", 1}, {"CZ-EMA-RR-0002", 1}}));
  CommandResult list = Muster("command", {"equip", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  std::printf(
      "outbox test: two requests taken in while the broker was down (one by send, one by "
      "run --watch, adapter killed); after the restart the broker lists:\n%s\n",
      list.out.c_str());
}

TEST_F(EdxlAdapterTest, PostHandsDocumentsOnAndAcknowledgesOnlyOnA2xxAnswer) {
  const std::string xml = Fixture("request_resource.xml");
  CommandResult s = Send("command", "request.xml", xml, {"--to", "principal:msd"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  const uint64_t seq = AcceptedSeq(s.out);

  httplib::Server server;
  std::mutex mu;
  int calls = 0;
  std::string body, content_type, seq_header, id_header;
  server.Post("/agency/edxl", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    if (++calls == 1) {
      res.status = 503;  // busy: the adapter must not acknowledge, and must try again
      return;
    }
    body = req.body;
    content_type = req.get_header_value("Content-Type");
    seq_header = req.get_header_value("X-Muster-Seq");
    id_header = req.get_header_value("X-EDXL-MessageID");
    res.status = 204;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread listener([&] { server.listen_after_bind(); });
  CommandResult r = Edxl("msd", {"run", "--once", "--post",
                                 "http://127.0.0.1:" + std::to_string(port) + "/agency/edxl",
                                 "--outbox", Outbox("msd"), "--poll-ms", "100", "--timeout", "60"});
  server.stop();
  listener.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(body, xml) << "the original bytes";
  EXPECT_EQ(content_type, "application/xml");
  EXPECT_EQ(seq_header, std::to_string(seq));
  EXPECT_EQ(id_header, "CZ-EMA-RR-0001");
  // Acknowledged: a second run finds nothing more to hand on.
  CommandResult again = Receive("msd");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(CountFiles(Out("msd"), ".xml"), 0u);
}

TEST_F(EdxlAdapterTest, ARequestFromTheThinClientReachesTheAgencyAsEdxlAndItsAnswerIsThreaded) {
  CommandResult sent = Muster("command", {"equip", "request", "--item", "pump.high-capacity:4:pc",
                                          "--deliver-to", "Liyang dyke 3", "--needed-by", "6h",
                                          "--to", "principal:msd", "--incident", "INC-9"});
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  CommandResult r = Receive("msd");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(CountFiles(Out("msd"), ".xml"), 1u);
  std::string written;
  for (const auto& e : fs::directory_iterator(Out("msd"))) written = Slurp(e.path());
  // Written by the adapter from the message (a thin client sends no EDXL original): valid
  // EDXL-RM, its MessageID taken from the seq, with what the bureau asked for.
  auto m = edxl::ParseRm(written);
  ASSERT_TRUE(m.ok()) << m.status().message() << "\n" << written;
  EXPECT_EQ(m->type, edxl::RmType::kRequestResource);
  EXPECT_EQ(m->message_id.rfind("urn:muster:seq:", 0), 0u) << m->message_id;
  EXPECT_EQ(m->originating_id, m->message_id);
  EXPECT_EQ(m->incident_id, "INC-9");
  ASSERT_EQ(m->resources.size(), 1u);
  EXPECT_EQ(m->resources[0].type.value, "pump.high-capacity");
  ASSERT_TRUE(m->resources[0].quantity.has_value());
  EXPECT_EQ(m->resources[0].quantity->amount, 4);
  EXPECT_EQ(m->resources[0].quantity->unit.value, "pc");
  EXPECT_EQ(edxl::DeriveRm(*m).deliver_to, "Liyang dyke 3");

  // The sub-district's system answers it in EDXL-RM (one element, for the pumps), and the
  // adapter threads the answer to the thin client's request.
  std::string offer = Fixture("response_to_request_resource.xml");
  size_t second = offer.rfind("  <ResourceInformation>");
  size_t end = offer.find("</ResourceInformation>\n", second);
  ASSERT_NE(end, std::string::npos);
  offer.erase(second, end + std::string("</ResourceInformation>\n").size() - second);
  offer = ReplaceAll(offer, "CZ-EMA-RR-0001", m->message_id);
  offer = ReplaceAll(offer, "<rm:IncidentID>INC-2026-031</rm:IncidentID>",
                     "<rm:IncidentID>INC-9</rm:IncidentID>");
  offer =
      ReplaceAll(offer, "<rm:PrecedingResourceInfoElementID>1</rm:PrecedingResourceInfoElementID>",
                 "<rm:PrecedingResourceInfoElementID>" + m->resources[0].element_id +
                     "</rm:PrecedingResourceInfoElementID>");
  CommandResult answered = Send("msd", "offer.xml", offer);
  ASSERT_EQ(answered.exit_code, 0) << answered.out << answered.err;
  const uint64_t offer_seq = AcceptedSeq(answered.out);
  const std::string request_id = "R-" + m->message_id.substr(std::string("urn:muster:seq:").size());
  CommandResult show = Muster("command", {"equip", "show", request_id});
  ASSERT_EQ(show.exit_code, 0) << show.out << show.err;
  EXPECT_NE(show.out.find("O-" + std::to_string(offer_seq)), std::string::npos) << show.out;
}

}  // namespace
}  // namespace muster::testing
