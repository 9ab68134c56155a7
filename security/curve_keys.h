// CURVE keys: generation and the key files. `NAME.key` holds the Z85 secret key (mode 0600),
// `NAME.pub` the Z85 public key; each is one 40-character line. Secret keys are never logged.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/result.h"

namespace muster::security {

using RawKey = std::array<uint8_t, 32>;

struct CurveKeyPair {
  std::string public_z85;  // 40 chars
  std::string secret_z85;  // 40 chars
};

Result<CurveKeyPair> GenerateCurveKeyPair();

// Writes DIR/NAME.key (0600) and DIR/NAME.pub (0644). Refuses to overwrite unless `overwrite`.
Status WriteCurveKeyFiles(const std::string& dir, const std::string& name, const CurveKeyPair& keys,
                          bool overwrite = false);

// Reads a secret key file and derives its public key.
Result<CurveKeyPair> LoadCurveSecretKeyFile(const std::string& path);

// Reads a public key file; returns the Z85 text.
Result<std::string> LoadCurvePublicKeyFile(const std::string& path);

// Decodes a 40-character Z85 key into 32 bytes.
Result<RawKey> DecodeZ85Key(const std::string& z85);
std::string EncodeZ85Key(const RawKey& raw);

}  // namespace muster::security
