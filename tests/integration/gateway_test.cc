// muster-gateway through a real HTTPS client (httplib::Client, the gateway's self-signed
// certificate made with the `openssl` command line and verified) against a real musterd --demo:
//  - command posts alerts; msd reads them as server-sent events, disconnects, and resumes with
//    Last-Event-ID: nothing missed, nothing it confirmed (by Last-Event-ID or POST /v1/acks)
//    sent again — including an event the gateway had written and acked to the broker that the
//    client says it never read, which only the gateway's journal can re-send;
//  - an idempotent retry (same Idempotency-Key: the same receipt, once in the broker's store;
//    another body under the key: 409), delivery status, acks;
//  - 401 for a missing or wrong token, broker refusals mapped to their status (vol-1 posting
//    confidential: 403; nobody to receive it: 422), request errors as JSON;
//  - the gateway SIGKILLed after answering 202 (broker down) or 201 loses nothing: after the
//    restart every document is in the broker exactly once, and retries answer with its receipt;
//  - each token acts only as its own agency: its stream carries only its principal's deliveries,
//    and status is shown only where the broker's policy allows (sender, duty officers);
//  - plain HTTP to the HTTPS port is refused, nothing is taken, and the gateway keeps serving;
//    TLS below 1.2 is refused at the handshake;
//  - the hash-token / new-token commands and a configuration error with its file and line;
//  - docs/gateway-openapi.yaml parses as OpenAPI 3.0, names exactly the routes the server
//    registers, and documents the fields of the answers the server really gives.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "adapters/gateway/api_token.h"
#include "adapters/gateway/submission_store.h"
#include "broker/store/keys.h"
#include "broker/store/store.h"
#include "common/files.h"
#include "schemas/store.capnp.h"
#include "tests/fixtures/broker_process.h"
#include "tests/fixtures/temp_dir.h"
#include "tests/fixtures/wait_for.h"

#ifndef MUSTER_GATEWAY_PATH
#error "MUSTER_GATEWAY_PATH must name the muster-gateway binary"
#endif
#ifndef MUSTER_SOURCE_DIR
#error "MUSTER_SOURCE_DIR must name the source tree (for docs/gateway-openapi.yaml)"
#endif

namespace muster::testing {
namespace {

using nlohmann::json;

constexpr char kCommandToken[] = "mgw_command-test-token-0123456789abcdef";
constexpr char kMsdToken[] = "mgw_msd-test-token-0123456789abcdef012";
constexpr char kVolToken[] = "mgw_vol-test-token-0123456789abcdef012";
constexpr char kDutyToken[] = "mgw_duty-test-token-0123456789abcdef01";

// docs/gateway-openapi.yaml as tests/integration/gateway_openapi_check.py reads it (checked, and
// summarised as {"operations": [...], "schemas": {NAME: {"required", "properties"}}}); null
// when the check failed (`problems` says why).
json OpenApiSummary(std::string* problems) {
  const std::string src = MUSTER_SOURCE_DIR;
  CommandResult r =
      RunCommand({"/usr/bin/python3", src + "/tests/integration/gateway_openapi_check.py",
                  src + "/docs/gateway-openapi.yaml"});
  *problems = r.err;
  if (r.exit_code != 0) return json();
  return json::parse(r.out, nullptr, false);
}

// The documented schemas (parsed once per test binary).
const json& DocumentedSchemas() {
  static const json* const kSchemas = [] {
    std::string problems;
    json summary = OpenApiSummary(&problems);
    return new json(summary.is_object() ? summary["schemas"] : json::object());
  }();
  return *kSchemas;
}

// `body` has every field the OpenAPI schema `name` requires and none it does not document.
void ExpectDocumented(const json& body, const std::string& name) {
  const json& schemas = DocumentedSchemas();
  ASSERT_TRUE(schemas.contains(name)) << "docs/gateway-openapi.yaml has no schema " << name;
  ASSERT_TRUE(body.is_object()) << name << ": " << body.dump();
  std::set<std::string> documented = schemas[name]["properties"];
  for (const auto& [key, value] : body.items()) {
    EXPECT_TRUE(documented.count(key)) << name << " lacks field '" << key << "': " << body.dump();
  }
  for (const std::string key : schemas[name]["required"]) {
    EXPECT_TRUE(body.contains(key)) << name << " requires '" << key << "': " << body.dump();
  }
}

// A drill alert for the military sub-district.
json Alert(const std::string& headline, const std::string& classification = "internal",
           const std::vector<std::string>& to = {"org:msd"}) {
  return {{"kind", "alert"},
          {"to", to},
          {"status", "exercise"},
          {"classification", classification},
          {"incident", "INC-GW-1"},
          {"body",
           {{"infos",
             {{{"categories", {"met"}},
               {"event", "Flood"},
               {"urgency", "expected"},
               {"severity", "moderate"},
               {"certainty", "likely"},
               {"headline", headline}}}}}}};
}

struct SseEvent {
  uint64_t id = 0;  // 0: no id line
  std::string event;
  std::string data;
};

// One GET /v1/events connection on its own thread, parsing the stream as it arrives.
class SseReader {
 public:
  SseReader(const std::string& base, const std::string& ca, const std::string& token,
            std::optional<uint64_t> last_id) {
    thread_ = std::thread([this, base, ca, token, last_id] {
      httplib::Client cli(base);
      cli.set_ca_cert_path(ca.c_str());
      cli.enable_server_certificate_verification(true);
      cli.set_read_timeout(std::chrono::seconds(30));
      httplib::Headers headers = {{"Authorization", "Bearer " + token},
                                  {"Accept", "text/event-stream"}};
      if (last_id) headers.emplace("Last-Event-ID", std::to_string(*last_id));
      auto r = cli.Get("/v1/events", headers, [this](const char* data, size_t n) {
        Feed(std::string(data, n));
        return !stop_.load();
      });
      std::lock_guard<std::mutex> lock(mu_);
      status_ = r ? r->status : -1;
      ended_ = true;
      changed_.notify_all();
    });
  }
  ~SseReader() { Close(); }

