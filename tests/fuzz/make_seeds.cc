// Writes the generated seeds of the fuzz corpora: encoded protocol frames, signed checkpoint notes
// (with the fixed keys of fuzz_keys.h), the demo policy as `musterd --demo` writes it with fixed
// CURVE keys (by key_file and inline) and broken variants of it, and the public key files the
// policy target resolves key_file against. Run once after changing a schema, a format or the demo
// policy, and commit the output:
//
//   muster_fuzz_make_seeds tests/fuzz
//
// Deterministic: the same sources give the same bytes. Hand-written seeds (CAP XML, the hostile
// documents) live beside these and are not touched.
#include <capnp/message.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/cap/cap_parser.h"
#include "broker/demo_setup.h"
#include "schemas/frame_codec.h"
#include "schemas/protocol.capnp.h"
#include "security/checkpoint_note.h"
#include "security/curve_keys.h"
#include "security/note_encoding.h"
#include "security/sha256.h"
#include "security/signing_key.h"
#include "tests/fuzz/fuzz_keys.h"

namespace {

namespace fs = std::filesystem;
namespace schema = muster::schema;
namespace security = muster::security;

int failures = 0;

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    ++failures;
  }
}

// --- Frames -------------------------------------------------------------------------------------

const char kSmallCap[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>CZ-EMA-2026-0042</identifier>
  <sender>ema@changzhou.example</sender>
  <sent>2026-11-28T21:05:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>Flood</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <headline>River above warning level</headline>
    <parameter><valueName>level</valueName><value>5.2</value></parameter>
    <area>
      <areaDesc>Wujin district</areaDesc>
      <polygon>31.6,119.9 31.7,120.0 31.6,120.1 31.6,119.9</polygon>
      <geocode><valueName>GB/T 2260</valueName><value>320412</value></geocode>
    </area>
  </info>
</alert>
)";

void FillEnvelope(schema::Envelope::Builder e) {
  e.setClientMessageId("cmid-0001");
  e.getSent().setUnixMillis(1795870800000);
  e.getSent().setUtcOffsetMinutes(480);
  e.setStatus(schema::MessageStatus::EXERCISE);
  e.setPrecedence(schema::Precedence::IMMEDIATE);
  e.setClassification(schema::Classification::INTERNAL);
  e.setIncident("flood-2026-11");
  auto refs = e.initReferences(2);
  refs.set(0, 17);
  refs.set(1, 42);
  auto a = e.initAddressing();
  a.initPrincipals(1).set(0, "duty");
  a.initOrganisations(2).set(0, "ema");
  a.getOrganisations().set(1, "rescue-1");
  a.initAreas(1).set(0, "320412");
  e.setAckDeadlineMillis(600000);
}

std::string FrameBytes(capnp::MessageBuilder& message) {
  return muster::wire::EncodeFrame(message);
}

