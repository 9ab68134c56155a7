// muster-cap against a real musterd --demo:
//  - conformance over ../shared/corpus/cap-samples: every valid CAP 1.2 sample is sent with
//    `muster-cap send`, received as msd with `muster-cap run --once --out`, and compared with the
//    original (the same bytes, and ParseCap of both equal field for field); every invalid,
//    hostile or out-of-scope one is refused by `muster-cap validate` with its reason code. The
//    classification is that of adapters/cap/cap_conformance_test.cc. An <?xml-stylesheet?>
//    processing instruction before the root is accepted and travels in the original bytes;
//    signed samples have their XML-DSig signature verified, and the tampered ones are refused
//    with INVALID_SIGNATURE, INVALID_DIGEST or INVALID_CERTIFICATE.
//  - the outbox survives a broker SIGKILL and an adapter SIGKILL: every dropped file ends in done/
//    and the broker holds each exactly once.
//  - run hands a delivered alert on before acknowledging it: when writing fails and the adapter
//    dies, the alert is delivered again and written by the next run; with --post, a non-2xx
//    answer is retried and only a 2xx answer acknowledges.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <mutex>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "adapters/cap/cap_compare.h"
#include "adapters/cap/cap_geocode.h"
#include "adapters/cap/cap_parser.h"
#include "adapters/cap/cap_adapter_envelope.h"
#include "broker/store/keys.h"
#include "broker/store/store.h"
#include "common/files.h"
#include "schemas/store.capnp.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/wait_for.h"

#ifndef MUSTER_CAP_PATH
#error "MUSTER_CAP_PATH must name the muster-cap binary"
#endif
#ifndef MUSTER_CAP_CORPUS
#error "MUSTER_CAP_CORPUS must name the cap-samples corpus directory"
#endif

