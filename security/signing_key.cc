// Ed25519 note keys on OpenSSL EVP: generation, text forms, key files, signing and verification.
#include "security/signing_key.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "common/files.h"
#include "security/note_encoding.h"
#include "security/sha256.h"

namespace muster::security {
namespace {

constexpr std::string_view kSecretPrefix = "PRIVATE+KEY+";

// Takes the first OpenSSL error (if any) and clears the queue so it cannot leak into later calls.
std::string OpenSslError(std::string_view what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  std::string out(what);
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    out += ": ";
    out += buf;
  }
  return out;
}

// Splits at the first '+': returns the part before it and leaves the rest in *text.
bool ChopPlus(std::string_view* text, std::string_view* head) {
  size_t plus = text->find('+');
  if (plus == std::string_view::npos) return false;
  *head = text->substr(0, plus);
  text->remove_prefix(plus + 1);
  return true;
}

Result<uint32_t> ParseKeyIdHex(std::string_view hex) {
  // The value is not echoed: in a mangled signing key it could be part of the secret.
  if (hex.size() != 8) return Status::InvalidArgument("key ID must be 8 hex digits");
  uint32_t id = 0;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return Status::InvalidArgument("key ID must be 8 hex digits");
    }
    id = (id << 4) | uint32_t(v);
  }
  return id;
}

std::string KeyIdHex(uint32_t id) {
  uint8_t be[4] = {uint8_t(id >> 24), uint8_t(id >> 16), uint8_t(id >> 8), uint8_t(id)};
  return ToHex(be, sizeof(be));
}

// base64(0x01 || 32 bytes), shared by the public and the secret text forms.
std::string EncodeTypedKey(const uint8_t* key) {
  uint8_t buf[33];
  buf[0] = kNoteEd25519Type;
  std::memcpy(buf + 1, key, 32);
  std::string out = EncodeBase64(buf, sizeof(buf));
  OPENSSL_cleanse(buf, sizeof(buf));
  return out;
}

// Decodes base64(0x01 || 32 bytes) into `key`. `what` names the key in errors (never its value).
Status DecodeTypedKey(std::string_view b64, std::string_view what, uint8_t* key) {
  Result<std::string> raw = DecodeBase64(b64);
  if (!raw.ok()) return raw.status().WithContext(what);
  Status status;
  if (raw->size() != 33) {
    status = Status::InvalidArgument(std::string(what) + ": expected 33 bytes (type + key), got " +
                                     std::to_string(raw->size()));
  } else if (static_cast<uint8_t>((*raw)[0]) != kNoteEd25519Type) {
    status = Status::InvalidArgument(std::string(what) + ": unsupported signature type " +
                                     std::to_string(static_cast<uint8_t>((*raw)[0])) +
                                     " (only 1, Ed25519)");
  } else {
    std::memcpy(key, raw->data() + 1, 32);
  }
  OPENSSL_cleanse(raw->data(), raw->size());
  return status;
}

// The first line that is neither blank nor a "# " comment, without surrounding whitespace.
std::string FirstKeyLine(const std::string& contents) {
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t nl = contents.find('\n', pos);
    size_t end = nl == std::string::npos ? contents.size() : nl;
    size_t b = pos, e = end;
    while (b < e && (contents[b] == ' ' || contents[b] == '\t' || contents[b] == '\r')) ++b;
    while (e > b && (contents[e - 1] == ' ' || contents[e - 1] == '\t' || contents[e - 1] == '\r'))
      --e;
    if (e > b && contents[b] != '#') return contents.substr(b, e - b);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return "";
}

Status CheckName(const std::string& name) {
  if (!IsValidNoteKeyName(name)) {
    return Status::InvalidArgument(
        "invalid key name '" + name +
        "' (must be non-empty, without '+', spaces or control characters)");
  }
  return Status::Ok();
}

Status CheckNewFile(const std::string& path, bool overwrite) {
  if (!overwrite && PathExists(path)) {
    return Status::AlreadyExists(path + " already exists (remove it first to replace the key)");
  }
  return Status::Ok();
}

}  // namespace

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty()) return false;
  size_t pos = 0;
  while (pos < name.size()) {
    char32_t c;
    if (!NextUtf8CodePoint(name, &pos, &c)) return false;
    if (c == '+' || c < 0x20 || c == 0x7f || IsUnicodeSpace(c)) return false;
  }
  return true;
}