void WriteFrames(const fs::path& dir) {
  {
    capnp::MallocMessageBuilder m;
    auto hello = m.initRoot<schema::Frame>().initHello();
    hello.setProtocolVersion(schema::PROTOCOL_VERSION);
    hello.setClientName("muster/0.1 watch");
    hello.setReceive(true);
    hello.setWindow(64);
    Write(dir / "hello.bin", FrameBytes(m));
  }
  auto cap = muster::cap::ParseCapMessage(kSmallCap);
  if (!cap.ok()) {
    std::fprintf(stderr, "seed CAP refused: %s\n", cap.status().ToString().c_str());
    ++failures;
    return;
  }
  auto alert = (*cap)->getRoot<schema::Alert>().asReader();
  std::string publish_alert;
  {
    capnp::MallocMessageBuilder m;
    auto publish = m.initRoot<schema::Frame>().initPublish();
    publish.setClientMessageId("cmid-0001");
    auto e = publish.initEnvelope();
    FillEnvelope(e);
    e.getBody().setAlert(alert);
    publish_alert = FrameBytes(m);
    Write(dir / "publish_alert.bin", publish_alert);
  }
  {
    // The same publish spread over many one-word segments: far pointers everywhere.
    capnp::MallocMessageBuilder m(1, capnp::AllocationStrategy::FIXED_SIZE);
    auto publish = m.initRoot<schema::Frame>().initPublish();
    publish.setClientMessageId("cmid-0002");
    auto e = publish.initEnvelope();
    FillEnvelope(e);
    auto body = e.getBody().initAlert();
    body.setIdentifier("x");
    body.initInfos(1)[0].setEvent("Fire");
    Write(dir / "publish_alert_segments.bin", FrameBytes(m));
  }
  {
    capnp::MallocMessageBuilder m;
    auto publish = m.initRoot<schema::Frame>().initPublish();
    publish.setClientMessageId("cmid-0003");
    auto e = publish.initEnvelope();
    FillEnvelope(e);
    auto liaison = e.getBody().initLiaison();
    liaison.setAction(schema::LiaisonAssignment::Action::ARRIVE);
    liaison.setOfficer("liaison-1");
    liaison.setToOrg("ema");
    auto at = liaison.initLocation();
    at.setPresent(true);
    at.setLatitude(31.78);
    at.setLongitude(119.95);
    auto original = e.initOriginal();
    original.setMimeType("application/octet-stream");
    const capnp::byte raw[] = {0, 1, 2, 3, 0xff};
    original.setBytes(kj::arrayPtr(raw, sizeof(raw)));
    Write(dir / "publish_liaison.bin", FrameBytes(m));
  }
  {
    capnp::MallocMessageBuilder m;
    auto ack = m.initRoot<schema::Frame>().initAck();
    auto seqs = ack.initSeqs(3);
    seqs.set(0, 1);
    seqs.set(1, 2);
    seqs.set(2, 99);
    ack.setLevel(schema::AckLevel::ACKNOWLEDGED);
    ack.setRequestId(7);
    Write(dir / "ack.bin", FrameBytes(m));
  }
  {
    capnp::MallocMessageBuilder m;
    auto q = m.initRoot<schema::Frame>().initQuery();
    q.setQueryId(11);
    q.setStats();
    Write(dir / "query_stats.bin", FrameBytes(m));
  }
  {
    capnp::MallocMessageBuilder m;
    auto q = m.initRoot<schema::Frame>().initQuery();
    q.setQueryId(12);
    auto audit = q.initAudit();
    audit.setVerb("proof");
    audit.setSender("command");
    audit.setLimit(10);
    auto args = audit.initArgs(2);
    args.set(0, "17");
    args.set(1, "42");
    Write(dir / "query_audit.bin", FrameBytes(m));
  }
  {
    capnp::MallocMessageBuilder m;
    m.initRoot<schema::Frame>().initPing().setNonce(0x0123456789abcdefULL);
    Write(dir / "ping.bin", FrameBytes(m));
  }
  {
    capnp::MallocMessageBuilder m;
    m.initRoot<schema::Frame>().setBye();
    Write(dir / "bye.bin", FrameBytes(m));
  }
  // Invalid: a truncated publish (segment table promises more than there is), a segment table
  // claiming a huge segment count, and an unknown command.
  Write(dir / "bad_truncated_publish.bin",
        publish_alert.substr(0, publish_alert.size() / 2 / 8 * 8));
  {
    std::string huge = publish_alert.substr(0, 16);
    huge[0] = '\xff';
    huge[1] = '\xff';
    Write(dir / "bad_segment_count.bin", huge);
  }
  {
    // The Frame's union discriminant is the first data word of the root struct, right after the
    // segment table (8 bytes) and the root pointer (8 bytes): command 32 does not exist.
    std::string unknown_member = publish_alert;
    unknown_member[16] = '\x20';
    Write(dir / "bad_unknown_command.bin", unknown_member);
  }
}

// --- Checkpoint notes ---------------------------------------------------------------------------

