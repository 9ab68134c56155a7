// Signed notes (c2sp.org/signed-note) and transparency-log checkpoints (c2sp.org/tlog-checkpoint):
// how the audit log publishes its signed tree heads and how auditors check them offline.
//
//   <origin>\n<decimal tree size>\n<base64 RFC 6962 root>\n[extension lines\n]   <- note text
//   \n                                                                         <- blank line
//   — <key name> <base64(4-byte big-endian key ID || 64-byte Ed25519 signature)>\n   (1..100 lines)
//
// The dash is U+2014 EM DASH followed by a space. Signature lines from keys the verifier does not
// know (name and key ID) are ignored, as the spec requires; at least one signature from a known key
// must verify, and a known key's signature that fails to verify rejects the whole note.
//
// Errors: InvalidArgument for malformed text (the message says what and where); Unauthenticated
// when no known key signed the note or a known key's signature is bad. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "security/sha256.h"
#include "security/signing_key.h"

namespace muster::security {

// More signature lines than this make a note malformed (the spec requires accepting 16).
constexpr size_t kMaxNoteSignatures = 100;
// Larger notes are rejected before parsing.
constexpr size_t kMaxNoteBytes = 1 << 20;

// One signature line, not yet verified.
struct NoteSignature {
  std::string key_name;
  uint32_t key_id = 0;
  std::string signature;  // the bytes after the 4-byte key ID
};

// A syntactically valid signed note.
struct SignedNote {
  std::string text;  // up to and including its last newline, without the blank line
  std::vector<NoteSignature> signatures;
};

// Splits a note into text and signature lines and checks the syntax (valid UTF-8, no control
// characters but newline, final newline, a blank line before the signatures, "— name base64" lines
// with valid names and strict base64 of at least 5 bytes, at most kMaxNoteSignatures lines).
// Verifies nothing.
Result<SignedNote> ParseSignedNote(std::string_view note);

// Signs `text` (which must end with a newline, be valid UTF-8 and contain no control characters
// other than newline) and returns the complete note with one signature line per key, in order
// (several during a signing-key rotation: the new key first, the old one co-signing).
Result<std::string> SignNote(std::string_view text, std::span<const SigningKey* const> keys);
Result<std::string> SignNote(std::string_view text, const SigningKey& key);

// Parses `note` and checks its signatures against `known_keys`; returns the note text.
Result<std::string> OpenNote(std::string_view note, std::span<const VerifierKey> known_keys);

// A checkpoint's body. Callers must check that `origin` is the log they expect.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Digest root{};
  std::vector<std::string> extensions;  // optional extra lines, normally empty

  bool operator==(const Checkpoint&) const = default;
};

// A usable origin line: non-empty UTF-8 without control characters (so no newline).
bool IsValidCheckpointOrigin(std::string_view origin);

// "<origin>\n<size>\n<base64 root>\n". REQUIRES: IsValidCheckpointOrigin(origin).
std::string FormatCheckpointBody(std::string_view origin, uint64_t size, const Digest& root);

// Parses checkpoint note text: at least three non-empty lines (origin, tree size in decimal with no
// leading zeros, base64 of a 32-byte root), then optional non-empty extension lines.
Result<Checkpoint> ParseCheckpointBody(std::string_view text);

// Signs a checkpoint body as a note. Refuses (InvalidArgument) a body that does not parse.
// The key's name should match the origin line.
Result<std::string> SignCheckpoint(std::string_view body, std::span<const SigningKey* const> keys);
Result<std::string> SignCheckpoint(std::string_view body, const SigningKey& key);

// Verifies the note's signature by `verifier_key` (or by one of `known_keys`) and parses the
// checkpoint it carries.
Result<Checkpoint> ParseAndVerifyCheckpoint(std::string_view note_text,
                                            const VerifierKey& verifier_key);
Result<Checkpoint> ParseAndVerifyCheckpoint(std::string_view note_text,
                                            std::span<const VerifierKey> known_keys);

}  // namespace muster::security
