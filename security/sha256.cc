// SHA-256 via OpenSSL.
#include "security/sha256.h"

#include <openssl/evp.h>

#include "common/check.h"

namespace muster::security {

Digest Sha256(std::string_view data) { return Sha256(data, {}); }

namespace {

// The digest fetched once and a context reused by each thread: hashing is on the hot path (every
// audit leaf and tree node), and fetching and allocating per call cost more than the hash.
struct ThreadHasher {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ThreadHasher() { MUSTER_CHECK(md != nullptr && ctx != nullptr); }
  ~ThreadHasher() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
  ThreadHasher(const ThreadHasher&) = delete;
  ThreadHasher& operator=(const ThreadHasher&) = delete;
};

}  // namespace

Digest Sha256(std::string_view a, std::string_view b) {
  thread_local ThreadHasher hasher;
  Digest out{};
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex(hasher.ctx, hasher.md, nullptr) == 1 &&
            EVP_DigestUpdate(hasher.ctx, a.data(), a.size()) == 1 &&
            (b.empty() || EVP_DigestUpdate(hasher.ctx, b.data(), b.size()) == 1) &&
            EVP_DigestFinal_ex(hasher.ctx, out.data(), &len) == 1;
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