namespace muster::testing {
namespace {

namespace fs = std::filesystem;
using schema::Alert;

constexpr char kOk[] = "OK";

// Expected outcome of each corpus file, as classified in adapters/cap/cap_conformance_test.cc.
const std::map<std::string, std::string>& Expected() {
  static const auto* const k = new std::map<std::string, std::string>{
      {"google-cap-library/43b080713727.cap", kOk},
      {"google-cap-library/KAR0-0306112239-SW.cap", "UNSUPPORTED_VERSION"},
      {"google-cap-library/australia.cap", kOk},
      {"google-cap-library/bushfire_invalid.edxlde", "UNKNOWN_NAMESPACE"},
      {"google-cap-library/bushfire_valid.edxlde", "UNKNOWN_NAMESPACE"},
      {"google-cap-library/canada.cap", kOk},
      {"google-cap-library/canada_errors.cap", "INVALID_REFERENCES"},
      {"google-cap-library/earthquake-iso8859-1.cap", kOk},
      {"google-cap-library/earthquake.cap", "UNSUPPORTED_VERSION"},
      {"google-cap-library/earthquake_signed.cap", "UNSUPPORTED_VERSION"},
      {"google-cap-library/invalid.cap", "MISSING_REQUIRED_ELEMENT"},
      {"google-cap-library/no_optional_fields.cap", "UNSUPPORTED_VERSION"},
      {"google-cap-library/noaa_errors.cap", "UNSUPPORTED_VERSION"},
      {"google-cap-library/thunderstorm.cap", kOk},
      {"google-cap-library/wcatwc-warning.cap", kOk},
      {"google-cap-library/weather.cap", "UNSUPPORTED_VERSION"},
      {"google-cap-library/xee.cap", "FORBIDDEN_DTD"},
      {"oasiscap/google-PAAQ-4-mg5a94.xml", "INVALID_SIGNATURE"},
      {"oasiscap/ipaws-5e6dd9de023f1930ef6548d9.xml", kOk},
      {"oasiscap/ipaws-5e7e0fc5023f1930efcf3deb.xml", kOk},
      {"oasiscap/nws-5c2cf27b1f56885d61654dc47fa411d5.xml", "UNSUPPORTED_VERSION"},
      {"oasiscap/v1dot2_appendix_adot1.xml", kOk},
      {"oasiscap/v1dot2_appendix_adot2.xml", kOk},
      {"oasiscap/v1dot2_appendix_adot3.xml", kOk},
      {"oasiscap/v1dot2_appendix_adot4.xml", kOk},
      {"wmo-capvalidator/cn_valid.xml", kOk},
      {"wmo-capvalidator/sc_invalid_certificate.xml", "INVALID_CERTIFICATE"},
      {"wmo-capvalidator/sc_invalid_digest.xml", "INVALID_DIGEST"},
      {"wmo-capvalidator/sc_invalid_schema.xml", "UNKNOWN_NAMESPACE"},
      {"wmo-capvalidator/sc_invalid_signature.xml", "INVALID_SIGNATURE"},
      {"wmo-capvalidator/sc_no_signature.xml", kOk},
      {"wmo-capvalidator/sc_valid.xml", kOk},
  };
  return *k;
}

std::string Slurp(const std::string& path) {
  auto r = ReadFile(path);
  return r.ok() ? *r : std::string();
}

// A small CAP 1.2 alert for area 320481 (Liyang), expiring in a day.
std::string SmallAlert(const std::string& identifier, const std::string& to_area = "320481") {
  auto now = std::chrono::system_clock::now();
  auto fmt = [](std::chrono::system_clock::time_point t) {
    std::time_t s = std::chrono::system_clock::to_time_t(t);
    char buf[40];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S-00:00", std::gmtime(&s));
    return std::string(buf);
  };
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>)" + identifier + R"(</identifier>
  <sender>czqxt@cma.gov.cn</sender>
  <sent>)" + fmt(now) + R"(</sent>
  <status>Exercise</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>Rainstorm</event>
    <urgency>Expected</urgency>
    <severity>Moderate</severity>
    <certainty>Likely</certainty>
    <expires>)" + fmt(now + std::chrono::hours(24)) + R"(</expires>
    <headline>Drill: heavy rain expected</headline>
    <area>
      <areaDesc>Liyang</areaDesc>
      <geocode><valueName>GB/T 2260</valueName><value>)" + to_area + R"(</value></geocode>
    </area>
  </info>
</alert>
)";
}

// Writes a file the way agencies are asked to: a temp name, then a rename.
void Drop(const std::string& dir, const std::string& name, const std::string& contents) {
  ASSERT_TRUE(WriteFileAtomic(dir + "/." + name + ".tmp", contents).ok());
  ASSERT_EQ(::rename((dir + "/." + name + ".tmp").c_str(), (dir + "/" + name).c_str()), 0);
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

class CapAdapterTest : public ::testing::Test {
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

  CommandResult Cap(const std::string& principal, const std::vector<std::string>& args, double timeout_s = 120) {
    std::vector<std::string> argv = {MUSTER_CAP_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, broker_->CliEnv(principal), timeout_s);
  }

  std::unique_ptr<ChildProcess> StartCap(const std::string& principal, const std::vector<std::string>& args,
                                         const std::string& log) {
    // The child inherits the environment: pass the connection as flags instead.
    std::vector<std::string> argv = {MUSTER_CAP_PATH, "--broker", broker_->endpoint(), "--key",
                                     broker_->KeyFile(principal), "--server-key", broker_->ServerKeyFile(),
                                     "--connect-timeout", "2"};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<ChildProcess>(argv, log);
  }

  // The state of `principal`'s delivery of `seq`, as the sender `command` sees it.
  std::string DeliveryState(uint64_t seq, const std::string& principal) {
    zmq::context_t context(1);
    auto c = client::Connection::Open(context, broker_->Options("command"));
    if (!c.ok()) return "error: " + c.status().message();
    auto r = (*c)->Query([&](schema::Query::Builder q) { q.setDeliveryStatus(seq); });
    (*c)->Close();
    if (!r.ok()) return "error: " + r.status().message();
    for (auto rs : (*r)->frame().getResult().getDeliveryStatus().getRecipients()) {
      if (rs.getPrincipal() == principal) return rs.getState();
    }
    return "not a recipient";
  }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
};

// A minimal CAP alert standing in for an earlier alert named by a sample's references, so that
// the broker can resolve an Update or Cancel.
std::string StandIn(const std::string& sender, const std::string& identifier, const std::string& sent) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>)" + identifier + "</identifier>\n  <sender>" + sender + "</sender>\n  <sent>" + sent +
         R"(</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Other</category>
    <event>stand-in</event>
    <urgency>Unknown</urgency>
    <severity>Unknown</severity>
    <certainty>Unknown</certainty>
  </info>
</alert>
)";
}

