// SHA-256 via OpenSSL.
#include "security/sha256.h"

#include <openssl/evp.h>

#include "common/check.h"

namespace muster::security {

Digest Sha256(std::string_view data) { return Sha256(data, {}); }

Digest Sha256(std::string_view a, std::string_view b) {
  Digest out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  MUSTER_CHECK(ctx != nullptr);
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
            (b.empty() || EVP_DigestUpdate(ctx, b.data(), b.size()) == 1) &&
            EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  EVP_MD_CTX_free(ctx);
  MUSTER_CHECK(ok && len == out.size());
  return out;
}

std::string ToHex(const uint8_t* data, size_t size) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

}  // namespace muster::security