  // Disconnects (at the next bytes from the gateway: an event or a heartbeat).
  void Close() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // Waits until `done(events)` holds; false after `timeout_s`.
  bool WaitUntil(const std::function<bool(const std::vector<SseEvent>&)>& done,
                 double timeout_s = 20) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock,
                             std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000)),
                             [&] { return done(events_) || ended_; }) &&
           done(events_);
  }
  bool HasDelivery(uint64_t seq) {
    return WaitUntil([seq](const auto& ev) {
      for (const auto& e : ev) {
        if (e.event == "delivery" && e.id == seq) return true;
      }
      return false;
    });
  }
  bool CaughtUp() {
    return WaitUntil([](const auto& ev) {
      for (const auto& e : ev) {
        if (e.event == "caught-up") return true;
      }
      return false;
    });
  }
  std::vector<uint64_t> DeliveryIds() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<uint64_t> out;
    for (const auto& e : events_) {
      if (e.event == "delivery") out.push_back(e.id);
    }
    return out;
  }
  std::vector<SseEvent> Events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  void Feed(const std::string& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    buffer_ += bytes;
    size_t end;
    while ((end = buffer_.find("\n\n")) != std::string::npos) {
      std::string block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      SseEvent e;
      size_t pos = 0;
      bool any = false;
      while (pos <= block.size()) {
        size_t nl = block.find('\n', pos);
        std::string line =
            block.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? block.size() + 1 : nl + 1;
        if (line.rfind("id: ", 0) == 0) {
          e.id = std::stoull(line.substr(4));
        } else if (line.rfind("event: ", 0) == 0) {
          e.event = line.substr(7);
          any = true;
        } else if (line.rfind("data: ", 0) == 0) {
          e.data = line.substr(6);
        }
      }
      if (any) events_.push_back(e);
    }
    changed_.notify_all();
  }

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable changed_;
  std::string buffer_;
  std::vector<SseEvent> events_;
  bool ended_ = false;
  int status_ = 0;
};

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    broker_ = BrokerProcess::StartDemo(dir_.Sub("demo"));
    ASSERT_NE(broker_, nullptr);
    ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
    // The gateway's certificate: self-signed for 127.0.0.1, made here with the openssl tool.
    CommandResult tls =
        RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=muster-gateway test", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                    dir_.Sub("gateway.key"), "-out", dir_.Sub("gateway.crt")});
    ASSERT_EQ(tls.exit_code, 0) << tls.err;
    port_ = FreePort();
    base_ = "https://127.0.0.1:" + std::to_string(port_);
    WriteConfig();
  }

  void TearDown() override {
    StopGateway();
    if (broker_ && broker_->running()) {
      EXPECT_EQ(broker_->Stop(), 0) << broker_->Log();
    }
  }

  void WriteConfig() {
    std::string config =
        "[gateway]\nlisten = \"127.0.0.1:" + std::to_string(port_) +
        "\"\ncert = \"gateway.crt\"\nkey = \"gateway.key\"\nstate_dir = \"gateway-state\"\n"
        "publish_wait_ms = 4000\nsse_heartbeat_ms = 500\n\n[broker]\nendpoint = \"" +
        broker_->endpoint() +
        "\"\nserver_key = \"demo/keys/broker.pub\"\nconnect_timeout_ms = 1000\n";
    for (const auto& [name, token] :
         std::vector<std::pair<std::string, std::string>>{{"command", kCommandToken},
                                                          {"msd", kMsdToken},
                                                          {"vol-1", kVolToken},
                                                          {"duty", kDutyToken}}) {
      config += "\n[[agency]]\nname = \"" + name + "\"\nkey_file = \"demo/keys/" + name +
                ".key\"\ntoken_sha256 = \"" + gateway::TokenSha256(token) + "\"\n";
    }
    ASSERT_TRUE(WriteFileAtomic(dir_.Sub("gateway.toml"), config).ok());
  }

  void StartGateway() {
    gateway_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{MUSTER_GATEWAY_PATH, "run", "--config", dir_.Sub("gateway.toml")},
        dir_.Sub("gateway.log"));
    ASSERT_TRUE(WaitFor(
        [&] {
          if (!gateway_->running()) return true;
          auto r = Client().Get("/v1/health");
          return r && r->status == 200;
        },
        20))
        << GatewayLog();
    ASSERT_TRUE(gateway_->running()) << GatewayLog();
  }

  void StopGateway() {
    if (!gateway_) return;
    if (gateway_->running()) {
      gateway_->Signal(SIGTERM);
      EXPECT_EQ(gateway_->Wait(20), 0) << GatewayLog();
    }
    gateway_.reset();
  }

  void KillGateway() {
    gateway_->Signal(SIGKILL);
    gateway_->Wait(10);
    gateway_.reset();
  }

  std::string GatewayLog() {
    auto text = ReadFile(dir_.Sub("gateway.log"));
    return text.ok() ? *text : "";
  }

  httplib::Client Client() {
    httplib::Client cli(base_);
    cli.set_ca_cert_path(dir_.Sub("gateway.crt").c_str());
    cli.enable_server_certificate_verification(true);
    cli.set_read_timeout(std::chrono::seconds(30));
    return cli;
  }

  httplib::Result Post(const std::string& token, const std::string& path, const std::string& body,
                       const std::string& idempotency_key = "") {
    httplib::Headers h = {{"Authorization", "Bearer " + token}};
    if (!idempotency_key.empty()) h.emplace("Idempotency-Key", idempotency_key);
    return Client().Post(path.c_str(), h, body, "application/json");
  }

  httplib::Result Get(const std::string& token, const std::string& path) {
    return Client().Get(path.c_str(), {{"Authorization", "Bearer " + token}});
  }

  // POSTs an alert and expects `status`; returns the answer's JSON.
  json Publish(const std::string& token, const std::string& key, const json& doc, int status) {
    auto r = Post(token, "/v1/messages", doc.dump(), key);
    EXPECT_TRUE(r) << httplib::to_string(r.error());
    if (!r) return json();
    EXPECT_EQ(r->status, status) << r->body << GatewayLog();
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    return json::parse(r->body, nullptr, false);
  }

  // The state of `principal`'s delivery of `seq`, as its sender `command` sees it through the
  // gateway.
  std::string DeliveryState(uint64_t seq, const std::string& principal) {
    auto r = Get(kCommandToken, "/v1/messages/" + std::to_string(seq) + "/status");
    if (!r || r->status != 200) return "error";
    const json status = json::parse(r->body);
    for (const auto& rec : status["recipients"]) {
      if (rec["principal"] == principal) return rec["state"];
    }
    return "not a recipient: " + r->body;
  }

  // How often each client message id of `sender` is in the broker's store (broker stopped).
  std::map<std::string, int> StoredCopies(const std::string& sender) {
    std::map<std::string, int> copies;
    auto store = store::Store::Open({broker_->DataDir(), /*read_only=*/true});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return copies;
    EXPECT_TRUE((*store)
                    ->Scan(store::Column::kMessages, "", "",
                           [&](std::string_view, std::string_view v) {
                             auto d = wire::DecodedStruct::Decode(v.data(), v.size());
                             if (!d.ok()) return true;
                             auto e = (*d)->Get<schema::StoredMessage>().getEnvelope();
                             if (std::string(e.getSender().cStr()) == sender)
                               copies[e.getClientMessageId().cStr()]++;
                             return true;
                           })
                    .ok());
    return copies;
  }

  TempDir dir_;
  std::unique_ptr<BrokerProcess> broker_;
  std::unique_ptr<ChildProcess> gateway_;
  int port_ = 0;
  std::string base_;
};

