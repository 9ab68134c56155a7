// libFuzzer target: arbitrary text -> C2SP signed-note and checkpoint parsing and verification,
// with the fixed test keys of fuzz_keys.h.
//
// Invariants checked beyond "no crash":
//   - errors are InvalidArgument or Unauthenticated (checkpoint_note.h);
//   - a parsed note has 1..kMaxNoteSignatures signatures and text ending in a newline;
//   - a checkpoint body that parses formats back to the same bytes (the syntax allows one spelling
//     of each value), and a note made by signing it verifies to the same checkpoint;
//   - a note that verifies has a text that parses as a signed note's text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "security/checkpoint_note.h"
#include "security/signing_key.h"
#include "tests/fuzz/fuzz_keys.h"

namespace {

using muster::Status;
using muster::StatusCode;
namespace security = muster::security;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "checkpoint_note: %s\n", what.c_str());
  std::abort();
}

void CheckError(const Status& status, const char* where) {
  if (status.code() != StatusCode::kInvalidArgument &&
      status.code() != StatusCode::kUnauthenticated) {
    Fail(std::string(where) + " returned an unexpected error: " + status.ToString());
  }
}

std::unique_ptr<security::SigningKey> MakeKey(std::string_view name, std::string_view seed) {
  auto key = security::SigningKey::FromSeed(std::string(name), seed);
  if (!key.ok()) Fail("cannot build a test key: " + key.status().ToString());
  return std::move(*key);
}

struct Keys {
  std::unique_ptr<security::SigningKey> checkpoint =
      MakeKey(muster::fuzz::kCheckpointKeyName, muster::fuzz::kCheckpointKeySeed);
  std::unique_ptr<security::SigningKey> witness =
      MakeKey(muster::fuzz::kWitnessKeyName, muster::fuzz::kWitnessKeySeed);
  std::vector<security::VerifierKey> both = {checkpoint->verifier_key(), witness->verifier_key()};
};

const Keys& TestKeys() {
  static const Keys* keys = new Keys();
  return *keys;
}

void FuzzNote(std::string_view input) {
  auto note = security::ParseSignedNote(input);
  if (!note.ok()) {
    CheckError(note.status(), "ParseSignedNote");
    return;
  }
  if (note->signatures.empty() || note->signatures.size() > security::kMaxNoteSignatures) {
    Fail("ParseSignedNote accepted " + std::to_string(note->signatures.size()) + " signatures");
  }
  if (note->text.empty() || note->text.back() != '\n') {
    Fail("ParseSignedNote returned text without a final newline");
  }
}

void FuzzBody(std::string_view input) {
  auto body = security::ParseCheckpointBody(input);
  if (!body.ok()) {
    CheckError(body.status(), "ParseCheckpointBody");
    return;
  }
  std::string formatted = security::FormatCheckpointBody(body->origin, body->size, body->root);
  for (const auto& extension : body->extensions) formatted += extension + "\n";
  if (formatted != input) Fail("checkpoint body does not format back to its input");

  // Extension lines are not checked for note characters here, so signing may still refuse.
  auto signed_note = security::SignCheckpoint(input, *TestKeys().checkpoint);
  if (!signed_note.ok()) {
    if (signed_note.status().code() != StatusCode::kInvalidArgument) {
      Fail("SignCheckpoint failed: " + signed_note.status().ToString());
    }
    return;
  }
  auto verified =
      security::ParseAndVerifyCheckpoint(*signed_note, TestKeys().checkpoint->verifier_key());
  if (!verified.ok()) {
    Fail("a freshly signed checkpoint does not verify: " + verified.status().ToString());
  }
  if (!(*verified == *body)) Fail("a freshly signed checkpoint verifies to a different checkpoint");
}

void FuzzVerify(std::string_view input) {
  auto one = security::ParseAndVerifyCheckpoint(input, TestKeys().checkpoint->verifier_key());
  if (!one.ok()) CheckError(one.status(), "ParseAndVerifyCheckpoint");

  auto opened = security::OpenNote(input, TestKeys().both);
  if (!opened.ok()) {
    CheckError(opened.status(), "OpenNote");
    return;
  }
  auto reparsed = security::ParseSignedNote(input);
  if (!reparsed.ok() || reparsed->text != *opened) {
    Fail("OpenNote text differs from the parsed note");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzNote(input);
  FuzzBody(input);
  FuzzVerify(input);
  return 0;
}
