// C2SP signed notes and tlog checkpoints: formatting, parsing, signing and verification.
#include "security/checkpoint_note.h"

#include <algorithm>

#include "common/check.h"
#include "security/note_encoding.h"

namespace muster::security {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space

std::string KeyLabel(std::string_view name, uint32_t id) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(name);
  out.push_back('+');
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(id >> shift) & 15]);
  return out;
}

// Note text rule shared by parsing and signing: valid UTF-8, no control characters but newline.
Status CheckNoteCharacters(std::string_view text, std::string_view what) {
  if (!IsValidUtf8(text)) return Status::InvalidArgument(std::string(what) + " is not valid UTF-8");
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\n') {
      return Status::InvalidArgument(std::string(what) + " contains control character " +
                                     std::to_string(c) + " at byte " + std::to_string(i));
    }
  }
  return Status::Ok();
}

Result<uint64_t> ParseTreeSize(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("checkpoint tree size '" + std::string(s) + "' " +
                                   std::string(why));
  };
  if (s.empty()) return bad("is empty");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return bad("is not a decimal number");
    uint64_t digit = uint64_t(c - '0');
    if (v > (~uint64_t{0} - digit) / 10) return bad("does not fit in 64 bits");
    v = v * 10 + digit;
  }
  if (s.size() > 1 && s[0] == '0') return bad("has a leading zero");
  return v;
}

}  // namespace

Result<SignedNote> ParseSignedNote(std::string_view note) {
  if (note.size() > kMaxNoteBytes) {
    return Status::InvalidArgument("note is " + std::to_string(note.size()) +
                                   " bytes, more than the limit of " +
                                   std::to_string(kMaxNoteBytes));
  }
  MUSTER_RETURN_IF_ERROR(CheckNoteCharacters(note, "note"));
  if (note.empty() || note.back() != '\n') {
    return Status::InvalidArgument("note does not end with a newline");
  }
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("note has no blank line between its text and its signatures");
  }
  SignedNote out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view lines = note.substr(split + 2);
  if (lines.empty()) return Status::InvalidArgument("note has no signature lines");

  size_t line_no = 0;
  while (!lines.empty()) {
    size_t nl = lines.find('\n');  // present: the note ends with a newline
    std::string_view line = lines.substr(0, nl);
    lines.remove_prefix(nl + 1);
    ++line_no;
    std::string where = "signature line " + std::to_string(line_no);
    if (line_no > kMaxNoteSignatures) {
      return Status::InvalidArgument("note has more than " + std::to_string(kMaxNoteSignatures) +
                                     " signature lines");
    }
    if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
      return Status::InvalidArgument(where + " does not start with an em dash and a space");
    }
    line.remove_prefix(kSignaturePrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Status::InvalidArgument(where + " has no space between key name and signature");
    }
    std::string_view name = line.substr(0, space);
    if (!IsValidNoteKeyName(name)) {
      return Status::InvalidArgument(where + " has an invalid key name");
    }
    Result<std::string> blob = DecodeBase64(line.substr(space + 1));
    if (!blob.ok()) return blob.status().WithContext(where);
    if (blob->size() < 5) {
      return Status::InvalidArgument(where + " is too short to hold a key ID and a signature");
    }
    const auto* b = reinterpret_cast<const uint8_t*>(blob->data());
    NoteSignature sig;
    sig.key_name = std::string(name);
    sig.key_id = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    sig.signature = blob->substr(4);
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

Result<std::string> SignNote(std::string_view text, std::span<const SigningKey* const> keys) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("note text must end with a newline");
  }
  if (keys.empty() || keys.size() > kMaxNoteSignatures) {
    return Status::InvalidArgument("a note is signed by 1 to " + std::to_string(kMaxNoteSignatures) + " keys");
  }
  MUSTER_RETURN_IF_ERROR(CheckNoteCharacters(text, "note text"));
  std::string out(text);
  out += "\n";
  for (const SigningKey* key : keys) {
    MUSTER_ASSIGN_OR_RETURN(Ed25519Signature sig, key->Sign(text));
    uint32_t id = key->key_id();
    std::string blob = {static_cast<char>(id >> 24), static_cast<char>(id >> 16),
                        static_cast<char>(id >> 8), static_cast<char>(id)};
    blob.append(reinterpret_cast<const char*>(sig.data()), sig.size());
    out += kSignaturePrefix;
    out += key->name();
    out += " ";
    out += EncodeBase64(blob);
    out += "\n";
  }
  return out;
}