TEST_F(GatewayTest, PublishReadResumeAckAndRetryOverHttps) {
  StartGateway();
  // command publishes; the receipt comes back once the broker has it on disk.
  json first = Publish(kCommandToken, "alert-1", Alert("Drill: river rising (1)"), 201);
  const uint64_t s1 = first["seq"];
  ExpectDocumented(first, "Receipt");
  EXPECT_GT(s1, 0u);
  EXPECT_GE(first["recipients"].get<int>(), 1);
  EXPECT_EQ(first["client_message_id"], gateway::ClientMessageIdForKey("alert-1"));
  EXPECT_EQ(first["status_url"], "/v1/messages/" + std::to_string(s1) + "/status");

  // The same request again: the same receipt, nothing published twice.
  auto retry =
      Post(kCommandToken, "/v1/messages", Alert("Drill: river rising (1)").dump(), "alert-1");
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 201);
  EXPECT_EQ(json::parse(retry->body), first);
  EXPECT_EQ(retry->get_header_value("Idempotent-Replayed"), "true");
  // Another message under the same key is refused.
  json other = Publish(kCommandToken, "alert-1", Alert("Drill: something else"), 409);
  EXPECT_EQ(other["error"], "idempotency-key-reused");

  // msd reads it as a server-sent event, then goes away.
  {
    SseReader sse(base_, dir_.Sub("gateway.crt"), kMsdToken, std::nullopt);
    ASSERT_TRUE(sse.HasDelivery(s1)) << GatewayLog();
    auto events = sse.Events();
    for (const auto& e : events) {
      if (e.event != "delivery") continue;
      json data = json::parse(e.data);
      ExpectDocumented(data, "Delivery");
      EXPECT_EQ(data["seq"], s1);
      EXPECT_EQ(data["sender"], "command");
      EXPECT_EQ(data["kind"], "alert");
      EXPECT_EQ(data["status"], "exercise");
      EXPECT_EQ(data["body"]["infos"][0]["headline"], "Drill: river rising (1)");
    }
  }
  ASSERT_TRUE(WaitFor([&] { return DeliveryState(s1, "msd") == "received"; }, 10))
      << DeliveryState(s1, "msd");

  // Two more while msd is away.
  const uint64_t s2 =
      Publish(kCommandToken, "alert-2", Alert("Drill: river rising (2)"), 201)["seq"];
  const uint64_t s3 =
      Publish(kCommandToken, "alert-3", Alert("Drill: river rising (3)"), 201)["seq"];

  // msd resumes after s1: it gets s2 and s3, not s1 again.
  {
    SseReader sse(base_, dir_.Sub("gateway.crt"), kMsdToken, s1);
    ASSERT_TRUE(sse.HasDelivery(s2)) << GatewayLog();
    ASSERT_TRUE(sse.HasDelivery(s3)) << GatewayLog();
    // The gateway acks what it wrote: the broker will not deliver s3 again.
    ASSERT_TRUE(WaitFor([&] { return DeliveryState(s3, "msd") == "received"; }, 10));
    EXPECT_EQ(sse.DeliveryIds(), (std::vector<uint64_t>{s2, s3}));
  }
  // msd says it only got as far as s2 (s3 was in flight when the connection broke): the
  // gateway's journal re-sends s3, and only s3.
  {
    SseReader sse(base_, dir_.Sub("gateway.crt"), kMsdToken, s2);
    ASSERT_TRUE(sse.HasDelivery(s3)) << GatewayLog();
    ASSERT_TRUE(sse.CaughtUp()) << GatewayLog();
    EXPECT_EQ(sse.DeliveryIds(), (std::vector<uint64_t>{s3}));
    // A person at msd has read s3.
    auto ack = Post(kMsdToken, "/v1/acks",
                    R"({"seqs": [)" + std::to_string(s3) + R"(], "level": "acknowledged"})");
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->status, 200) << ack->body;
    EXPECT_EQ(json::parse(ack->body)["level"], "acknowledged");
    ExpectDocumented(json::parse(ack->body), "AckResult");
    for (const auto& e : sse.Events()) {
      if (e.event == "caught-up") ExpectDocumented(json::parse(e.data), "Notice");
    }
  }
  EXPECT_EQ(DeliveryState(s3, "msd"), "acknowledged");
  // Resuming from an older id sends nothing msd has confirmed (s2 by Last-Event-ID, s3 by ack).
  {
    SseReader sse(base_, dir_.Sub("gateway.crt"), kMsdToken, s1);
    ASSERT_TRUE(sse.CaughtUp()) << GatewayLog();
    EXPECT_TRUE(sse.DeliveryIds().empty());
  }

  // Delivery status: the sender sees every recipient; another agency sees nothing.
  auto status = Get(kCommandToken, "/v1/messages/" + std::to_string(s1) + "/status");
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200) << status->body;
  json st = json::parse(status->body);
  ExpectDocumented(st, "DeliveryStatus");
  EXPECT_EQ(st["seq"], s1);
  EXPECT_EQ(st["sender"], "command");
  bool msd_listed = false;
  for (const auto& r : st["recipients"]) {
    ExpectDocumented(r, "RecipientStatus");
    if (r["principal"] != "msd") continue;
    msd_listed = true;
    EXPECT_EQ(r["matched_term"], "org:msd");
    EXPECT_EQ(r["state"], "received");
    EXPECT_TRUE(r["received"].is_string());
  }
  EXPECT_TRUE(msd_listed) << st.dump();
  auto hidden = Get(kMsdToken, "/v1/messages/" + std::to_string(s1) + "/status");
  ASSERT_TRUE(hidden);
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(json::parse(hidden->body)["error"], "not-found");
  auto missing = Get(kCommandToken, "/v1/messages/999999/status");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  // The broker has each message once, the retried one included.
  StopGateway();
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  auto copies = StoredCopies("command");
  for (const char* key : {"alert-1", "alert-2", "alert-3"}) {
    EXPECT_EQ(copies[gateway::ClientMessageIdForKey(key)], 1) << key;
  }
  EXPECT_EQ(copies.size(), 3u);
}