TEST_F(CapAdapterTest, CorpusRoundTripsThroughTheBrokerAndInvalidSamplesAreRefused) {
  const fs::path corpus(MUSTER_CAP_CORPUS);
  if (!fs::is_directory(corpus)) {
    GTEST_SKIP() << "CAP corpus not found at " << corpus << " (it lives beside the repository in ../shared)";
  }
  const std::string outbox = dir_.Sub("command.outbox");
  const std::string out = dir_.Sub("msd-out");
  struct Row {
    std::string file, expected, outcome, reason;
  };
  std::vector<Row> rows;
  std::map<uint64_t, std::string> sent;  // seq -> corpus file
  std::regex accepted_re("accepted: seq ([0-9]+)");
  int stand_ins = 0;

  for (const auto& [rel, expected] : Expected()) {
    const std::string path = (corpus / rel).string();
    ASSERT_TRUE(fs::exists(path)) << "corpus file missing: " << rel;
    CommandResult v = Cap("command", {"validate", path});
    if (expected != kOk) {
      // Refused, with the specific reason code.
      std::string prefix = path + ": invalid: " + expected + ": ";
      EXPECT_EQ(v.exit_code, 1) << rel << "\n" << v.out << v.err;
      EXPECT_EQ(v.out.rfind(prefix, 0), 0u) << rel << ": " << v.out;
      std::string reason = v.out.size() > path.size() + 2 ? v.out.substr(path.size() + 2) : v.out;
      while (!reason.empty() && reason.back() == '\n') reason.pop_back();
      rows.push_back({rel, "refused " + expected, v.exit_code == 1 ? "refused" : "ACCEPTED", reason});
      continue;
    }
    EXPECT_EQ(v.exit_code, 0) << rel << ": " << v.out << v.err;
    EXPECT_EQ(v.out, path + ": ok\n");

    const std::string xml = Slurp(path);
    auto parsed = cap::ParseCapMessage(xml);
    ASSERT_TRUE(parsed.ok()) << rel;
    Alert::Reader alert = (*parsed)->getRoot<Alert>().asReader();
    // Earlier alerts named in references: publish stand-ins first (the broker resolves an Update
    // or Cancel against alerts it has; the adapter maps CAP references to their seqs).
    std::regex triple("([^,\\s]+),([^,\\s]+),([^,\\s]+)");
    std::string refs = alert.getReferences().cStr();
    for (std::sregex_iterator it(refs.begin(), refs.end(), triple), end; it != end; ++it) {
      std::string file = dir_.Sub("standin-" + std::to_string(++stand_ins) + ".xml");
      ASSERT_TRUE(WriteFileAtomic(file, StandIn((*it)[1], (*it)[2], (*it)[3])).ok());
      CommandResult s = Cap("command", {"send", "--outbox", outbox, "--to", "principal:msd", file});
      ASSERT_EQ(s.exit_code, 0) << "stand-in for " << rel << ": " << s.out << s.err;
    }
    std::vector<std::string> args = {"send", "--outbox", outbox, "--ignore-expires"};
    bool has_area = !cap::ExtractGbt2260Codes(alert).empty();
    if (has_area) {
      // Addressed by its GB/T 2260 area. cn_valid.xml is for 130602 (Baoding), outside the demo
      // city, so its area reaches nobody; but it is an Update, and an update reaches everyone who
      // received the original (the stand-in, sent to msd) whatever its addressing.
      CommandResult by_area = Cap("command", {"send", "--outbox", outbox, "--ignore-expires", path});
      if (refs.empty()) {
        EXPECT_EQ(by_area.exit_code, 1) << by_area.out;
        EXPECT_NE(by_area.out.find(": refused: no-recipients: "), std::string::npos) << by_area.out;
      } else {
        EXPECT_EQ(by_area.exit_code, 0) << by_area.out << by_area.err;
        EXPECT_NE(by_area.out.find(", 1 recipient "), std::string::npos) << by_area.out;
      }
    }
    args.insert(args.end(), {"--to", "principal:msd", path});
    CommandResult s = Cap("command", args);
    std::smatch m;
    bool ok = s.exit_code == 0 && std::regex_search(s.out, m, accepted_re);
    EXPECT_TRUE(ok) << rel << ": " << s.out << s.err;
    if (!ok) {
      rows.push_back({rel, "round trip", "NOT SENT", s.out + s.err});
      continue;
    }
    sent[std::stoull(m[1])] = rel;
  }

  // Receive everything as msd, as CAP files.
  CommandResult r = Cap("msd", {"run", "--once", "--out", out, "--timeout", "60", "--log-level", "warn"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& [seq, rel] : sent) {
    const std::string original = Slurp((corpus / rel).string());
    const std::string written = Slurp(out + "/" + [&] {
      char name[40];
      std::snprintf(name, sizeof(name), "%012llu.xml", static_cast<unsigned long long>(seq));
      return std::string(name);
    }());
    std::string outcome = "round trip", reason;
    if (written.empty()) {
      outcome = "NOT RECEIVED";
    } else {
      auto a = cap::ParseCapMessage(original);
      auto b = cap::ParseCapMessage(written);
      if (!b.ok()) {
        outcome = "UNREADABLE";
        reason = b.status().message();
      } else {
        auto diffs = cap::AlertDifferences((*a)->getRoot<Alert>().asReader(), (*b)->getRoot<Alert>().asReader());
        if (!diffs.empty()) {
          outcome = "DIFFERS";
          reason = diffs.front();
        } else if (written != original) {
          outcome = "BYTES DIFFER";
        } else {
          reason = "seq " + std::to_string(seq) + "; same bytes; equal field for field (" +
                   std::to_string((*b)->getRoot<Alert>().getInfos().size()) + " info)";
        }
      }
    }
    EXPECT_EQ(outcome, "round trip") << rel << ": " << reason;
    rows.push_back({rel, "round trip", outcome, reason});
  }

  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.file < b.file; });
  std::printf("\n%-52s %-42s %-12s %s\n", "file", "expected", "outcome", "reason");
  std::printf("%s\n", std::string(180, '-').c_str());
  for (const Row& row : rows) {
    std::string reason = row.reason.size() > 110 ? row.reason.substr(0, 107) + "..." : row.reason;
    std::printf("%-52s %-42s %-12s %s\n", row.file.c_str(), row.expected.c_str(), row.outcome.c_str(), reason.c_str());
  }
  std::printf("(%d stand-in alerts were published first for the references of Update and Cancel samples;\n"
              " signed samples were verified on sending and again on receipt)\n\n",
              stand_ins);
  std::fflush(stdout);
}