uint32_t NoteKeyId(std::string_view name, const Ed25519PublicKey& public_key) {
  std::string suffix;
  suffix.reserve(2 + public_key.size());
  suffix.push_back('\n');
  suffix.push_back(static_cast<char>(kNoteEd25519Type));
  suffix.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  Digest h = Sha256(name, suffix);
  return (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
}

Result<VerifierKey> MakeVerifierKey(std::string name, const Ed25519PublicKey& public_key) {
  MUSTER_RETURN_IF_ERROR(CheckName(name));
  VerifierKey key;
  key.key_id = NoteKeyId(name, public_key);
  key.name = std::move(name);
  key.public_key = public_key;
  return key;
}

Result<VerifierKey> ParseVerifierKey(std::string_view text) {
  std::string_view rest = text, name, hex;
  if (!ChopPlus(&rest, &name) || !ChopPlus(&rest, &hex)) {
    return Status::InvalidArgument("a verifier key has the form <name>+<key id>+<base64 key>");
  }
  VerifierKey key;
  key.name = std::string(name);
  MUSTER_RETURN_IF_ERROR(CheckName(key.name));
  MUSTER_ASSIGN_OR_RETURN(uint32_t id, ParseKeyIdHex(hex));
  MUSTER_RETURN_IF_ERROR(DecodeTypedKey(rest, "verifier key", key.public_key.data()));
  key.key_id = NoteKeyId(key.name, key.public_key);
  if (key.key_id != id) {
    return Status::InvalidArgument("verifier key ID " + std::string(hex) +
                                   " does not match the name '" + key.name +
                                   "' and key (expected " + KeyIdHex(key.key_id) + ")");
  }
  return key;
}

std::string FormatVerifierKey(const VerifierKey& key) {
  return key.name + "+" + KeyIdHex(key.key_id) + "+" + EncodeTypedKey(key.public_key.data());
}

Status VerifyEd25519(const Ed25519PublicKey& public_key, std::string_view message,
                     std::string_view signature) {
  if (signature.size() != 64) {
    return Status::InvalidArgument("an Ed25519 signature is 64 bytes, got " +
                                   std::to_string(signature.size()));
  }
  EVP_PKEY* pkey =
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size());
  if (pkey == nullptr) return Status::InvalidArgument(OpenSslError("not an Ed25519 public key"));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  int rc = -2;
  if (ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1) {
    rc = EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size());
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  if (rc == -2) return Status::Internal(OpenSslError("EVP_DigestVerifyInit (Ed25519) failed"));
  ERR_clear_error();
  if (rc != 1) return Status::Unauthenticated("Ed25519 signature does not verify");
  return Status::Ok();
}

// ---- SigningKey ----

struct SigningKey::Secret {
  explicit Secret(EVP_PKEY* k) : pkey(k) {}
  ~Secret() { EVP_PKEY_free(pkey); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  EVP_PKEY* pkey;
};

SigningKey::SigningKey(std::string name, std::unique_ptr<Secret> secret,
                       const Ed25519PublicKey& public_key)
    : name_(std::move(name)),
      secret_(std::move(secret)),
      public_key_(public_key),
      key_id_(NoteKeyId(name_, public_key_)) {}

SigningKey::~SigningKey() = default;

namespace {

Result<Ed25519PublicKey> RawPublicKey(EVP_PKEY* pkey) {
  Ed25519PublicKey pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey, pub.data(), &len) != 1 || len != pub.size()) {
    return Status::Internal(OpenSslError("EVP_PKEY_get_raw_public_key failed"));
  }
  return pub;
}

}  // namespace

Result<std::unique_ptr<SigningKey>> SigningKey::Generate(std::string name) {
  MUSTER_RETURN_IF_ERROR(CheckName(name));
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  EVP_PKEY* pkey = nullptr;
  bool ok = pctx != nullptr && EVP_PKEY_keygen_init(pctx) == 1 && EVP_PKEY_keygen(pctx, &pkey) == 1;
  EVP_PKEY_CTX_free(pctx);
  if (!ok) {
    EVP_PKEY_free(pkey);
    return Status::Internal(OpenSslError("Ed25519 key generation failed"));
  }
  auto secret = std::make_unique<Secret>(pkey);
  MUSTER_ASSIGN_OR_RETURN(Ed25519PublicKey pub, RawPublicKey(pkey));
  return std::unique_ptr<SigningKey>(new SigningKey(std::move(name), std::move(secret), pub));
}