TEST_F(GatewayTest, RefusalsAndRequestErrorsAreJsonWithSpecificStatus) {
  StartGateway();
  auto expect_error = [&](const httplib::Result& r, int status, const std::string& code) {
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    json body = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r->body;
    ExpectDocumented(body, "Error");
    EXPECT_EQ(body["error"], code) << r->body;
    EXPECT_TRUE(body["reason"].is_string());
    EXPECT_EQ(body["reason"].get<std::string>().find('\n'), std::string::npos);
  };
  // No token, a wrong token.
  auto none = Client().Post("/v1/messages", Alert("x").dump(), "application/json");
  expect_error(none, 401, "unauthenticated");
  EXPECT_NE(none->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
  expect_error(
      Post("mgw_not-a-token-of-anyone-0000000000000", "/v1/messages", Alert("x").dump(), "k"), 401,
      "unauthenticated");
  expect_error(
      Client().Get("/v1/events", {{"Authorization", "Bearer " + gateway::TokenSha256(kMsdToken)}}),
      401, "unauthenticated");

  // Broker refusals: a volunteer station may not send confidential traffic.
  auto forbidden = Post(kVolToken, "/v1/messages", Alert("x", "confidential").dump(), "vol-conf-1");
  expect_error(forbidden, 403, "forbidden");
  std::printf("vol-1 confidential: %d %s", forbidden->status, forbidden->body.c_str());
  // ... and the retry gets the same answer.
  expect_error(Post(kVolToken, "/v1/messages", Alert("x", "confidential").dump(), "vol-conf-1"),
               403, "forbidden");
  // Nobody at the volunteer station may read internal traffic; an organisation the broker does not
  // know is invalid (the broker's reason passes through).
  expect_error(
      Post(kCommandToken, "/v1/messages", Alert("x", "internal", {"org:vol-1"}).dump(), "nobody-1"),
      422, "no-recipients");
  auto unknown_org = Post(kCommandToken, "/v1/messages",
                          Alert("x", "internal", {"org:no-such-org"}).dump(), "nobody-2");
  expect_error(unknown_org, 400, "invalid");
  EXPECT_NE(unknown_org->body.find("unknown organisation 'no-such-org'"), std::string::npos)
      << unknown_org->body;

  // Request errors.
  expect_error(Post(kCommandToken, "/v1/messages", Alert("x").dump()), 400,
               "invalid");  // no Idempotency-Key
  expect_error(Post(kCommandToken, "/v1/messages", "{\"kind\": ", "bad-json"), 400, "invalid");
  json unknown = Alert("x");
  unknown["priority"] = "high";
  expect_error(Post(kCommandToken, "/v1/messages", unknown.dump(), "unknown-1"), 400, "invalid");
  json body_unknown = Alert("x");
  body_unknown["body"]["infos"][0]["colour"] = "red";
  auto unknown_in_body = Post(kCommandToken, "/v1/messages", body_unknown.dump(), "unknown-2");
  expect_error(unknown_in_body, 400, "invalid");
  EXPECT_NE(unknown_in_body->body.find("unknown field 'colour'"), std::string::npos)
      << unknown_in_body->body;
  json no_event = Alert("x");
  no_event["body"]["infos"][0].erase("event");
  auto cap = Post(kCommandToken, "/v1/messages", no_event.dump(), "cap-1");
  expect_error(cap, 400, "invalid");
  EXPECT_NE(cap->body.find("MISSING_REQUIRED_ELEMENT"), std::string::npos) << cap->body;
  expect_error(Client().Post("/v1/messages",
                             {{"Authorization", std::string("Bearer ") + kCommandToken},
                              {"Idempotency-Key", "xml-1"}},
                             "<alert/>", "application/xml"),
               415, "unsupported-media-type");
  expect_error(Post(kCommandToken, "/v1/messages", std::string(2u << 20, ' '), "big-1"), 413,
               "too-large");
  // A JSON document over the limit, too; then the gateway goes on serving.
  json big = Alert(std::string(1100u << 10, 'x'));
  expect_error(Post(kCommandToken, "/v1/messages", big.dump(), "big-2"), 413, "too-large");
  auto health = Client().Get("/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  expect_error(Get(kCommandToken, "/v1/nothing-here"), 404, "not-found");
  expect_error(Get(kCommandToken, "/v1/submissions/gw-unknown"), 404, "not-found");
  expect_error(Post(kMsdToken, "/v1/acks", R"({"seqs": [1], "level": "read"})"), 400, "invalid");
  expect_error(Post(kMsdToken, "/v1/acks", R"({"seqs": [], "level": "received"})"), 400, "invalid");
  // vol-1 was never sent message 1: the broker's not-found.
  const uint64_t seq = Publish(kCommandToken, "to-msd-1", Alert("for msd"), 201)["seq"];
  expect_error(Post(kVolToken, "/v1/acks",
                    R"({"seqs": [)" + std::to_string(seq) + R"(], "level": "received"})"),
               404, "not-found");
}

TEST_F(GatewayTest, NothingAcceptedIsLostWhenTheGatewayIsKilled) {
  // The broker is down: documents are taken (202) and kept.
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  StartGateway();
  std::map<std::string, std::string> ids;  // key -> client message id
  for (const std::string key : {"outage-1", "outage-2", "outage-3"}) {
    auto r =
        Post(kCommandToken, "/v1/messages", Alert("Drill during an outage: " + key).dump(), key);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    json body = json::parse(r->body);
    ExpectDocumented(body, "Submission");
    EXPECT_EQ(body["state"], "pending");
    ids[key] = body["client_message_id"];
    EXPECT_EQ(r->get_header_value("Location"), "/v1/submissions/" + ids[key]);
    auto follow = Get(kCommandToken, r->get_header_value("Location"));
    ASSERT_TRUE(follow);
    EXPECT_EQ(follow->status, 200);
    EXPECT_EQ(json::parse(follow->body)["state"], "pending");
  }
  KillGateway();

  // Broker back, gateway restarted: the outbox delivers what was promised.
  ASSERT_TRUE(broker_->Restart());
  ASSERT_TRUE(broker_->WaitReady()) << broker_->Log();
  StartGateway();
  std::map<std::string, uint64_t> seqs;
  for (const auto& [key, id] : ids) {
    ASSERT_TRUE(WaitFor(
        [&] {
          auto r = Get(kCommandToken, "/v1/submissions/" + id);
          return r && r->status == 200 && json::parse(r->body)["state"] == "done";
        },
        30))
        << GatewayLog();
    json sub = json::parse(Get(kCommandToken, "/v1/submissions/" + id)->body);
    ExpectDocumented(sub, "Submission");
    seqs[key] = sub["receipt"]["seq"];
    // A retry now answers with the receipt.
    json again = Publish(kCommandToken, key, Alert("Drill during an outage: " + key), 201);
    EXPECT_EQ(again["seq"], seqs[key]);
  }

  // Accepted with 201, then the gateway dies at once: the retry after the restart is the same.
  json accepted = Publish(kCommandToken, "just-before-kill", Alert("Drill: last words"), 201);
  KillGateway();
  StartGateway();
  json replay = Publish(kCommandToken, "just-before-kill", Alert("Drill: last words"), 201);
  EXPECT_EQ(replay["seq"], accepted["seq"]);
  seqs["just-before-kill"] = accepted["seq"];
  ids["just-before-kill"] = accepted["client_message_id"];

  // msd gets each once.
  {
    SseReader sse(base_, dir_.Sub("gateway.crt"), kMsdToken, std::nullopt);
    for (const auto& [key, seq] : seqs) ASSERT_TRUE(sse.HasDelivery(seq)) << key << GatewayLog();
    ASSERT_TRUE(sse.CaughtUp());
    auto got = sse.DeliveryIds();
    EXPECT_EQ(got.size(), seqs.size());
    EXPECT_EQ(std::set<uint64_t>(got.begin(), got.end()).size(), seqs.size());
  }
  StopGateway();
  ASSERT_EQ(broker_->Stop(), 0) << broker_->Log();
  auto copies = StoredCopies("command");
  for (const auto& [key, id] : ids) EXPECT_EQ(copies[id], 1) << key;
  EXPECT_EQ(copies.size(), ids.size());
  std::printf(
      "gateway kill test: %zu documents, gateway SIGKILLed twice, each in the broker once\n",
      ids.size());
}

TEST_F(GatewayTest, TokenCommandsAndConfigurationErrors) {
  CommandResult hashed = RunCommand(
      {"/bin/sh", "-c",
       std::string("printf '%s\\n' '") + kMsdToken + "' | " + MUSTER_GATEWAY_PATH + " hash-token"});
  ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
  EXPECT_EQ(hashed.out, gateway::TokenSha256(kMsdToken) + "\n");
  CommandResult empty = RunCommand(
      {"/bin/sh", "-c", std::string("printf '' | ") + MUSTER_GATEWAY_PATH + " hash-token"});
  EXPECT_EQ(empty.exit_code, 2);

  CommandResult fresh = RunCommand({MUSTER_GATEWAY_PATH, "new-token"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  auto token_at = fresh.out.find("token: ");
  auto hash_at = fresh.out.find("token_sha256: ");
  ASSERT_NE(token_at, std::string::npos);
  ASSERT_NE(hash_at, std::string::npos);
  std::string token = fresh.out.substr(token_at + 7, fresh.out.find('\n') - token_at - 7);
  std::string hash = fresh.out.substr(hash_at + 14, 64);
  EXPECT_EQ(gateway::TokenSha256(token), hash);

  ASSERT_TRUE(
      WriteFileAtomic(dir_.Sub("bad.toml"), "[gateway]\nlisten = \"127.0.0.1:1\"\ntoken = \"x\"\n")
          .ok());
  CommandResult bad = RunCommand({MUSTER_GATEWAY_PATH, "run", "--config", dir_.Sub("bad.toml")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.toml:3: unknown key 'token' in [gateway]"), std::string::npos)
      << bad.err;

  // A gateway whose TLS key does not load refuses to start.
  ASSERT_TRUE(WriteFileAtomic(dir_.Sub("gateway.key"), "not a key\n", 0600).ok());
  CommandResult no_tls =
      RunCommand({MUSTER_GATEWAY_PATH, "run", "--config", dir_.Sub("gateway.toml")}, {}, 30);
  EXPECT_EQ(no_tls.exit_code, 2) << no_tls.err;
  EXPECT_NE(no_tls.err.find("gateway.cert/key"), std::string::npos) << no_tls.err;
}

TEST_F(GatewayTest, EachTokenActsOnlyAsItsOwnAgency) {
  StartGateway();
  // An internal alert for msd, and a public one for msd and the volunteer station.
  const uint64_t internal_seq =
      Publish(kCommandToken, "iso-1", Alert("Drill: internal, for msd"), 201)["seq"];
  const uint64_t public_seq =
      Publish(kCommandToken, "iso-2", Alert("Drill: public", "public", {"org:msd", "org:vol-1"}),
              201)["seq"];
  // vol-1's token opens vol-1's stream: the public alert, never msd's internal one.
  {
    SseReader sse(base_, dir_.Sub("gateway.crt"), kVolToken, std::nullopt);
    ASSERT_TRUE(sse.HasDelivery(public_seq)) << GatewayLog();
    ASSERT_TRUE(sse.CaughtUp()) << GatewayLog();
    EXPECT_EQ(sse.DeliveryIds(), (std::vector<uint64_t>{public_seq}));
  }
  // msd's token opens msd's stream: both.
  {
    SseReader sse(base_, dir_.Sub("gateway.crt"), kMsdToken, std::nullopt);
    ASSERT_TRUE(sse.HasDelivery(internal_seq)) << GatewayLog();
    ASSERT_TRUE(sse.HasDelivery(public_seq)) << GatewayLog();
  }
  // Status: the sender and the duty officer (policy) see it; recipients do not.
  auto code_of = [&](const char* token, uint64_t seq) {
    auto r = Get(token, "/v1/messages/" + std::to_string(seq) + "/status");
    return r ? r->status : -1;
  };
  EXPECT_EQ(code_of(kCommandToken, internal_seq), 200);
  EXPECT_EQ(code_of(kDutyToken, internal_seq), 200);
  EXPECT_EQ(code_of(kMsdToken, internal_seq), 404);
  EXPECT_EQ(code_of(kVolToken, internal_seq), 404);
  EXPECT_EQ(code_of(kVolToken, public_seq), 404);
  // vol-1 cannot ack what was delivered to msd only; msd can.
  auto vol_ack =
      Post(kVolToken, "/v1/acks",
           R"({"seqs": [)" + std::to_string(internal_seq) + R"(], "level": "acknowledged"})");
  ASSERT_TRUE(vol_ack);
  EXPECT_EQ(vol_ack->status, 404) << vol_ack->body;
  auto msd_ack =
      Post(kMsdToken, "/v1/acks",
           R"({"seqs": [)" + std::to_string(internal_seq) + R"(], "level": "acknowledged"})");
  ASSERT_TRUE(msd_ack);
  EXPECT_EQ(msd_ack->status, 200) << msd_ack->body;
  EXPECT_EQ(DeliveryState(internal_seq, "msd"), "acknowledged");
  // A message posted with vol-1's token is vol-1's: its sender is vol-1, whatever it claims.
  json claims = Alert("Drill: from the station", "public", {"org:ema"});
  claims["body"]["sender"] = "command";
  const uint64_t from_vol = Publish(kVolToken, "iso-3", claims, 201)["seq"];
  auto as_sender = Get(kVolToken, "/v1/messages/" + std::to_string(from_vol) + "/status");
  ASSERT_TRUE(as_sender);
  ASSERT_EQ(as_sender->status, 200) << as_sender->body;
  EXPECT_EQ(json::parse(as_sender->body)["sender"], "vol-1");
  EXPECT_EQ(code_of(kCommandToken, from_vol), 404);
}

TEST_F(GatewayTest, PlainHttpIsRefusedWhenTlsIsConfigured) {
  StartGateway();
  httplib::Client plain("http://127.0.0.1:" + std::to_string(port_));
  plain.set_connection_timeout(std::chrono::seconds(5));
  plain.set_read_timeout(std::chrono::seconds(5));
  auto r = plain.Post(
      "/v1/messages",
      {{"Authorization", std::string("Bearer ") + kCommandToken}, {"Idempotency-Key", "plain-1"}},
      Alert("Drill: over plain HTTP").dump(), "application/json");
  // The TLS server never answers in clear: the connection ends without an HTTP answer.
  EXPECT_FALSE(r) << "plain HTTP got an answer: " << (r ? r->body : "");
  auto health = plain.Get("/v1/health");
  EXPECT_FALSE(health);
  // Nothing was taken, and HTTPS goes on.
  auto sub = Get(kCommandToken, "/v1/submissions/" + gateway::ClientMessageIdForKey("plain-1"));
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->status, 404) << sub->body;
  json receipt = Publish(kCommandToken, "plain-1", Alert("Drill: over plain HTTP"), 201);
  EXPECT_GT(receipt["seq"].get<uint64_t>(), 0u);
  EXPECT_NE(GatewayLog().find("serving"), std::string::npos);
  // TLS 1.2 and 1.3 only: an old client is refused at the handshake.
  const std::string peer = "127.0.0.1:" + std::to_string(port_);
  CommandResult tls11 = RunCommand({"/usr/bin/openssl", "s_client", "-tls1_1", "-connect", peer,
                                    "-CAfile", dir_.Sub("gateway.crt")},
                                   {}, 20);
  EXPECT_NE(tls11.exit_code, 0) << tls11.out << tls11.err;
  CommandResult tls12 =
      RunCommand({"/usr/bin/openssl", "s_client", "-tls1_2", "-verify_return_error", "-connect",
                  peer, "-CAfile", dir_.Sub("gateway.crt")},
                 {}, 20);
  EXPECT_EQ(tls12.exit_code, 0) << tls12.out << tls12.err;
  EXPECT_NE(tls12.out.find("Protocol  : TLSv1.2"), std::string::npos) << tls12.out;
}

TEST(GatewayOpenApiTest, DocumentParsesAndNamesExactlyTheRegisteredRoutes) {
  std::string problems;
  json summary = OpenApiSummary(&problems);
  ASSERT_TRUE(summary.is_object()) << problems;
  std::set<std::string> documented = summary["operations"];
  CommandResult routes = RunCommand({MUSTER_GATEWAY_PATH, "routes"});
  ASSERT_EQ(routes.exit_code, 0) << routes.err;
  std::set<std::string> registered;
  size_t start = 0;
  while (start < routes.out.size()) {
    size_t nl = routes.out.find('\n', start);
    if (nl == std::string::npos) nl = routes.out.size();
    if (nl > start) registered.insert(routes.out.substr(start, nl - start));
    start = nl + 1;
  }
  EXPECT_GE(registered.size(), 5u) << routes.out;
  for (const auto& route : registered) {
    EXPECT_TRUE(documented.count(route)) << route << " is not in docs/gateway-openapi.yaml";
  }
  for (const auto& route : documented) {
    EXPECT_TRUE(registered.count(route)) << route << " is documented but not served";
  }
  // The checker itself refuses a broken document.
  TempDir dir;
  auto text = ReadFile(std::string(MUSTER_SOURCE_DIR) + "/docs/gateway-openapi.yaml");
  ASSERT_TRUE(text.ok());
  std::string broken = *text;
  broken.replace(broken.find("#/components/schemas/Receipt"), 28, "#/components/schemas/Receit");
  ASSERT_TRUE(WriteFileAtomic(dir.Sub("broken.yaml"), broken).ok());
  CommandResult bad =
      RunCommand({"/usr/bin/python3",
                  std::string(MUSTER_SOURCE_DIR) + "/tests/integration/gateway_openapi_check.py",
                  dir.Sub("broken.yaml")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("Receit does not resolve"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace muster::testing