TEST_F(CapAdapterTest, OutboxSurvivesABrokerKillAndAnAdapterKillNothingLostNothingTwice) {
  const int kFiles = 30;
  const std::string in = dir_.Sub("in");
  const std::string out = dir_.Sub("out");
  const std::string outbox = dir_.Sub("command.outbox");
  const std::string log = dir_.Sub("adapter.log");
  ASSERT_TRUE(MakeDirs(in).ok());
  std::vector<std::string> run = {"run", "--watch", in, "--out", out, "--outbox", outbox,
                                  "--poll-ms", "100", "--publish-timeout", "2"};
  auto adapter = StartCap("command", run, log);
  auto done = [&] { return CountFiles(in + "/done", ".xml"); };
  auto drop = [&](int from, int to) {
    for (int i = from; i < to; ++i) Drop(in, "alert-" + std::to_string(100 + i) + ".xml", SmallAlert("DRILL-" + std::to_string(i)));
  };

  drop(0, 10);
  ASSERT_TRUE(WaitFor([&] { return done() >= 4; }, 30)) << Slurp(log);
  broker_->Kill();  // mid-way: some files published, others in flight or waiting
  drop(10, 20);     // taken into the outbox while the broker is down
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  size_t done_while_down = done();
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  ASSERT_TRUE(WaitFor([&] { return done() >= done_while_down + 3; }, 60)) << Slurp(log);
  adapter->Signal(SIGKILL);  // mid-way again
  adapter->Wait(10);
  drop(20, kFiles);
  adapter = StartCap("command", run, log);
  ASSERT_TRUE(WaitFor([&] { return done() == static_cast<size_t>(kFiles); }, 90))
      << done() << " of " << kFiles << " done\n" << Slurp(log);
  adapter->Signal(SIGTERM);
  EXPECT_EQ(adapter->Wait(20), 0) << "SIGTERM stops the adapter cleanly\n" << Slurp(log);
  EXPECT_EQ(CountFiles(in, ".xml"), 0u);
  EXPECT_EQ(CountFiles(in + "/done", ".receipt"), static_cast<size_t>(kFiles));
  EXPECT_EQ(CountFiles(in + "/failed", ""), 0u) << Slurp(log);

  // The broker's store, read after it stopped: each document exactly once.
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  auto store = store::Store::Open({broker_->DataDir(), /*read_only=*/true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::map<std::string, int> copies;  // CAP identifier -> messages from the adapter
  ASSERT_TRUE((*store)->Scan(store::Column::kMessages, "", "", [&](std::string_view, std::string_view v) {
    auto d = wire::DecodedStruct::Decode(v.data(), v.size());
    EXPECT_TRUE(d.ok());
    if (!d.ok()) return true;
    auto e = (*d)->Get<schema::StoredMessage>().getEnvelope();
    if (std::string(e.getSender().cStr()) == "command") copies[e.getBody().getAlert().getIdentifier().cStr()]++;
    return true;
  }).ok());
  EXPECT_EQ(copies.size(), static_cast<size_t>(kFiles));
  for (const auto& [id, n] : copies) {
    EXPECT_EQ(n, 1) << id << " is in the broker " << n << " times";
  }
  std::printf("outbox test: %d files, broker killed with %zu done, adapter killed once; %zu messages logged\n",
              kFiles, done_while_down, copies.size());
}

TEST_F(CapAdapterTest, RunAcknowledgesOnlyWhatItHasWrittenAndAFailedWriteComesAgain) {
  const std::string out = dir_.Sub("out");
  const std::string file = dir_.Sub("alert.xml");
  ASSERT_TRUE(WriteFileAtomic(file, SmallAlert("ACK-1")).ok());
  CommandResult s = Cap("command", {"send", "--outbox", dir_.Sub("command.outbox"), "--to", "principal:msd", file});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(s.out, m, std::regex("accepted: seq ([0-9]+)"))) << s.out;
  const uint64_t seq = std::stoull(m[1]);
  char name[40];
  std::snprintf(name, sizeof(name), "%012llu.xml", static_cast<unsigned long long>(seq));
  const std::string target = out + "/" + name;

  // Make the write fail: a directory where the temp file must go.
  ASSERT_TRUE(MakeDirs(target + ".tmp").ok());
  const std::string log = dir_.Sub("adapter.log");
  auto adapter = StartCap("msd", {"run", "--out", out, "--outbox", dir_.Sub("msd.outbox"), "--poll-ms", "100"}, log);
  ASSERT_TRUE(WaitFor([&] { return Slurp(log).find("cannot hand on a delivered alert") != std::string::npos; }, 30))
      << Slurp(log);
  EXPECT_NE(DeliveryState(seq, "msd"), "received") << "not acknowledged while it could not be written";
  adapter->Signal(SIGKILL);  // dies before writing
  adapter->Wait(10);
  EXPECT_FALSE(fs::exists(target));
  EXPECT_NE(DeliveryState(seq, "msd"), "received");

  fs::remove(target + ".tmp");
  CommandResult again = Cap("msd", {"run", "--once", "--out", out, "--outbox", dir_.Sub("msd.outbox"), "--timeout", "60"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Slurp(target), Slurp(file)) << "delivered again and written: the original bytes";
  EXPECT_EQ(DeliveryState(seq, "msd"), "received");
}

TEST_F(CapAdapterTest, PostHandsAlertsOnAndAcknowledgesOnlyOnA2xxAnswer) {
  const std::string file = dir_.Sub("alert.xml");
  ASSERT_TRUE(WriteFileAtomic(file, SmallAlert("POST-1")).ok());
  CommandResult s = Cap("command", {"send", "--outbox", dir_.Sub("command.outbox"), "--to", "principal:msd", file});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(s.out, m, std::regex("accepted: seq ([0-9]+)"))) << s.out;
  const uint64_t seq = std::stoull(m[1]);

  httplib::Server server;
  std::mutex mu;
  int calls = 0;
  std::string body, content_type, seq_header;
  server.Post("/agency/cap", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    if (++calls == 1) {
      res.status = 503;  // the agency's system is busy: the adapter must not ack, and must retry
      return;
    }
    body = req.body;
    content_type = req.get_header_value("Content-Type");
    seq_header = req.get_header_value("X-Muster-Seq");
    res.status = 204;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread listener([&] { server.listen_after_bind(); });
  CommandResult r = Cap("msd", {"run", "--once", "--post", "http://127.0.0.1:" + std::to_string(port) + "/agency/cap",
                                "--outbox", dir_.Sub("msd.outbox"), "--poll-ms", "100", "--timeout", "60"});
  server.stop();
  listener.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(body, Slurp(file)) << "the original bytes";
  EXPECT_EQ(content_type, "application/cap+xml");
  EXPECT_EQ(seq_header, std::to_string(seq));
  EXPECT_EQ(DeliveryState(seq, "msd"), "received");
}

}  // namespace
}  // namespace muster::testing
