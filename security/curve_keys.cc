// CURVE key generation and key files, on libzmq's own crypto (zmq_curve_keypair, Z85).
#include "security/curve_keys.h"

#include <zmq.h>

#include "common/files.h"

namespace muster::security {
namespace {

constexpr size_t kMaxKeyFileBytes = 4096;  // a key file is one line and a comment

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\n' || s[b] == '\r' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\n' || s[e - 1] == '\r' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

// Key files may carry comment lines starting with '#'; the key is the first other line.
std::string FirstKeyLine(const std::string& contents) {
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t nl = contents.find('\n', pos);
    std::string line = Trim(contents.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (!line.empty() && line[0] != '#') return line;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return "";
}

}  // namespace

Result<CurveKeyPair> GenerateCurveKeyPair() {
  if (!zmq_has("curve")) return Status::Unavailable("this libzmq was built without CURVE");
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) return Status::Internal("zmq_curve_keypair failed");
  return CurveKeyPair{std::string(pub, 40), std::string(sec, 40)};
}

Result<RawKey> DecodeZ85Key(const std::string& z85) {
  if (z85.size() != 40) {
    return Status::InvalidArgument("a CURVE key is 40 Z85 characters, got " +
                                   std::to_string(z85.size()));
  }
  RawKey raw{};
  if (zmq_z85_decode(raw.data(), z85.c_str()) == nullptr) {
    return Status::InvalidArgument("not a valid Z85 key");
  }
  return raw;
}

std::string EncodeZ85Key(const RawKey& raw) {
  char out[41];
  zmq_z85_encode(out, raw.data(), raw.size());
  return std::string(out, 40);
}

Status WriteCurveKeyFiles(const std::string& dir, const std::string& name, const CurveKeyPair& keys,
                          bool overwrite) {
  std::string key_path = JoinPath(dir, name + ".key");
  std::string pub_path = JoinPath(dir, name + ".pub");
  if (!overwrite && (PathExists(key_path) || PathExists(pub_path))) {
    return Status::AlreadyExists("key files for '" + name + "' already exist in " + dir +
                                 " (remove them first to replace the key)");
  }
  MUSTER_RETURN_IF_ERROR(MakeDirs(dir, 0755));
  MUSTER_RETURN_IF_ERROR(WriteFileAtomic(
      key_path, "# Muster CURVE secret key of '" + name + "'. Keep it private.\n" + keys.secret_z85 + "\n",
      0600));
  return WriteFileAtomic(pub_path, keys.public_z85 + "\n", 0644);
}

Result<CurveKeyPair> LoadCurveSecretKeyFile(const std::string& path) {
  auto contents = ReadFile(path, kMaxKeyFileBytes);
  if (!contents.ok()) return contents.status();
  std::string secret = FirstKeyLine(*contents);
  auto raw = DecodeZ85Key(secret);
  if (!raw.ok()) return raw.status().WithContext("secret key file " + path);
  char pub[41];
  if (zmq_curve_public(pub, secret.c_str()) != 0) {
    return Status::InvalidArgument("cannot derive a public key from " + path);
  }
  return CurveKeyPair{std::string(pub, 40), secret};
}

Result<std::string> LoadCurvePublicKeyFile(const std::string& path) {
  auto contents = ReadFile(path, kMaxKeyFileBytes);
  if (!contents.ok()) return contents.status();
  std::string key = FirstKeyLine(*contents);
  auto raw = DecodeZ85Key(key);
  if (!raw.ok()) return raw.status().WithContext("public key file " + path);
  return key;
}

}  // namespace muster::security
