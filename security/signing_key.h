// Ed25519 keys that sign the audit log's checkpoints as C2SP signed notes (c2sp.org/signed-note),
// through OpenSSL's EVP interface. A key has a name (e.g. "muster.example/audit"); its key ID is
// the first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || 32-byte public key).
//
// Text forms (the ones golang.org/x/mod/sumdb/note uses, so Go tools can read them):
//   verifier key  <name>+<8 hex key ID>+base64(0x01 || 32-byte public key)
//   signing key   PRIVATE+KEY+<name>+<8 hex key ID>+base64(0x01 || 32-byte seed)
// Key files hold one of these on a line, after '#' comment lines. The signing key file is written
// with mode 0600 and refused on load if group or others can read it. Secret keys are never logged
// and never appear in error messages.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace muster::security {

// Signature type byte of Ed25519 in the signed-note key ID and key encodings.
constexpr uint8_t kNoteEd25519Type = 0x01;

using Ed25519PublicKey = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;

// A note key name: non-empty UTF-8 without '+', Unicode spaces or control characters.
bool IsValidNoteKeyName(std::string_view name);

// C2SP key ID of an Ed25519 key (see the file comment).
uint32_t NoteKeyId(std::string_view name, const Ed25519PublicKey& public_key);

// The public half: what an auditor pins to check checkpoints. Value type.
struct VerifierKey {
  std::string name;
  uint32_t key_id = 0;
  Ed25519PublicKey public_key{};

  bool operator==(const VerifierKey&) const = default;
};

// Builds a verifier key, computing its key ID. InvalidArgument for an invalid name.
Result<VerifierKey> MakeVerifierKey(std::string name, const Ed25519PublicKey& public_key);

// Parses "<name>+<hex8>+<base64(0x01 || key)>". InvalidArgument names the bad part; a key ID that
// does not match the name and key is rejected.
Result<VerifierKey> ParseVerifierKey(std::string_view text);
std::string FormatVerifierKey(const VerifierKey& key);

// Checks an Ed25519 signature (RFC 8032, pure Ed25519) over `message`. InvalidArgument if the
// signature is not 64 bytes; Unauthenticated if it does not verify.
Status VerifyEd25519(const Ed25519PublicKey& public_key, std::string_view message,
                     std::string_view signature);

// An Ed25519 signing key with its note key name. Owns the OpenSSL key object; neither copyable nor
// movable (hold it by unique_ptr). Sign() is const and may be called from several threads at once.
// The secret is wiped from memory when the key is destroyed.
class SigningKey {
 public:
  // A new random key. InvalidArgument for an invalid name; Internal if OpenSSL fails.
  static Result<std::unique_ptr<SigningKey>> Generate(std::string name);
  // The key with this 32-byte RFC 8032 seed.
  static Result<std::unique_ptr<SigningKey>> FromSeed(std::string name, std::string_view seed);
  // Parses "PRIVATE+KEY+<name>+<hex8>+<base64(0x01 || seed)>"; the key ID must match.
  static Result<std::unique_ptr<SigningKey>> Parse(std::string_view secret_key_text);
  // Reads a signing key file. NotFound / IoError from the filesystem; PermissionDenied if the file
  // is readable by group or others; InvalidArgument if it holds no valid key.
  static Result<std::unique_ptr<SigningKey>> LoadFile(const std::string& path);

  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  SigningKey(SigningKey&&) = delete;
  SigningKey& operator=(SigningKey&&) = delete;

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const Ed25519PublicKey& public_key() const { return public_key_; }
  VerifierKey verifier_key() const { return {name_, key_id_, public_key_}; }

  // Ed25519 signature of `message`. Internal only if OpenSSL fails.
  Result<Ed25519Signature> Sign(std::string_view message) const;

  // The "PRIVATE+KEY+..." text. Contains the secret: write it only to a 0600 file.
  std::string FormatSecret() const;

 private:
  struct Secret;  // Owns the EVP_PKEY; defined in signing_key.cc.
  SigningKey(std::string name, std::unique_ptr<Secret> secret, const Ed25519PublicKey& public_key);

  std::string name_;
  std::unique_ptr<Secret> secret_;
  Ed25519PublicKey public_key_{};
  uint32_t key_id_ = 0;
};

// Writes the signing key file (mode 0600) or the verifier key file (mode 0644), atomically.
// AlreadyExists unless `overwrite`.
Status WriteSigningKeyFile(const std::string& path, const SigningKey& key, bool overwrite = false);
Status WriteVerifierKeyFile(const std::string& path, const VerifierKey& key,
                            bool overwrite = false);

// Reads a verifier key file. NotFound / IoError from the filesystem; InvalidArgument if it holds no
// valid verifier key.
Result<VerifierKey> LoadVerifierKeyFile(const std::string& path);

}  // namespace muster::security