Result<std::unique_ptr<SigningKey>> SigningKey::FromSeed(std::string name, std::string_view seed) {
  MUSTER_RETURN_IF_ERROR(CheckName(name));
  if (seed.size() != 32) {
    return Status::InvalidArgument("an Ed25519 seed is 32 bytes, got " +
                                   std::to_string(seed.size()));
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (pkey == nullptr) return Status::Internal(OpenSslError("cannot load the Ed25519 seed"));
  auto secret = std::make_unique<Secret>(pkey);
  MUSTER_ASSIGN_OR_RETURN(Ed25519PublicKey pub, RawPublicKey(pkey));
  return std::unique_ptr<SigningKey>(new SigningKey(std::move(name), std::move(secret), pub));
}

Result<std::unique_ptr<SigningKey>> SigningKey::Parse(std::string_view secret_key_text) {
  std::string_view rest = secret_key_text, name, hex;
  bool has_prefix = rest.substr(0, kSecretPrefix.size()) == kSecretPrefix;
  if (has_prefix) rest.remove_prefix(kSecretPrefix.size());
  if (!has_prefix || !ChopPlus(&rest, &name) || !ChopPlus(&rest, &hex)) {
    return Status::InvalidArgument(
        "a signing key has the form PRIVATE+KEY+<name>+<key id>+<base64 key>");
  }
  if (!IsValidNoteKeyName(name)) return Status::InvalidArgument("signing key has an invalid name");
  MUSTER_ASSIGN_OR_RETURN(uint32_t id, ParseKeyIdHex(hex));
  uint8_t seed[32];
  Status decoded = DecodeTypedKey(rest, "signing key", seed);
  if (!decoded.ok()) return decoded;
  auto key = FromSeed(std::string(name), std::string_view(reinterpret_cast<char*>(seed), 32));
  OPENSSL_cleanse(seed, sizeof(seed));
  if (!key.ok()) return key.status();
  if ((*key)->key_id() != id) {
    return Status::InvalidArgument("signing key ID " + std::string(hex) +
                                   " does not match the name and key (expected " +
                                   KeyIdHex((*key)->key_id()) + ")");
  }
  return key;
}

Result<std::unique_ptr<SigningKey>> SigningKey::LoadFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::PermissionDenied("signing key file " + path +
                                    " is readable by group or others (mode " + mode +
                                    "); run: chmod 600 " + path);
  }
  Result<std::string> contents = ReadFile(path);
  if (!contents.ok()) return contents.status();
  std::string line = FirstKeyLine(*contents);
  OPENSSL_cleanse(contents->data(), contents->size());
  auto key = Parse(line);
  OPENSSL_cleanse(line.data(), line.size());
  if (!key.ok()) return key.status().WithContext("signing key file " + path);
  return key;
}

Result<Ed25519Signature> SigningKey::Sign(std::string_view message) const {
  Ed25519Signature sig{};
  size_t len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  // Ed25519 is one-shot: no digest (md must be NULL) and no streaming update.
  bool ok =
      ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, secret_->pkey) == 1 &&
      EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1 &&
      len == sig.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) return Status::Internal(OpenSslError("Ed25519 signing failed"));
  return sig;
}

std::string SigningKey::FormatSecret() const {
  uint8_t seed[32];
  size_t len = sizeof(seed);
  MUSTER_CHECK(EVP_PKEY_get_raw_private_key(secret_->pkey, seed, &len) == 1 && len == 32);
  std::string out =
      std::string(kSecretPrefix) + name_ + "+" + KeyIdHex(key_id_) + "+" + EncodeTypedKey(seed);
  OPENSSL_cleanse(seed, sizeof(seed));
  return out;
}

// ---- Key files ----

Status WriteSigningKeyFile(const std::string& path, const SigningKey& key, bool overwrite) {
  MUSTER_RETURN_IF_ERROR(CheckNewFile(path, overwrite));
  std::string contents = "# Muster audit-log signing key '" + key.name() +
                         "' (Ed25519, C2SP signed-note). Keep it private.\n# verifier key: " +
                         FormatVerifierKey(key.verifier_key()) + "\n" + key.FormatSecret() + "\n";
  Status s = WriteFileAtomic(path, contents, 0600);
  OPENSSL_cleanse(contents.data(), contents.size());
  return s;
}

Status WriteVerifierKeyFile(const std::string& path, const VerifierKey& key, bool overwrite) {
  MUSTER_RETURN_IF_ERROR(CheckNewFile(path, overwrite));
  return WriteFileAtomic(path,
                         "# Muster audit-log verifier key '" + key.name +
                             "' (Ed25519, C2SP signed-note).\n" + FormatVerifierKey(key) + "\n",
                         0644);
}

Result<VerifierKey> LoadVerifierKeyFile(const std::string& path) {
  Result<std::string> contents = ReadFile(path);
  if (!contents.ok()) return contents.status();
  Result<VerifierKey> key = ParseVerifierKey(FirstKeyLine(*contents));
  if (!key.ok()) return key.status().WithContext("verifier key file " + path);
  return key;
}

}  // namespace muster::security