Result<std::string> SignNote(std::string_view text, const SigningKey& key) {
  const SigningKey* one = &key;
  return SignNote(text, std::span<const SigningKey* const>(&one, 1));
}

Result<std::string> OpenNote(std::string_view note, std::span<const VerifierKey> known_keys) {
  MUSTER_ASSIGN_OR_RETURN(SignedNote parsed, ParseSignedNote(note));
  std::vector<const VerifierKey*> seen;
  for (const NoteSignature& sig : parsed.signatures) {
    auto known = std::find_if(known_keys.begin(), known_keys.end(), [&](const VerifierKey& k) {
      return k.name == sig.key_name && k.key_id == sig.key_id;
    });
    if (known == known_keys.end()) continue;  // unknown key: ignored, as the spec requires
    if (std::find(seen.begin(), seen.end(), &*known) != seen.end()) {
      return Status::InvalidArgument("note carries two signatures by key " +
                                     KeyLabel(sig.key_name, sig.key_id));
    }
    Status s = VerifyEd25519(known->public_key, parsed.text, sig.signature);
    if (!s.ok()) {
      return Status::Unauthenticated("signature by key " + KeyLabel(sig.key_name, sig.key_id) +
                                     " is invalid: " + s.message());
    }
    seen.push_back(&*known);
  }
  if (seen.empty()) {
    std::string names;
    for (const VerifierKey& k : known_keys) {
      names += names.empty() ? "" : ", ";
      names += KeyLabel(k.name, k.key_id);
    }
    return Status::Unauthenticated("note has no signature by a known key (known: " +
                                   (names.empty() ? std::string("none") : names) + ")");
  }
  return std::move(parsed.text);
}

bool IsValidCheckpointOrigin(std::string_view origin) {
  if (origin.empty() || !IsValidUtf8(origin)) return false;
  return std::none_of(origin.begin(), origin.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

std::string FormatCheckpointBody(std::string_view origin, uint64_t size, const Digest& root) {
  MUSTER_CHECK(IsValidCheckpointOrigin(origin));
  std::string out(origin);
  out += "\n";
  out += std::to_string(size);
  out += "\n";
  out += EncodeBase64(root.data(), root.size());
  out += "\n";
  return out;
}

Result<Checkpoint> ParseCheckpointBody(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("checkpoint text does not end with a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines.size() < 3) {
    return Status::InvalidArgument("checkpoint text has " + std::to_string(lines.size()) +
                                   " lines; it needs origin, tree size and root hash");
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return Status::InvalidArgument("checkpoint line " + std::to_string(i + 1) + " is empty");
    }
  }
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  if (!IsValidCheckpointOrigin(cp.origin)) {
    return Status::InvalidArgument("checkpoint origin is not valid UTF-8 text");
  }
  MUSTER_ASSIGN_OR_RETURN(cp.size, ParseTreeSize(lines[1]));
  Result<std::string> root = DecodeBase64(lines[2]);
  if (!root.ok()) return root.status().WithContext("checkpoint root hash");
  if (root->size() != cp.root.size()) {
    return Status::InvalidArgument("checkpoint root hash is " + std::to_string(root->size()) +
                                   " bytes, expected 32");
  }
  std::copy(root->begin(), root->end(), cp.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) cp.extensions.emplace_back(lines[i]);
  return cp;
}

Result<std::string> SignCheckpoint(std::string_view body, std::span<const SigningKey* const> keys) {
  Result<Checkpoint> parsed = ParseCheckpointBody(body);
  if (!parsed.ok()) return parsed.status().WithContext("refusing to sign");
  return SignNote(body, keys);
}

Result<std::string> SignCheckpoint(std::string_view body, const SigningKey& key) {
  const SigningKey* one = &key;
  return SignCheckpoint(body, std::span<const SigningKey* const>(&one, 1));
}

Result<Checkpoint> ParseAndVerifyCheckpoint(std::string_view note_text,
                                            const VerifierKey& verifier_key) {
  return ParseAndVerifyCheckpoint(note_text, std::span<const VerifierKey>(&verifier_key, 1));
}

Result<Checkpoint> ParseAndVerifyCheckpoint(std::string_view note_text,
                                            std::span<const VerifierKey> known_keys) {
  MUSTER_ASSIGN_OR_RETURN(std::string text, OpenNote(note_text, known_keys));
  return ParseCheckpointBody(text);
}

}  // namespace muster::security