std::unique_ptr<security::SigningKey> Key(std::string_view name, std::string_view seed) {
  auto key = security::SigningKey::FromSeed(std::string(name), seed);
  if (!key.ok()) {
    std::fprintf(stderr, "key: %s\n", key.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*key);
}

std::string Signed(const std::string& body, const security::SigningKey& key) {
  auto note = security::SignCheckpoint(body, key);
  if (!note.ok()) {
    std::fprintf(stderr, "sign: %s\n", note.status().ToString().c_str());
    ++failures;
    return "";
  }
  return *note;
}

// Signs any note text, checkpoint body or not.
std::string SignedText(const std::string& text, const security::SigningKey& key) {
  auto note = security::SignNote(text, key);
  if (!note.ok()) {
    std::fprintf(stderr, "sign: %s\n", note.status().ToString().c_str());
    ++failures;
    return "";
  }
  return *note;
}

void WriteCheckpoints(const fs::path& dir) {
  auto key = Key(muster::fuzz::kCheckpointKeyName, muster::fuzz::kCheckpointKeySeed);
  auto witness = Key(muster::fuzz::kWitnessKeyName, muster::fuzz::kWitnessKeySeed);
  auto stranger = Key(muster::fuzz::kStrangerKeyName, muster::fuzz::kStrangerKeySeed);
  const std::string origin(muster::fuzz::kCheckpointKeyName);

  std::string empty_tree = security::FormatCheckpointBody(origin, 0, security::Sha256(""));
  std::string body = security::FormatCheckpointBody(origin, 12345, security::Sha256("tree head"));
  std::string with_ext = body + "ext: witnessed 2026-11-28\n";

  Write(dir / "body.txt", body);
  Write(dir / "signed_empty_tree.txt", Signed(empty_tree, *key));
  std::string good = Signed(body, *key);
  Write(dir / "signed.txt", good);
  Write(dir / "signed_extension.txt", Signed(with_ext, *key));
  // Cosigned by a witness and by a key nobody knows (its line must be ignored).
  std::string cosigned = good + Signed(body, *witness).substr(body.size() + 1) +
                         Signed(body, *stranger).substr(body.size() + 1);
  Write(dir / "signed_three_keys.txt", cosigned);
  Write(dir / "signed_stranger_only.txt", Signed(body, *stranger));

  // Broken ones.
  std::string tampered = good;
  tampered[origin.size() + 1] = '9';  // tree size 12345 -> 92345
  Write(dir / "bad_tampered_size.txt", tampered);
  std::string bad_sig = good;
  bad_sig[bad_sig.size() - 6] = bad_sig[bad_sig.size() - 6] == 'A' ? 'B' : 'A';
  Write(dir / "bad_signature_bits.txt", bad_sig);
  Write(dir / "bad_no_blank_line.txt", body + Signed(body, *key).substr(body.size() + 1));
  // Well signed, but the text is not a checkpoint body.
  Write(dir / "bad_leading_zero.txt",
        SignedText(security::FormatCheckpointBody(origin, 7, security::Sha256("x"))
                       .replace(origin.size() + 1, 1, "07"),
                   *key));
  Write(dir / "bad_root_length.txt",
        SignedText(origin + "\n7\n" + security::EncodeBase64(std::string(31, 'r')) + "\n", *key));
  std::string hyphen = good;
  hyphen.replace(body.size() + 1, 4, "- ");  // the em dash (3 bytes) and its space
  Write(dir / "bad_hyphen_dash.txt", hyphen);
  std::string many = body + "\n";
  for (int i = 0; i < 101; ++i) many += "\xE2\x80\x94 k" + std::to_string(i) + " AAAAAAAA\n";
  Write(dir / "bad_101_signatures.txt", many);
  std::string control = good;
  control[3] = '\x01';  // inside the origin line
  Write(dir / "bad_control_char.txt", control);
}

// --- Policies -----------------------------------------------------------------------------------

std::string FixedKey(const std::string& id) {
  return security::EncodeZ85Key(security::Sha256("muster fuzz policy key", id));
}

// The demo policy exactly as `musterd --demo` writes it (key_file = "keys/<id>.pub" lines).
std::string DemoPolicy() {
  fs::path dir = fs::temp_directory_path() / ("muster-fuzz-demo-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string config_path;
  muster::Status s = muster::broker::WriteDemoFiles(dir.string(), &config_path);
  std::string policy;
  if (s.ok()) {
    std::ifstream in(dir / "policy.toml", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    policy = text.str();
  }
  fs::remove_all(dir);
  if (policy.empty()) {
    std::fprintf(stderr, "demo policy: %s\n", s.ok() ? "empty" : s.ToString().c_str());
    std::exit(1);
  }
  return policy;
}

void Replace(std::string* s, const std::string& from, const std::string& to) {
  size_t at = s->find(from);
  if (at == std::string::npos) {
    std::fprintf(stderr, "policy variant: '%s' not found\n", from.c_str());
    ++failures;
    return;
  }
  s->replace(at, from.size(), to);
}

void WritePolicies(const fs::path& dir, const fs::path& base_dir) {
  const std::string demo = DemoPolicy();
  std::string demo_inline = demo;
  for (const auto& p : muster::broker::DemoPrincipals()) {
    const std::string id = p.id;
    Write(base_dir / "keys" / (id + ".pub"), FixedKey(id) + "\n");
    Replace(&demo_inline, "key_file = \"keys/" + id + ".pub\"",
            "public_key = \"" + FixedKey(id) + "\"");
  }
  Write(dir / "demo_key_files.toml", demo);
  Write(dir / "demo_inline_keys.toml", demo_inline);
  const std::string minimal =
      "[[organisation]]\nid = \"o\"\nname = \"O\"\nsector = \"rescue\"\n"
      "[[principal]]\nid = \"p\"\norg = \"o\"\nrole = \"admin\"\nrevoked = true\n";
  Write(dir / "minimal.toml", minimal + "public_key = \"" + FixedKey("p") + "\"\n");

  // Each variant breaks one thing in the demo policy.
  struct Variant {
    const char* file;
    std::string from, to;
    bool key_files = false;
  };
  const Variant variants[] = {
      {"bad_sector.toml", "sector = \"rescue\"", "sector = \"navy\""},
      {"bad_undefined_org.toml", "org = \"vol-1\"", "org = \"vol-2\""},
      {"bad_shared_key.toml", FixedKey("duty"), FixedKey("command")},
      {"bad_missing_key_file.toml", "keys/msd.pub", "keys/missing.pub", true},
      {"bad_unknown_key.toml", "clearance = \"internal\"",
       "clearance = \"internal\"\nclerance = \"secret\""},
      {"bad_jurisdiction.toml", "[\"320481\"]", "[\"32048\", 320481]"},
      {"bad_unterminated_string.toml", "name = \"Audit office\"", "name = \"Audit office"},
      {"bad_rule_action.toml", "action = \"send\"", "action = \"sned\""},
      {"bad_rule_classification.toml", "max_classification = \"internal\"",
       "max_classification = \"top secret\""},
      {"bad_rate_limit.toml", "per_second = 200.0", "per_second = -1.0"},
      {"bad_limits.toml", "max_recipients = 10000", "max_recipients = \"many\""},
  };
  for (const Variant& v : variants) {
    std::string text = v.key_files ? demo : demo_inline;
    Replace(&text, v.from, v.to);
    Write(dir / v.file, text);
  }
  Write(dir / "bad_organisation_table.toml",
        "[organisation]\nid = \"o\"\n\n[[principal]]\nid = \"p\"\n");
  Write(dir / "bad_deep_arrays.toml",
        "x = " + std::string(300, '[') + std::string(300, ']') + "\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s TESTS_FUZZ_DIR\n", argv[0]);
    return 2;
  }
  fs::path root = argv[1];
  WriteFrames(root / "corpus" / "frame");
  WriteCheckpoints(root / "corpus" / "checkpoint_note");
  WritePolicies(root / "corpus" / "policy", root / "policy_base");
  return failures == 0 ? 0 : 1;
}
